"""Runs a flow off the GUI thread and shows its events in batches.

The engine's ``Scheduler.run`` executes in a ``QThreadPool`` runnable. Its sink is an
``EventBatcher``: it groups events into batches, handed over every ~50 ms by a timer of the
GUI thread (``_ticks``) and at the run's end by the engine side; each batch is appended, as
one list, to ``_inbox``, a deque; the last batch of a run ends with a
``_Done`` marker (one hand-off for both: a marker on its own would let the window paint the
last events before it sees the run's end). No Qt signal crosses threads (one can deadlock
against a deferred deletion on the GUI thread): to say that something is in the
inbox, the engine side writes a byte to a socket, which a ``QSocketNotifier`` on the GUI
thread watches (a plain write, no Qt call: nothing to wait for). The GUI thread then hands
each batch to ``batch_ready``, one signal per batch, for at most ``APPLY_BUDGET`` seconds at a
time: batches left over wait for the next turn of the event loop, so timers, input and
painting keep their turn however fast the engine goes. A window's runs are brief
(``Scheduler(brief=True)``): quick nodes report only how they ended.

The engine and the window share one interpreter: while the GUI thread shows batches (and
paints the canvas), ``window_first.GATE`` is closed and the scheduler dispatches no node,
so the window does not wait for the interpreter at every call; then the run goes on.

State: ``_scheduler`` (the run in progress, or ``None``), ``_inbox`` (batches not yet
shown; appended by engine threads, drained by the GUI thread), ``run_nodes`` (the planned
node ids of the run in progress or the last one), ``planned`` and ``done`` (progress
counts), ``cache`` (results reused for the whole session), ``shelf`` (executors kept between
runs, shared with the window's other controllers), ``_executor`` (the one the run in progress
borrowed), ``_wake`` (the socket pair that tells the GUI thread the inbox has news), ``_more``
(the zero-time timer that goes on with batches a turn left over), ``_batcher`` (the run's).
"""

from __future__ import annotations

import socket
import time
import weakref
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, replace

from PySide6 import QtCore

from ...engine import (
    EventBatcher,
    Executor,
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeSkipped,
    Plan,
    ResultCache,
    RunEvent,
    RunResult,
    Scheduler,
    Targets,
    plan_run,
)
from ...engine.batches import INTERVAL as BATCH_INTERVAL
from ...repository import Flow, Repository
from ..value_text import Viewed
from ..window_first import GATE, busy
from .executor_shelf import ExecutorShelf
from .settings import RunSettings

APPLY_BUDGET = 0.02  # seconds of handing batches to the views per turn of the event loop
_TERMINAL = {NodeFinished, NodeFailed, NodeSkipped, NodeCancelled, NodeCached}


def _value(view):
    return view["value"] if "value" in view else Viewed(view)


class _Shown(Mapping):
    """Output port → what the window shows of its view (``_value``), made when first read:
    of a run's thousands of events, the window reads the few it draws."""

    __slots__ = ("_views", "_made")

    def __init__(self, views: Mapping[str, dict]) -> None:
        self._views, self._made = views, {}

    def __getitem__(self, port: str):
        if port not in self._made:
            self._made[port] = _value(self._views[port])
        return self._made[port]

    def __iter__(self) -> Iterator[str]:
        return iter(self._views)

    def __len__(self) -> int:
        return len(self._views)


def shown_values(batch: list[RunEvent]) -> list[RunEvent]:
    """``batch`` with each view (what events carry of values) as the window's viewers and
    previews read it: the value when the view holds it, else a ``Viewed``. The events are
    changed in place: a window's run has one listener, its batcher, whose events are the
    controller's alone (a new event each would cost a run of thousands a millisecond)."""
    for event in batch:
        kind = type(event)
        if kind is NodeFinished or kind is NodeCached:
            event.outputs = _Shown(event.outputs)
        elif kind is NodeOutput:
            event.value = _value(event.value)
    return batch


@dataclass(frozen=True)
class _Done:
    """The last item of a run's last batch: its ``RunResult``, or the exception the engine
    raised (``None`` for an exit of the engine thread itself)."""

    result: object


def _close_all(sockets: Iterable[socket.socket]) -> None:
    for end in sockets:
        end.close()


class _Outbox:
    """Where the engine side puts batches: the inbox, and a byte on the socket that wakes the
    GUI thread."""

    def __init__(self, inbox: deque, wake: socket.socket) -> None:
        self.inbox, self.wake = inbox, wake

    def __call__(self, batch: list[RunEvent]) -> None:
        self.inbox.append(batch)
        try:
            self.wake.send(b"!")
        except OSError:  # the controller is gone (the window closed), or the GUI thread is
            pass  # so far behind that the socket is full: it has news to read already


class _RunTask(QtCore.QRunnable):
    def __init__(self, scheduler: Scheduler, batcher: EventBatcher) -> None:
        super().__init__()
        self.scheduler, self.batcher = scheduler, batcher

    def run(self) -> None:
        result: object = None
        try:
            result = self.scheduler.run()
        except Exception as exc:  # an engine bug must not kill the window
            result = exc
        finally:
            self.batcher.add(_Done(result))
            self.batcher.close()


