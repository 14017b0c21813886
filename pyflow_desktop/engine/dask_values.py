"""Values that stay on a Dask cluster: what ``DaskExecutor`` keeps of them, and what runs on
the workers to use them.

A node's dask task returns its outputs, which stay on the cluster with the node's future,
and publishes its ``meta`` through the cluster's event broker before it returns: its
outcome (error, traceback, captured output, time) and, per output, its view and size, made
on the worker (``node_meta``). The client gets only that, and each output becomes a
``Handle`` whose holder is a ``DaskHolder``: the node's future. A node downstream is
submitted on its inputs' futures, so dask moves values from worker to worker itself, and
the worker takes each ``Linked`` argument from them (``resolve_arguments``) and converts it
there. The value itself, or JSON data about it (``views.fetch_data``), comes to the client
only when asked (``DaskHolder.fetch``). A future lives as long as a handle holds it: the
run's result, or the cache. Dask makes a value its worker lost again from its lineage, as
it does any key; a future of a client since closed is cancelled, its value gone.
"""

from __future__ import annotations

from typing import Any

from .call_convention import linked_argument
from .handles import Key, Linked
from .node_call import NodeOutcome
from .value_store import value_size
from .views import fetch_data, make_view

# A future's states in which its value is, or will again be, on the cluster.
_KEPT = frozenset({"pending", "finished", "lost"})


class DaskHolder:
    """The future of a node's outputs."""

    __slots__ = ("client", "future")

    def __init__(self, client, future) -> None:
        self.client, self.future = client, future

    @property
    def alive(self) -> bool:
        return self.future.status in _KEPT

    def fetch(self, key: Key, what: str, **params: Any) -> Any:
        """The value of output ``key[2]`` (to this process: a script's way), or JSON data
        about it, computed where it is."""
        if what == "value":
            task = self.client.submit(output_of, self.future, key[2], pure=False)
        else:
            task = self.client.submit(data_of, self.future, key[2], what, params, pure=False)
        try:
            return task.result()
        except Exception as exc:  # noqa: BLE001 — dask says why in its own words
            reason = f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}"
            where = f"{key[1]}:{key[2]}"
            raise ValueError(f"the value of {where} could not be had from dask ({reason})") from exc


def resolve_arguments(args: list[Any], inputs: dict[str, dict]) -> tuple[list[Any], str | None]:
    """A task's arguments, each ``Linked`` one taken from ``inputs`` (node id → its outputs,
    as dask gives them) and converted by its port; the first problem."""
    resolved, problem = [], None
    for arg in args:
        if type(arg) is Linked:
            value = arg.value if arg.key is None else inputs[arg.key[1]].get(arg.key[2])
            arg, found = linked_argument(value, arg.port, arg)
            problem = problem or found
        resolved.append(arg)
    return resolved, problem


def node_meta(outcome: NodeOutcome, views: bool) -> dict[str, Any]:
    """What the client gets of a node's run: its outcome, and per output its view and size."""
    meta: dict[str, Any] = {
        name: getattr(outcome, name)
        for name in ("error", "traceback", "stdout", "stderr", "elapsed", "error_line")
    }
    meta["outputs"] = {
        port: [make_view(value, brief=not views), value_size(value)]
        for port, value in outcome.outputs.items()
    }
    return meta


def output_of(outputs: dict, port: str) -> Any:
    return outputs[port]


def data_of(outputs: dict, port: str, what: str, params: dict) -> Any:
    return fetch_data(outputs[port], what, **params)
