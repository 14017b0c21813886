"""Viewers for node output values, and ViewerDock: one output port's viewer in a dock.

``viewer_for(value)`` picks the kind: ``"plot"`` (a number — streamed numbers grow a line —
or a 1-D numeric sequence or array), ``"image"`` (a rectangular 2-D numeric array or list of
lists), ``"table"`` (a list of dicts), ``"tree"`` (other dicts and lists) or ``"text"``.
Plots and images live in ``plot_viewers`` (pyqtgraph), imported on first use.

A ``ViewerDock`` follows one ``(node, port)``: ``append_partial`` takes each streamed value
(a generator's ``yield``), ``update_value`` the final one, and ``apply_events`` a batch of
engine events (those of other nodes are ignored), so it keeps up across re-runs.
"""

from __future__ import annotations

import numbers
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import NodeCached, NodeFinished, NodeOutput, RunEvent
from ..value_text import MAX_DEPTH, full_text, short_text

MAX_ROWS = 10_000
MAX_CHILDREN = 1_000
PREVIEW_CHARS = 200
CELL_CHARS = 1_000


def is_number(value: Any) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _is_numeric_array(value: Any, ndim: int) -> bool:
    """A non-empty numpy-like array of numbers with ``ndim`` dimensions (numpy not imported)."""
    return (
        getattr(value, "ndim", None) == ndim
        and getattr(getattr(value, "dtype", None), "kind", "") in ("b", "i", "u", "f")
        and value.size > 0
    )


def _is_series(value: Any) -> bool:
    """A non-empty 1-D numeric array, or a non-empty list or tuple of numbers."""
    if hasattr(value, "ndim") and hasattr(value, "dtype"):
        return _is_numeric_array(value, 1)
    return isinstance(value, (list, tuple)) and len(value) > 0 and all(map(is_number, value))


def _is_grid(value: Any) -> bool:
    """A 2-D numeric array, or a non-empty list of equally long lists of numbers."""
    if hasattr(value, "ndim") and hasattr(value, "dtype"):
        return _is_numeric_array(value, 2)
    return (
        isinstance(value, (list, tuple))
        and len(value) > 0
        and all(isinstance(row, (list, tuple)) and all(map(is_number, row)) for row in value)
        and len({len(row) for row in value}) == 1
        and len(value[0]) > 0
    )


def viewer_for(value: Any) -> str:
    """The kind of viewer that suits ``value``: plot, image, table, tree or text."""
    if is_number(value) or _is_series(value):
        return "plot"
    if _is_grid(value):
        return "image"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "table"
    if isinstance(value, (dict, list, tuple)):
        return "tree"
    return "text"


def _cell(value: Any) -> QtGui.QStandardItem:
    item = QtGui.QStandardItem()
    if is_number(value):
        item.setData(
            float(value) if isinstance(value, float) else int(value),
            QtCore.Qt.ItemDataRole.DisplayRole,
        )
    else:
        item.setText(short_text(value, CELL_CHARS, quote_strings=False))
    item.setEditable(False)
    return item


def _empty() -> QtGui.QStandardItem:
    item = QtGui.QStandardItem()
    item.setEditable(False)
    return item


class TableViewer(QtWidgets.QTableView):
    """A list of dicts: one row each, columns from the union of their keys, sortable."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.model_ = QtGui.QStandardItemModel(self)
        self.setModel(self.model_)
        self.setSortingEnabled(True)
        self.setAlternatingRowColors(True)
        self.horizontalHeader().setStretchLastSection(True)

    def set_values(self, rows: list[dict]) -> None:
        columns = list(dict.fromkeys(key for row in rows[:MAX_ROWS] for key in row))
        self.model_.clear()
        self.model_.setHorizontalHeaderLabels([str(column) for column in columns])
        for row in rows[:MAX_ROWS]:
            self.model_.appendRow(
                [_cell(row[column]) if column in row else _empty() for column in columns]
            )
        self.horizontalHeader().setSortIndicator(-1, QtCore.Qt.SortOrder.AscendingOrder)
        self.resizeColumnsToContents()


class TreeViewer(QtWidgets.QTreeWidget):
    """Dicts and lists as an expandable tree of keys, values and types."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHeaderLabels(["Key", "Value", "Type"])
        self.setAlternatingRowColors(True)

    def set_values(self, value: Any) -> None:
        self.clear()
        self._add_children(self.invisibleRootItem(), value, 0)
        self.expandToDepth(0)
        self.resizeColumnToContents(0)

    def _add_children(self, parent: QtWidgets.QTreeWidgetItem, value: Any, depth: int) -> None:
        """Add ``value``'s items under ``parent``; below ``MAX_DEPTH`` levels only their size."""
        pairs = list(value.items()) if isinstance(value, dict) else list(enumerate(value))
        for key, item in pairs[:MAX_CHILDREN]:
            nested = isinstance(item, (dict, list, tuple))
            shown = f"{len(item)} item(s)" if nested else short_text(item, 500, quote_strings=False)
            child = QtWidgets.QTreeWidgetItem(parent, [str(key), shown, type(item).__name__])
            if nested and depth < MAX_DEPTH:
                self._add_children(child, item, depth + 1)
        if len(pairs) > MAX_CHILDREN:
            QtWidgets.QTreeWidgetItem(parent, ["…", f"{len(pairs) - MAX_CHILDREN} more", ""])


