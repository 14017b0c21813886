"""``pyflow-desktop test-spec FILE SPEC_ID [--input NAME=VALUE ...] [--json]``: one nodespec run
alone, here, on the given inputs (``spec_test.run_spec``; the others take their defaults).

Exit 0 the function succeeded, 1 it failed, 2 the file, the spec id or an input is invalid (a
message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from ..engine import NodeOutcome, to_jsonable
from ..repository import NodeSpec, load_repository
from ..spec_test import SpecInputError, run_spec
from .errors import UsageError, print_error
from .exit_codes import ExitCode

NAME = "test-spec"
HELP = "run one nodespec alone with given inputs"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The arguments of ``test-spec``."""
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("spec_id", metavar="SPEC_ID")
    parser.add_argument(
        "--input",
        metavar="NAME=VALUE",
        action="append",
        default=[],
        help="a value for an input port, converted by its type (may be repeated)",
    )
    parser.add_argument("--json", action="store_true", help="print the outcome as JSON")


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``test-spec`` and return its exit code (``UsageError``: exit 2)."""
    repo = load_repository(args.file)
    if args.spec_id not in repo.specs:
        known = ", ".join(sorted(repo.specs)) or "none"
        raise UsageError(f"{args.file}: no nodespec {args.spec_id!r} (nodespecs: {known})")
    spec = repo.specs[args.spec_id]
    try:
        outcome = run_spec(spec, input_values(args.input))
    except SpecInputError as error:
        raise UsageError(str(error)) from None
    if args.json:
        print(json.dumps(outcome_json(spec, outcome), indent=2))
    else:
        sys.stdout.write(outcome.stdout)
        for item in outcome_json(spec, outcome)["outputs"]:
            print(f"{item['name']} ({item['type']}) = {json.dumps(item['value'])}")
        if not outcome.ok:
            sys.stderr.write(outcome.traceback)
    if not outcome.ok:
        print_error(f"{spec.id}: {outcome.error}")
    return ExitCode.OK if outcome.ok else ExitCode.FAILED


def input_values(options: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a missing ``=`` is a usage error."""
    values = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--input {option!r}: use NAME=VALUE")
        values[name.strip()] = value
    return values


def outcome_json(spec: NodeSpec, outcome: NodeOutcome) -> dict[str, Any]:
    """The ``--json`` shape: ``{"status", "outputs": [{name, type, value}], "error"}``."""
    return {
        "status": "success" if outcome.ok else "fail",
        "outputs": [
            {"name": port.name, "type": port.type, "value": to_jsonable(outcome.outputs[port.name])}
            for port in spec.outputs
            if port.name in outcome.outputs
        ],
        "error": outcome.error,
    }
