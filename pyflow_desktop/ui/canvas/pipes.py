"""Ports and pipes (links) as the canvas draws them: NodeGraphQt's items, built lean.

NodeGraphQt's ``PortItem`` and ``PipeItem`` override ``itemChange`` in Python, so every
change to one (its position, its parent, a flag, a tooltip) calls into Python, tens of times
per item while a flow is built, and their constructors reach Qt's enums by the old flat names,
which PySide6 looks up slowly on every use. ``FlowPort`` and ``FlowPipe`` stand on ``ngqt``'s
``PortItemBase`` and ``PipeItemBase``, which set the same state directly, and leave
``itemChange`` to Qt. What those overrides did is done where it is needed:
a node redraws its pipes when it moves (``FlowNodeItem.redraw_pipes``) and the viewer
restyles the pipes of a changed selection (``CanvasViewer``).

A pipe has no contents of its own: its canvas's ``Links`` paint it (see ``link_layer``), and
it paints itself only while the mouse is over it.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Protocol

from PySide6 import QtCore, QtGui, QtWidgets

from .ngqt import (
    PIPE_DASHED,
    PIPE_SOLID,
    PORT_FALLOFF,
    PORT_IN,
    PORT_SIZE,
    PipeItemBase,
    PortItemBase,
)

_HALF_WIDTH = (PORT_SIZE + PORT_FALLOFF) / 2
PEN_REACH = 3.0  # how far a link's paint reaches beyond its curve and arrow (its pen)
Z_PIPE, Z_PORT = -1.0, 2.0
_DEVICE_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
_NO_CONTENTS = QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemHasNoContents
_Qt = QtCore.Qt
_PEN_STYLES = {PIPE_SOLID: _Qt.PenStyle.SolidLine, PIPE_DASHED: _Qt.PenStyle.DashLine}
_ARROW = ((-6.0, 6.0), (0.0, -9.0), (6.0, 6.0))  # NodeGraphQt's, pointing along -y
ARROW_REACH = 12.0  # how far along the curve either side of its middle the arrow aligns to
_ARROW_SPAN = (0.45, 0.4, 0.3, 0.2, 0.0)  # where to look for that stretch, as the curve's t


class FlowPort(PortItemBase):
    """A node's input or output port (``multi``: it takes several links)."""

    itemChange = QtWidgets.QGraphicsItem.itemChange

    def __init__(
        self, parent: QtWidgets.QGraphicsItem, name: str, port_type: str, multi: bool, locked: bool
    ) -> None:
        super().__init__(parent, name, port_type, multi, locked)
        self.setAcceptHoverEvents(True)
        self.setCacheMode(_DEVICE_CACHE)
        self.setZValue(Z_PORT)

    def boundingRect(self) -> QtCore.QRectF:
        return QtCore.QRectF(0.0, 0.0, PORT_SIZE + PORT_FALLOFF, PORT_SIZE)

    def centre(self) -> QtCore.QPointF:
        """Where pipes meet this port, in scene coordinates."""
        corner = self.scenePos()
        return QtCore.QPointF(corner.x() + _HALF_WIDTH, corner.y() + PORT_SIZE / 2)


def pen_style(style: int) -> QtCore.Qt.PenStyle:
    """The Qt pen style of a NodeGraphQt pipe style."""
    return _PEN_STYLES.get(style, _Qt.PenStyle.SolidLine)


@lru_cache(maxsize=64)
def _pens(color: tuple, width: int, style: int) -> tuple[QtGui.QPen, QtGui.QPen, QtGui.QBrush]:
    """The pipe's pen, its arrow's pen and brush for a colour, width and style."""
    qcolor = QtGui.QColor(*color)
    join, cap = _Qt.PenJoinStyle.MiterJoin, _Qt.PenCapStyle.RoundCap
    pen = QtGui.QPen(qcolor, width, pen_style(style), cap, join)
    arrow = QtGui.QPen(qcolor, width, _Qt.PenStyle.SolidLine, cap, join)
    return pen, arrow, QtGui.QBrush(qcolor.darker(200))


