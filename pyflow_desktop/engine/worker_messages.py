"""What a process-executor worker tells its owner, and how the owner reads it safely.

Node code runs in the worker and can reach its connection (through ``gc``), so the owner
treats every byte from a worker as hostile. A worker sends JSON's data model only, never
pickle, encoded with msgpack (four times quicker to write than JSON text, for a batch of
quick nodes): the owner reads it with msgpack's parser, which builds nothing but dicts,
lists, text, bytes and numbers (its extension types are refused), and then checks each
item's shape. Values stay in the worker; what the owner gets of one is its view
(``views.make_view``, JSON data).

A frame is a list of items, sent together (``Outbox`` gathers them: a batch of quick
nodes answers in one frame, a slow node's start and partial values within ``FLUSH_EVERY``):

- ``["started", node_id]``: the node began (told only of a node that runs past
  ``FLUSH_EVERY`` or streams values: the end of one that ends sooner says it started);
- ``["partial", node_id, index, view]``: a generator's value;
- ``["done", node_id, fields]``: ``fields`` holds, where they are not empty, ``error``,
  ``traceback``, ``stdout``, ``stderr``, ``elapsed``, ``error_line``, ``outputs`` (port →
  ``[view, size in bytes]``) and ``missing`` (keys of inputs no longer there: the node did
  not run, and runs again once they are made again);
- ``["end", job_id]``: the job is over, the worker is free;
- ``["exported", request, segment, size]``, ``["fetched", request, data]``,
  ``["failed", request, error]``: answers to the owner's requests;
- ``["dropped", [key, ...]]``: values let go under the memory budget.

A key is ``[scope, node_id, port]``. ``parse_frame`` raises ``ForgedMessage`` for anything
else; the worker's reader checks that node ids and requests are its own.
"""

from __future__ import annotations

import socket
import threading
from typing import Any

import msgpack

FLUSH_EVERY = 0.02  # seconds a worker gathers items before sending them
FLUSH_ITEMS = 256  # items sent at once at most (the owner starts on them meanwhile)
MAX_MESSAGE = 64 * 2**20  # bytes of one frame at most, by default (``WorkerPool.max_message``)
_OUTCOME_FIELDS: dict[str, Any] = {
    "error": (str, type(None)),
    "traceback": str,
    "stdout": str,
    "stderr": str,
    "elapsed": float,
    "error_line": (int, type(None)),
    "outputs": dict,
    "missing": list,
}
_SHAPES: dict[str, tuple[type, ...]] = {
    "started": (str,),
    "partial": (str, int, dict),
    "done": (str, dict),
    "end": (int,),
    "exported": (int, str, int),
    "fetched": (int, object),
    "failed": (int, str),
    "dropped": (list,),
    "limit": (int,),
}


def send_at_once(conn) -> None:
    """Turn off Nagle's algorithm on the loopback connection ``conn``: small messages sent
    back to back would otherwise each wait for the previous one's delayed acknowledgement
    (40 ms on Linux)."""
    sock = socket.socket(fileno=conn.fileno())
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    finally:
        sock.detach()  # the connection keeps its descriptor


class ForgedMessage(ValueError):
    """Bytes from a worker that are not a message our worker code sends."""


class Outbox:
    """The worker side: items gathered and sent as frames, from any thread.

    ``put`` adds an item, ``flush`` sends what gathered. While a job runs (``begin_job`` to
    ``end_job``, which sends the rest at once) a thread of its own sends every
    ``FLUSH_EVERY``, telling first that the node in ``running`` started if it did not yet:
    a node that ends sooner is never said to start (its end says so). State: ``_items`` (not
    sent yet), ``_lock`` (held while adding and while sending), ``running`` (the node the
    worker runs, set by it), ``_told`` (the last node said to start), ``_busy`` (a job
    runs)."""

    def __init__(self, conn, limit: int = MAX_MESSAGE) -> None:
        self.conn = conn
        self.limit = limit  # bytes a frame may take: the owner reads no more
        self.running: str | None = None
        self._items: list[Any] = []
        self._told: str | None = None
        self._lock = threading.Lock()
        self._busy = threading.Event()
        threading.Thread(target=self._tick, name="pyflow-outbox", daemon=True).start()

    def put(self, item: list) -> None:
        with self._lock:
            if item[1] == self.running:  # one of the node's own: its start comes first
                if item[0] == "done":
                    self.running = None
                else:
                    self._tell_started()
            self._items.append(item)
            if len(self._items) >= FLUSH_ITEMS:
                self._send()

    def flush(self) -> None:
        with self._lock:
            self._send()

    def set_limit(self, limit: int) -> None:
        """Send in frames of ``limit`` bytes from now on. What gathered goes first, in frames
        of the old limit, then a ``limit`` item: the owner reads the frames after it with the
        new one."""
        with self._lock:
            self._send()
            self._items.append(["limit", limit])
            self._send()
            self.limit = limit

    def begin_job(self) -> None:
        self._told = None
        self._busy.set()

    def end_job(self) -> None:
        self._busy.clear()
        self.flush()

    def _tell_started(self) -> None:
        running = self.running
        if running is not None and running != self._told:
            self._items.append(["started", running])
            self._told = running

    def _send(self) -> None:
        if self._items:
            items, self._items = self._items, []
            for frame in pack_frames(items, self.limit):
                self.conn.send_bytes(frame)

    def _tick(self) -> None:
        pause = threading.Event()
        while True:
            self._busy.wait()
            pause.wait(FLUSH_EVERY)
            try:
                with self._lock:
                    self._tell_started()
                    self._send()
            except OSError:  # the owner is gone
                return


