"""The ``pyflow-desktop`` command.

``pyflow-desktop [FILE]`` opens the desktop window; ``run``, ``check`` and ``convert`` work
headless, and so do the commands of the headless services, each in its own module with
``add_parser(subparsers)`` and ``run(args)`` (``SERVICES``). Exit codes: 0 success, 1 a node
failed or was skipped, 2 the file or the request is invalid (a message on stderr, never a
traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from . import import_py, library_command, run_command, spec_test
from .export import command as export_python
from .repository import (
    FORMATS,
    RepositoryError,
    check_file,
    load_repository,
    save_repository,
)
from .run_command import UsageError
from .server import command as serve

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
SERVICES = {
    "test-spec": spec_test,
    "import-py": import_py,
    "serve": serve,
    "export-python": export_python,
    "library": library_command,
}
COMMANDS = ("run", "check", "convert", *SERVICES)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyflow-desktop",
        description="Build and run flows of Python functions. Without a command, opens the "
        "desktop window: pyflow-desktop [FILE] [--flow ID] [--run] [--screenshot PNG] [--quit]",
    )
    parser.add_argument(
        "--version", action="store_true", help="print the versions a bug report needs, and exit"
    )
    parser.add_argument(
        "--self-test",
        action="store_true",
        help="start the window, run examples in worker processes and check them (exit 0 or 1)",
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_true",
        help="add PyFlow Desktop to the Linux desktop's menu (a .desktop file and its icon)",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run_command.add_parser(commands)

    check = commands.add_parser("check", help="validate a file without running any code")
    check.add_argument("file", metavar="FILE")

    convert = commands.add_parser("convert", help="convert between native and original formats")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    convert.add_argument("--format", choices=FORMATS, required=True)
    for service in SERVICES.values():
        service.add_parser(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # A job started with SIGINT ignored (a background `&` job) passes that on: take Ctrl+C back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if getattr(sys, "frozen", False):  # a bundle: multiprocessing children start as it
        multiprocessing.freeze_support()
    if argv == ["--pyflow-worker"]:  # a bundled program serving as a process-executor worker
        from .engine.process_worker import main as worker_main

        worker_main()
        return EXIT_OK
    if argv in (["--version"], ["--self-test"], ["--install-desktop-entry"]):
        return _program_request(argv[0])
    if argv and argv[0] in COMMANDS:
        parser = _parser()
        args = _subparsers(parser)[argv[0]].parse_args(argv[1:])  # errors show its own usage
        args.command = argv[0]
    elif argv and argv[0] in ("-h", "--help"):
        _parser().print_help()
        return EXIT_OK
    else:
        return _window(argv)
    try:
        return {
            "run": run_command.run,
            "check": _check,
            "convert": _convert,
            **{name: service.run for name, service in SERVICES.items()},
        }[args.command](args)
    except (RepositoryError, UsageError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # the reader went away (`| head`): stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


def _program_request(flag: str) -> int:
    """``--version``, ``--self-test`` (works with no display) or ``--install-desktop-entry``."""
    if flag == "--install-desktop-entry":
        from .desktop_entry import install

        for path in install():
            print(f"wrote {path}")
        return EXIT_OK
    if no_display_problem():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"  # neither needs a screen
    if flag == "--version":
        from .ui.window.about import version_text

        print(version_text())
        return EXIT_OK
    from .ui.window.self_test import main as self_test

    return self_test()


def _subparsers(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """The parser of each command, by name."""
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def _window(argv: list[str]) -> int:
    """Open the desktop window, unless the request cannot work: then say why (exit 2)."""
    first = argv[0] if argv else None
    if first is not None and not first.startswith("-") and not Path(first).exists():
        print(
            f"error: {first!r} is neither a file nor a command.\n"
            f"Commands: {', '.join(COMMANDS)}; or give a repository FILE to open it in the "
            "window. See pyflow-desktop --help.",
            file=sys.stderr,
        )
        return EXIT_INVALID
    problem = no_display_problem()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_INVALID
    from .ui.window.app import main as gui_main  # Qt is imported only for the window

    return gui_main(argv)


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


def _check(args: argparse.Namespace) -> int:
    problems = check_file(args.file)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{args.file}: {len(problems)} problem(s)", file=sys.stderr)
        return EXIT_INVALID
    repo = load_repository(args.file)
    print(f"{args.file}: valid ({len(repo.specs)} nodespecs, {len(repo.flows)} flows)")
    return EXIT_OK


def _convert(args: argparse.Namespace) -> int:
    repo = load_repository(args.input)
    if Path(args.output).resolve() == Path(args.input).resolve():
        raise UsageError("IN and OUT are the same file; write the conversion elsewhere")
    if Path(args.output).is_dir():
        raise UsageError(f"{args.output} is a folder; give the name of the file to write")
    try:
        save_repository(repo, args.output, args.format)
    except OSError as exc:
        raise UsageError(f"{args.output}: cannot write: {exc.strerror}") from None
    print(
        f"{args.output}: wrote {len(repo.specs)} nodespecs and {len(repo.flows)} flows "
        f"({args.format} format)"
    )
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
