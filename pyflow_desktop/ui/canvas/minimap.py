"""The minimap: the whole flow in a corner of the canvas, and where the view is in it.

Each node is a small rectangle in its status colour; the part of the flow the view shows is
a light frame. A click or a drag on the minimap centres the view there, at the same zoom.
The nodes are drawn into a pixmap at most every ``RENDER_MS`` while they change (so a run
of thousands of nodes costs a few renders a second); following the view only draws the
pixmap and the frame again.

State: ``_pixmap`` (the nodes as last rendered, ``None`` before the first render),
``_world`` (the scene rectangle the minimap shows: the nodes' bounds), ``_timer`` (the
pending render).
"""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtWidgets

from .sketch import Sketch
from .viewer import CanvasViewer

SIZE = QtCore.QSize(220, 150)
CORNER_MARGIN = 12
RENDER_MS = 200
BACKGROUND = QtGui.QColor(20, 20, 24, 235)
FRAME = QtGui.QColor(255, 255, 255, 200)
WORLD_MARGIN = 40.0


class Minimap(QtWidgets.QWidget):
    """The ``sketch`` of a canvas's nodes over the bottom-right corner of its ``view``, which
    it moves."""

    def __init__(self, view: CanvasViewer, sketch: Sketch) -> None:
        super().__init__(view)
        self._view, self._sketch = view, sketch
        self._pixmap: QtGui.QPixmap | None = None
        self._world = QtCore.QRectF()
        self._timer = QtCore.QTimer(self, singleShot=True, interval=RENDER_MS)
        self._timer.timeout.connect(self._render)
        self.setFixedSize(SIZE)
        self.setCursor(QtCore.Qt.CursorShape.PointingHandCursor)
        self.setToolTip("Click or drag to move the view")
        self._viewport = view.viewport()
        self._viewport.installEventFilter(self)  # resized after the view's own Resize event
        self.hide()

    def set_shown(self, shown: bool) -> None:
        self.setVisible(shown)
        if shown:
            self._place()
            self._render()

    def schedule(self) -> None:
        """The nodes changed: render them again soon (at most every ``RENDER_MS``), unless
        the minimap is switched off (in a tab behind another, it still keeps up)."""
        if not self.isHidden() and not self._timer.isActive():
            self._timer.start()

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if watched is self._viewport and event.type() == QtCore.QEvent.Type.Resize:
            self._place()
        return False

    def _place(self) -> None:
        area = self._view.viewport().geometry()
        right, bottom = area.right() - CORNER_MARGIN, area.bottom() - CORNER_MARGIN
        self.move(right - SIZE.width(), bottom - SIZE.height())
        self.raise_()

    # -- scene ↔ minimap ------------------------------------------------------------------

    def _transform(self) -> QtGui.QTransform:
        """Scene coordinates to the minimap's, the world fitted and centred."""
        world = self._world
        if world.isEmpty():
            return QtGui.QTransform()
        scale = min(self.width() / world.width(), self.height() / world.height())
        dx = (self.width() - world.width() * scale) / 2 - world.left() * scale
        dy = (self.height() - world.height() * scale) / 2 - world.top() * scale
        return QtGui.QTransform(scale, 0, 0, scale, dx, dy)

    def _render(self) -> None:
        world = self._sketch.geometry().bounds
        self._world = world.adjusted(-WORLD_MARGIN, -WORLD_MARGIN, WORLD_MARGIN, WORLD_MARGIN)
        ratio = self.devicePixelRatioF()
        pixmap = QtGui.QPixmap(self.size() * ratio)
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(QtCore.Qt.GlobalColor.transparent)
        painter = QtGui.QPainter(pixmap)
        painter.setTransform(self._transform())
        painter.setPen(QtCore.Qt.PenStyle.NoPen)
        for colour, rects in self._sketch.fills().by_colour.items():
            painter.setBrush(QtGui.QColor(*colour))
            painter.drawRects(rects)
        painter.end()
        self._pixmap = pixmap
        self.update()

    def frame_rect(self) -> QtCore.QRectF:
        """Where the part of the scene the view shows is on the minimap."""
        view = self._view
        shown = view.mapToScene(view.viewport().rect()).boundingRect()
        return self._transform().mapRect(shown)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self)
        painter.fillRect(self.rect(), BACKGROUND)
        if self._pixmap is not None:
            painter.drawPixmap(0, 0, self._pixmap)
        painter.setPen(QtGui.QPen(FRAME, 1.5))
        inside = QtCore.QRectF(self.rect()).adjusted(1, 1, -1, -1)
        painter.drawRect(self.frame_rect().intersected(inside))

    # -- moving the view ------------------------------------------------------------------

    def mousePressEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.button() == QtCore.Qt.MouseButton.LeftButton:
            self._centre_on(event.position())
        event.accept()

    def mouseMoveEvent(self, event: QtGui.QMouseEvent) -> None:
        if event.buttons() & QtCore.Qt.MouseButton.LeftButton:
            self._centre_on(event.position())
        event.accept()

    def _centre_on(self, point: QtCore.QPointF) -> None:
        inverse, invertible = self._transform().inverted()
        if invertible and not self._world.isEmpty():
            scene = inverse.map(point)
            self._view.show_at(scene.x(), scene.y(), self._view.transform().m11())
