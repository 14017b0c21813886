"""``pyflow-desktop export-python FILE [--flow ID] -o OUT.py``: a flow as a standalone script.

The script needs the standard library only and does not import pyflow_desktop; ``python -I
OUT.py`` prints the values ``pyflow-desktop run`` gives on that flow. Exit codes: 0 written,
2 an invalid file, flow or output path (a one-line message, never a traceback).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..repository import Repository, RepositoryError, load_repository
from ..repository.writer import write_atomically
from .script import flow_script

EXIT_OK, EXIT_INVALID = 0, 2


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``export-python`` on the ``pyflow-desktop`` command's subparsers."""
    parser = subparsers.add_parser(
        "export-python", help="write a flow as a Python script needing only the standard library"
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--flow", metavar="ID", help="the flow (needed when FILE has several)")
    parser.add_argument("-o", dest="output", metavar="OUT.py", required=True)
    return parser


def _flow_id(repo: Repository, flow_id: str | None, file: str) -> str:
    if flow_id is not None:
        return repo.flow(flow_id).id
    if len(repo.flows) == 1:
        return next(iter(repo.flows))
    known = ", ".join(repo.flows) or "none"
    raise RepositoryError(f"choose a flow with --flow (flows: {known})", file=file)


def write_script(text: str, path: str | os.PathLike) -> None:
    """Write ``text`` to ``path`` atomically, executable like a script."""
    write_atomically(path, [text.encode("utf-8")], mode=0o777)


def run(args: argparse.Namespace) -> int:
    """Carry out ``export-python`` and return its exit code."""
    try:
        repo = load_repository(args.file)
        flow_id = _flow_id(repo, args.flow, args.file)
        text = flow_script(repo, flow_id, origin=Path(args.file).name)
        if Path(args.output).is_dir():
            raise RepositoryError(f"{args.output} is a folder; give the script's file name")
        write_script(text, args.output)
    except RepositoryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {args.output}: cannot write: {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    print(f"{args.output}: flow {flow_id} as a script")
    return EXIT_OK
