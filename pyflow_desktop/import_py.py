"""``pyflow-desktop import-py REPO PYFILE...``: nodespecs from the original's nodemaker files.

Each PYFILE is read with ``ast`` (``repository.nodemaker``), never run. Every file is read
before REPO changes: the specs are added to REPO, or replace specs of the same id, and REPO
is saved atomically in the format it had; each id is printed on a line. A file that is not a
nodemaker module, or a replacement that would break a flow of REPO, exits 2 with a one-line
message and leaves REPO untouched.
"""

from __future__ import annotations

import argparse
import sys

from .repository import NodeSpec, Repository, RepositoryError, load_repository, save_repository
from .repository.file_format import file_format
from .repository.nodemaker import NodemakerError, specs_from_files
from .repository.validate import flow_problems

EXIT_OK, EXIT_INVALID = 0, 2


def merge_specs(repo: Repository, specs: list[NodeSpec]) -> None:
    """Add ``specs`` to ``repo``, replacing those of the same id (``spec_changed`` events).

    Raises ``NodemakerError``, ``repo`` unchanged, when a replacement would break a flow (a
    link or a value naming a port the new spec lacks).
    """
    new = {spec.id: spec for spec in specs}  # a later file wins over an earlier one
    merged = {**repo.specs, **new}
    for flow in repo.flows.values():
        if any(node.spec_id in new for node in flow.nodes.values()):
            problems = flow_problems(flow, merged)
            if problems:
                raise NodemakerError(f"the new nodespecs would break a flow: {problems[0]}")
    for spec in new.values():
        if spec.id in repo.specs:
            repo.replace_spec(spec)
        else:
            repo.add_spec(spec)


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``import-py`` on the ``pyflow-desktop`` command's subparsers."""
    parser = subparsers.add_parser(
        "import-py", help="add nodespecs from original nodemaker .py files (read, never run)"
    )
    parser.add_argument("repo", metavar="REPO", help="the repository file to add them to")
    parser.add_argument("pyfiles", metavar="PYFILE", nargs="+")
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out ``import-py`` and return its exit code."""
    try:
        repo = load_repository(args.repo)
        specs = specs_from_files(args.pyfiles)
        merge_specs(repo, specs)
        save_repository(repo, args.repo, file_format(args.repo))
    except RepositoryError as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    except OSError as exc:
        print(f"error: {args.repo}: cannot write: {exc.strerror}", file=sys.stderr)
        return EXIT_INVALID
    for spec_id in dict.fromkeys(spec.id for spec in specs):
        print(spec_id)
    return EXIT_OK
