"""Groups a run's events into batches: a consumer on another thread gets one hand-off per
batch, not one per event.

``EventBatcher`` is a sink for ``Scheduler``: filing an event is one append to a deque (no
lock: the scheduler files three events per node, and a lock each time would cost a third
of a run of trivial nodes). ``add`` is that append itself, the cheapest sink to give a scheduler;
calling the batcher does the same. A ticker thread hands what has gathered to ``deliver``
every ``interval`` seconds (a list of events, in the order they came), and ``close`` hands
over the rest. A run of thousands of trivial nodes, three events each, thus makes a few
dozen hand-offs a second, and a node that takes its time still shows its start within
``interval``. With no ``interval`` there is no ticker: the owner calls ``flush`` as often as
it likes (a window, from a timer of its event loop, spares each run a thread's start).

State: ``_pending`` (the events not delivered yet: appended by the scheduler, taken from the
other end by ``flush``); ``_lock`` (held while a batch is taken and delivered, so batches
arrive in order); ``_closed`` (set by ``close``: the ticker, the daemon thread that flushes
every ``interval``, ends).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable

from .events import RunEvent

INTERVAL = 0.05  # seconds between two hand-offs: progress 20 times a second (more often costs a
# run of quick nodes more than it shows)


class EventBatcher:
    """A sink that hands the events it gets on to ``deliver`` in batches (thread-safe)."""

    def __init__(
        self, deliver: Callable[[list[RunEvent]], None], interval: float | None = INTERVAL
    ) -> None:
        self.deliver, self.interval = deliver, interval
        self._pending: deque[RunEvent] = deque()
        self.add: Callable[[RunEvent], None] = self._pending.append
        self._lock = threading.Lock()
        self._closed = threading.Event()
        if interval is not None:
            ticker = threading.Thread(target=self._tick, name="pyflow-events", daemon=True)
            ticker.start()

    def __call__(self, event: RunEvent) -> None:
        self.add(event)

    def flush(self) -> None:
        """Deliver the events gathered so far, if any."""
        with self._lock:
            pending = self._pending
            batch = [pending.popleft() for _ in range(len(pending))]
            if batch:
                self.deliver(batch)

    def close(self) -> None:
        """Deliver what is left and stop the ticker (the run is over). Not waiting for the
        ticker to end: a flush of its that is under way holds the lock, so this batch comes
        after it, and one that follows finds nothing to deliver."""
        self._closed.set()
        self.flush()

    def _tick(self) -> None:
        assert self.interval is not None, "a ticker ticks every interval"
        while not self._closed.wait(self.interval):
            self.flush()
