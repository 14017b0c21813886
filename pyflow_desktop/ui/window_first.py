"""The window goes first: a gate that a run in this process passes between two nodes, closed
while the GUI thread paints the canvas or shows a run's events.

The engine's scheduler runs quick nodes on its own thread in this process, and the two
threads share one interpreter: a thread that wants it back waits up to the switch interval
(5 ms) each time. Painting a canvas calls Python once per item, so a frame painted while
the engine ran waited that long for many items, and the window froze. While the gate is
closed the scheduler waits instead (``Scheduler(gate=GATE)``), so the window paints at its
own speed and the run goes on when it is done.

``busy()`` closes the gate for what it wraps (nested uses keep it closed); ``hold()`` closes
it until ``release()``: from a change drawn on the canvas to the frame that shows it (the
threads of a run took the interpreter in between, and the frame came tens of milliseconds
late). GUI thread only.

State: ``_depth`` (``busy()`` calls under way) and ``_held`` (``hold()`` not released yet).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from PySide6 import QtCore

HOLD_MS = 100
GATE = threading.Event()
GATE.set()
_depth = 0
_held = False


@contextmanager
def busy() -> Iterator[None]:
    """Hold runs back while the GUI thread does what this wraps."""
    global _depth
    _depth += 1
    GATE.clear()
    try:
        yield
    finally:
        _depth -= 1
        if not _depth and not _held:
            GATE.set()


def hold() -> None:
    """Hold runs back until ``release()``, or for ``HOLD_MS`` at most (a canvas that is not
    shown paints no frame)."""
    global _held
    _held = True
    GATE.clear()
    QtCore.QTimer.singleShot(HOLD_MS, release)


def release() -> None:
    """Let runs go on, unless the GUI thread is ``busy()``."""
    global _held
    _held = False
    if not _depth:
        GATE.set()
