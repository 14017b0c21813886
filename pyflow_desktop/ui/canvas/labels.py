"""The small text items of a node: its footer (a ``LabelItem``), the preview of each output
(a ``PreviewLabel``) and its title while it is renamed (a text field).
"""

from __future__ import annotations

import string
from functools import lru_cache

from PySide6 import QtCore, QtGui, QtWidgets

from .fonts import label_font
from .ngqt import NodeTextItem
from .typing_watch import TYPING

STALE_NOTE = "stale: its inputs changed since this result"
_Qt = QtCore.Qt
_ELIDE = _Qt.TextElideMode.ElideRight
_DEVICE_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
_LEFT_MIDDLE = _Qt.AlignmentFlag.AlignLeft | _Qt.AlignmentFlag.AlignVCenter


# The characters statuses and previews are made of (no tab or newline: their widths vary).
_PLAIN = frozenset(string.ascii_letters + string.digits + string.punctuation + " ·…—")


@lru_cache(maxsize=2)
def _label_metrics(italic: bool) -> tuple[QtGui.QFontMetricsF, float]:
    """The label font's metrics, and a bound of the width of any text of ``_PLAIN``, per
    character (its widest, with a margin for kerning)."""
    font = QtGui.QFont(label_font())
    font.setItalic(italic)
    metrics = QtGui.QFontMetricsF(font)
    return metrics, 1.1 * max(metrics.horizontalAdvance(char) for char in _PLAIN)


@lru_cache(maxsize=4096)
def elided(text: str, width: float, italic: bool = False) -> str:
    """``text`` in the label font, cut to ``width`` pixels with an ellipsis. Laying a text out
    costs more than the rest of drawing a node's status, so a text of plain characters short
    enough to fit however wide they are is not measured, and texts seen before (a run's
    statuses repeat) are remembered."""
    metrics, widest = _label_metrics(italic)
    if len(text) * widest <= width and _PLAIN.issuperset(text):
        return text
    return metrics.elidedText(text, _ELIDE, width)


@lru_cache(maxsize=8)
def _colour(name: str) -> QtGui.QColor:
    return QtGui.QColor(name)


class LabelItem(QtWidgets.QGraphicsItem):
    """A small text label drawn on a dark rounded background, in the width its node gives it
    (``set_width``; the text comes elided to it). A new text is kept and painted when next
    drawn: nothing is laid out until then (a ``QGraphicsSimpleTextItem`` lays each new text
    out to size itself, most of the cost of showing a run's status on a node)."""

    def __init__(self, parent: QtWidgets.QGraphicsItem, colour: str = "#e8e8e8") -> None:
        super().__init__(parent)
        self._text = ""
        self._font = QtGui.QFont(label_font())
        self._colour = _colour(colour)
        self._box = QtCore.QRectF(0.0, 0.0, 0.0, _label_metrics(False)[0].height())
        self.setCacheMode(_DEVICE_CACHE)

    def text(self) -> str:
        return self._text

    def setText(self, text: str) -> None:
        if text != self._text:
            self._text = text
            self.update()

    def font(self) -> QtGui.QFont:
        return QtGui.QFont(self._font)

    def setFont(self, font: QtGui.QFont) -> None:
        self._font = QtGui.QFont(font)
        self.update()

    def setBrush(self, colour: QtGui.QColor) -> None:
        self._colour = colour
        self.update()

    def set_width(self, width: float) -> None:
        if width != self._box.width():
            self.prepareGeometryChange()
            self._box.setWidth(max(0.0, width))

    def boundingRect(self) -> QtCore.QRectF:
        return self._box.adjusted(-3, -1, 3, 1)  # and the background's margin

    def _drawn(self) -> QtCore.QRectF:
        """The background behind the text (nothing when there is none)."""
        if not self._text:
            return QtCore.QRectF()
        width = _label_metrics(self._font.italic())[0].horizontalAdvance(self._text)
        return QtCore.QRectF(-3, -1, min(width, self._box.width()) + 6, self._box.height() + 2)

    def shape(self) -> QtGui.QPainterPath:
        """The text's background: a click beside a short text goes to the node."""
        path = QtGui.QPainterPath()
        path.addRect(self._drawn())
        return path

    def paint(self, painter, option, widget=None) -> None:
        if not self._text:
            return
        painter.setPen(_Qt.PenStyle.NoPen)
        painter.setBrush(QtGui.QColor(20, 20, 24, 200))
        painter.drawRoundedRect(self._drawn(), 3, 3)
        painter.setFont(self._font)
        painter.setPen(self._colour)
        painter.drawText(self._box, _LEFT_MIDDLE, self._text)


class PreviewLabel(LabelItem):
    """An output's preview; double-clicking it calls ``on_activate`` (opens a viewer).

    ``value_text`` is the value's short text; the label shows it (after the port's name when
    the node has several outputs), elided to the node's width. Its tooltip has what the label
    does not show of ``full_text`` (the value's longer text), and says when it is stale."""

    def __init__(self, parent: QtWidgets.QGraphicsItem, prefix: str = "") -> None:
        super().__init__(parent)
        self.on_activate = None
        self.prefix = prefix
        self.value_text = self.full_text = ""
        self.stale = False
        self._tip = ""

    def show_value(self, text: str, short: int, width: float) -> None:
        """Show ``text``: its first ``short`` characters, in at most ``width`` pixels."""
        self.full_text = text
        self.value_text = text if len(text) <= short else text[: short - 1] + "…"
        self.fit(width)

    def set_stale(self, stale: bool) -> None:
        self.stale = stale
        self.setBrush(_colour("#9a9a9a" if stale else "#e8e8e8"))
        font = self.font()
        font.setItalic(stale)
        self.setFont(font)
        self._show_tip()

    def fit(self, width: float) -> None:
        """Show ``value_text`` in at most ``width`` pixels."""
        if self.value_text:
            self.setText(elided(f"{self.prefix}{self.value_text}", width, self._font.italic()))
        else:
            self.setText("")
        self._show_tip()

    def _show_tip(self) -> None:
        hidden = self.text() != f"{self.prefix}{self.full_text}"  # cut, or elided
        parts = (STALE_NOTE if self.stale else "", self.full_text if hidden else "")
        tip = "\n".join(part for part in parts if part)
        if tip != self._tip:  # most values show whole: no tooltip to set
            self._tip = tip
            self.setToolTip(tip)

    def mousePressEvent(self, event) -> None:
        if self.text() and self.on_activate is not None:
            event.accept()  # take the press, so the double-click comes here, not to the node
        else:
            super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:
        if self.on_activate is not None:
            self.on_activate()
            event.accept()
        else:
            super().mouseDoubleClickEvent(event)


class TitleEditor(NodeTextItem):
    """The title as a text field while it is renamed: Return or leaving it renames the node
    (NodeGraphQt's ``node_name_changed``), Escape keeps the name; then it hides again. A
    shortcut (Ctrl+S) or a click that leaves it the focus renames too."""

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:
        super().keyPressEvent(event)
        if event.key() in (_Qt.Key.Key_Return, _Qt.Key.Key_Enter, _Qt.Key.Key_Escape):
            self.clearFocus()

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:
        super().focusInEvent(event)
        TYPING.watch(self, lambda: self.set_node_name(self.toPlainText()))

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:
        TYPING.release(self)
        super().focusOutEvent(event)
        self.hide()
        self.node.update()
