"""The run result, in the original PyFlow's shape: one object per planned node, in plan order.

``{id, name, inputs: [{name, type, value}], outputs: [{name, type, value}], status, error}``
with ``status`` one of success, fail, skip, cached, cancelled. A subflow node's row lists
its interface outputs and no inputs: its inner nodes' rows (``u1/m``) show what went in.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .flatten import is_pass_through
from .jsonable import to_jsonable
from .plan import PlannedNode

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


@dataclass
class RunResult:
    flow_id: str
    nodes: list[dict[str, Any]]
    elapsed: float = 0.0

    @property
    def ok(self) -> bool:
        """Whether every planned node succeeded (or reused a cached result)."""
        return all(node["status"] in OK_STATUSES for node in self.nodes)

    def counts(self) -> dict[str, int]:
        return dict(Counter(node["status"] for node in self.nodes))

    def node(self, node_id: str) -> dict[str, Any]:
        return next(node for node in self.nodes if node["id"] == node_id)

    def output(self, node_id: str, port: str = "out") -> Any:
        """The value of ``node_id``'s output ``port`` (``None`` if it did not run)."""
        return next(o["value"] for o in self.node(node_id)["outputs"] if o["name"] == port)

    def to_json(self) -> list[dict[str, Any]]:
        return to_jsonable(self.nodes)
