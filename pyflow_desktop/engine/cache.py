"""Result caching by Merkle key, as ComfyUI and Prefect do.

A node's key hashes its spec's function source, its ports, its manual values and, for each
linked input, the key of the upstream node (or, when that node has none, the linked value
itself); the spec's part is hashed once per spec and plan. An unchanged node therefore keeps its key, and editing a value or a spec changes the
key of exactly that node and its dependants. Values that cannot be hashed give no key: that
node just runs, the run never breaks.

State: ``ResultCache._entries`` (key → a ``Frozen``: pickled outputs, outputs of numbers
and short texts as they are, or a dict of handles where the values stay in worker processes;
least recently used first) and ``_size`` (about the bytes they take here).
"""

from __future__ import annotations

import hashlib
import json
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any

from .plan import Plan, PlannedNode

_KEY_ENCODER = json.JSONEncoder(sort_keys=True, separators=(",", ":"))  # made once: cheaper
_SCALARS = frozenset({str, int, float, bool, type(None)})  # repr tells them all apart
_PLAIN = frozenset({int, float, complex, bool, type(None)})  # kept unpickled (and short texts)
_SHORT = 1000  # characters: a text this short is kept unpickled
_PLAIN_BYTES = 1024  # what a cache counts a value kept as it is for (a short text's most)
# A cache's entry: outputs pickled, outputs kept as they are (read-only), or the outputs'
# ``Handle``s, where values stay in workers.
Frozen = bytes | MappingProxyType | dict[str, Any]


class ResultCache:
    """Outputs of successful runs by node key; lives as long as its owner (a GUI session).

    Outputs are kept pickled, taken when the node finished: a node downstream that changes a
    list it received cannot change what the cache hands out later, and every hit is a fresh
    copy. Numbers and short texts, which nothing can change, are kept as they are. Outputs
    that cannot be pickled, or are too big, are simply not kept. Where values stay in worker
    processes, an entry is the outputs' ``Handle``s: the workers keep the values, within
    their memory budget, and an entry whose value is gone is a miss.
    """

    def __init__(self, max_bytes: int = 512 * 2**20, max_entry_bytes: int = 64 * 2**20) -> None:
        self._entries: OrderedDict[str, Frozen] = OrderedDict()
        self._size = 0
        self._lock = threading.Lock()
        self.max_bytes, self.max_entry_bytes = max_bytes, max_entry_bytes

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: str | None) -> dict[str, Any] | None:
        if key is None:
            return None
        with self._lock:
            frozen = self._entries.get(key)
            if frozen is None:
                return None
            if type(frozen) is MappingProxyType:
                self._entries.move_to_end(key)
                return dict(frozen)
            if isinstance(frozen, dict):  # handles
                if not all(handle.available for handle in frozen.values()):
                    del self._entries[key]
                    return None
                self._entries.move_to_end(key)
                return frozen
            self._entries.move_to_end(key)
        return pickle.loads(frozen)

    def misses(self, keys: Mapping[str, str | None]) -> set[str]:
        """Those nodes of ``keys`` (node id → key) whose key this cache does not hold (a node
        without a key is not one of them)."""
        with self._lock:
            held = self._entries
            return {node_id for node_id, key in keys.items() if key is not None and key not in held}

    def put(self, key: str | None, frozen: Frozen | None) -> None:
        """Keep ``frozen`` (from ``freeze``, or a dict of handles) under ``key``."""
        if key is not None and frozen is not None:
            self.put_many({key: frozen})

    def put_many(self, entries: Mapping[str, Frozen]) -> None:
        """``put`` each key → frozen of ``entries``, in their order and in one hold of the
        lock: a run's thousands of results at once."""
        sizes = list(map(self._bytes, entries.values()))
        most = self.max_entry_bytes
        if sizes and max(sizes) > most:  # those too big are not kept
            fitting = [(item, size) for item, size in zip(entries.items(), sizes) if size <= most]
            entries = {key: frozen for (key, frozen), _ in fitting}
            sizes = [size for _, size in fitting]
        kept, entry_bytes = self._entries, self._bytes
        with self._lock:
            for key in entries.keys() & kept.keys():  # kept again: the most recently used now
                self._size -= entry_bytes(kept.pop(key))
            kept.update(entries)
            self._size += sum(sizes)
            while self._size > self.max_bytes:
                self._size -= entry_bytes(kept.popitem(last=False)[1])

    @staticmethod
    def _bytes(entry: Frozen) -> int:
        kind = type(entry)
        if kind is bytes:
            return len(entry)
        return _PLAIN_BYTES * len(entry) if kind is MappingProxyType else 0  # handles: 0 here

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._size = 0


