"""Test: one nodespec run alone, the way a run runs its nodes.

``SpecTester.start(spec, values)`` hands a run of one node (``spec_test.spec_plan``) to a
``RunController`` of its own. The node runs on the executor of the run settings (worker
processes by default: a function that exits, crashes or runs out of memory fails the Test,
and the window lives), within their per-node timeout, and ``stop()`` ends it. ``finished``
then gives the node's ``NodeOutcome`` (stopped, timed out or failed, it says why), or a str
when the run itself could not go (no worker process could start, no Dask scheduler...).

State: ``controller`` (its runs), ``spec`` (the spec under test, or ``None``), ``_events``
(the events of the Test in progress).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6 import QtCore

from ...engine import RunEvent, RunResult
from ...repository import NodeSpec
from ...spec_test import run_outcome, spec_plan
from .controller import RunController
from .executor_shelf import ExecutorShelf
from .settings import RunSettings


class SpecTester(QtCore.QObject):
    """Runs one spec at a time with typed-in values; ``settings()`` says where and how long."""

    started = QtCore.Signal()
    finished = QtCore.Signal(object)  # NodeOutcome, or str: why the Test could not run

    def __init__(
        self,
        settings: Callable[[], RunSettings],
        shelf: ExecutorShelf | None = None,
        parent: QtCore.QObject | None = None,
        folder: Callable[[], str | None] | None = None,
    ) -> None:
        """``folder``: where the node runs, as for ``RunController``."""
        super().__init__(parent)
        self.settings = settings
        self.controller = RunController(self, shelf=shelf, folder=folder)
        self.controller.batch_ready.connect(self._take)
        self.controller.finished.connect(self._done)
        self.spec: NodeSpec | None = None
        self._events: list[RunEvent] = []

    @property
    def running(self) -> bool:
        return self.controller.running

    def start(self, spec: NodeSpec, values: dict[str, Any]) -> None:
        """Run ``spec`` once with ``values``; raises ``SpecInputError`` (and runs nothing)
        when a value does not fit its port, ``SandboxUnavailable`` for a sandbox where none
        can run."""
        if self.running:
            raise RuntimeError("a Test is already in progress")
        plan = spec_plan(spec, values)
        self.controller.settings = self.settings()
        self.spec, self._events = spec, []
        self.controller.start_plan(plan, cache=False)
        self.started.emit()

    def stop(self) -> None:
        """End the Test in progress (its worker process is killed; a thread runs on, ignored)."""
        self.controller.stop()

    def _take(self, events: list[RunEvent]) -> None:
        self._events.extend(events)

    def _done(self, result: object) -> None:
        spec, events, self.spec, self._events = self.spec, self._events, None, []
        outcome = run_outcome(spec, events) if isinstance(result, RunResult) else None
        if outcome is None:
            why = f"{type(result).__name__}: {result}" if isinstance(result, Exception) else ""
            outcome = f"the Test did not run ({why or 'the run ended without a result'})"
        self.finished.emit(outcome)
