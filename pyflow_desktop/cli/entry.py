"""``main``: the one entry point of the ``pyflow-desktop`` program.

The console script, ``python -m pyflow_desktop`` and a bundle's ``packaging/entry.py`` all
call it. It prepares the process (Ctrl+C, a bundle's worker processes) and its standard
streams (``standard_streams``), then reads the request: a command or a flag of the program
(``commands``), else the window (``window``). What goes wrong becomes one ``error: ...`` line
on stderr and an ``ExitCode``, never a traceback.
"""

from __future__ import annotations

import argparse
import io
import multiprocessing
import os
import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from ..repository import RepositoryError
from . import commands, program
from .commands import COMMANDS
from .errors import UsageError, print_error
from .exit_codes import ExitCode
from .window import no_display_problem, window_parser


def main(argv: Sequence[str] | None = None) -> int:
    """Carry out the request in ``argv`` (default: the program's arguments); its exit code."""
    argv = list(sys.argv[1:] if argv is None else argv)
    # A job started with SIGINT ignored (a background `&` job) passes that on: take Ctrl+C back.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if getattr(sys, "frozen", False):  # a bundle: multiprocessing children start as it
        multiprocessing.freeze_support()
    with standard_streams():
        if argv == ["--pyflow-worker"]:  # a bundled program serving as a process-executor worker
            from ..engine.process_worker import main as worker_main

            worker_main()
            return ExitCode.OK
        return _carry_out(argv)
    return ExitCode.OK  # the reader of stdout went away


@contextmanager
def standard_streams() -> Iterator[None]:
    """The program's standard streams, prepared here once for every request (each command,
    the window and a bundle's worker processes).

    A stream that is missing (a windowed Windows bundle, ``pythonw``: ``sys.stdout`` and
    ``sys.stderr`` are ``None``) writes to the null device, so nothing that prints or flushes
    fails. stdout and stderr write UTF-8, with ``backslashreplace`` for what is not text, so
    a Windows pipe or file in cp1252 takes any output. A reader of stdout that goes away
    (``pyflow-desktop run FILE | head``) stops the program quietly: stdout then goes to the
    null device, so the last flush cannot fail either. (``run`` also keeps descriptor 1 to
    itself while nodes run: ``run._private_stdout``.) The streams are as they were after.
    """
    before = sys.stdout, sys.stderr
    encodings = [(stream, stream.encoding, stream.errors) for stream in before if _recodes(stream)]
    for name in ("stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115
    for stream in (sys.stdout, sys.stderr):
        if _recodes(stream):
            stream.reconfigure(encoding="utf-8", errors="backslashreplace")
    try:
        yield
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    finally:
        for stream, encoding, errors in encodings:
            stream.reconfigure(encoding=encoding, errors=errors)
        for name, stream in zip(("stdout", "stderr"), before):
            if stream is None:
                getattr(sys, name).close()
                setattr(sys, name, None)


def _recodes(stream: object) -> bool:
    """Whether ``stream`` is a text stream whose encoding can be set (not ``None``, nor a
    replacement such as a test's capture)."""
    return isinstance(stream, io.TextIOWrapper)


def _carry_out(argv: list[str]) -> int:
    try:
        args = _request(argv)
        return int(args.func(args))
    except (RepositoryError, UsageError) as error:
        print_error(error)
        return ExitCode.INVALID
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
        return ExitCode.INTERRUPTED


def _request(argv: list[str]) -> argparse.Namespace:
    """``argv`` parsed: a command or a flag of the program, else the window's options (when
    the window can open here)."""
    first = argv[0] if argv else None
    program_flag = len(argv) == 1 and first in program.FLAGS
    if first in COMMANDS or first in ("-h", "--help") or program_flag:
        return commands.parse(argv)
    if first is not None and not first.startswith("-") and not Path(first).exists():
        raise UsageError(
            f"{first!r} is neither a file nor a command.\n"
            f"Commands: {', '.join(COMMANDS)}; or give a repository FILE to open it in the "
            "window. See pyflow-desktop --help."
        )
    problem = no_display_problem()
    if problem:
        raise UsageError(problem)
    return window_parser().parse_args(argv)