def freeze(outputs: dict[str, Any]) -> bytes | MappingProxyType | None:
    """A snapshot of ``outputs`` to ``ResultCache.put`` later, or ``None`` when it cannot be
    taken: outputs that nothing can change (numbers, short texts) as they are, others
    pickled."""
    for value in outputs.values():
        kind = type(value)
        if kind not in _PLAIN and not (kind is str and len(value) <= _SHORT):
            break
    else:
        return MappingProxyType(dict(outputs))
    try:
        return pickle.dumps(outputs, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:
        return None


def key_parts(
    planned: PlannedNode,
    keys: dict[str, str | None],
    linked_value: Callable[[int], Any] | None = None,
) -> list[tuple[str, Any]] | None:
    """What ``node_key`` hashes for each input of ``planned``: its manual value, or the key
    (in ``keys``) of the node feeding it, or else ``linked_value(index)``, the value itself;
    ``None`` when an upstream key is missing and no value is given."""
    parts: list[tuple[str, Any]] = []
    for index, port in enumerate(planned.inputs):
        link = planned.links.get(port.name)
        if link is None:
            parts.append(("manual", planned.values.get(port.name, port.default)))
        elif keys.get(link.source) is not None:
            parts.append(("key", [keys[link.source], link.source_port]))
        elif linked_value is not None:
            parts.append(("value", linked_value(index)))
        else:
            return None
    return parts


def plan_keys(plan: Plan) -> dict[str, str | None]:
    """The key each planned node's result gets, from the flow alone (before any value
    exists): what tells a shown result from one its inputs no longer match."""
    keys: dict[str, str | None] = {}
    digests: dict[str, str] = {}
    for node_id in plan.order:
        planned = plan.nodes[node_id]
        parts = key_parts(planned, keys)
        keys[node_id] = node_key(planned, parts, digests) if parts is not None else None
    return keys


def node_key(
    planned: PlannedNode,
    inputs: list[tuple[str, Any]],
    digests: dict[str, str] | None = None,
) -> str | None:
    """The Merkle key of a node, or ``None`` when something in it cannot be hashed.

    ``inputs`` holds, per input port in call order, ``("key", upstream_key_and_port)``,
    ``("value", linked_value)`` or ``("manual", raw_value)``. ``digests`` (spec id → the
    digest of its function source, ports and outputs) spares the nodes of one plan that
    share a spec from hashing its source again.
    """
    spec = planned.spec
    digest = digests.get(spec.id) if digests is not None else None
    if digest is None:
        digest = _spec_digest(planned)
        if digests is not None:
            digests[spec.id] = digest
    parts: list[Any] = [digest]
    plain = True  # every part a string, a link's [key, port] or a scalar: repr spells it
    for kind, item in inputs:
        if kind == "value":
            item = _digest(item)
            if item is None:
                return None
        elif kind == "manual" and type(item) not in _SCALARS:
            plain = False
        parts.append((kind, item))
    if plain:  # a quarter of JSON's cost; its text starts [' where JSON's starts [" (digest)
        text = repr(parts)
    else:
        try:
            text = _KEY_ENCODER.encode(parts)
        except (TypeError, ValueError):
            return None
    return hashlib.sha256(text.encode()).hexdigest()


def _spec_digest(planned: PlannedNode) -> str:
    """What a node's key takes from its spec: the function source, the inputs (name, type,
    order) in call order and the output names."""
    ports = [(p.name, p.type, p.order) for p in planned.inputs]
    text = json.dumps([planned.spec.func, ports, list(planned.output_names)])
    return hashlib.sha256(text.encode()).hexdigest()


def _digest(value: Any) -> str | None:
    try:
        data = json.dumps(value, sort_keys=True).encode()
    except (TypeError, ValueError):
        try:
            data = pickle.dumps(value, protocol=4)
        except Exception:
            return None
    return hashlib.sha256(data).hexdigest()
