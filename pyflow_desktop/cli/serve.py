"""``pyflow-desktop serve FILE [--host 127.0.0.1] [--port 5000] [--timeout SECONDS] [--token T]
[--sandbox | --sandbox-writable]``.

Serves the original PyFlow's REST API over FILE. It binds to loopback by default. This API
runs code, so on any other address it needs a token: ``--token``, or one it makes and
prints (``server.listening``); requests then send ``Authorization: Bearer TOKEN``. A token
given on loopback is required too. ``--sandbox`` runs the nodes of ``runflow`` in a sandbox
(``engine.sandbox``), and refuses to serve where none is available. Exit codes: 0 stopped (Ctrl+C), 2 a bad FILE or option.
FastAPI and uvicorn are imported only to serve.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..engine.sandbox import Sandbox, SandboxUnavailable
from ..engine.sandbox import check as check_sandbox
from ..server.listening import bind, settings_for
from ..server.store import DEFAULT_TIMEOUT, ServedRepository
from .arg_types import add_sandbox_arguments, port_number, seconds
from .errors import UsageError
from .exit_codes import ExitCode

NAME = "serve"
HELP = "serve the original PyFlow's REST API on FILE"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``serve``."""
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback)")
    parser.add_argument("--port", type=port_number, default=5000, help="port (default: 5000)")
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        help=f"fail a node of runflow that runs longer (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument(
        "--token",
        help="require Authorization: Bearer TOKEN (made and printed when --host is not loopback)",
    )
    add_sandbox_arguments(parser)


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``serve``: serve until stopped (``UsageError``: exit 2)."""
    try:
        settings = settings_for(args.host, args.port, args.token)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    try:
        import uvicorn

        from ..server.app import make_app
    except ImportError as exc:  # pragma: no cover - both are dependencies
        raise UsageError(f"the server needs fastapi and uvicorn: {exc}") from None
    sandbox = None
    if args.sandbox:
        try:
            check_sandbox()
        except SandboxUnavailable as exc:
            raise UsageError(str(exc)) from None
        sandbox = Sandbox(str(Path(args.file).resolve().parent), args.sandbox == "writable")
    store = ServedRepository(args.file, args.timeout, sandbox)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    try:
        listening = bind(settings.host, settings.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot serve on {shown}:{settings.port}: {reason}") from None
    print(f"serving {store.path} on http://{shown}:{settings.port} (API docs at /docs)")
    if settings.made_token:
        print(f"token: {settings.token}")
        print("send it with every request: Authorization: Bearer TOKEN")
    sys.stdout.flush()
    config = uvicorn.Config(
        make_app(store, settings.token), log_level="warning", timeout_graceful_shutdown=5
    )
    try:
        uvicorn.Server(config).run(sockets=[listening])
    except KeyboardInterrupt:
        pass
    finally:
        listening.close()
    return ExitCode.OK
