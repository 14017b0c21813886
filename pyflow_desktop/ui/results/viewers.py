"""Viewers for node output values, and ViewerDock: one output port's viewer in a dock.

``viewer_for(value)`` picks the kind: ``"plot"`` (a number — streamed numbers grow a line —
or a 1-D numeric sequence or array), ``"image"`` (a rectangular 2-D numeric array or list of
lists), ``"table"`` (a list of dicts, or of equally long lists), ``"tree"`` (other dicts and
lists) or ``"text"``. A value the window has only the view of (a ``Viewed``) goes by its view's parts: a ``table``
to the table viewer, an ``image`` to the image viewer, a ``figure`` as a picture
(``"figure"``), a ``series`` to the plot; any other shows its repr. Plots and images live
in ``plot_viewers`` (pyqtgraph), imported on first use.

A ``ViewerDock`` follows one ``(node, port)``: ``append_partial`` takes each streamed value
(a generator's ``yield``), ``update_value`` the final one, and ``apply_events`` a batch of
engine events (those of other nodes are ignored), so it keeps up across re-runs. Above its
viewer a bar tells what the viewer shows of a value held in a worker (rows loaded, points
of how many) with **Load full value** (and its size) while there is more; a brief view (no
parts) is completed by asking its ``ValueSource`` for the whole view; what cannot be had
(the value's worker ended) is said there.
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

from PySide6 import QtCore, QtGui, QtWidgets

from ...engine import NodeCached, NodeFinished, NodeOutput, RunEvent
from ..value_text import MAX_DEPTH, Viewed, full_text, short_text
from .fetching import Answers, ValueSource
from .table_viewer import TableViewer, table_note
from .value_bar import ValueBar
from .view_shapes import series_ok

MAX_CHILDREN = 1_000
PREVIEW_CHARS = 200


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


_PART_KINDS = (("table", "table"), ("figure", "figure"), ("image", "image"), ("series", "plot"))


def _is_rows(value: Any) -> bool:
    """A 2-D table: a non-empty list of equally long, non-empty lists of scalars."""
    width = len(value[0]) if isinstance(value, list) and value and isinstance(value[0], list) else 0
    return width > 0 and all(
        isinstance(row, list)
        and len(row) == width
        and not any(isinstance(cell, (list, tuple, dict)) for cell in row)
        for row in value
    )


def viewer_for(value: Any) -> str:
    """The kind of viewer that suits ``value``: plot, image, table, tree, figure or text."""
    if type(value) is Viewed:
        return next((kind for part, kind in _PART_KINDS if part in value.view), "text")
    if is_number(value) or _is_series(value):
        return "plot"
    if _is_grid(value):
        return "image"
    if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
        return "table"
    if _is_rows(value):
        return "table"
    if isinstance(value, (dict, list, tuple)):
        return "tree"
    return "text"


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
    if kind == "figure":
        from .view_parts import FigureViewer

        return FigureViewer()
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
        source_for: Callable[[dict], ValueSource] | None = None,
    ) -> None:
        """``source_for(view)``: where more of a value with that view can be had (the
        window's runs; without it a viewer shows the view alone)."""
        super().__init__(parent)
        self.setObjectName(f"viewer:{node_id}:{port}")
        self.node_id, self.port, self.multi_output = node_id, port, multi_output
        self.source_for = source_for
        self.source: ValueSource | None = None
        self.answers = Answers(self)
        self.problem: str | None = None  # why more of the value cannot be had
        self.stale = False
        self.set_title(title or node_id)
        self.kind: str | None = None
        self.viewer: QtWidgets.QWidget | None = None
        self.value: Any = None
        self._streamed = 0  # points appended in this run, for a streamed number
        self._want_full = False  # Load full value was asked before the whole view came
        self._waiting = False  # the value shown was shown while its run was still going
        self.bar = ValueBar()
        self.bar.load.connect(self.load_full)
        body = QtWidgets.QWidget()
        self._layout = QtWidgets.QVBoxLayout(body)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(0)
        self._layout.addWidget(self.bar)
        self._layout.addWidget(
            QtWidgets.QLabel(
                "No value yet — run the flow", alignment=QtCore.Qt.AlignmentFlag.AlignCenter
            ),
            1,
        )
        self.setWidget(body)

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
            previous = self._layout.itemAt(1).widget()
            self.kind, self.viewer = kind, make_viewer(kind)
            self._layout.replaceWidget(previous, self.viewer)
            self._layout.setStretch(1, 1)
            previous.deleteLater()
            if kind == "table":
                self.viewer.model_.changed.connect(self._show_bar)
        return self.viewer

    def update_value(self, value: Any) -> None:
        """Show the final value of a run (a streamed number's last point is not repeated)."""
        self.value = value
        if is_number(value) and self._streamed and self.kind == "plot":
            if self.viewer.last() != float(value):
                self.viewer.append([value])
        else:
            self._show(value)
        self._streamed = 0

    def _show(self, value: Any) -> None:
        """Show a value in the viewer that suits it (a ``Viewed`` one by its view)."""
        self.answers.forget()
        self.problem, self.source = None, None
        if type(value) is not Viewed:
            self._use(viewer_for(value)).set_values(value)
            self._show_bar()
            return
        view = value.view
        self.source = self.source_for(view) if self.source_for is not None else None
        self._waiting = self.source is not None and self.source.waiting()
        self.problem = self.source.problem() if self.source is not None else None
        kind = viewer_for(value)
        if kind == "table":
            self._use(kind).show_table(view["table"], self.source)
            self.viewer.model_.problem = self.problem
        elif kind == "plot" and series_ok(view["series"]):
            series = view["series"]
            x = series.get("x")
            self._use(kind).set_values(series["y"], x if len(x or ()) == len(series["y"]) else None)
        elif kind == "image":
            from .view_parts import image_pixels

            pixels = image_pixels(view["image"])
            if pixels is None:
                self._use("text").set_values(value)
            else:
                self._use(kind).set_values(pixels)
        elif kind == "figure":
            from .view_parts import figure_png

            self._use(kind).set_png(figure_png(view["figure"]))
        else:
            self._use("text").set_values(value)
            if self.source is not None and not (view.get("whole") or self.problem or self._waiting):
                self.answers.ask(self.source, "view", self._whole_view)
        self._show_bar()

    def _whole_view(self, view: dict | None, why: str | None) -> None:
        if view is None:
            self.problem = why
        elif any(part in view for part, _kind in _PART_KINDS):
            self.value = Viewed(dict(view, whole=True))
            self._show(self.value)
            if self._want_full:
                self.load_full()
            return
        self._show_bar()

    def values_ready(self) -> None:
        """The run that made the value shown ended: more of it can be asked for now."""
        if type(self.value) is not Viewed or self.source is None:
            return
        if self._waiting or self.problem:
            self._show(self.value)
        else:
            self._show_bar()  # its size is known now

    def load_full(self) -> None:
        """Load all of a value that came as a view: every row of a table, every point of a
        series."""
        self._want_full = self.source is not None and self.answers.waiting
        if self.source is None or self._want_full:  # (the whole view is on its way)
            return
        if self.kind == "table":
            self.viewer.model_.load_all()
        elif self.kind == "plot" and type(self.value) is Viewed:
            length = self.value.view["series"]["length"]
            self.answers.ask(self.source, "series", self._whole_series, start=0, count=length)
        self._show_bar()

    def _whole_series(self, series: dict | None, why: str | None) -> None:
        if not series_ok(series):
            self.problem = why or "its points could not be read"
        else:
            self.viewer.set_values(series["y"])
            self.value = Viewed(dict(self.value.view, series=series))
        self._show_bar()

    def _show_bar(self) -> None:
        """What the bar says: what is shown of a value held in a worker, and whether more
        can be loaded (with its size)."""
        more, note = False, ""
        if self.kind == "table":
            model = self.viewer.model_
            note, more = table_note(model), not model.complete and model.source is not None
            self.problem = model.problem or self.problem
        elif type(self.value) is Viewed:
            view = self.value.view
            note = self.value.description()
            series = view.get("series")
            if self.kind == "plot" and series_ok(series) and series["length"] > len(series["y"]):
                note += f" · {len(series['y']):,} of {series['length']:,} points shown"
                more = True
            if self.answers.waiting:
                note += " · loading…"
            elif self._waiting:
                note += " · more when the run ends"
        more = more and self.source is not None
        self.bar.say(note, self.problem, more, self.source.size() if more else None)

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
            self._show(value)
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
