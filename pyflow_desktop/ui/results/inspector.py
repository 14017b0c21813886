"""InspectorPanel: everything about the selected node — inputs, outputs, status, errors, output.

Inputs show their link's source (``node:port``) or their manual value, which can be edited:
edits go to the ``on_edit(flow, node_id, port, value)`` callback (the main window pushes an
undo command) and the table redraws from the flow's model events. What runs said of the node
comes from its flow's ``RunState`` (in ``run_states``), read when it is shown and again when
the state says the node changed (a batch of the run holds it, a run begins, staleness moves):
selecting another node afterwards shows its results too. Double-clicking an output emits
``open_viewer(node_id, port)``. An output the window has only the view of (its value stays
in a worker process) shows its kind, measures and size with **Load full value**, which
emits ``load_full(node_id, port)``: its viewer loads every row or point of it. A subflow node also lists its inner nodes (``inner``: their
ids in a run, ``u1/m``), each with its status and time.

State: ``flow``, ``node_id``, ``spec`` and ``inner`` (what is shown).
"""

from __future__ import annotations

import html
from collections.abc import Callable, Collection
from operator import attrgetter
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import NodeState, RunChange, RunEvent, RunStates
from ...repository import Flow, ModelEvent, NodeSpec
from ..value_text import Viewed, default_text, full_text, short_text
from .fetching import ValueSource
from .value_bar import ValueBar, size_text
from .viewers import PREVIEW_CHARS

EditCallback = Callable[[Flow, str, str, Any], None]
STATUS_COLOURS = {
    "queued": "#c99a2e",
    "running": "#2e7dd1",
    "success": "#2e9d4f",
    "cached": "#2a9d8f",
    "fail": "#d03030",
    "skip": "#888888",
    "cancelled": "#888888",
}
MIN_ROWS = 3
MIN_DETAILS_HEIGHT = 90
_EDITABLE = QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable
_NODE = attrgetter("node")  # an event's node id


