"""Runs a flow off the GUI thread and shows its events at a steady frame rate.

The engine's ``Scheduler.run`` executes in a ``QThreadPool`` runnable. Its sink (called on
the scheduler's thread) only appends each typed event to ``_inbox``, a deque; so does the
runnable with a ``_Done`` marker when the run ends. No Qt signal crosses threads: a ~30 Hz
``QTimer`` on the GUI thread drains the inbox and hands each batch to ``batch_ready``, so a
run of thousands of tiny nodes costs one repaint per frame, not one queued call per event,
and a worker thread never waits on a Qt lock while the GUI thread holds the GIL.

State: ``_scheduler`` (the run in progress, or ``None``), ``_inbox`` (events not yet
shown; appended by engine threads, drained by the GUI thread), ``planned`` and ``done``
(progress counts), ``cache`` (results reused for the whole session), ``_executors``
(executors kept between runs: a Dask client is expensive to connect).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from PySide6 import QtCore

from ...engine import (
    Executor,
    NodeCached,
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeSkipped,
    Plan,
    ResultCache,
    RunEvent,
    RunResult,
    Scheduler,
    Targets,
    make_executor,
    plan_keys,
    plan_run,
)
from ...repository import Flow, Repository
from .settings import RunSettings

FRAME_MS = 33
_TERMINAL = (NodeFinished, NodeFailed, NodeSkipped, NodeCancelled, NodeCached)


@dataclass(frozen=True)
class _Done:
    """The last item of a run's inbox: its ``RunResult``, or the exception the engine raised."""

    result: object


class _RunTask(QtCore.QRunnable):
    def __init__(self, scheduler: Scheduler, inbox: deque) -> None:
        super().__init__()
        self.scheduler, self.inbox = scheduler, inbox

    def run(self) -> None:
        try:
            result = self.scheduler.run()
        except Exception as exc:  # an engine bug must not kill the window
            result = exc
        self.inbox.append(_Done(result))


class RunController(QtCore.QObject):
    """Starts and stops runs; reports batches of events, progress and the end of a run."""

    started = QtCore.Signal(str, int)  # flow id, planned node count
    batch_ready = QtCore.Signal(list)  # list[RunEvent], in engine order
    progress = QtCore.Signal(int, int)  # finished nodes, planned nodes
    finished = QtCore.Signal(object)  # RunResult, or the exception the engine raised

    def __init__(self, parent: QtCore.QObject | None = None, workers: int | None = None):
        super().__init__(parent)
        self.settings = RunSettings(workers=workers or 0)
        self.cache = ResultCache()
        self._executors: dict[tuple, Executor] = {}
        self.pool = QtCore.QThreadPool(self)
        self.pool.setMaxThreadCount(2)
        self._timer = QtCore.QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self.flush)
        self._scheduler: Scheduler | None = None
        self._inbox: deque[RunEvent | _Done] = deque()
        self.planned = 0
        self.done = 0
        self.run_keys: dict[str, str | None] = {}  # each planned node's key in this run
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
        plan = plan or plan_run(repo, flow, targets)
        self.run_keys = plan_keys(plan)
        settings = self.settings
        self._inbox = deque()
        self._scheduler = Scheduler(
            plan,
            self._executor(),
            self._inbox.append,
            timeout=settings.timeout or None,
            cache=self.cache if (settings.cache if cache is None else cache) else None,
            first=first,
        )
        self.planned, self.done = len(plan), 0
        self.started.emit(flow.id, self.planned)
        self.progress.emit(0, self.planned)
        self._timer.start()
        self.pool.start(_RunTask(self._scheduler, self._inbox))

    def _executor(self) -> Executor:
        """The executor the settings ask for; process and dask ones are kept between runs."""
        settings = self.settings
        workers = settings.workers or None
        if settings.executor == "thread":
            return make_executor("thread", workers)
        key = (settings.executor, workers, settings.scheduler)
        if key not in self._executors:
            options = {"scheduler_address": settings.scheduler} if settings.scheduler else {}
            self._executors[key] = make_executor(settings.executor, workers, **options)
        return self._executors[key]

    def shutdown(self) -> None:
        """Release kept executors (closing a Dask client and its local cluster)."""
        for executor in self._executors.values():
            getattr(executor, "shutdown", lambda: None)()
        self._executors.clear()

    def stop(self) -> None:
        """Cancel the run in progress (thread-safe in the engine; returns at once)."""
        if self._scheduler is not None:
            self._scheduler.cancel()

    def flush(self) -> None:
        """Hand the events gathered since the last frame to the views; end a finished run."""
        inbox, batch, done = self._inbox, [], None
        while inbox:
            item = inbox.popleft()
            if isinstance(item, _Done):
                done = item
                break
            batch.append(item)
        if batch:
            self.done += sum(isinstance(event, _TERMINAL) for event in batch)
            self.batch_ready.emit(batch)
            self.progress.emit(self.done, self.planned)
        if done is not None:
            self._on_done(done.result)

    def _on_done(self, result: object) -> None:
        self._timer.stop()
        self._scheduler = None
        if isinstance(result, RunResult):
            self.last_result = result
        self.finished.emit(result)

    def wait(self, msecs: int = -1) -> bool:
        """Block until the worker ends (for shutdown)."""
        return self.pool.waitForDone(msecs)
