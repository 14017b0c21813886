"""The run result, in the original PyFlow's shape: one object per planned node, in plan order.

``{id, name, inputs: [{name, type, value}], outputs: [{name, type, value}], status, error}``
with ``status`` one of success, fail, skip, cached, cancelled. A subflow node's row lists
its interface outputs and no inputs: its inner nodes' rows (``u1/m``) show what went in.
``to_json()`` (what ``run --json`` prints) shows a value JSON holds as it is and any other
as the summary of its view, ``{"type", "repr", "shape"}``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from .call_convention import call_arguments, linked_argument
from .flatten import is_pass_through
from .handles import Handle, Linked
from .plan import Plan, PlannedNode
from .value_store import value_size
from .views import fetch_data, make_view, shown, summary

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


class Rows:
    """The rows of a finished run, from its scheduler's state: ``inputs`` (what the nodes
    that ran were called with; a node that did not run shows what it would have been) and
    ``outputs`` (values, or ``Handle``s where they stayed in workers).

    ``row(node_id)`` gives the values themselves (fetched from their workers when they
    stayed there: a script asked for them, and runs the nodes' code anyway); ``row(node_id,
    full=False)`` what a result prints: the value when JSON holds it, else its summary
    (``views.shown``), from the views alone."""

    def __init__(self, plan: Plan, inputs, outputs, status, errors) -> None:
        self.plan, self.inputs, self.outputs = plan, inputs, outputs
        self.status, self.errors = status, errors

    def row(self, node_id: str, full: bool = True) -> dict[str, Any]:
        planned = self.plan.nodes[node_id]
        value = _in_row if full else _shown
        outputs = self.outputs.get(node_id)
        if outputs is not None:
            outputs = {port: value(item) for port, item in outputs.items()}
        if node_id in self.inputs:
            args = [self._argument(arg, full) for arg in self.inputs[node_id]]
        else:
            upstream = _Resolved(self.outputs, value)
            args = call_arguments(planned.inputs, planned.links, planned.values, upstream)[0]
            if not full:
                args = [_shown(arg) for arg in args]
        return node_result(planned, args, outputs, self.status[node_id], self.errors[node_id])

    def output(self, node_id: str, port: str) -> Any:
        outputs = self.outputs.get(node_id)
        return None if outputs is None else _full(outputs.get(port))

    def _argument(self, arg: Any, full: bool) -> Any:
        """An argument a node was called with, as a row shows it: a linked value converted
        as the worker converted it (from its view when the view holds it, else its
        summary)."""
        if type(arg) is not Linked:
            return arg if full else _shown(arg)
        handle = arg.handle or self.outputs[arg.source][arg.source_port]  # made in its job
        if full:
            return linked_argument(_in_row(handle), arg.port, arg)[0]
        if "value" not in handle.view:
            return summary(handle.view)
        return _shown(linked_argument(handle.view["value"], arg.port, arg)[0])


def _full(item: Any) -> Any:
    """The value itself; a value whose worker is gone, as its view holds it (if it does)."""
    if type(item) is not Handle:
        return item
    try:
        return item.fetch()
    except LookupError:
        if "value" in item.view:
            return item.view["value"]
        raise


def _in_row(item: Any) -> Any:
    """A value as a row holds it: itself, or what its view shows when it can no longer be
    had (its worker is gone, it does not pickle: ``output`` says why)."""
    try:
        return _full(item)
    except (LookupError, ValueError):
        return _shown(item)


def _shown(item: Any) -> Any:
    return shown(item.view if type(item) is Handle else make_view(item, brief=True))


class _Resolved(Mapping):
    """Node id → its outputs, each through ``value`` (for the arguments of a node that did
    not run)."""

    def __init__(self, outputs: dict, value: Callable[[Any], Any]) -> None:
        self._outputs, self._value = outputs, value

    def __getitem__(self, node_id: str) -> dict[str, Any]:
        return {port: self._value(item) for port, item in self._outputs[node_id].items()}

    def __iter__(self) -> Iterator[str]:
        return iter(self._outputs)

    def __len__(self) -> int:
        return len(self._outputs)


class RunResult:
    """A finished run: ``flow_id``, ``elapsed`` seconds, ``statuses`` (node id → status, in
    plan order) and ``nodes``, the rows (see the module's docstring) with the values
    themselves; ``to_json()`` the rows as a result prints them.

    The rows are made when they are first read (``Rows``): the window reads statuses only,
    and a table of thousands of rows costs as long to make as a run of as many trivial
    nodes. ``node()`` of a table not made yet makes just that row. On the process executor
    values stay in the workers until the result is gone; reading them here loads them into
    this process (a script's way; the window never does)."""

    def __init__(self, flow_id: str, statuses: dict[str, str], elapsed: float, rows: Rows) -> None:
        self.flow_id, self.statuses, self.elapsed, self._source = flow_id, statuses, elapsed, rows
        self._rows: list[dict[str, Any]] | None = None
        self._counts: Counter[str] | None = None

    def __repr__(self) -> str:
        return f"RunResult({self.flow_id!r}, {self.counts()}, elapsed={self.elapsed:.4f})"

    @property
    def nodes(self) -> list[dict[str, Any]]:
        if self._rows is None:
            row = self._source.row
            self._rows = [row(node_id) for node_id in self.statuses]
        return self._rows

    @property
    def ok(self) -> bool:
        """Whether every planned node succeeded (or reused a cached result)."""
        return OK_STATUSES.issuperset(self.statuses.values())

    def counts(self) -> dict[str, int]:
        """Status → how many nodes ended so: a dict of the caller's own, counted once (a
        finished run's statuses do not change, and its sink, the window and the command
        line each ask)."""
        if self._counts is None:
            self._counts = Counter(self.statuses.values())
        return dict(self._counts)

    def node(self, node_id: str) -> dict[str, Any]:
        if node_id not in self.statuses:
            raise KeyError(f"the run of {self.flow_id!r} planned no node {node_id!r}")
        if self._rows is None:
            return self._source.row(node_id)
        return next(node for node in self._rows if node["id"] == node_id)

    def output(self, node_id: str, port: str = "out") -> Any:
        """The value of ``node_id``'s output ``port`` (``None`` if it did not run), loaded
        into this process from its worker when it stayed there. Raises ``LookupError`` when
        its worker no longer has it, ``ValueError`` when it cannot be pickled."""
        if node_id not in self.statuses:
            raise KeyError(f"the run of {self.flow_id!r} planned no node {node_id!r}")
        return self._source.output(node_id, port)

    def view(self, node_id: str, port: str = "out") -> dict[str, Any] | None:
        """The full view of an output (``views.make_view``), made where the value is."""
        item = self._source.outputs.get(node_id, {}).get(port)
        if type(item) is Handle:
            return item.fetch("view")
        return None if item is None else make_view(item)

    def size(self, node_id: str, port: str = "out") -> int | None:
        """Bytes an output's value takes where it is (as its worker measured it)."""
        item = self._source.outputs.get(node_id, {}).get(port)
        if type(item) is Handle:
            return item.size
        return None if item is None else value_size(item)

    def available(self, node_id: str, port: str = "out") -> bool:
        """Whether an output's value can still be had (its worker process did not end)."""
        item = self._source.outputs.get(node_id, {}).get(port)
        return item is not None and (type(item) is not Handle or item.available)

    def fetch(self, node_id: str, port: str, what: str, **params: Any) -> Any:
        """JSON data about an output beyond its view, made where the value is: ``"rows"``
        (``start``, ``count``: a page of a table), ``"series"`` (its numbers, ``start`` to
        ``start + count``) — see ``views.fetch_data``. Safe for the window: JSON only."""
        item = self._source.outputs.get(node_id, {}).get(port)
        if type(item) is Handle:
            return item.fetch(what, **params)
        return None if item is None else fetch_data(item, what, **params)

    def to_json(self) -> list[dict[str, Any]]:
        """The rows as ``run --json`` prints them: a value JSON holds as it is, any other as
        its summary ``{"type", "repr", "shape"}``."""
        row = self._source.row
        return [row(node_id, full=False) for node_id in self.statuses]
