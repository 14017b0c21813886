"""The window goes first: a gate that a run in this process passes between two nodes, closed
while the GUI thread paints the canvas or shows a run's events.

The engine's scheduler runs quick nodes on its own thread in this process, and the two
threads share one interpreter: a thread that wants it back waits up to the switch interval
(5 ms) each time. Painting a canvas calls Python once per item, so a frame painted while
the engine ran waited that long for many items, and the window froze. While the gate is
closed the scheduler waits instead (``Scheduler(gate=GATE)``), so the window paints at its
own speed and the run goes on when it is done.

``busy()`` closes the gate for what it wraps (nested uses keep it closed); GUI thread only.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

GATE = threading.Event()
GATE.set()
_depth = 0


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
        if not _depth:
            GATE.set()
