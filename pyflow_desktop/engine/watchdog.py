"""The scheduler's loop on a thread of its own, watched by the thread that called ``run``.

The scheduler runs quick nodes inline, on its loop's thread (see ``scheduler``), and node
code cannot be interrupted. So the loop runs on a daemon thread (of ``LOOP_THREADS``, kept
between runs), and the caller's thread watches it. When the loop is needed while a node
runs inline (that node is past its timeout, another node is past its own, or the run is
stopped), the watchdog leaves the thread to that node, which from then on is like a node
on a worker thread: the loop, which goes on on another thread, times it and hears of its
end through its messages, and when it is timed out or stopped the thread finishes it in the
background, its result ignored. Ctrl+C reaches the watchdog (the main thread), which stops
the run.

State: ``claims`` (node id → ``perf_counter`` time it started, for the node the loop's
thread runs inline; at most one). Whoever pops a node's claim has it: the loop's thread when
the node returns, or the watchdog when it hands the node over (``dict.pop`` is atomic, so
exactly one of them does). ``adopted`` (node id → its start, for a node handed over and not
yet taken in by the loop), ``lock`` (held while the watchdog hands a node over and while an
inline node's partial value is told, so that none is told after), ``wake`` (set when the
loop ends or the run is stopped), ``done`` (the loop ended), ``failure`` (what the loop
raised, raised again by ``watch``).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from functools import partial
from queue import Empty, SimpleQueue

LOOP_THREAD = "pyflow-scheduler"  # the name of every loop thread
CANCEL_LOOK = 0.02  # seconds between two looks for an inline node, once the run is stopped
# Seconds the watching thread waits at most at a time: a Ctrl+C that reaches it just before
# it starts to wait is seen only once it wakes up (1 in 15 times).
LOOK_EVERY = 0.2

# ``loop(adopted)``: run the scheduler's loop; ``adopted`` is ``(node id, the perf_counter
# time it started)`` of a node handed over, for the loop to take in first, or ``None``.
Loop = Callable[[tuple[str, float] | None], None]


class HandedOver(BaseException):
    """Raised on a loop thread once its inline node has returned and was handed over: the
    loop goes on on another thread, and this one ends."""


class InlineStop:
    """The stop flag a loop thread hands its inline nodes (a generator's ``drain`` asks it
    between two values): set once the run is stopped, or once the node is neither run inline
    nor awaited by the loop (``in_flight``: it was timed out)."""

    __slots__ = ("watchdog", "in_flight", "node_id")

    def __init__(self, watchdog: Watchdog, in_flight: set[str]) -> None:
        self.watchdog, self.in_flight = watchdog, in_flight
        self.node_id = ""

    def is_set(self) -> bool:
        node_id, watchdog = self.node_id, self.watchdog
        if watchdog.cancelled.is_set():
            return True
        # In the order a node passes them (each is filled before the last is emptied).
        return not (
            node_id in watchdog.claims or node_id in watchdog.adopted or node_id in self.in_flight
        )


class Watchdog:
    """Runs ``loop`` on loop threads until it ends; see the module's docstring."""

    def __init__(
        self,
        loop: Loop,
        cancelled: threading.Event,
        timeout: float | None,
        running: dict[str, float],
        interrupt: Callable[[], None],
    ) -> None:
        """``running``: the loop's own (node id → start of each node in flight), read for
        their deadlines; ``interrupt`` is called on Ctrl+C (it stops the run)."""
        self.loop, self.cancelled, self.interrupt = loop, cancelled, interrupt
        self.timeout, self.running = timeout, running
        self.claims: dict[str, float] = {}
        self.adopted: dict[str, float] = {}
        self.lock = threading.Lock()
        self.wake = threading.Event()
        self.done = False
        self.failure: BaseException | None = None

    def watch(self) -> None:
        """Run the loop to its end; raises what it raised."""
        try:
            self._start(None)
            while not self.done:
                try:
                    self._look()
                except KeyboardInterrupt:
                    self.interrupt()
        finally:
            # They are the scheduler's methods, and the scheduler holds this watchdog: let
            # go of them, so that a run is freed when it ends, its plan with it, rather than
            # left to the cyclic garbage collector (on a window's GUI thread, at that).
            del self.loop, self.interrupt
        if self.failure is not None:
            raise self.failure

    def _look(self) -> None:
        """Wait for the loop's end, a stop or the next deadline; hand over the inline node
        when the loop is needed."""
        self.wake.wait(self._wait_time())
        self.wake.clear()  # before looking at ``done``: a ``set`` after this is not missed
        if self.done:
            return
        for node_id, started in list(self.claims.items()):
            deadline = self._deadline(started)
            overdue = deadline is not None and deadline <= time.perf_counter()
            if overdue or self.cancelled.is_set():
                self._hand_over(node_id, started)

    def _deadline(self, inline_start: float) -> float | None:
        """When the loop is next needed while a node runs inline: its deadline, or that of
        the oldest node in flight."""
        if self.timeout is None:
            return None
        return min([inline_start, *self.running.values()]) + self.timeout

    def _wait_time(self) -> float:
        if self.cancelled.is_set():  # until the loop ends: a node it started just then
            return CANCEL_LOOK
        if self.timeout is None:
            return LOOK_EVERY
        started = next(iter(list(self.claims.values())), None)
        deadline = None if started is None else self._deadline(started)
        if deadline is None:  # a node claimed meanwhile is seen before its deadline
            return min(self.timeout, LOOK_EVERY)
        return min(max(0.0, deadline - time.perf_counter()), LOOK_EVERY)

    def _hand_over(self, node_id: str, started: float) -> None:
        with self.lock:
            self.adopted[node_id] = started
            if self.claims.pop(node_id, None) is None:
                del self.adopted[node_id]
                return  # it returned meanwhile: its loop thread goes on
        self._start((node_id, started))

    def _start(self, adopted: tuple[str, float] | None) -> None:
        LOOP_THREADS.run(partial(self._main, adopted))

    def _main(self, adopted: tuple[str, float] | None) -> None:
        try:
            self.loop(adopted)
        except HandedOver:
            return  # the loop goes on on another thread
        except BaseException as exc:  # noqa: BLE001 — raised again on the watching thread
            self.failure = exc
        self.done = True
        self.wake.set()


