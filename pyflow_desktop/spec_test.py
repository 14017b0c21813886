"""Running one nodespec alone with typed-in values: the service behind
``pyflow-desktop test-spec`` and the window's Test.

Manual values (strings, or already-typed values from widgets) are converted by each port's
type exactly as a run converts them (``spec_arguments``, by the call convention's
``call_arguments``), missing ones fall back to the port default. ``run_spec(spec, values)``
runs the function once, here, through the engine's ``execute_node``: the command line's
way. The window's Test runs ``spec_plan(spec, values)``, a run of one node, on the executor
of its run settings (a worker process by default), and reads the node's outcome back from
the run's events (``run_outcome``). Nothing here evaluates a value; node code runs only when
asked to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
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
)
from .engine.call_convention import call_arguments
from .repository import Flow, NodeInstance, NodeSpec, Repository

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
