"""Running one nodespec alone with typed-in values: ``pyflow-desktop test-spec`` and Test.

Manual values (strings, or already-typed values from widgets) are converted by each port's
type exactly as a run converts them (``spec_arguments``, by the call convention's
``call_arguments``), missing ones fall back to the port default. ``run_spec(spec, values)``
runs the function once, here, through the engine's ``execute_node``: the command line's
way. The window's Test runs ``spec_plan(spec, values)``, a run of one node, on the executor
of its run settings (a worker process by default), and reads the node's outcome back from
the run's events (``run_outcome``). Nothing here evaluates a value; node code runs only when
asked to.

Exit codes of ``test-spec``: 0 the function succeeded, 1 it failed, 2 the file, the spec id or
an input is invalid (a message on stderr, never a traceback).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from .engine import (
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutcome,
    NodeStarted,
    NodeTask,
    Plan,
    RunEvent,
    execute_node,
    failing_line,
    plan_run,
    to_jsonable,
)
from .engine.call_convention import call_arguments
from .repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Repository,
    RepositoryError,
    load_repository,
)

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
TEST_NODE = "test"  # the id of the one node of ``spec_plan``


class SpecInputError(ValueError):
    """A value given for a spec's input is unknown or cannot be converted to the port type."""


def spec_arguments(spec: NodeSpec, values: Mapping[str, Any]) -> list[Any]:
    """Positional arguments for ``spec``: each input's value (else default) converted."""
    names = [port.name for port in spec.inputs]
    unknown = [name for name in values if name not in names]
    if unknown:
        raise SpecInputError(
            f"{spec.id} has no input {unknown[0]!r} (inputs: {', '.join(names) or 'none'})"
        )
    args, problem = call_arguments(spec.ordered_inputs(), {}, values, {})
    if problem:
        raise SpecInputError(problem)
    return args


def run_spec(
    spec: NodeSpec,
    values: Mapping[str, Any],
    on_partial: Callable[[Any, int], None] | None = None,
) -> NodeOutcome:
    """Run ``spec``'s function once with ``values``; raises ``SpecInputError`` for bad inputs."""
    task = NodeTask(
        node_id=f"test:{spec.id}",
        func_source=spec.func,
        args=spec_arguments(spec, values),
        output_names=[port.name for port in spec.outputs],
        label=spec.id,
    )
    return execute_node(task, on_partial)


def spec_plan(spec: NodeSpec, values: Mapping[str, Any]) -> Plan:
    """A run of one node of ``spec`` with ``values``, for an executor to run as a run's node;
    raises ``SpecInputError`` (before anything runs) when a value does not fit its port."""
    spec_arguments(spec, values)
    repo = Repository()
    repo.add_spec(spec)
    flow = Flow(f"test:{spec.id}", spec.title)
    flow.add_node(NodeInstance(TEST_NODE, spec.id, values=dict(values)))
    repo.add_flow(flow)
    return plan_run(repo, flow, "all")


def run_outcome(spec: NodeSpec, events: Iterable[RunEvent]) -> NodeOutcome | None:
    """How the node of ``spec_plan(spec, ...)`` ended, read from its run's events (``None``
    when they do not say: the run itself failed)."""
    outcome, started = None, None
    for event in events:
        if event.node != TEST_NODE:
            continue
        if isinstance(event, NodeStarted):
            started = event.time
        elif isinstance(event, NodeFinished):
            outcome = NodeOutcome(
                TEST_NODE, event.outputs, None, "", event.stdout, event.stderr, event.elapsed
            )
        elif isinstance(event, NodeFailed):
            outcome = NodeOutcome(
                TEST_NODE,
                error=event.error,
                traceback=event.traceback,
                stdout=event.stdout,
                stderr=event.stderr,
                elapsed=event.elapsed,
                error_line=failing_line(spec.id, event.error, event.traceback),
            )
        elif isinstance(event, NodeCancelled):
            ran = event.time - started if started is not None else 0.0
            outcome = NodeOutcome(TEST_NODE, error="stopped before it finished", elapsed=ran)
    return outcome


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


def parse_input_options(options: Sequence[str]) -> dict[str, str]:
    """``["a=1", "b=x=y"]`` → ``{"a": "1", "b": "x=y"}``; a missing ``=`` is a usage error."""
    values = {}
    for option in options:
        name, sep, value = option.partition("=")
        if not sep or not name.strip():
            raise SpecInputError(f"--input {option!r}: use NAME=VALUE")
        values[name.strip()] = value
    return values


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Register ``test-spec`` on the ``pyflow-desktop`` command's subparsers."""
    parser = subparsers.add_parser("test-spec", help="run one nodespec alone with given inputs")
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
    return parser


def run(args: argparse.Namespace) -> int:
    """Carry out ``test-spec`` and return its exit code."""
    try:
        repo = load_repository(args.file)
        if args.spec_id not in repo.specs:
            known = ", ".join(sorted(repo.specs)) or "none"
            raise SpecInputError(f"{args.file}: no nodespec {args.spec_id!r} (nodespecs: {known})")
        spec = repo.specs[args.spec_id]
        outcome = run_spec(spec, parse_input_options(args.input))
    except (RepositoryError, SpecInputError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_INVALID
    if args.json:
        print(json.dumps(outcome_json(spec, outcome), indent=2))
    else:
        sys.stdout.write(outcome.stdout)
        for item in outcome_json(spec, outcome)["outputs"]:
            print(f"{item['name']} ({item['type']}) = {json.dumps(item['value'])}")
        if not outcome.ok:
            sys.stderr.write(outcome.traceback)
    if not outcome.ok:
        print(f"error: {spec.id}: {outcome.error}", file=sys.stderr)
    return EXIT_OK if outcome.ok else EXIT_FAILED


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m pyflow_desktop.spec_test FILE SPEC_ID ...`` (the same as ``test-spec``)."""
    parser = argparse.ArgumentParser(prog="pyflow-desktop")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return run(parser.parse_args(["test-spec", *(sys.argv[1:] if argv is None else argv)]))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
