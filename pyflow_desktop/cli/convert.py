"""``pyflow-desktop convert IN OUT --format native|original``: a file in the other format.

To the original format, every subflow is inlined. Exit 0 written, 2 an invalid input or an
output that cannot be written.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

from ..repository import FORMATS, load_repository, save_repository
from .errors import UsageError
from .exit_codes import ExitCode

NAME = "convert"
HELP = "convert between native and original formats"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``convert``."""
    parser.add_argument("input", metavar="IN")
    parser.add_argument("output", metavar="OUT")
    parser.add_argument("--format", choices=FORMATS, required=True)


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``convert`` and return its exit code."""
    repo = load_repository(args.input)
    if _same_file(args.input, args.output):
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
    return ExitCode.OK


def _same_file(first: str, second: str) -> bool:
    """Whether two names are one file, as the file system says: on a case-insensitive disk
    (Windows, macOS) ``a.json`` and ``A.json`` are, and through links too."""
    try:
        return os.path.samefile(first, second)
    except OSError:  # the output does not exist yet
        return False
