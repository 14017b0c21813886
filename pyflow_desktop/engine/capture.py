"""Per-thread capture of ``sys.stdout`` and ``sys.stderr`` for nodes running in parallel.

The first capture wraps ``sys.stdout``/``sys.stderr`` in a router that sends each thread's
writes to that thread's buffer, or to the wrapped stream when the thread captures nothing.
The router stays (it costs one attribute lookup per write), so a capture costs two
thread-local assignments; if someone replaces ``sys.stdout`` later, the next capture wraps
the new stream. Buffers keep at most ``limit`` characters, so a node that prints megabytes
cannot exhaust memory. State: ``_local`` (the current thread's buffers), guarded installs.
"""

from __future__ import annotations

import io
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEFAULT_LIMIT = 1_000_000

_local = threading.local()
_lock = threading.Lock()


class BoundedBuffer(io.TextIOBase):
    """A text sink that keeps the first ``limit`` characters and counts the rest."""

    def __init__(self, limit: int = DEFAULT_LIMIT) -> None:
        self._parts: list[str] = []
        self._size = 0
        self._dropped = 0
        self._limit = limit

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        room = self._limit - self._size
        if room > 0:
            kept = text[:room]
            self._parts.append(kept)
            self._size += len(kept)
        self._dropped += max(0, len(text) - max(room, 0))
        return len(text)

    def getvalue(self) -> str:
        text = "".join(self._parts)
        if self._dropped:
            text += f"\n[... {self._dropped} more characters not kept]\n"
        return text


class _ThreadRouter(io.TextIOBase):
    def __init__(self, name: str, fallback) -> None:
        self._name = name
        self._fallback = fallback

    def _target(self):
        return getattr(_local, self._name, None) or self._fallback

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        return self._target().write(text)

    def flush(self) -> None:
        self._target().flush()

    # io.TextIOBase defines these itself, so __getattr__ would never pass them on.
    def fileno(self) -> int:
        return self._fallback.fileno()

    def isatty(self) -> bool:
        return self._fallback.isatty()

    @property
    def encoding(self) -> str:
        return self._fallback.encoding

    @property
    def errors(self) -> str | None:
        return self._fallback.errors

    @property
    def buffer(self):
        return self._fallback.buffer

    def __getattr__(self, name: str):
        return getattr(self._fallback, name)


def _ensure_router() -> None:
    if type(sys.stdout) is _ThreadRouter and type(sys.stderr) is _ThreadRouter:
        return
    with _lock:
        if type(sys.stdout) is not _ThreadRouter:
            sys.stdout = _ThreadRouter("stdout", sys.stdout)
        if type(sys.stderr) is not _ThreadRouter:
            sys.stderr = _ThreadRouter("stderr", sys.stderr)


@contextmanager
def captured_output(limit: int = DEFAULT_LIMIT) -> Iterator[tuple[BoundedBuffer, BoundedBuffer]]:
    """Capture this thread's stdout and stderr into two bounded buffers."""
    _ensure_router()
    out, err = BoundedBuffer(limit), BoundedBuffer(limit)
    _local.stdout, _local.stderr = out, err
    try:
        yield out, err
    finally:
        _local.stdout = _local.stderr = None
