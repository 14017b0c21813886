"""Where a value is, for executors whose values stay in worker processes.

A ``Handle`` is the owner's record of one output value: its ``key`` in the workers' stores
(``(scope, node id, port)``), the workers that hold it (``holders``: its maker, and those it
was copied to), its ``size`` in bytes and its ``view`` (JSON data, made where the value is).
A value made in the owner itself (the ``None`` a subflow hands on for an output that has no
value) is ``local``: it travels with the task. The scheduler keeps handles where the thread
executor keeps values; a handle with no live holder is lost (its worker died, or dropped it
under its memory budget), and the node that made it runs again when its value is needed.

A ``Linked`` is one linked argument of a task, as a worker resolves it: the key of the value,
and the port that takes it (its type, default and name) with the link's source, for the call
convention's ``linked_argument`` and its messages. Pickled for the worker, it leaves its
handle behind.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Protocol

from .views import make_view

Key = tuple[str, str, str]
_ALIVE = attrgetter("alive")


class Holder(Protocol):
    """A worker that holds values (``worker_proxy.Worker``)."""

    alive: bool

    def fetch(self, key: Key, what: str, **params: Any) -> Any: ...


class Handle:
    """One output value, kept in worker processes (see the module's docstring)."""

    __slots__ = ("key", "holders", "size", "view", "value")

    def __init__(
        self, key: Key | None, holders: list[Holder], size: int, view: dict[str, Any]
    ) -> None:
        self.key, self.holders, self.size, self.view = key, holders, size, view
        self.value: Any = None

    @classmethod
    def local(cls, value: Any) -> Handle:
        handle = cls(None, [], 0, make_view(value, brief=True))
        handle.value = value
        return handle

    def __repr__(self) -> str:
        return f"Handle({self.key}, {self.view['type']}, {self.size} bytes)"

    @property
    def available(self) -> bool:
        """Whether some live worker holds the value (a local one always is)."""
        return self.key is None or any(map(_ALIVE, self.holders))

    def holder(self) -> Holder:
        """A live worker holding the value; ``LookupError`` when none is left."""
        for holder in self.holders:
            if holder.alive:
                return holder
        assert self.key is not None, "a local value has no holders: ``fetch`` returns it"
        raise LookupError(
            f"the value of {self.key[1]}:{self.key[2]} is gone (its worker process ended, or "
            "let it go under its memory budget): run the flow again to make it again"
        )

    def fetch(self, what: str = "value", **params: Any) -> Any:
        """The value itself (``what="value"``), or JSON data about it from its worker:
        ``"rows"`` (``start``, ``count``), ``"series"`` (see ``views``)."""
        if self.key is None:
            return self.value if what == "value" else None
        return self.holder().fetch(self.key, what, **params)


class Linked:
    """A linked argument of a task (see the module's docstring)."""

    __slots__ = ("key", "port", "source", "source_port", "handle")

    def __init__(
        self,
        key: Key | None,
        port: Any,
        source: str,
        source_port: str,
        handle: Handle | None = None,
    ) -> None:
        self.key, self.port, self.source, self.source_port = key, port, source, source_port
        self.handle = handle

    def __reduce__(self) -> tuple:
        local = self.handle is not None and self.handle.key is None
        return (_linked, (self.key, self.port, self.source, self.source_port, local, self.value))

    @property
    def value(self) -> Any:
        """The value of a local handle (else ``None``)."""
        return self.handle.value if self.handle is not None else None


def _linked(key, port, source, source_port, local, value) -> Linked:
    linked = Linked(key, port, source, source_port)
    if local:
        linked.handle = Handle.local(value)
    return linked
