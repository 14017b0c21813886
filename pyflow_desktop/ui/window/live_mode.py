"""Run › Live: after each edit, the stale nodes of the flow in front re-run by themselves
(and those a superseded live run left without a result).

An edit (anything on the undo stack, undo and redo included) starts a ``DEBOUNCE_MS`` timer;
when it fires, the nodes whose result no longer matches their inputs run, through the result
cache, so only what changed computes. An edit during a live run stops that run; the next one
starts once it has ended. The toggle is kept in the settings (``run/live``).

State: ``action`` (the checkable menu entry), ``_timer`` (the debounce), ``_again`` (an edit
came while a run was going: run once it ends).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui

from ...engine import RunStates
from .flow_tabs import FlowTabs
from .run_actions import RunActions
from .shell import Shell
from .user_settings import settings

DEBOUNCE_MS = 300
KEY = "run/live"


class LiveMode(QtCore.QObject):
    """Keeps the results of the flow in front up to date while it is on."""

    def __init__(
        self, shell: Shell, tabs: FlowTabs, runs: RunActions, run_states: RunStates
    ) -> None:
        """``run_states`` says which nodes are stale, ``runs`` runs them."""
        super().__init__(shell)
        self.shell, self.tabs, self.runs, self.run_states = shell, tabs, runs, run_states
        self.action = QtGui.QAction("&Live", self, checkable=True)
        self.action.setToolTip("Re-run what an edit made stale, by itself")
        self.action.setChecked(str(settings().value(KEY, "false")).lower() == "true")
        self.action.toggled.connect(self._toggled)
        self._timer = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._timer.timeout.connect(self.run_stale)
        self._again = False
        self._live_run = False
        shell.undo_stack.indexChanged.connect(self._edited)
        runs.run_done.connect(self._run_done)

    @property
    def on(self) -> bool:
        return self.action.isChecked()

    def _toggled(self, on: bool) -> None:
        settings().setValue(KEY, "true" if on else "false")
        if on:
            self._timer.start()

    def _edited(self, _index: int) -> None:
        if not self.on:
            return
        if self.runs.runner.running and self._live_run:
            self._again = True  # this run computes what is no longer wanted
            self.runs.stop()
        self._timer.start()

    def _run_done(self, _ok: bool) -> None:
        self._live_run = False
        if self._again and self.on:
            self._again = False
            self._timer.start()

    def run_stale(self) -> bool:
        """Run the stale nodes of the flow in front (and what they need, from the cache)."""
        canvas, bridge = self.tabs.current()
        if not self.on or canvas is None:
            return False
        if self.runs.runner.running:
            self._again = True
            return False
        state = self.run_states.of(bridge.flow)
        wanted = sorted((state.stale | state.cancelled) & set(bridge.flow.nodes))
        if not wanted:
            return False
        self._live_run = self.runs.run_current(wanted, cache=True)
        return self._live_run