class TextViewer(QtWidgets.QPlainTextEdit):
    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent, readOnly=True)
        self.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))

    def set_values(self, value: Any) -> None:
        self.setPlainText(full_text(value))


def make_viewer(kind: str) -> QtWidgets.QWidget:
    """A new viewer widget of ``kind`` (see ``viewer_for``)."""
    if kind in ("plot", "image"):
        from .plot_viewers import ImageViewer, PlotViewer  # pyqtgraph, only when needed

        return PlotViewer() if kind == "plot" else ImageViewer()
    return {"table": TableViewer, "tree": TreeViewer, "text": TextViewer}[kind]()


class ViewerDock(QtWidgets.QDockWidget):
    """Shows the value of ``node_id``'s output ``port``, live while a run streams it.

    ``multi_output``: the node has several outputs, so a streamed value is a dict by port.
    """

    closed = QtCore.Signal()  # the user closed it (hiding it with its tab is not closing)

    def __init__(
        self,
        node_id: str,
        port: str,
        parent: QtWidgets.QWidget | None = None,
        *,
        multi_output: bool = False,
        title: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName(f"viewer:{node_id}:{port}")
        self.node_id, self.port, self.multi_output = node_id, port, multi_output
        self.stale = False
        self.set_title(title or node_id)
        self.kind: str | None = None
        self.viewer: QtWidgets.QWidget | None = None
        self.value: Any = None
        self._streamed = 0  # points appended in this run, for a streamed number
        self.setWidget(
            QtWidgets.QLabel(
                "No value yet — run the flow", alignment=QtCore.Qt.AlignmentFlag.AlignCenter
            )
        )

    def set_title(self, node_title: str) -> None:
        """Title the dock "node name · port" (the node's id in the tooltip)."""
        self._title = f"{node_title} · {self.port}"
        self.setToolTip(f"{self.node_id}:{self.port}")
        self._show_title()

    def set_stale(self, stale: bool) -> None:
        """Say that the value shown no longer matches the node's inputs."""
        self.stale = stale
        self._show_title()

    def _show_title(self) -> None:
        self.setWindowTitle(f"{self._title} — stale" if self.stale else self._title)

    def closeEvent(self, event: QtGui.QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()

    def _use(self, kind: str) -> QtWidgets.QWidget:
        if kind != self.kind:
            previous = self.widget()
            self.kind, self.viewer = kind, make_viewer(kind)
            self.setWidget(self.viewer)
            if previous is not None:
                previous.deleteLater()
        return self.viewer

    def update_value(self, value: Any) -> None:
        """Show the final value of a run (a streamed number's last point is not repeated)."""
        self.value = value
        if is_number(value) and self._streamed and self.kind == "plot":
            if self.viewer.last() != float(value):
                self.viewer.append([value])
        else:
            self._use(viewer_for(value)).set_values(value)
        self._streamed = 0

    def append_partial(self, value: Any, index: int | None = None) -> None:
        """Show a streamed value: a number adds a point, anything else is redrawn."""
        self._partials([value], index == 0)

    def _partials(self, values: list[Any], restart: bool) -> None:
        """Show streamed values; numbers in a row are appended with one redraw."""
        if restart:
            self._streamed = 0
        numbers_run: list[float] = []
        for value in values:
            self.value = value
            if is_number(value):
                numbers_run.append(value)
                continue
            self._flush(numbers_run)
            numbers_run = []
            self._streamed = 0
            self._use(viewer_for(value)).set_values(value)
        self._flush(numbers_run)

    def _flush(self, numbers_run: list[float]) -> None:
        if not numbers_run:
            return
        viewer = self._use("plot")
        if self._streamed:
            viewer.append(numbers_run)
        else:
            viewer.set_values(numbers_run)
        self._streamed += len(numbers_run)

    def apply_events(self, events: list[RunEvent]) -> None:
        """Follow this node's port through a batch of engine events (in engine order)."""
        pending: list[Any] = []
        restart = False
        for event in events:
            if event.node != self.node_id:
                continue
            if isinstance(event, NodeOutput):
                value = event.value
                if self.multi_output:
                    if not isinstance(value, dict) or self.port not in value:
                        continue
                    value = value[self.port]
                if event.index == 0:
                    self._partials(pending, restart)
                    pending, restart = [], True
                pending.append(value)
            elif isinstance(event, (NodeFinished, NodeCached)) and self.port in event.outputs:
                self._partials(pending, restart)
                pending, restart = [], False
                self.update_value(event.outputs[self.port])
        self._partials(pending, restart)
