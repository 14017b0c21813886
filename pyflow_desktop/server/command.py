"""``pyflow-desktop serve FILE [--host 127.0.0.1] [--port 5000] [--timeout SECONDS] [--token T]``.

Serves the original PyFlow's REST API over FILE. It binds to loopback by default. This API
runs code, so on any other address it needs a token: ``--token``, or one it makes and
prints; requests then send ``Authorization: Bearer TOKEN``. A token given on loopback is
required too. Exit codes: 0 stopped (Ctrl+C), 2 a bad FILE or option.
"""

from __future__ import annotations

import argparse
import ipaddress
import secrets
import socket
import sys
from dataclasses import dataclass

from ..arg_types import port_number, seconds
from ..repository import RepositoryError
from .store import DEFAULT_TIMEOUT

EXIT_OK, EXIT_INVALID = 0, 2
LOOPBACK_NAMES = ("localhost", "localhost.localdomain", "ip6-localhost")


def is_loopback(host: str) -> bool:
    """Whether ``host`` is a loopback address or name (127.0.0.0/8, ::1, localhost)."""
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class ServeSettings:
    host: str
    port: int
    token: str | None
    made_token: bool  # the token was made here (and must be shown to the user)


def settings_for(host: str, port: int, token: str | None) -> ServeSettings:
    """The token rule: required off loopback (made when not given), optional on it."""
    if token is not None and not token.strip():
        raise ValueError("--token must not be empty")
    if token is None and not is_loopback(host):
        return ServeSettings(host, port, secrets.token_urlsafe(24), True)
    return ServeSettings(host, port, token, False)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``serve`` on the ``pyflow-desktop`` command's subparsers."""
    parser = subparsers.add_parser("serve", help="serve the original PyFlow's REST API on FILE")
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
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out ``serve``: serve until stopped; 2 for a bad file or option."""
    try:
        settings = settings_for(args.host, args.port, args.token)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        import uvicorn

        from .app import make_app
        from .store import ServedRepository
    except ImportError as exc:  # pragma: no cover - both are dependencies
        print(f"error: the server needs fastapi and uvicorn: {exc}", file=sys.stderr)
        return EXIT_INVALID
    try:
        store = ServedRepository(args.file, args.timeout)
    except RepositoryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    try:
        listening = bind(settings.host, settings.port)
    except OSError as exc:
        reason = exc.strerror or str(exc)
        print(f"error: cannot serve on {shown}:{settings.port}: {reason}", file=sys.stderr)
        return EXIT_INVALID
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
    return EXIT_OK


def bind(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (raises ``OSError`` saying why it cannot be)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host.strip("[]"), port, type=socket.SOCK_STREAM
    )[0]
    listening = socket.socket(family, kind, proto)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind(address)
    except OSError:
        listening.close()
        raise
    return listening