def pack_frame(items: list[list]) -> bytes:
    """The frame of ``items``, for ``parse_frame``; an item that cannot be encoded is left
    out, or, when it is a node's end, becomes its failure."""
    try:
        return msgpack.packb(items)
    except (TypeError, ValueError, OverflowError):  # views are data: this is a bug
        return msgpack.packb([sent for item in items if (sent := _sendable(item))])


def pack_frames(items: list[list], limit: int) -> list[bytes]:
    """``items`` in frames of at most ``limit`` bytes, in order: an item too large on its
    own becomes its node's failure or its request's, saying so (any other is left out)."""
    frame = pack_frame(items)
    if len(frame) <= limit:
        return [frame]
    if len(items) > 1:  # rare: halving costs a few more encodings
        half = len(items) // 2
        return pack_frames(items[:half], limit) + pack_frames(items[half:], limit)
    failed = _too_large(items[0], len(frame), limit)
    return [] if failed is None else [pack_frame([failed])]


def _too_large(item: list, size: int, limit: int) -> list | None:
    reason = f"is {size / 2**20:.1f} MB, more than the {limit / 2**20:g} MB a message may hold"
    if item[0] == "done":
        return ["done", item[1], {"error": f"its outcome {reason} (its output or printed text)"}]
    if item[0] == "fetched":
        return ["failed", item[1], f"the answer {reason}"]
    return None


def _sendable(item: list) -> list | None:
    """``item``, or when it cannot be encoded the failure of its node (``None``: left out)."""
    try:
        msgpack.packb(item)
    except (TypeError, ValueError, OverflowError) as exc:
        if item[0] != "done":
            return None
        error = f"its outcome cannot be sent to the program ({type(exc).__name__}: {exc})"
        return ["done", item[1], {"error": error}]
    return item


def parse_frame(data: bytes) -> list[list]:
    """The items of a frame from a worker (the owner side); raises ``ForgedMessage`` when
    ``data`` is not one our worker sends."""
    try:
        items = msgpack.unpackb(data, ext_hook=_no_extension)
    except Exception as exc:  # what the parser refuses, however it says so
        raise ForgedMessage(f"unreadable: {type(exc).__name__}: {exc}") from None
    if type(items) is not list:
        raise ForgedMessage(f"not a list of items: {type(items).__name__}")
    for item in items:
        _check_item(item)
    return items


def _no_extension(code: int, data: bytes) -> Any:
    raise ValueError(f"msgpack extension type {code} is not data")


def _check_item(item: Any) -> None:
    shape = _SHAPES.get(item[0]) if type(item) is list and item and type(item[0]) is str else None
    if shape is None or len(item) != len(shape) + 1:
        raise ForgedMessage(f"not a message: {str(item)[:80]}")
    for part, kind in zip(item[1:], shape):
        if kind is not object and (type(part) is not kind):
            raise ForgedMessage(f"a {item[0]!r} message of the wrong shape")
    kind = item[0]
    if kind == "partial" and not is_view(item[3]):
        raise ForgedMessage("a partial value that is not a view")
    elif kind == "done":
        _check_outcome(item[2])
    elif kind == "dropped" and not all(map(is_key, item[1])):
        raise ForgedMessage("dropped values that are not keys")


def _check_outcome(fields: dict) -> None:
    if not (  # the usual, a node that ran and printed nothing, checked in one go
        len(fields) == 2 and type(fields.get("elapsed")) is float and "outputs" in fields
    ):
        for name, value in fields.items():
            kinds = _OUTCOME_FIELDS.get(name)
            if kinds is None or not isinstance(value, kinds) or type(value) is bool:
                raise ForgedMessage("an outcome with unknown fields or fields of the wrong type")
    if "outputs" in fields:
        outputs = fields["outputs"]
        if type(outputs) is not dict:
            raise ForgedMessage("an outcome with unknown fields or fields of the wrong type")
        for pair in outputs.values():
            if not (
                type(pair) is list
                and len(pair) == 2
                and type(view := pair[0]) is dict  # is_view, without the call
                and type(view.get("type")) is str
                and type(view.get("repr")) is str
                and type(size := pair[1]) is int
                and size >= 0
            ):
                raise ForgedMessage("outputs that are not [view, size] by port name")
    missing = fields.get("missing")
    if missing and not all(map(is_key, missing)):
        raise ForgedMessage("missing inputs that are not keys")


def is_view(data: Any) -> bool:
    """Whether ``data`` has a view's shape (its type and repr as text)."""
    return type(data) is dict and type(data.get("type")) is str and type(data.get("repr")) is str


def is_key(data: Any) -> bool:
    return type(data) is list and len(data) == 3 and all(type(part) is str for part in data)
