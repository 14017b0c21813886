"""The folder nodes run in: their flow file's (the user's home for a file never saved), so
that a relative path in a node means the same from the window, the command line and a
server, on every executor.

Worker processes change folder per node (``process_worker``, ``dask_worker``). Where nodes
run in this process (the thread executor, an in-process Dask cluster) the folder is the
process's own: ``working_folder`` changes it for the run and back after. It is process-wide:
runs at once in different folders share the folder of the one that started last, and the
folder the process had before comes back when the last one ends.

State: ``_active`` (the folders of the runs under way, in the order they started) and
``_before`` (the process's folder before the first of them), guarded by ``_lock``.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

_lock = threading.Lock()
_active: list[str] = []
_before = ""  # set by the first run under way


class FolderError(RuntimeError):
    """The folder nodes are to run in cannot be entered (it was removed, say)."""


def flow_folder(path: str | os.PathLike | None) -> str | None:
    """The folder the nodes of a flow saved at ``path`` run in: its file's; for a flow never
    saved, the user's home, or ``None`` (where the program is) when the home folder does not
    exist (a service account's ``/nonexistent``)."""
    if path:
        return str(Path(path).resolve().parent)
    home = Path.home()
    return str(home) if home.is_dir() else None


@contextmanager
def working_folder(folder: str | None) -> Iterator[None]:
    """This process works in ``folder`` meanwhile (``None``: where it is); raises
    ``FolderError`` when it cannot."""
    global _before
    if folder is None:
        yield
        return
    with _lock:
        before = os.getcwd()
        try:
            os.chdir(folder)
        except OSError as exc:
            raise FolderError(f"nodes cannot run in {folder}: {exc.strerror}") from None
        if not _active:
            _before = before
        _active.append(folder)
    try:
        yield
    finally:
        with _lock:
            del _active[len(_active) - 1 - _active[::-1].index(folder)]
            os.chdir(_active[-1] if _active else _before)