class RunController(QtCore.QObject):
    """Starts and stops runs; reports batches of events, progress and the end of a run."""

    started = QtCore.Signal(str, int)  # flow id, planned node count
    batch_ready = QtCore.Signal(object)  # list[RunEvent], in engine order (as one object:
    # a Signal(list) would convert every event on its way)
    progress = QtCore.Signal(int, int)  # finished nodes, planned nodes
    finished = QtCore.Signal(object)  # RunResult, or the exception the engine raised

    def __init__(
        self,
        parent: QtCore.QObject | None = None,
        workers: int | None = None,
        shelf: ExecutorShelf | None = None,
        settings: RunSettings | None = None,
        folder: Callable[[], str | None] | None = None,
    ) -> None:
        """``settings``: how to run (default: on threads, ``workers`` of them); ``folder``:
        where the nodes of a run about to start run (their file's folder; default: where
        the program is)."""
        super().__init__(parent)
        self.settings = settings or RunSettings(workers=workers or 0)
        self.folder = folder or (lambda: None)
        self.cache = ResultCache()
        self.shelf = shelf or ExecutorShelf()
        self._executor: Executor | None = None
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._more = QtCore.QTimer(self, singleShot=True, interval=0)
        self._more.timeout.connect(self.flush)
        self._batcher: EventBatcher | None = None
        self._ticks = QtCore.QTimer(self, interval=round(BATCH_INTERVAL * 1000))
        self._ticks.timeout.connect(self._tick)
        self._scheduler: Scheduler | None = None
        self._inbox: deque[list[RunEvent]] = deque()
        self._wake = socket.socketpair()
        for end in self._wake:
            end.setblocking(False)
        self._notifier = QtCore.QSocketNotifier(
            self._wake[0].fileno(), QtCore.QSocketNotifier.Type.Read, self
        )
        self._notifier.activated.connect(self._woken)
        weakref.finalize(self, _close_all, self._wake)
        self.planned = 0
        self.done = 0
        self.run_nodes: tuple[str, ...] = ()
        self.last_result: RunResult | None = None

    @property
    def running(self) -> bool:
        return self._scheduler is not None

    def start(
        self,
        repo: Repository,
        flow: Flow,
        targets: Targets = "all",
        first: Iterable[str] = (),
        cache: bool | None = None,
        plan: Plan | None = None,
    ) -> None:
        """Plan and start a run; raises ``RepositoryError`` when the flow cannot run.

        ``first``: nodes the user watches (viewers, the inspector): they run as early as
        their inputs allow. ``cache``: reuse unchanged results or not (default: as the
        settings say). ``plan``: the run, already planned from these."""
        if self._scheduler is not None:
            raise RuntimeError("a run is already in progress")
        self.start_plan(plan or plan_run(repo, flow, targets), first, cache)

    def start_plan(
        self,
        plan: Plan,
        first: Iterable[str] = (),
        cache: bool | None = None,
        keys: dict[str, str | None] | None = None,
        sandbox: bool = False,
    ) -> None:
        """Start a run of ``plan`` (``first`` and ``cache`` as for ``start``); ``keys``: its
        nodes' cache keys (``plan_keys(plan)``), when known; ``sandbox``: in a sandbox
        whatever the settings say. Raises ``SandboxUnavailable`` for a sandbox where none
        can run (nothing runs)."""
        if self._scheduler is not None:
            raise RuntimeError("a run is already in progress")
        settings = self.settings
        if sandbox and not settings.sandbox:
            settings = replace(settings, executor="process", sandbox=True)
        folder = self.folder()
        executor = self.shelf.borrow(settings, folder)
        self.run_nodes = plan.order
        self._inbox = deque()
        batcher = self._batcher = EventBatcher(_Outbox(self._inbox, self._wake[1]), None)
        self._executor = executor
        self._scheduler = Scheduler(
            plan,
            self._executor,
            batcher.add,
            timeout=settings.timeout or None,
            cache=self.cache if (settings.cache if cache is None else cache) else None,
            first=first,
            gate=GATE,
            brief=True,
            folder=folder,
            keys=keys,
        )
        self.planned, self.done = len(plan), 0
        self.started.emit(plan.flow.id, self.planned)
        self.progress.emit(0, self.planned)
        self.pool.start(_RunTask(self._scheduler, batcher))
        self._ticks.start()

    def shutdown(self) -> None:
        """Release kept executors (closing a Dask client and its local cluster)."""
        self.shelf.shutdown()

    def stop(self) -> None:
        """Cancel the run in progress (thread-safe in the engine; returns at once)."""
        if self._scheduler is not None:
            self._scheduler.cancel()

    def _woken(self, *_args) -> None:
        """The engine side put something in the inbox."""
        with busy():  # from the start: reading the socket lets go of the interpreter too
            try:
                while self._wake[0].recv(4096):
                    pass
            except BlockingIOError:
                pass
            self.flush()

    def flush(self) -> None:
        """Hand the batches in the inbox to the views, for up to ``APPLY_BUDGET``; end a
        finished run."""
        inbox, until = self._inbox, time.perf_counter() + APPLY_BUDGET
        with busy():  # the engine waits while the window shows what it did
            while inbox:
                batch = inbox.popleft()
                done = batch.pop() if isinstance(batch[-1], _Done) else None
                if batch:
                    self.done += sum(map(_TERMINAL.__contains__, map(type, batch)))
                    self.batch_ready.emit(shown_values(batch))
                    self.progress.emit(self.done, self.planned)
                if done is not None:
                    self._on_done(done.result)
                    return
                if inbox and time.perf_counter() > until:
                    self._more.start()  # the rest after what else waits in the event loop
                    return

    def _tick(self) -> None:
        """Hand on what the run said since the last tick (the batcher's ticker: this timer
        of the event loop, not a thread started for every run)."""
        if self._batcher is not None:
            self._batcher.flush()

    def _on_done(self, result: object) -> None:
        self._scheduler = self._batcher = None
        self._ticks.stop()
        if self._executor is not None:
            self.shelf.give_back(self._executor)
            self._executor = None
        if isinstance(result, RunResult):
            self.last_result = result
        self.finished.emit(result)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker ends (for shutdown)."""
        return self.pool.waitForDone(msecs)
