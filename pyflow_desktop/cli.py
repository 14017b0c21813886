"""The ``pyflow-desktop`` command.

``pyflow-desktop [FILE]`` opens the desktop window; ``run``, ``check`` and ``convert`` work
headless, and so do the commands of the headless services, each in its own module with
``add_parser(subparsers)`` and ``run(args)`` (``SERVICES``). Exit codes: 0 success, 1 a node
failed or was skipped, 2 the file or the request is invalid (a message on stderr, never a
traceback), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import signal
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from . import import_py, spec_test
from .engine import RunEvent, RunResult, make_executor, run_flow, to_jsonable
from .export import command as export_python
from .repository import (
    FORMATS,
    Repository,
    RepositoryError,
    check_file,
    load_repository,
    save_repository,
)
from .server import command as serve

EXIT_OK, EXIT_FAILED, EXIT_INVALID, EXIT_INTERRUPTED = 0, 1, 2, 130
SERVICES = {
    "test-spec": spec_test,
    "import-py": import_py,
    "serve": serve,
    "export-python": export_python,
}
COMMANDS = ("run", "check", "convert", *SERVICES)


class UsageError(Exception):
    """The request is invalid (exit 2)."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyflow-desktop",
        description="Build and run flows of Python functions. Without a command, opens the "
        "desktop window: pyflow-desktop [FILE] [--flow ID] [--run] [--screenshot PNG] [--quit]",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run a flow headless and print its result")
    run.add_argument("file", metavar="FILE")
    run.add_argument("--flow", metavar="ID", help="the flow to run (needed when FILE has several)")
    which = run.add_mutually_exclusive_group()
    which.add_argument(
        "--node",
        metavar="ID",
        action="append",
        help="run only this node and its ancestors (may be repeated)",
    )
    which.add_argument(
        "--all",
        action="store_true",
        help="run every node (default: the end nodes and their ancestors when the flow marks "
        "any, else every node)",
    )
    run.add_argument("--json", action="store_true", help="print the run result as JSON")
    run.add_argument("--events", action="store_true", help="print each event as a JSON line")
    run.add_argument(
        "--workers",
        metavar="N",
        type=_positive_int,
        help="nodes run at once (default: CPU count + 4 for thread, CPU count for process)",
    )
    run.add_argument(
        "--executor",
        choices=("thread", "process", "dask"),
        default="thread",
        help="where nodes run: threads here, isolated worker processes, or a Dask cluster",
    )
    run.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=_positive_float,
        help="fail a node that runs longer (process executor: its worker is killed)",
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler to use with --executor dask (default: a local cluster)",
    )
    run.add_argument(
        "--no-cache",
        action="store_true",
        help="run every node, reuse nothing (what one headless run always does: results are "
        "cached in memory, for the desktop session and run_flow callers)",
    )

    check = commands.add_parser("check", help="validate a file without running any code")
    check.add_argument("file", metavar="FILE")

    convert = commands.add_parser("convert", help="convert between native and original formats")
    convert.add_argument("input", metavar="IN")
    convert.add_argument("output", metavar="OUT")
    convert.add_argument("--format", choices=FORMATS, required=True)
    for service in SERVICES.values():
        service.add_parser(commands)
    return parser


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (value > 0 and math.isfinite(value)):
        raise argparse.ArgumentTypeError("must be a number of seconds more than 0")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # A job started with SIGINT ignored (a background `&` job) passes that on: take Ctrl+C back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if argv == ["--pyflow-worker"]:  # a bundled program serving as a process-executor worker
        from .engine.process_worker import main as worker_main

        worker_main()
        return EXIT_OK
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
            "run": _run,
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


def pick_flow(repo: Repository, flow_id: str | None, file: str) -> str:
    """The flow to open or run: ``flow_id``, or the only flow of the file."""
    if flow_id is not None:
        return repo.flow(flow_id).id
    if len(repo.flows) == 1:
        return next(iter(repo.flows))
    if not repo.flows:
        raise UsageError(f"{file}: the file holds no flow")
    raise UsageError(
        f"{file}: the file holds several flows; choose one with --flow: " + ", ".join(repo.flows)
    )


@contextmanager
def _private_stdout() -> Iterator[TextIO]:
    """Standard output for the CLI alone while nodes run.

    Node code that writes to file descriptor 1 itself (a subprocess, a C library) would land
    in the middle of ``--json`` or ``--events``; meanwhile descriptor 1 goes to stderr and the
    CLI writes through a private, line-buffered copy of the real stdout.
    """
    sys.stdout.flush()
    try:
        ours = os.dup(sys.stdout.fileno())
    except (OSError, ValueError):  # no real stdout (e.g. embedded): nothing to protect
        yield sys.stdout
        return
    os.dup2(sys.stderr.fileno(), 1)
    stream = os.fdopen(ours, "w", buffering=1, encoding="utf-8", errors="replace", closefd=False)
    try:
        yield stream
    finally:
        os.dup2(ours, 1)
        os.close(ours)


def _run(args: argparse.Namespace) -> int:
    with _private_stdout() as out:
        return _run_to(args, out)


def _run_to(args: argparse.Namespace, out: TextIO) -> int:
    repo = load_repository(args.file)
    flow_id = pick_flow(repo, args.flow, args.file)
    events: list[RunEvent] = []

    def on_event(event: RunEvent) -> None:
        if args.events:
            print(json.dumps(event.to_dict()), file=out)
        elif not args.json:
            events.append(event)

    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    options = {"scheduler_address": args.scheduler} if args.scheduler else {}
    try:
        executor = make_executor(args.executor, args.workers, **options)
        getattr(executor, "connect", lambda: None)()  # dask: reach the cluster now
    except (ImportError, OSError, RuntimeError) as exc:
        raise UsageError(f"cannot start the {args.executor} executor: {exc}") from None
    try:
        result = run_flow(
            repo,
            flow_id,
            targets=args.node or ("all" if args.all else None),
            on_event=on_event,
            executor=executor,
            timeout=args.timeout,
            cache=None,  # the cache is in memory: one headless run has nothing to reuse
        )
    finally:
        shutdown = getattr(executor, "shutdown", None)
        if shutdown is not None:
            shutdown()
    if args.json:
        print(json.dumps(result.to_json(), indent=None if args.events else 2), file=out)
    elif not args.events:
        print(format_table(result, events), file=out)
    return EXIT_OK if result.ok else EXIT_FAILED


def format_table(result: RunResult, events: list[RunEvent]) -> str:
    """A readable table of the run: one line per node, then a summary."""
    elapsed = {e.node: e.elapsed for e in events if hasattr(e, "elapsed") and e.node}
    rows = [("NODE", "NAME", "STATUS", "TIME", "RESULT")]
    for node in result.nodes:
        if node["status"] in ("success", "cached"):
            shown = ", ".join(f"{o['name']}={_short(o['value'])}" for o in node["outputs"])
        else:
            shown = node["error"] or ""
        took = f"{elapsed[node['id']] * 1000:.1f} ms" if node["id"] in elapsed else ""
        rows.append((node["id"], node["name"], node["status"], took, shown))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths)) + "  " + row[4]
        for row in rows
    ]
    counts = ", ".join(f"{n} {status}" for status, n in result.counts().items())
    lines.append(
        f"{result.flow_id}: {len(result.nodes)} nodes ({counts}) in {result.elapsed * 1000:.1f} ms"
    )
    return "\n".join(line.rstrip() for line in lines)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(to_jsonable(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


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
