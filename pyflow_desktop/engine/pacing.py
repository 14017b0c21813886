"""Pacing a run that shares its interpreter with a window.

Quick nodes run inline on the scheduler's loop thread, which then holds the interpreter
almost all the time; a GUI thread in the same process waits for it at each of its Python
calls, up to the switch interval each, and would freeze for the whole run. A ``Pacer`` lets
the window go first: the scheduler asks ``may_go()`` before a streak of nodes, and after each
node once ``due`` has passed (every ``LOOK_EVERY``: a look per trivial node would cost a
tenth of the run).
It says no (after a short wait) while the window holds ``gate`` closed (it paints, or shows
the run's events). ``paced()`` shortens the switch interval for the run (to
``SWITCH_INTERVAL``), so the GUI thread gets the interpreter soon when it asks for it (to
close the gate, say), and costs nothing while it does not ask. Headless runs have no pacer.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

GATE_WAIT = 0.05  # seconds: how long a closed gate is waited for before the scheduler looks
# at its messages, cancelling and timeouts again
LOOK_EVERY = 0.0005  # seconds of dispatching between two looks at the gate
SWITCH_INTERVAL = 0.002  # seconds a thread may keep the interpreter from one waiting for it


@contextmanager
def paced() -> Iterator[None]:
    """The interpreter switches between threads every ``SWITCH_INTERVAL`` meanwhile (Python's
    default, 5 ms, kept the window waiting that long for each of its turns)."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(min(before, SWITCH_INTERVAL))
    try:
        yield
    finally:
        sys.setswitchinterval(before)


class Pacer:
    """Paces one run's dispatching by ``gate`` (set: the run may go on)."""

    def __init__(self, gate: threading.Event) -> None:
        self.gate = gate
        self.due = time.perf_counter() + LOOK_EVERY  # ``perf_counter`` time of the next look

    def may_go(self) -> bool:
        """Whether a node may be dispatched now (``False`` after waiting a little)."""
        if not self.gate.is_set():
            self.gate.wait(GATE_WAIT)
            return False
        self.due = time.perf_counter() + LOOK_EVERY
        return True
