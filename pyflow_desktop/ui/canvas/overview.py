"""The canvas zoomed out: every node drawn at once, as a plain rounded rectangle.

Below ``LOD_SCALE`` the node items (and their ports, editors, previews) and the pipes become
fully transparent: Qt skips painting them and their children, while they still take clicks,
selection and moves. ``Overview``, one item, paints the canvas's ``Sketch`` instead in a
handful of batched ``QPainter`` calls: each node in its status colour (selected ones
outlined), each link as a line, and each title where the node has room for it on screen.
Qt caches the painted item in device pixels, so a frame that changes nothing costs a copy.

State: ``_rect``, the nodes' bounds (fitted again by ``redraw(geometry=True)``).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from .node_item import SELECTED_BORDER, title_font
from .sketch import Sketch

LOD_SCALE = 0.5  # below this scale the overview stands in for the nodes
TITLE_PIXELS = 11.0  # overview titles are drawn this high on screen, whatever the zoom
TITLE_ROOM = 40.0  # a title shows when its node is at least this wide on screen
LINK_COLOR = QtGui.QColor(101, 63, 33)  # a link at half strength over the background, opaque:
# Qt draws opaque lines several times faster than translucent ones
MARGIN = 8.0
_Qt = QtCore.Qt
_CENTRE = _Qt.AlignmentFlag.AlignCenter
_DEVICE_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache


class Overview(QtWidgets.QGraphicsItem):
    """Draws the canvas's ``sketch`` of its nodes while the canvas is zoomed out."""

    def __init__(self, sketch: Sketch) -> None:
        super().__init__()
        self._sketch = sketch
        self._rect = QtCore.QRectF()
        self.setCacheMode(_DEVICE_CACHE)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(_Qt.MouseButton.NoButton)
        self.setZValue(-1.5)  # under the (transparent) pipes and nodes that take the clicks
        self.hide()

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def shape(self) -> QtGui.QPainterPath:
        return QtGui.QPainterPath()  # never under the mouse: clicks find the nodes, or nothing

    def redraw(self, geometry: bool = False) -> None:
        """Paint again (the sketch changed); with ``geometry``, fit the nodes' bounds too."""
        if not self.isVisible():
            return
        if geometry:
            rect = self._sketch.geometry().bounds.adjusted(-MARGIN, -MARGIN, MARGIN, MARGIN)
            if rect != self._rect:
                self.prepareGeometryChange()
                self._rect = rect
        self.update()

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        geometry, fills = self._sketch.geometry(), self._sketch.fills()
        scale = option.levelOfDetailFromTransform(painter.worldTransform())
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, scale > 0.15)
        painter.setPen(QtGui.QPen(LINK_COLOR, 0))  # cosmetic: one pixel at any zoom
        painter.drawLines(geometry.links)
        painter.setPen(_Qt.PenStyle.NoPen)
        round_corners = scale > 0.15  # below, a rounded corner is less than a pixel
        for colour, rects in fills.by_colour.items():
            painter.setBrush(QtGui.QColor(*colour))
            if round_corners:
                for rect in rects:
                    painter.drawRoundedRect(rect, 4.0, 4.0)
            else:
                painter.drawRects(rects)
        if fills.selected:
            outline = QtGui.QPen(SELECTED_BORDER, 2)
            outline.setCosmetic(True)
            painter.setPen(outline)
            painter.setBrush(_Qt.BrushStyle.NoBrush)
            painter.drawRects(fills.selected)
        if geometry.widest * scale >= TITLE_ROOM:
            # The part to paint (Qt paints a device-cached item without its widget).
            self._paint_titles(painter, geometry.titles, option.exposedRect, scale)

    @staticmethod
    def _paint_titles(painter: QtGui.QPainter, titles, area: QtCore.QRectF, scale: float):
        """Titles at a legible size on screen, in the nodes in ``area`` with room for them."""
        transform = painter.worldTransform()
        font = QtGui.QFont(title_font())
        font.setPixelSize(int(TITLE_PIXELS))
        metrics = QtGui.QFontMetricsF(font)
        painter.setWorldTransform(QtGui.QTransform())  # draw in device pixels
        painter.setFont(font)
        painter.setPen(QtGui.QColor(255, 255, 255, 200))
        for rect, title in titles:
            if rect.width() * scale < TITLE_ROOM or not area.intersects(rect):
                continue
            on_screen = transform.mapRect(rect).adjusted(3, 2, -3, -2)
            text = metrics.elidedText(title, _Qt.TextElideMode.ElideRight, on_screen.width())
            painter.drawText(on_screen, _CENTRE, text)
        painter.setWorldTransform(transform)