class InspectorPanel(QtWidgets.QWidget):
    """The selected node; ``open_viewer(node_id, port)`` asks for a viewer of an output."""

    open_viewer = QtCore.Signal(str, str)
    load_full = QtCore.Signal(str, str)

    def __init__(
        self,
        run_states: RunStates,
        on_edit: EditCallback | None = None,
        parent: QtWidgets.QWidget | None = None,
    ):
        """``run_states``: what the runs of each flow said; ``on_edit``: where edits of
        manual values go (``None``: they cannot be edited here)."""
        super().__init__(parent)
        self.run_states, self.on_edit = run_states, on_edit
        self.flow: Flow | None = None
        self.node_id: str | None = None
        self.spec: NodeSpec | None = None
        self.inner: list[str] = []
        self._tab_for: tuple[str | None, str] | None = None  # (node, status) the tab was picked for
        self._filling = False
        self.title = QtWidgets.QLabel(
            wordWrap=True, textInteractionFlags=QtCore.Qt.TextInteractionFlag.TextSelectableByMouse
        )
        self.status = QtWidgets.QLabel(wordWrap=True)
        for label in (self.title, self.status):  # long text wraps: the dock keeps its width
            label.setSizePolicy(
                QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
            )
        self.inputs = self._table(["Input", "Type", "Source or value"])
        self.inputs.itemChanged.connect(self._input_edited)
        self.outputs = self._table(["Output", "Type", "Value"])
        self.outputs.itemDoubleClicked.connect(self._output_double_clicked)
        self.outputs.currentCellChanged.connect(lambda row, *_: self._show_full_value(row))
        self.outputs.setToolTip("Double-click an output to open a viewer")
        self.inside = self._table(["Inside", "Status", "Time"])
        self.inside.setToolTip("The inner nodes of this subflow node, in the last run")
        mono = QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont)
        self.value_text, self.error_text, self.stdout_text, self.stderr_text = (
            QtWidgets.QPlainTextEdit(readOnly=True, font=mono) for _ in range(4)
        )
        self.details = QtWidgets.QTabWidget()
        for widget, name in (
            (self.value_text, "Value"),
            (self.error_text, "Error"),
            (self.stdout_text, "stdout"),
            (self.stderr_text, "stderr"),
        ):
            self.details.addTab(widget, name)
        self.details.setMinimumHeight(MIN_DETAILS_HEIGHT)
        self.value_bar = ValueBar(stacked=True)  # the note above its button: a narrow dock
        self.value_bar.load.connect(self._load_full_clicked)
        details = QtWidgets.QWidget()
        column = QtWidgets.QVBoxLayout(details)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.value_bar)
        column.addWidget(self.details, 1)
        splitter = QtWidgets.QSplitter(QtCore.Qt.Orientation.Vertical)
        for widget in (self.inputs, self.outputs, self.inside, details):
            splitter.addWidget(widget)
        splitter.setChildrenCollapsible(False)
        splitter.setSizes([150, 150, 300])
        layout = QtWidgets.QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.status)
        layout.addWidget(splitter, 1)
        self.show_node(None, None, None)
        run_states.events.connect(RunChange.RUN_BEGUN, self._run_begun)
        run_states.events.connect(RunChange.EVENTS_APPLIED, self._events_applied)
        run_states.events.connect(RunChange.STALE_CHANGED, self._stale_changed)
        run_states.events.connect(RunChange.VALUES_READY, self._values_ready)

    @staticmethod
    def _table(headers: list[str]) -> QtWidgets.QTableWidget:
        table = QtWidgets.QTableWidget(0, len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().setVisible(False)
        table.setWordWrap(False)
        table.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        # Never squeezed below a header and MIN_ROWS rows, whatever else is docked beside it.
        rows = table.verticalHeader().defaultSectionSize() * MIN_ROWS
        table.setMinimumHeight(table.horizontalHeader().sizeHint().height() + rows + 4)
        return table

    # -- what is shown ------------------------------------------------------------------------

    def show_node(
        self,
        flow: Flow | None,
        node_id: str | None,
        spec: NodeSpec | None,
        inner: list[str] = (),
    ) -> None:
        """Show ``node_id`` of ``flow`` built from ``spec`` (``None``: show nothing); a
        subflow node's ``inner`` nodes too."""
        self._watch(False)
        known = flow is not None and node_id in flow.nodes
        self.flow, self.node_id, self.spec = (flow, node_id, spec) if known else (None, None, None)
        self.inner = list(inner) if known else []
        self.inside.setVisible(bool(self.inner))
        self._watch(True)
        self.refresh()

    def _watch(self, connect: bool) -> None:
        if self.flow is None:
            return
        method = self.flow.events.connect if connect else self.flow.events.disconnect
        for event in (
            ModelEvent.VALUE_CHANGED,
            ModelEvent.LINK_ADDED,
            ModelEvent.LINK_REMOVED,
            ModelEvent.NODE_CHANGED,
            ModelEvent.NODE_REMOVED,
        ):
            method(event, self._model_changed)

    def _model_changed(self, **payload: Any) -> None:
        if self.node_id not in self.flow.nodes:
            self.show_node(None, None, None)
        else:
            self.refresh()

    def refresh(self) -> None:
        """Redraw everything from the model and the remembered run state."""
        self._fill_inputs()
        self._fill_state()

    def _fill_inputs(self) -> None:
        node = self.flow.nodes[self.node_id] if self.flow is not None else None
        ports = self.spec.ordered_inputs() if node is not None and self.spec is not None else []
        if node is None:
            self.title.setText("<i>Select a node to inspect it</i>")
        else:
            if node.subflow is not None:
                spec = f"subflow {self.spec.title if self.spec else 'missing'} ({node.subflow})"
            elif self.spec is not None:
                spec = f"{self.spec.title} ({self.spec.id})"
            else:
                spec = f"unknown spec {node.spec_id}"
            name = node.title(self.spec.title if self.spec else "")
            self.title.setText(f"<b>{html.escape(name)}</b> — {html.escape(spec)}")
            self.title.setToolTip(node.id)
        self._filling = True
        self.inputs.setRowCount(len(ports))
        for row, port in enumerate(ports):
            link = self.flow.link_into(node.id, port.name)
            self.inputs.setItem(row, 0, QtWidgets.QTableWidgetItem(port.name))
            self.inputs.setItem(row, 1, QtWidgets.QTableWidgetItem(port.type))
            for column in (0, 1):
                self.inputs.item(row, column).setFlags(_EDITABLE)
            if link is not None:
                item = QtWidgets.QTableWidgetItem(f"← {link.source_ref}")
                item.setFlags(_EDITABLE)
                item.setToolTip("Linked: the value comes from this output")
            else:
                item = QtWidgets.QTableWidgetItem(default_text(node.values.get(port.name)))
                item.setToolTip(f"Manual value (default: {default_text(port.default) or 'none'})")
                if self.on_edit is None:
                    item.setFlags(_EDITABLE)
            self.inputs.setItem(row, 2, item)
        self._filling = False

    def _input_edited(self, item: QtWidgets.QTableWidgetItem) -> None:
        if self._filling or item.column() != 2 or self.on_edit is None:
            return
        port = self.inputs.item(item.row(), 0).text()
        edit = (self.flow, self.node_id, port, item.text() or None)
        # After the table has finished its edit: the model event then rebuilds the rows.
        QtCore.QTimer.singleShot(0, self, lambda: self.on_edit(*edit))

    # -- run state ------------------------------------------------------------------------------

    def _shows(self, flow_id: str) -> bool:
        return self.flow is not None and self.flow.id == flow_id

    def _run_begun(self, flow_id: str, nodes: Collection[str]) -> None:
        if self._shows(flow_id):  # what it shows of the last run may have gone
            self._fill_state()

    def _events_applied(self, flow_id: str, events: list[RunEvent], **_payload: Any) -> None:
        """A batch of a run (any nodes): redraw once if it holds the shown node."""
        if self._shows(flow_id) and not {self.node_id, *self.inner}.isdisjoint(map(_NODE, events)):
            self._fill_state()

    def _values_ready(self, flow_id: str, nodes: list[str]) -> None:
        if self._shows(flow_id) and self.node_id in nodes:  # its size, whether it can be had
            self._fill_state()

    def _stale_changed(self, flow_id: str, stale: set[str]) -> None:
        if self._shows(flow_id):
            self._fill_state()

    def node_state(self) -> NodeState:
        """The shown node's latest state (``pending`` if it never ran)."""
        if self.flow is None or self.node_id is None:
            return NodeState()
        return self.run_states.node(self.flow.id, self.node_id)

    def node_outputs(self) -> dict[str, Any]:
        """The shown node's outputs (those streamed so far while it runs)."""
        names = [port.name for port in self.spec.outputs] if self.spec is not None else []
        return self.node_state().outputs_now(names)

    def _fill_state(self) -> None:
        state = self.node_state()
        colour = STATUS_COLOURS.get(state.status, "#888888")
        took = f" in {state.elapsed * 1000:.1f} ms" if state.elapsed is not None else ""
        streaming = " (streaming…)" if state.streaming else ""
        stale = (
            " · <i>stale: its inputs changed since this result</i>"
            if self.flow is not None and self.node_id in self.run_states.stale(self.flow.id)
            else ""
        )
        self.status.setText(
            f"<span style='color:{colour}'>●</span> {state.status}{took}{streaming}{stale}"
        )
        outputs = self.node_outputs()
        ports = self.spec.outputs if self.spec is not None and self.node_id else []
        self.outputs.setRowCount(len(ports))
        for row, port in enumerate(ports):
            shown = ""
            if port.name in outputs:
                shown = short_text(outputs[port.name], PREVIEW_CHARS, quote_strings=False)
            for column, text in enumerate((port.name, port.type, shown)):
                item = QtWidgets.QTableWidgetItem(text)
                item.setFlags(_EDITABLE)
                self.outputs.setItem(row, column, item)
        self._show_full_value(max(self.outputs.currentRow(), 0))
        self._fill_inside()
        error = f"{state.error}\n\n{state.traceback}".strip() if state.error else ""
        self.error_text.setPlainText(error)
        self.stdout_text.setPlainText(state.stdout)
        self.stderr_text.setPlainText(state.stderr)
        for widget, name, text in (
            (self.error_text, "Error", error),
            (self.stdout_text, "stdout", state.stdout),
            (self.stderr_text, "stderr", state.stderr),
        ):
            self.details.setTabText(self.details.indexOf(widget), f"{name} •" if text else name)
        if self._tab_for != (self.node_id, state.status):  # a node, or its status, is new
            self._tab_for = (self.node_id, state.status)
            failed = state.status in ("fail", "skip")
            self.details.setCurrentWidget(self.error_text if failed else self.value_text)

    def _fill_inside(self) -> None:
        if not self.inner:
            return
        self.inside.setRowCount(len(self.inner))
        for row, inner_id in enumerate(self.inner):
            state = self.run_states.node(self.flow.id, inner_id)
            took = f"{state.elapsed * 1000:.1f} ms" if state.elapsed is not None else ""
            for column, text in enumerate((inner_id, state.status, took)):
                item = QtWidgets.QTableWidgetItem(text)
                item.setFlags(_EDITABLE)
                if column == 1:
                    item.setForeground(QtGui.QColor(STATUS_COLOURS.get(state.status, "#888888")))
                self.inside.setItem(row, column, item)

    def _show_full_value(self, row: int) -> None:
        outputs = self.node_outputs()
        item = self.outputs.item(row, 0) if row >= 0 else None
        if item is None or item.text() not in outputs:
            self.value_text.clear()
            self.value_bar.hide()
            return
        value = outputs[item.text()]
        self.value_text.setPlainText(full_text(value))
        self.value_bar.setVisible(type(value) is Viewed)
        if type(value) is Viewed:
            source = ValueSource(self.run_states, self.flow.id, self.node_id, item.text(), {})
            problem, size = source.problem(), source.size()
            note = value.description() + (f" · {size_text(size)}" if size else "")
            self.value_bar.say(note, problem, more=True, size=size)

    def _load_full_clicked(self) -> None:
        item = self.outputs.item(max(self.outputs.currentRow(), 0), 0)
        if item is not None and self.node_id is not None:
            self.load_full.emit(self.node_id, item.text())

    def _output_double_clicked(self, item: QtWidgets.QTableWidgetItem) -> None:
        self.open_viewer.emit(self.node_id, self.outputs.item(item.row(), 0).text())
