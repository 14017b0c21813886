"""A save that does not freeze the window.

A big repository takes seconds to write as indented JSON, so the file is written on a worker
thread while the GUI thread keeps drawing and serving timers. User input waits until the file
is written, so nothing edits the repository the worker reads. The worker touches no Qt object:
the GUI thread polls it.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable
from pathlib import Path
from typing import cast

from PySide6 import QtCore, QtWidgets

from ...repository import Repository, save_repository
from .disk_watch import content_hash

POLL_MS = 10  # how often the GUI thread looks whether a save has finished


def save_off_the_gui_thread(
    repo: Repository, path: Path, fmt: str
) -> tuple[str | None, BaseException | None]:
    """Write ``repo`` to ``path`` in ``fmt``: the content hash of what was written, or what
    the write raised."""
    digest, error = _off_the_gui_thread(lambda: _save(repo, path, fmt))
    return cast("str | None", digest), error


def _save(repo: Repository, path: Path, fmt: str) -> str | None:
    """Write ``repo`` to ``path``; returns the content hash of what was written.

    The garbage collector waits meanwhile: writing makes millions of short-lived objects, and
    each full collection among them would hold the GIL, and so the window, for 0.3 s."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        save_repository(repo, path, fmt)
    finally:
        if collecting:
            gc.enable()
    return content_hash(path)


def _off_the_gui_thread(work: Callable[[], object]) -> tuple[object, BaseException | None]:
    """Run ``work`` on a worker thread while this (the GUI) thread goes on drawing and serving
    timers, but not user input, which waits until ``work`` is done; returns its result or
    what it raised."""
    QtCore.QCoreApplication.processEvents(  # what earlier input left to do, before work reads
        QtCore.QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents
    )
    outcome: list[tuple[object, BaseException | None]] = []

    def run() -> None:
        try:
            outcome.append((work(), None))
        except BaseException as exc:  # reported on the GUI thread
            outcome.append((None, exc))

    worker = threading.Thread(target=run, name="pyflow-save", daemon=True)
    loop = QtCore.QEventLoop()
    poll = QtCore.QTimer(interval=POLL_MS)
    poll.timeout.connect(lambda: outcome and loop.quit())
    QtWidgets.QApplication.setOverrideCursor(QtCore.Qt.CursorShape.WaitCursor)
    try:
        worker.start()
        poll.start()
        while not outcome:
            loop.exec(QtCore.QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
    finally:
        poll.stop()
        QtWidgets.QApplication.restoreOverrideCursor()
    worker.join()
    return outcome[0]
