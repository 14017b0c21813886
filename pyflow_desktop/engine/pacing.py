"""Pacing a run that shares its interpreter with a window.

Quick nodes run inline on the scheduler's thread, which then holds the interpreter almost
all the time; a GUI thread in the same process waits for it at each of its Python calls,
up to the switch interval (5 ms) each, and froze for the whole run. A ``Pacer`` lets the
window go first: the scheduler asks ``may_go()`` before a streak of nodes, and after each
node once ``due`` has passed (every ``LOOK_EVERY``: a look per trivial node cost a tenth of
the run). It says no (after a short wait) while the window holds ``gate`` closed (it paints,
or shows the run's events), and it sleeps a moment every ``BREATHE_EVERY`` seconds, so that
the GUI thread gets the interpreter at all (to close the gate, say). Headless runs have no
pacer.
"""

from __future__ import annotations

import threading
import time

GATE_WAIT = 0.05  # seconds: how long a closed gate is waited for before the scheduler looks
# at its messages, cancelling and timeouts again
LOOK_EVERY = 0.0005  # seconds of dispatching between two looks at the gate
BREATHE_EVERY = 0.008  # seconds of dispatching between two breaths
BREATH = 0.0003  # seconds asleep: a thread waiting for the interpreter gets it


class Pacer:
    """Paces one run's dispatching by ``gate`` (set: the run may go on)."""

    def __init__(self, gate: threading.Event) -> None:
        self.gate = gate
        now = time.perf_counter()
        self.due = now + LOOK_EVERY  # ``perf_counter`` time of the next look
        self._breath = now + BREATHE_EVERY

    def may_go(self) -> bool:
        """Whether a node may be dispatched now (``False`` after waiting a little)."""
        if not self.gate.is_set():
            self.gate.wait(GATE_WAIT)
            return False
        now = time.perf_counter()
        if now > self._breath:
            time.sleep(BREATH)
            now = time.perf_counter()
            self._breath = now + BREATHE_EVERY
        self.due = now + LOOK_EVERY
        return True
