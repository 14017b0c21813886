"""Per-thread capture of ``sys.stdout`` and ``sys.stderr`` for nodes running in parallel.

The first capture wraps ``sys.stdout``/``sys.stderr`` in a router that sends each thread's
writes to that thread's ``Capture``, or to the wrapped stream when the thread captures
nothing. The router stays (it costs one attribute lookup per write), so a capture costs a
thread-local assignment, and its buffers are made on the first write (most nodes print
nothing); if someone replaces ``sys.stdout`` later, the next capture wraps the new stream.
Buffers keep at most ``limit`` characters, so a node that prints megabytes cannot exhaust
memory. State: ``_local.capture`` (the current thread's ``Capture``), guarded installs.
"""

from __future__ import annotations

import io
import sys
import threading

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


class Capture:
    """What one thread writes to stdout and stderr while it is entered (a context manager)."""

    __slots__ = ("stdout", "stderr", "_outer")
    limit = DEFAULT_LIMIT  # characters kept of each stream

    def __enter__(self) -> Capture:
        # Set here rather than in an ``__init__``: one call less for each node.
        self.stdout: BoundedBuffer | None = None
        self.stderr: BoundedBuffer | None = None
        if type(sys.stdout) is not _ThreadRouter or type(sys.stderr) is not _ThreadRouter:
            _install_router()
        self._outer = getattr(_local, "capture", None)
        _local.capture = self
        return self

    def __exit__(self, *_exc) -> None:
        _local.capture = self._outer

    def buffer(self, name: str) -> BoundedBuffer:
        """The buffer of ``name`` (``"stdout"`` or ``"stderr"``), made on first use."""
        buffer = getattr(self, name)
        if buffer is None:
            buffer = BoundedBuffer(self.limit)
            setattr(self, name, buffer)
        return buffer

    def texts(self) -> tuple[str, str]:
        """What was written to stdout and to stderr."""
        out, err = self.stdout, self.stderr
        return "" if out is None else out.getvalue(), "" if err is None else err.getvalue()


class _ThreadRouter(io.TextIOBase):
    def __init__(self, name: str, fallback) -> None:
        self._name = name
        self._fallback = fallback

    def _target(self):
        capture = getattr(_local, "capture", None)
        return self._fallback if capture is None else capture.buffer(self._name)

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
    def encoding(self) -> str:  # type: ignore[override]  # TextIOBase's is an attribute
        return self._fallback.encoding

    @property
    def errors(self) -> str | None:  # type: ignore[override]  # as encoding
        return self._fallback.errors

    @property
    def buffer(self):
        return self._fallback.buffer

    def __getattr__(self, name: str):
        return getattr(self._fallback, name)


def _install_router() -> None:
    with _lock:
        if type(sys.stdout) is not _ThreadRouter:
            sys.stdout = _ThreadRouter("stdout", sys.stdout)
        if type(sys.stderr) is not _ThreadRouter:
            sys.stderr = _ThreadRouter("stderr", sys.stderr)
