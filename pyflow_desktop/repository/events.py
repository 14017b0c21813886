"""A tiny observer for model events, so the model never depends on the UI.

Events are named in the past tense (``node_added``, ``link_removed``, ``value_changed``...).
Handlers receive the payload as keyword arguments. ``muted()`` silences a model during bulk
loads; whoever muted it redraws from scratch afterwards.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

Handler = Callable[..., Any]


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
