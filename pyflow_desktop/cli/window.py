"""``pyflow-desktop [FILE] [--flow ID] [--run] [--screenshot PNG] [--quit]``: the desktop window.

The options make the window scriptable: ``--run`` runs the shown flow exactly as F5 does,
``--screenshot`` saves a grab of the whole window once the run has settled, and ``--quit``
then exits with the run's code — 0 success, 1 a node failed or was skipped, 2 the file or
flow is invalid (a message on stderr, no traceback, and no dialog waits for anyone).
FILE is read here; Qt is imported only to open the window (``ui.window.app``).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from pathlib import Path

from ..repository import Repository, RepositoryError, load_repository
from ..resources import BUILTIN_LIBRARY, resource_path
from .errors import UsageError, print_error
from .exit_codes import ExitCode


def window_parser() -> argparse.ArgumentParser:
    """The parser of the window's options, carried out by ``run``."""
    parser = argparse.ArgumentParser(
        prog="pyflow-desktop", description="Open the PyFlow Desktop window."
    )
    parser.add_argument(
        "file", metavar="FILE", nargs="?", help="repository to open (default: the built-in library)"
    )
    parser.add_argument("--flow", metavar="ID", help="the flow to show (default: the first)")
    parser.add_argument("--run", action="store_true", help="run the flow, as F5 does")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window")
    parser.add_argument(
        "--quit", action="store_true", help="exit when done, with the run's exit code"
    )
    parser.set_defaults(func=run)
    return parser


def run(args: argparse.Namespace) -> int:
    """Open the window on FILE and wait until it closes; with ``--quit``, the exit code of what
    it was asked to do. A file that cannot be read is said on stderr and, unless scripted,
    in the window, which opens empty."""
    scripted = args.quit or args.run
    try:
        repo, path, flow_id = _load(args.file, args.flow)
    except RepositoryError as error:
        print_error(error)
        if scripted:
            return ExitCode.INVALID
        repo, path, flow_id, problem = Repository(), None, None, str(error)
    else:
        problem = None
    if args.run and flow_id is None:
        raise UsageError(f"{path}: the file holds no flow to run")
    from ..ui.window.app import open_window  # Qt is imported only for the window

    outcome = open_window(
        repo,
        # The built-in library is read-only: without FILE, Save asks where to write.
        path.resolve() if path and args.file else None,
        flow_id,
        flow_asked=bool(args.flow),
        problem=problem,
        run=args.run,
        screenshot=args.screenshot,
        quit=args.quit,
        report=print_error,
    )
    if not args.quit:
        return ExitCode.OK
    if outcome.run_ok is False:
        return ExitCode.FAILED
    return ExitCode.INVALID if outcome.failed else ExitCode.OK


def _load(file: str | None, flow_id: str | None) -> tuple[Repository, Path, str | None]:
    """The repository, its path and the flow to show (``flow_id``, else the first); raises
    ``RepositoryError``."""
    path = Path(file) if file else resource_path(BUILTIN_LIBRARY)
    repo = load_repository(path)
    if flow_id is not None:
        return repo, path, repo.flow(flow_id).id
    return repo, path, next(iter(repo.flows), None)


def no_display_problem(environ: Mapping[str, str] = os.environ) -> str:
    """Why the window cannot open here (no display on Linux), or ``""``."""
    if not sys.platform.startswith("linux"):
        return ""
    if any(environ.get(name) for name in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")):
        return ""
    return (
        "no display found: none of DISPLAY, WAYLAND_DISPLAY or QT_QPA_PLATFORM is set. "
        "To open the window without a screen, set QT_QPA_PLATFORM=offscreen; to run a flow "
        "headless, use: pyflow-desktop run FILE [--flow ID]"
    )
