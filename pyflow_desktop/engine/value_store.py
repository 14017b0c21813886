"""A worker's values: the outputs of the nodes it ran, kept where they were made.

Each value is kept under its key, ``(scope, node id, port)``: ``scope`` is the run's id, or
the node's cache key when the run caches (so a cached result is a key here). The owner holds
a handle for each (``handles``) and asks for values by key.

Values are kept up to ``budget`` bytes (as ``value_size`` measures them). Past it, the least
recently used values go first: spilled to a file of ``folder`` when they pickle (read back
when next asked for), else dropped (``on_drop`` tells the owner, which recomputes them when
needed). Values the job in progress uses are ``pinned`` and stay.

State, guarded by ``_lock`` (the worker's runner and its reader thread both use the store):
``_values`` (key → value in memory, least recently used first), ``_sizes`` (key → bytes, for
values in memory and on disk), ``_spilled`` (key → its file), ``_used`` (bytes in memory),
``pinned`` (keys that stay in memory).
"""

from __future__ import annotations

import os
import pickle
import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Any

import cloudpickle

Key = tuple[str, str, str]
_SAMPLE = 100  # items of a container measured to estimate its size
_SCALARS = frozenset({int, float, bool, str, bytes, type(None)})


def value_size(value: Any) -> int:
    """Bytes ``value`` takes, cheaply measured: ``nbytes`` of arrays and buffers, a
    DataFrame's memory, ``sys.getsizeof`` of the rest (a container's items estimated from
    its first ones)."""
    if type(value) in _SCALARS:
        return sys.getsizeof(value)
    nbytes = getattr(value, "nbytes", None)
    if isinstance(nbytes, int):
        return nbytes
    usage = getattr(value, "memory_usage", None)
    if callable(usage) and type(value).__module__.startswith("pandas"):
        try:
            return int(usage(index=True).sum())
        except Exception:  # noqa: BLE001 — a measure, not worth failing over
            pass
    try:
        size = sys.getsizeof(value)
        if isinstance(value, (list, tuple, set, frozenset, dict)) and value:
            items = list(value.items() if isinstance(value, dict) else value)
            sample = items[:_SAMPLE]
            each = sum(map(_shallow, sample)) / len(sample)
            size += int(each * len(items))
        return size
    except Exception:  # noqa: BLE001
        return 0


def _shallow(item: Any) -> int:
    if isinstance(item, tuple):  # a dict's (key, value)
        return sum(map(sys.getsizeof, item))
    return sys.getsizeof(item)


class ValueStore:
    """Values by key within a memory budget; see the module's docstring."""

    def __init__(
        self, budget: int, folder: str, on_drop: Callable[[list[Key]], None] | None = None
    ) -> None:
        self.budget, self.folder, self.on_drop = budget, folder, on_drop
        self._values: OrderedDict[Key, Any] = OrderedDict()
        self._sizes: dict[Key, int] = {}
        self._spilled: dict[Key, str] = {}
        self._used = 0
        self.pinned: set[Key] = set()
        self._lock = threading.RLock()
        self._files = 0

    def __contains__(self, key: Key) -> bool:
        return key in self._sizes

    def put(self, key: Key, value: Any, pin: bool = False) -> int:
        """Keep ``value`` under ``key`` (``pin``: in memory until ``unpin_all``); returns its
        size."""
        size = value_size(value)
        with self._lock:
            if key in self._sizes:
                self._forget(key)
            if pin:
                self.pinned.add(key)
            self._values[key] = value
            self._sizes[key] = size
            self._used += size
            if self._used > self.budget:
                self._fit()
        return size

    def get(self, key: Key, pin: bool = False) -> Any:
        """The value of ``key`` (read back from disk if spilled); ``KeyError`` if it is not
        here (never made here, dropped, or released). ``pin``: as for ``put``."""
        with self._lock:
            values = self._values
            if key in values:
                if pin:
                    self.pinned.add(key)
                values.move_to_end(key)
                return values[key]
            if pin and key in self._sizes:
                self.pinned.add(key)
            path = self._spilled.pop(key)  # KeyError: not here
            with open(path, "rb") as file:
                value = pickle.load(file)
            os.unlink(path)
            self._values[key] = value
            self._used += self._sizes[key]
            self._fit()
            return value

    def unpin_all(self) -> None:
        """The job is over: its values may go (when the next value comes past the budget)."""
        with self._lock:
            self.pinned.clear()

    def release(self, scope: str) -> None:
        """Forget every value of ``scope`` (a run whose result is gone)."""
        with self._lock:
            for key in [key for key in self._sizes if key[0] == scope]:
                self._forget(key)

    def forget(self, keys: Iterable[Key]) -> None:
        with self._lock:
            for key in keys:
                self._forget(key)

    def set_budget(self, budget: int) -> None:
        with self._lock:
            self.budget = budget
            self._fit()

    def _forget(self, key: Key) -> None:
        if key in self._values:
            del self._values[key]
            self._used -= self._sizes[key]
        path = self._spilled.pop(key, None)
        if path is not None:
            os.unlink(path)
        self._sizes.pop(key, None)

    def _fit(self) -> None:
        """Spill or drop the least recently used values until the rest fit the budget."""
        if self._used <= self.budget:
            return
        dropped = []
        for key in list(self._values):
            if self._used <= self.budget:
                break
            if key in self.pinned:
                continue
            value = self._values.pop(key)
            self._used -= self._sizes[key]
            if not self._spill(key, value):
                del self._sizes[key]
                dropped.append(key)
        if dropped and self.on_drop is not None:
            self.on_drop(dropped)

    def _spill(self, key: Key, value: Any) -> bool:
        self._files += 1
        path = os.path.join(self.folder, f"{self._files}.pickle")
        try:
            with open(path, "wb") as file:
                cloudpickle.dump(value, file, protocol=5)
        except Exception:  # noqa: BLE001 — it does not pickle (or the disk is full): dropped
            if os.path.exists(path):
                os.unlink(path)
            return False
        self._spilled[key] = path
        return True
