"""Moving a value from one worker process to another through shared memory.

The producer pickles the value with cloudpickle (so classes and functions defined in a
spec's code travel by value), protocol 5, large buffers (numpy, Arrow, bytes) out of band,
and writes the pickle and its buffers into one shared memory segment (``pack``). The
consumer maps the segment by name, removes its name at once (nothing else needs it), copies
the buffers out and loads the value (``unpack``). The owner only passes the segment's name
on; it never maps one.

Layout of a segment: the number of parts (8 bytes), each part's length (8 bytes each), then
the parts (the pickle, then each buffer), each starting on a 64-byte boundary.

Segments are made without ``multiprocessing``'s resource tracker (which would start a
process per worker, and unlink or warn about segments another process took over). A segment
left behind by a consumer that died is removed by name (``unlink``). On Windows a segment
lives as long as a handle to it: the producer keeps its own open (``kept``) until told the
consumer is done.
"""

from __future__ import annotations

import mmap
import os
import pickle
import secrets
import struct
import sys
from typing import Any

import cloudpickle

if sys.platform != "win32":
    import _posixshmem  # the standard library's own POSIX shared memory calls

_ALIGN = 64
_WORD = struct.Struct("<Q")


class Segment:
    """One mapped shared memory segment: ``name``, ``size`` and ``mapping``."""

    def __init__(self, name: str, size: int, create: bool, folder: str | None = None) -> None:
        self.name = name
        if sys.platform == "win32":
            from multiprocessing.shared_memory import SharedMemory  # no tracker on Windows

            self._shared = SharedMemory(name, create=create, size=size)
            assert self._shared.buf is not None, "a segment's memory is there until it closes"
            self.mapping, self.size = self._shared.buf, size or self._shared.size
        else:
            flags = os.O_RDWR | (os.O_CREAT | os.O_EXCL if create else 0)
            if folder is None:
                fd = _posixshmem.shm_open("/" + name, flags, mode=0o600)
            else:  # sandboxed workers' shared memory, seen from outside (a folder in /dev/shm)
                fd = os.open(_in(folder, name), flags | os.O_NOFOLLOW, 0o600)
            try:
                if create:
                    os.ftruncate(fd, size)
                self.size = os.fstat(fd).st_size
                self.mapping = mmap.mmap(fd, self.size)
            except OSError:
                if create:
                    unlink(name, folder)
                raise
            finally:
                os.close(fd)

    @classmethod
    def create(cls, size: int) -> Segment:
        while True:
            try:
                return cls("pf" + secrets.token_hex(8), max(size, 1), create=True)
            except FileExistsError:
                continue

    def close(self) -> None:
        if sys.platform != "win32":
            self.mapping.close()
        else:
            self._shared.close()


def unlink(name: str, folder: str | None = None) -> None:
    """Remove a segment's name (POSIX; on Windows it goes with its last handle); ``folder``:
    the segments of sandboxed workers (``sandbox``), seen from outside."""
    if sys.platform != "win32":
        try:
            if folder is None:
                _posixshmem.shm_unlink("/" + name)
            else:
                os.unlink(_in(folder, name))
        except FileNotFoundError:
            pass


def _in(folder: str, name: str) -> str:
    """The path of segment ``name`` in ``folder``; a name a worker made up to reach beyond
    it is not there."""
    if "/" in name or "\0" in name or name in ("", ".", ".."):
        raise FileNotFoundError(name)
    return os.path.join(folder, name)


kept: dict[str, Segment] = {}  # Windows: segments this producer keeps alive until released


def pack(value: Any) -> tuple[str, int]:
    """Write ``value`` into a new segment; its name and size. Raises what pickling raises."""
    buffers: list[memoryview] = []

    def out_of_band(buffer: pickle.PickleBuffer) -> bool:
        try:
            buffers.append(buffer.raw())
        except BufferError:  # not contiguous: it stays in the pickle
            return True
        return False

    head = cloudpickle.dumps(value, protocol=5, buffer_callback=out_of_band)
    parts = [memoryview(head), *buffers]
    offsets, at = [], _aligned(_WORD.size * (1 + len(parts)))
    for part in parts:
        offsets.append(at)
        at = _aligned(at + part.nbytes)
    segment = Segment.create(at)
    try:
        with memoryview(segment.mapping) as view:
            _WORD.pack_into(view, 0, len(parts))
            for index, (part, offset) in enumerate(zip(parts, offsets)):
                _WORD.pack_into(view, _WORD.size * (1 + index), part.nbytes)
                view[offset : offset + part.nbytes] = part.cast("B")
    except BaseException:
        segment.close()
        unlink(segment.name)
        raise
    finally:
        for part in parts:
            part.release()
    if sys.platform != "win32":
        segment.close()  # the name keeps it until the consumer has it
    else:
        kept[segment.name] = segment
    return segment.name, at


def unpack(name: str, folder: str | None = None) -> Any:
    """Load the value in segment ``name`` (in ``folder``, as ``unlink``), which goes
    (``FileNotFoundError``: it is gone)."""
    segment = Segment(name, 0, create=False, folder=folder)
    unlink(name, folder)
    try:
        with memoryview(segment.mapping) as view:
            count = _WORD.unpack_from(view, 0)[0]
            at = _aligned(_WORD.size * (1 + count))
            parts = []
            for index in range(count):
                length = _WORD.unpack_from(view, _WORD.size * (1 + index))[0]
                with view[at : at + length] as part:
                    parts.append(bytearray(part))  # copied out: the segment can go
                at = _aligned(at + length)
    finally:
        segment.close()
    return pickle.loads(parts[0], buffers=parts[1:])


def release(name: str) -> None:
    """The producer's part once the consumer is done: free the segment."""
    segment = kept.pop(name, None)
    if segment is not None:
        segment.close()
    unlink(name)


def _aligned(offset: int) -> int:
    return -(-offset // _ALIGN) * _ALIGN
