"""The Run menu: run the current flow (F5: to its end nodes, as the original did, or all of it
when it marks none), run all (Ctrl+F5), run up to the selected node, stop, settings.

The run's events go to its flow's ``RunState`` (in ``run_states``), which the canvas, the
Inspector and the viewers read; the status bar's ``progress`` counts finished nodes, and after
a run says what the last run of the flow in front did (its state's ``outcome``). The Log says
when each node starts and ends; a start is left out when the node's end is in the same batch
of events (its line says how long the node took).

State: ``runner`` (the ``RunController`` driving the engine), ``tester`` (the Code panel's
Test, run on the same settings and kept executors; Stop ends it too), ``run_flow_id`` (the
flow being run).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import (
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeQueued,
    NodeSkipped,
    NodeStarted,
    RunEvent,
    RunResult,
    RunStates,
    Targets,
    end_nodes,
    plan_run,
)
from ...engine.sandbox import SandboxUnavailable
from ...repository import Flow, NodeSpec, Repository, RepositoryError
from ..run.controller import RunController
from ..run.settings import RunSettingsDialog
from ..run.spec_tester import SpecTester
from ..shortcuts import keys
from ..value_text import node_title
from .flow_tabs import FlowTabs
from .shell import Shell, add_action
from .user_settings import settings

_ENDED = (NodeFinished, NodeFailed, NodeCancelled)  # how a node that started ends
PROGRESS = "%v / %m nodes"
PROGRESS_WIDTH = 240
FILL_SHARE = 0.4  # of the highlight colour in the progress bar's fill, the rest background


class RunActions(QtCore.QObject):
    """Starts and stops runs of the current flow; ``run_done(ok)`` ends every run."""

    run_done = QtCore.Signal(bool)

    def __init__(
        self,
        shell: Shell,
        tabs: FlowTabs,
        run_states: RunStates,
        runner: RunController,
        tester: SpecTester,
        allow: Callable[[Iterable[NodeSpec]], str | None],
        watched: Callable[[str], list[str]],
    ) -> None:
        """``runner`` runs flows and ``tester`` Tests, on the same settings; ``allow(specs)``:
        how a run may run these specs' code (``Trust.consent``: the window asks about code
        from outside);
        ``watched(flow_id)``: the nodes of a flow the user is looking at, which run first."""
        super().__init__(shell)
        self.shell, self.tabs, self.run_states = shell, tabs, run_states
        self.runner, self.tester, self.allow, self.watched = runner, tester, allow, watched
        self.run_flow_id: str | None = None
        self._aim = ""  # what the run is for, as the status bar says it
        self.runner.batch_ready.connect(self._show_events)
        self.runner.progress.connect(self._show_progress)
        self.runner.finished.connect(self._run_finished)
        self.tester.started.connect(self._update_stop)
        self.tester.finished.connect(self._update_stop)
        self.progress = QtWidgets.QProgressBar(textVisible=True)
        self.progress.setStyleSheet(bar_style(self.progress.palette()))
        self.progress.setFixedWidth(PROGRESS_WIDTH)  # a new text then lays nothing out again
        self._show_outcome(None)
        shell.statusBar().addPermanentWidget(self.progress)
        tabs.current_changed.connect(self._tab_changed)

    def fill_menu(self, menu: QtWidgets.QMenu) -> None:
        self.run_action = add_action(menu, "&Run", self.run_current, keys("run"))
        add_action(menu, "Run &all", self.run_all, keys("run_all"))
        add_action(menu, "Run to &selected node", self.run_to_selected, keys("run_to_selected"))
        self.stop_action = add_action(menu, "&Stop", self.stop, keys("stop"))
        self.stop_action.setEnabled(False)
        menu.addSeparator()
        add_action(menu, "Run se&ttings…", self.edit_run_settings)
        add_action(menu, "&Forget cached results", self.runner.cache.clear)

    def run_current(self, targets: Targets = None, cache: bool | None = None) -> bool:
        """Run the flow of the current tab (F5: ``targets=None``, its end nodes and their
        ancestors, or every node when it marks none); False (and a message) if it cannot
        start. ``cache``: reuse unchanged results or not (default: as the settings say)."""
        canvas, bridge = self.tabs.current()
        if canvas is None or self.runner.running:
            return False
        self.tabs.finish_typing()  # a value typed but not yet committed runs too
        log, flow, repo = self.shell.log, bridge.flow, self.shell.repo
        self._aim = _aim(flow, targets)
        state = self.run_states.of(flow)
        try:
            kept = state.plan_for(targets)  # with its keys, made when idle
            plan = kept or plan_run(repo, flow, targets)
            consent = self.allow(planned.spec for planned in plan.nodes.values())
            if consent is None:
                return False
        except RepositoryError as error:
            log.add(f"cannot run {flow.id}: {error}")
            self.shell.statusBar().showMessage(f"Cannot run: {error}", 10000)
            return False
        self.run_flow_id = flow.id  # before the start: it shows its first progress
        keys = state.current_keys if kept else None
        try:
            self.runner.start_plan(
                plan, self.watched(flow.id), cache, keys, sandbox=consent == "sandbox"
            )
        except SandboxUnavailable as error:
            log.add(f"cannot run {flow.id}: {error}")
            self.shell.statusBar().showMessage(f"Cannot run: {error}", 10000)
            return False
        state.begin(self.runner.run_nodes)
        where = " in a sandbox" if consent == "sandbox" or self.runner.settings.sandbox else ""
        log.add(f"— run {flow.id} {self._aim}{where}: {self.runner.planned} node(s)")
        self.shell.statusBar().showMessage(f"Running {flow.name or flow.id} {self._aim}…")
        self.run_action.setEnabled(False)
        self._update_stop()
        return True

    def run_all(self) -> bool:
        """Run every node of the current flow, end nodes or not (Ctrl+F5)."""
        return self.run_current("all")

    def run_to_selected(self) -> bool:
        canvas, _bridge = self.tabs.current()
        if canvas is None or not canvas.selected_ids():
            self.shell.statusBar().showMessage("Select the node to run up to", 5000)
            return False
        return self.run_current(canvas.selected_ids())

    def stop(self) -> None:
        """Stop the run and the Test in progress (Shift+Esc)."""
        self.runner.stop()
        self.tester.stop()

    def _update_stop(self, *_args) -> None:
        self.stop_action.setEnabled(self.runner.running or self.tester.running)

    def forget_run(self) -> None:
        """Stop the run in progress: it belongs to a repository that is going away, and its
        remaining events are shown nowhere."""
        self.runner.stop()
        self.run_flow_id = None
        self._show_outcome(None)

    def _tab_changed(self, flow_id: str) -> None:
        """The bar shows the last run of the flow in front (a run in progress stays shown)."""
        if not self.runner.running:
            state = self.run_states.get(flow_id)
            self._show_outcome(state.outcome if state is not None else None)

    def shutdown(self) -> None:
        """Stop, wait for the threads of the run and the Test, and release kept executors
        (the window closes)."""
        self.stop()
        self.runner.wait(5000)
        self.tester.controller.wait(5000)
        self.runner.shutdown()

    def edit_run_settings(self) -> None:
        dialog = RunSettingsDialog(self.runner.settings, self.shell)
        if dialog.exec() == QtWidgets.QDialog.DialogCode.Accepted:
            self.runner.settings = dialog.settings()
            self.runner.settings.save(settings())

    def _show_events(self, events: list[RunEvent]) -> None:
        state = self.run_states.get(self.run_flow_id) if self.run_flow_id else None
        if state is not None:
            state.apply(events)
        flow = state.flow if state is not None else None
        self.shell.log.add_later(lambda: _log_lines(events, self.shell.repo, flow), len(events))

    def _show_progress(self, done: int, planned: int) -> None:
        if self.run_flow_id is None:  # a run of the last file, stopping
            return
        bar = self.progress
        if bar.format() != PROGRESS or bar.maximum() != max(planned, 1):  # a new run: each
            bar.setFormat(PROGRESS)  # of these lays the status bar out again
            bar.setRange(0, max(planned, 1))
        bar.setUpdatesEnabled(False)  # setValue repaints at once, and the whole window with
        bar.setValue(done)  # it: drawn at the next frame instead, with everything else
        bar.setUpdatesEnabled(True)

    def _show_outcome(self, result: RunResult | None) -> None:
        """The bar after a run says what happened: "3 done, 4 cancelled of 7" (``None``: no
        run of this flow yet)."""
        if result is None:
            self.progress.setRange(0, 1)
            self.progress.setValue(0)
            self.progress.setFormat("not run yet")
            return
        counts = result.counts()
        done = counts.pop("success", 0) + counts.pop("cached", 0)
        words = {"fail": "failed", "skip": "skipped", "cancelled": "cancelled"}
        parts = [f"{done} done", *(f"{n} {words.get(s, s)}" for s, n in counts.items() if n)]
        planned = len(result.statuses)
        self.progress.setRange(0, max(planned, 1))
        self.progress.setValue(done)
        self.progress.setFormat(f"{', '.join(parts)} of {planned}")

    def _run_finished(self, result: object) -> None:
        self.run_action.setEnabled(True)
        self._update_stop()
        ok = isinstance(result, RunResult) and result.ok
        if self.run_flow_id is None:  # a run of the last file: nothing of it is shown now
            self.run_done.emit(ok)
            return
        state = self.run_states.get(self.run_flow_id)
        if state is not None:
            state.finish(result)
        if isinstance(result, RunResult):
            self._show_outcome(result)
            counts = ", ".join(f"{n} {status}" for status, n in result.counts().items())
            message = f"{result.flow_id} {self._aim}: {counts} in {result.elapsed * 1000:.0f} ms"
        else:
            message = f"run failed: {result!r}"
        self.shell.log.add(f"— {message}")
        self.shell.statusBar().showMessage(message, 30000)
        self.run_done.emit(ok)


def bar_style(palette: QtGui.QPalette) -> str:
    """A progress bar whose text reads as well over its fill as beside it: one text colour
    (the palette's) over a pale fill, the highlight colour mixed into the background (the
    styles' own white text over the highlight colour lacks contrast)."""
    role = QtGui.QPalette.ColorRole
    base, highlight = palette.color(role.Base), palette.color(role.Highlight)
    fill = QtGui.QColor.fromRgbF(
        *(
            FILL_SHARE * h + (1 - FILL_SHARE) * b
            for h, b in zip(highlight.getRgbF()[:3], base.getRgbF()[:3])
        )
    )
    return (
        f"QProgressBar {{ border: 1px solid {palette.color(role.Mid).name()}; border-radius: 3px;"
        f" background: {base.name()}; color: {palette.color(role.Text).name()};"
        " text-align: center; }"
        f" QProgressBar::chunk {{ background: {fill.name()}; border-radius: 2px; }}"
    )


def _aim(flow, targets: Targets) -> str:
    """What a run of ``flow`` with ``targets`` is for, in words ("to end node 'total'")."""
    if targets is None:
        ends = end_nodes(flow)
        if not ends:
            return "(every node: the flow marks no end node)"
        names = ", ".join(repr(flow.nodes[node_id].name or node_id) for node_id in ends)
        return f"to end node{'s' if len(ends) > 1 else ''} {names}"
    if targets == "all":
        return "(every node)"
    names = ", ".join(repr(flow.nodes[node_id].name or node_id) for node_id in targets)
    return f"up to {names}"


def _log_lines(events: list[RunEvent], repo: Repository, flow: Flow | None) -> str:
    """The Log's lines for a batch of events (a node's start is left out when its end is in
    the same batch)."""
    ended = {event.node for event in events if isinstance(event, _ENDED)}
    lines = (
        _log_line(event, repo, flow)
        for event in events
        if not (isinstance(event, NodeStarted) and event.node in ended)
    )
    return "\n".join(line for line in lines if line)


def _log_line(event: RunEvent, repo: Repository, flow: Flow | None) -> str:
    """One line of the Log, naming nodes as the user knows them."""
    if isinstance(event, NodeQueued | NodeOutput):
        return ""
    who = node_title(repo, flow, event.node) if event.node else "run"
    if isinstance(event, NodeFailed):
        return f"{who}: failed — {event.error}"
    if isinstance(event, NodeSkipped):
        return f"{who}: skipped — {node_title(repo, flow, event.failed_ancestor)!r} failed"
    elapsed = getattr(event, "elapsed", None)
    took = f" ({elapsed * 1000:.1f} ms)" if elapsed else ""
    return f"{who}: {event.type}{took}"