class Painter(Protocol):
    """What draws a canvas's pipes (``link_layer.Links``)."""

    def show(self, pipe: FlowPipe) -> None: ...

    def forget(self, pipe: FlowPipe) -> None: ...


class FlowPipe(PipeItemBase):
    """A link between an output and an input: a curve with an arrow at its middle, drawn by
    its canvas's ``Links`` (NodeGraphQt makes the arrow an item of its own)."""

    itemChange = QtWidgets.QGraphicsItem.itemChange
    links: Painter | None = None  # what draws it (set by the viewer that shows it)

    def __init__(self, input_port: FlowPort | None = None, output_port: FlowPort | None = None):
        super().__init__(input_port, output_port)
        self.setZValue(Z_PIPE)
        self.setAcceptHoverEvents(True)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setFlag(_NO_CONTENTS)
        self._arrow: QtGui.QPolygonF | None = None  # where the arrow is drawn, if anywhere
        self.ends: tuple[float, float, float, float] | None = None  # input, output centres
        self._shape: QtGui.QPainterPath | None = None  # what hit tests test, once made
        self._carried = False  # its node is being dragged: it paints itself meanwhile
        self.set_pipe_styling(self.color, 2, self.style)

    @property
    def arrow(self) -> QtGui.QPolygonF | None:
        return self._arrow

    @property
    def area(self) -> QtCore.QRectF:
        """Where it is drawn, arrow and pen included, in scene coordinates."""
        rect = self.path().controlPointRect()
        if self._arrow is not None:
            rect = rect.united(self._arrow.boundingRect())
        return rect.adjusted(-PEN_REACH, -PEN_REACH, PEN_REACH, PEN_REACH)

    def set_pipe_styling(self, color, width=2, style=PIPE_SOLID) -> None:
        pens = _pens(tuple(color), int(width), style)
        if pens[0].widthF() != self.pen().widthF():
            self._shape = None
        self._pen, self._arrow_pen, self._arrow_brush = pens
        self.setPen(self._pen)

    def shape(self) -> QtGui.QPainterPath:
        """The curve as wide as its pen, made once. Qt's stroked the curve again at every hit
        test (a mouse move over a fan-out tests a thousand links), and added the curve
        itself, closed: a click between a bent link and the straight line joining its ends
        hit the link."""
        if self._shape is None:
            self._shape = QtGui.QPainterPathStroker(self._pen).createStroke(self.path())
        return self._shape

    def set_connections(self, port1: FlowPort, port2: FlowPort) -> None:
        """Join an output and an input (in either order)."""
        if port1.port_type != PORT_IN:
            port1, port2 = port2, port1
        self.input_port, self.output_port = port1, port2
        port1.add_pipe(self)
        port2.add_pipe(self)

    def restyle(self) -> None:
        """Highlighted while it or a node it joins is selected, plain otherwise."""
        ends = (self.input_port, self.output_port)
        if self.isSelected() or any(port is not None and port.node.isSelected() for port in ends):
            self.highlight()
        else:
            self.reset()

    def activate(self) -> None:
        """Under the mouse: it paints itself, over the links' layers."""
        super().activate()
        if self.flags() & _NO_CONTENTS:
            self.setFlag(_NO_CONTENTS, False)
        self._repaint()

    def highlight(self) -> None:
        super().highlight()
        self._drawn_by_links()

    def reset(self) -> None:
        super().reset()
        self._drawn_by_links()

    def carry(self, carried: bool) -> None:
        """While a node it joins is dragged, it paints itself (its layer would repaint the
        links around it at every step of the drag); then it goes back to its layer."""
        self._carried = carried
        if carried:
            if self.links is not None:
                self.links.forget(self)
            self.setFlag(_NO_CONTENTS, False)
            self._repaint()
        elif not self.active():
            self._drawn_by_links()

    def _drawn_by_links(self) -> None:
        """Leave the drawing to ``links`` (the pipe stops painting itself, if it did)."""
        if self._carried:
            self._repaint()  # in its new style
            return
        if not self.flags() & _NO_CONTENTS:
            self.setFlag(_NO_CONTENTS)
            self._repaint()
        if self.links is not None:
            self.links.show(self)

    def _repaint(self) -> None:
        """Repaint where it is drawn (Qt would repaint its bounds, without the arrow, and
        drops an update of an item without contents)."""
        scene = self.scene()
        if scene is not None:
            scene.update(self.area)

    def delete(self) -> None:
        if self.links is not None:
            self.links.forget(self)
        super().delete()

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        """The path and its arrow (no dashed box when selected, as Qt would draw)."""
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, True)
        painter.setPen(self._pen)
        painter.setBrush(_Qt.BrushStyle.NoBrush)
        painter.drawPath(self.path())
        if self._arrow is not None:
            painter.setPen(self._arrow_pen)
            painter.setBrush(self._arrow_brush)
            painter.drawPolygon(self._arrow)

    def draw_path(self, start_port, end_port=None, cursor_pos=None) -> None:
        """A curve from the input ``start_port`` back to the output ``end_port``, leaving and
        entering the ports level (NodeGraphQt's curve), with the arrow at its middle."""
        if cursor_pos is not None or end_port is None or start_port.port_type != PORT_IN:
            super().draw_path(start_port, end_port, cursor_pos)
            return
        start, end = start_port.centre(), end_port.centre()
        x0, y0, x1, y1 = self.ends = start.x(), start.y(), end.x(), end.y()
        tangent = min(abs(x0 - x1), start_port.node.width)
        path = QtGui.QPainterPath(start)
        path.cubicTo(x0 - tangent, y0, x1 + tangent, y1, x1, y1)
        if not self.flags() & _NO_CONTENTS:
            self._repaint()  # where it was
        self._shape = None
        self.setPath(path)
        # NodeGraphQt sizes the arrow by 1 % of the curve's length.
        length = 2 * tangent + math.hypot(x1 - x0 + 2 * tangent, y1 - y0)
        size = min(length / 100, 1.0)
        arrow = None
        if size >= 0.3:
            mx, my = (x0 + x1) / 2, (y0 + y1) / 2
            dx, dy = _towards_input(x0, y0, x1, y1, tangent, ARROW_REACH * size)
            turn = math.atan2(dy, dx) + math.pi / 2
            cos, sin = math.cos(turn) * size, math.sin(turn) * size
            arrow = QtGui.QPolygonF(
                [QtCore.QPointF(mx + x * cos - y * sin, my + x * sin + y * cos) for x, y in _ARROW]
            )
        self._set_arrow(arrow)

    def _set_arrow(self, arrow: QtGui.QPolygonF | None) -> None:
        self._arrow = arrow
        if self.links is not None and not self._carried:
            self.links.show(self)
        if not self.flags() & _NO_CONTENTS:
            self._repaint()


def _towards_input(
    x0: float, y0: float, x1: float, y1: float, tangent: float, reach: float
) -> tuple[float, float]:
    """The way from the middle of the curve to the input (at ``x0, y0``), along the stretch
    of it that the arrow covers: the first of a few points towards the input at least
    ``reach`` from the middle. A nearly level link between close ports bends into a small
    S whose middle runs steeply up or down: an arrow that followed only the middle would
    point sideways, across the link; one that spans the S points along it."""
    mx, my = (x0 + x1) / 2, (y0 + y1) / 2
    dx = dy = 0.0
    for t in _ARROW_SPAN:
        dx = _bezier(x0, x0 - tangent, x1 + tangent, x1, t) - mx
        dy = _bezier(y0, y0, y1, y1, t) - my
        if math.hypot(dx, dy) >= reach:
            break
    return dx, dy


def _bezier(p0: float, p1: float, p2: float, p3: float, t: float) -> float:
    """One coordinate of a cubic Bézier curve at ``t``."""
    u = 1 - t
    return u * u * u * p0 + 3 * u * u * t * p1 + 3 * u * t * t * p2 + t * t * t * p3
