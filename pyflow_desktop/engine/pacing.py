"""Pacing a run that shares its interpreter with a window.

Quick nodes run inline on the scheduler's thread, which then holds the interpreter almost
all the time; a GUI thread in the same process waits for it at each of its Python calls,
up to the switch interval (5 ms) each, and froze for the whole run. A ``Pacer`` lets the
window go first: the scheduler asks ``may_go()`` before each node, which says no (after a
short wait) while the window holds ``gate`` closed (it paints, or shows the run's events),
and which sleeps a moment every ``BREATHE_EVERY`` seconds, so that the GUI thread gets the
interpreter at all (to close the gate, say). Headless runs have no pacer.
"""

from __future__ import annotations

import threading
import time

GATE_WAIT = 0.05  # seconds: how long a closed gate is waited for before the scheduler looks
# at its messages, cancelling and timeouts again
BREATHE_EVERY = 0.004  # seconds of dispatching between two breaths
BREATH = 0.0003  # seconds asleep: a thread waiting for the interpreter gets it


class Pacer:
    """Paces one run's dispatching by ``gate`` (set: the run may go on)."""

    def __init__(self, gate: threading.Event) -> None:
        self.gate = gate
        self._breath = time.perf_counter() + BREATHE_EVERY

    def may_go(self) -> bool:
        """Whether a node may be dispatched now (``False`` after waiting a little)."""
        if not self.gate.is_set():
            self.gate.wait(GATE_WAIT)
            return False
        if time.perf_counter() > self._breath:
            time.sleep(BREATH)
            self._breath = time.perf_counter() + BREATHE_EVERY
        return True
