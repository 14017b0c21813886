"""The run result, in the original PyFlow's shape: one object per planned node, in plan order.

``{id, name, inputs: [{name, type, value}], outputs: [{name, type, value}], status, error}``
with ``status`` one of success, fail, skip, cached, cancelled. A subflow node's row lists
its interface outputs and no inputs: its inner nodes' rows (``u1/m``) show what went in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

from .call_convention import call_arguments
from .flatten import is_pass_through
from .jsonable import to_jsonable
from .plan import Plan, PlannedNode

STATUSES = ("success", "fail", "skip", "cached", "cancelled")
OK_STATUSES = frozenset({"success", "cached"})


def node_result(
    planned: PlannedNode,
    args: list[Any],
    outputs: dict[str, Any] | None,
    status: str,
    error: str | None,
) -> dict[str, Any]:
    node = planned.node
    # Loops rather than comprehensions: on 3.11 each comprehension is a call of its own.
    inputs = []
    if not is_pass_through(node):
        for port, value in zip(planned.inputs, args):
            inputs.append({"name": port.name, "type": port.type, "value": value})
    rows = []
    outputs = outputs or {}
    for port in planned.spec.outputs:
        rows.append({"name": port.name, "type": port.type, "value": outputs.get(port.name)})
    return {
        "id": node.id,
        "name": node.name,
        "inputs": inputs,
        "outputs": rows,
        "status": status,
        "error": error,
    }


def node_row(
    plan: Plan,
    inputs: dict[str, list[Any]],
    outputs: dict[str, dict[str, Any]],
    status: dict[str, str],
    errors: dict[str, str | None],
    node_id: str,
) -> dict[str, Any]:
    """``node_id``'s row, from a scheduler's state after the run: ``inputs`` (what the nodes
    that ran were called with; a node that did not run shows what it would have been)."""
    planned = plan.nodes[node_id]
    if node_id in inputs:
        args = inputs[node_id]
    else:
        args = call_arguments(planned.inputs, planned.links, planned.values, outputs)[0]
    return node_result(planned, args, outputs.get(node_id), status[node_id], errors[node_id])


class RunResult:
    """A finished run: ``flow_id``, ``elapsed`` seconds, ``statuses`` (node id → status, in
    plan order) and ``nodes``, the rows (see the module's docstring).

    The rows are made when they are first read, by ``row`` (node id → its row): the window
    reads statuses only, and a table of thousands of rows costs as long to make as a run of
    as many trivial nodes. ``node()`` of a table not made yet makes just that row."""

    def __init__(
        self,
        flow_id: str,
        statuses: dict[str, str],
        elapsed: float,
        row: Callable[[str], dict[str, Any]],
    ) -> None:
        self.flow_id, self.statuses, self.elapsed, self._row = flow_id, statuses, elapsed, row
        self._rows: list[dict[str, Any]] | None = None

    def __repr__(self) -> str:
        return f"RunResult({self.flow_id!r}, {self.counts()}, elapsed={self.elapsed:.4f})"

    @property
    def nodes(self) -> list[dict[str, Any]]:
        if self._rows is None:
            row = self._row
            self._rows = [row(node_id) for node_id in self.statuses]
        return self._rows

    @property
    def ok(self) -> bool:
        """Whether every planned node succeeded (or reused a cached result)."""
        return OK_STATUSES.issuperset(self.statuses.values())

    def counts(self) -> dict[str, int]:
        return dict(Counter(self.statuses.values()))

    def node(self, node_id: str) -> dict[str, Any]:
        if node_id not in self.statuses:
            raise KeyError(f"the run of {self.flow_id!r} planned no node {node_id!r}")
        if self._rows is None:
            return self._row(node_id)
        return next(node for node in self._rows if node["id"] == node_id)

    def output(self, node_id: str, port: str = "out") -> Any:
        """The value of ``node_id``'s output ``port`` (``None`` if it did not run)."""
        return next(o["value"] for o in self.node(node_id)["outputs"] if o["name"] == port)

    def to_json(self) -> list[dict[str, Any]]:
        return to_jsonable(self.nodes)
