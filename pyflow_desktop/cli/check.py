"""``pyflow-desktop check FILE``: every problem of a file, one a line, without running any code.

Exit 0 valid (a summary on stdout), 2 invalid (the problems on stdout, their count on stderr).
"""

from __future__ import annotations

import argparse
import sys

from ..repository import check_file, load_repository
from .exit_codes import ExitCode

NAME = "check"
HELP = "validate a file without running any code"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``check``."""
    parser.add_argument("file", metavar="FILE")


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``check`` and return its exit code."""
    problems = check_file(args.file)
    if problems:
        for problem in problems:
            print(problem)
        print(f"{args.file}: {len(problems)} problem(s)", file=sys.stderr)
        return ExitCode.INVALID
    repo = load_repository(args.file)
    print(f"{args.file}: valid ({len(repo.specs)} nodespecs, {len(repo.flows)} flows)")
    return ExitCode.OK
