"""``pyflow-desktop import-py REPO PYFILE...``: nodespecs from the original's nodemaker files.

Each PYFILE is read with ``ast`` (``repository.nodemaker``), never run. Every file is read
before REPO changes: the specs are added to REPO, or replace specs of the same id, and REPO
is saved atomically in the format it had; each id is printed on a line. A file that is not a
nodemaker module, or a replacement that would break a flow of REPO, exits 2 with a one-line
message and leaves REPO untouched.
"""

from __future__ import annotations

import argparse

from ..repository import load_repository, save_repository
from ..repository.file_format import file_format
from ..repository.merge import put_specs
from ..repository.nodemaker import specs_from_files
from .errors import UsageError
from .exit_codes import ExitCode

NAME = "import-py"
HELP = "add nodespecs from original nodemaker .py files (read, never run)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``import-py``."""
    parser.add_argument("repo", metavar="REPO", help="the repository file to add them to")
    parser.add_argument("pyfiles", metavar="PYFILE", nargs="+")


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``import-py`` and return its exit code (``RepositoryError``: exit 2)."""
    try:
        repo = load_repository(args.repo)
        specs = specs_from_files(args.pyfiles)
        put_specs(repo, specs)
        save_repository(repo, args.repo, file_format(args.repo))
    except OSError as exc:
        raise UsageError(f"{args.repo}: cannot write: {exc.strerror}") from None
    for spec_id in dict.fromkeys(spec.id for spec in specs):
        print(spec_id)
    return ExitCode.OK