class LoopThreads:
    """Daemon threads that run loops, kept between runs: starting a thread for each run would
    cost more than a run of a few nodes, as the thread that starts it waits for the
    interpreter meanwhile. ``run(job)`` hands ``job`` to an idle thread, or to a new one when
    none is idle; a thread whose inline node was handed over comes back once the node returns.
    ``keep`` idle threads stay; one more ends once idle for ``idle_seconds`` (many runs at
    once, as a server's clients make, leave no crowd of threads behind).

    State: ``_jobs`` (jobs not yet taken), ``_idle`` (threads waiting for a job, less the
    jobs given to them and not yet taken), ``_lock`` (guards ``_idle``)."""

    def __init__(self, keep: int = 2, idle_seconds: float = 30.0) -> None:
        self.keep, self.idle_seconds = keep, idle_seconds
        self._jobs: SimpleQueue = SimpleQueue()
        self._idle = 0
        self._lock = threading.Lock()

    def run(self, job: Callable[[], None]) -> None:
        with self._lock:
            idle = self._idle > 0
            self._idle -= idle
        if not idle:
            threading.Thread(target=self._serve, name=LOOP_THREAD, daemon=True).start()
        self._jobs.put(job)

    def _serve(self) -> None:
        while True:
            try:
                job = self._jobs.get(timeout=self.idle_seconds)
            except Empty:
                with self._lock:  # the threads left idle still outnumber the jobs given them
                    if self._idle > self.keep:
                        self._idle -= 1
                        return
                continue
            job()
            with self._lock:
                self._idle += 1


LOOP_THREADS = LoopThreads()
