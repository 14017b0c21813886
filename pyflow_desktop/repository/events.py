"""A tiny observer for model events, so the model never depends on the UI.

Events are named in the past tense, and every name is a ``ModelEvent`` (a ``str``, so a
plain string names the same event). Handlers receive the payload as keyword arguments.
``muted()`` silences a model during bulk loads; whoever muted it redraws from scratch
afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import Any

Handler = Callable[..., Any]


class ModelEvent(StrEnum):
    """What a ``Flow`` (``NODE_*``, ``LINK_*``, ``VALUE_CHANGED``, ``FLOW_RENAMED``,
    ``INTERFACE_CHANGED``) or a ``Repository`` (``SPEC_*``, ``FLOW_ADDED``, ``FLOW_REMOVED``)
    says happened to it, with its payload's names."""

    NODE_ADDED = "node_added"  # node
    NODE_REMOVED = "node_removed"  # node
    NODE_MOVED = "node_moved"  # node
    NODE_CHANGED = "node_changed"  # node (renamed, or marked an end node)
    VALUE_CHANGED = "value_changed"  # node, port, value (None: cleared)
    LINK_ADDED = "link_added"  # link
    LINK_REMOVED = "link_removed"  # link
    FLOW_RENAMED = "flow_renamed"  # flow
    INTERFACE_CHANGED = "interface_changed"  # flow, old
    SPEC_ADDED = "spec_added"  # spec
    SPEC_CHANGED = "spec_changed"  # spec, old
    SPEC_REMOVED = "spec_removed"  # spec
    FLOW_ADDED = "flow_added"  # flow
    FLOW_REMOVED = "flow_removed"  # flow


class Observable:
    """Holds named event handlers and calls them in connection order."""

    def __init__(self) -> None:
        self._handlers: dict[str, list[Handler]] = defaultdict(list)
        self._mute_depth = 0

    def connect(self, event: str, handler: Handler) -> None:
        self._handlers[event].append(handler)

    def disconnect(self, event: str, handler: Handler) -> None:
        self._handlers[event].remove(handler)

    def emit(self, event: str, **payload: Any) -> None:
        if self._mute_depth:
            return
        for handler in list(self._handlers.get(event, ())):
            handler(**payload)

    @contextmanager
    def muted(self) -> Iterator[None]:
        """Suppress every event inside the block (nesting is allowed)."""
        self._mute_depth += 1
        try:
            yield
        finally:
            self._mute_depth -= 1
