"""``pyflow-desktop run FILE ...``: run a flow headless and print its result.

Prints a readable table, the run result as JSON (``--json``) or each event as a JSON line
(``--events``): a value JSON holds as it is, any other as its view's summary, ``{"type",
"repr", "shape"}`` (``RunResult.to_json``, ``views.shown``); exits 0 when every node
succeeded, 1 when one failed or was skipped, 2 for an invalid file or request
(``UsageError``, or a ``RepositoryError`` naming the file).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TextIO

from ..engine import RunEvent, RunResult, make_executor, run_flow
from ..engine.folder import flow_folder
from ..engine.sandbox import Sandbox
from ..engine.worker_proxy import WorkerStartError
from ..repository import load_repository
from .arg_types import add_sandbox_arguments, positive_int, seconds
from .errors import UsageError
from .exit_codes import ExitCode
from .flows import pick_flow

NAME = "run"
HELP = "run a flow headless and print its result"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``run``."""
    parser.add_argument("file", metavar="FILE")
    parser.add_argument(
        "--flow", metavar="ID", help="the flow to run (needed when FILE has several)"
    )
    which = parser.add_mutually_exclusive_group()
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
    parser.add_argument("--json", action="store_true", help="print the run result as JSON")
    parser.add_argument("--events", action="store_true", help="print each event as a JSON line")
    parser.add_argument(
        "--workers",
        metavar="N",
        type=positive_int,
        help="nodes run at once (default: CPU count + 4 for thread, CPU count for process)",
    )
    parser.add_argument(
        "--executor",
        choices=("thread", "process", "dask"),
        help="where nodes run: threads here, isolated worker processes, or a Dask cluster "
        "(default: thread; process with --sandbox)",
    )
    add_sandbox_arguments(parser)
    parser.add_argument(
        "--timeout",
        metavar="SECONDS",
        type=seconds,
        help="fail a node that runs longer (process executor: its worker is killed)",
    )
    parser.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="a Dask scheduler to use with --executor dask (default: a local cluster)",
    )
    parser.add_argument(
        "--memory",
        metavar="MB",
        type=positive_int,
        help="process executor: MiB of values its workers keep in memory together (default: a "
        "quarter of RAM); past it the least recently used go to disk, or are dropped and made "
        "again when needed",
    )
    parser.add_argument(
        "--max-message",
        metavar="MB",
        type=positive_int,
        help="process executor: MiB of one message from a worker at most (default: 64); a "
        "node whose result needs more fails saying so",
    )
    parser.add_argument(
        "--no-cache",
        action="store_true",
        help="run every node, reuse nothing (what one headless run always does: results are "
        "cached in memory, for the desktop session and run_flow callers)",
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


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``run`` and return its exit code (``UsageError``: exit 2)."""
    with _private_stdout() as out:
        return _run_to(args, out)


def _run_to(args: argparse.Namespace, out: TextIO) -> ExitCode:
    repo = load_repository(args.file)
    flow_id = pick_flow(repo, args.flow, args.file)
    events: list[RunEvent] = []

    def on_event(event: RunEvent) -> None:
        if args.events:
            print(json.dumps(event.to_dict()), file=out)
        elif not args.json:
            events.append(event)

    args.executor = args.executor or ("process" if args.sandbox else "thread")
    if args.sandbox and args.executor != "process":
        raise UsageError("--sandbox needs --executor process")
    if args.scheduler and args.executor != "dask":
        raise UsageError("--scheduler needs --executor dask")
    for option in ("memory", "max_message"):
        if getattr(args, option) and args.executor != "process":
            raise UsageError(f"--{option.replace('_', '-')} needs --executor process")
    options: dict[str, object] = {"scheduler_address": args.scheduler} if args.scheduler else {}
    if args.memory:
        options["memory"] = args.memory * 2**20
    if args.max_message:
        options["max_message"] = args.max_message * 2**20
    if args.sandbox:
        options["sandbox"] = Sandbox(flow_folder(args.file), args.sandbox == "writable")
    try:
        executor = make_executor(args.executor, args.workers, **options)
        executor.connect()  # dask: reach the cluster now
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
            folder=flow_folder(args.file),  # nodes run in their file's folder
        )
    except WorkerStartError as exc:  # e.g. a sandbox bwrap refused (it said why on stderr)
        raise UsageError(f"cannot start the {args.executor} executor: {exc}") from None
    finally:
        executor.shutdown()
    if args.json:
        print(json.dumps(result.to_json(), indent=None if args.events else 2), file=out)
    elif not args.events:
        print(format_table(result, events), file=out)
    return ExitCode.OK if result.ok else ExitCode.FAILED


def format_table(result: RunResult, events: list[RunEvent]) -> str:
    """A readable table of the run: one line per node, then a summary."""
    elapsed = {e.node: e.elapsed for e in events if hasattr(e, "elapsed") and e.node}
    rows = [("NODE", "NAME", "STATUS", "TIME", "RESULT")]
    for node in result.to_json():  # values as views show them: nothing is loaded here
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
        f"{result.flow_id}: {len(result.statuses)} nodes ({counts}) in {result.elapsed * 1000:.1f} ms"
    )
    return "\n".join(line.rstrip() for line in lines)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
