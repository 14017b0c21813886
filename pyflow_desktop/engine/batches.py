"""Groups a run's events into batches: a consumer on another thread gets one hand-off per
batch, not one per event.

``EventBatcher`` is a sink for ``Scheduler``: calling it with an event only files the event.
A batch goes to ``deliver`` (a list of events, in the order they came) once its first event
has waited ``interval`` seconds, at once when it holds ``size`` events or when the run's
``RunFinished`` comes, and at ``close``. A run of thousands of trivial nodes, three events
each, thus makes a few dozen hand-offs a second, and a node that takes its time still shows
its start within ``interval``.

State: ``_pending`` (the events not delivered yet), guarded by ``_lock``, which is also held
while ``deliver`` runs, so batches arrive in order; ``_waiting`` (set while ``_pending``
holds events: the ticker thread sleeps until then); ``_closed`` (set by ``close``: the
ticker ends); ``_ticker`` (the daemon thread that delivers a batch ``interval`` after its
first event).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from .events import RunEvent, RunFinished

INTERVAL = 0.03  # seconds a batch gathers events before it is delivered
SIZE = 2000  # events: a batch this long is delivered at once


class EventBatcher:
    """A sink that hands the events it gets on to ``deliver`` in batches (thread-safe)."""

    def __init__(
        self,
        deliver: Callable[[list[RunEvent]], None],
        interval: float = INTERVAL,
        size: int = SIZE,
    ) -> None:
        self.deliver, self.interval, self.size = deliver, interval, size
        self._pending: list[RunEvent] = []
        self._lock = threading.Lock()
        self._waiting = threading.Event()
        self._closed = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="pyflow-events", daemon=True)
        self._ticker.start()

    def __call__(self, event: RunEvent) -> None:
        with self._lock:
            pending = self._pending
            pending.append(event)
            if len(pending) == 1:
                self._waiting.set()
            full = len(pending) >= self.size or type(event) is RunFinished
        if full:
            self.flush()

    def flush(self) -> None:
        """Deliver the events gathered so far, if any."""
        with self._lock:
            batch, self._pending = self._pending, []
            self._waiting.clear()
            if batch:
                self.deliver(batch)

    def close(self) -> None:
        """Deliver what is left and stop the ticker (the run is over)."""
        self._closed.set()
        self._waiting.set()
        self._ticker.join()
        self.flush()

    def _tick(self) -> None:
        while not self._closed.is_set():  # checked after a flush, which clears _waiting
            self._waiting.wait()
            if self._closed.wait(self.interval):
                return
            self.flush()
