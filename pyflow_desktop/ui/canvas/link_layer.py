"""The canvas's links painted by two items rather than one item each.

A fan-out's thousands of links all cross the view. Painted one item each, with a device
cache each, a frame blended thousands of viewport-sized pixmaps and repainted the ones Qt's
pixmap cache had dropped: seconds. A ``LinkLayer`` paints its links in one pass: each link
flattened once into straight segments (Qt's own flattening), the segments of all links with
the same pen given to one ``drawLines`` call (which Qt rasterises on its fast path for
square-capped pens), only those crossing the part being painted, and only the arrows there.
Qt caches the layer in device pixels: a frame that changes nothing costs a copy, a pan
paints the strip it uncovers, a zoom step each link in view once. A paint with more link to
draw than antialiasing draws in about a frame (a zoom over a fan-out's thousands) draws it
rough, without antialiasing, four times faster; once the view has stayed put for
``SMOOTH_AFTER_MS``, the rough areas are painted again smoothly, one stretch of about a
frame's cost every ``SMOOTH_EVERY_MS``, so the window stays responsive meanwhile.

``Links`` keeps two layers: every link in its own colour and style at the bottom, and over
it the highlighted ones (selected, or of a selected node). The ``FlowPipe`` items stay, with
no contents of their own, for what an item does: hit tests (click, right-click, hover),
selection and NodeGraphQt's gestures; the one under the mouse paints itself over both layers.

State: ``LinkLayer._links`` (pipe → how it is drawn: ``_Drawn``, its segments made when first
wanted), ``_batches`` (pen → the segments of all its links and their arrows; ``None`` until
painted after a change), ``_rect`` (the bounds; it only grows, so that a change repaints the
links' own area rather than the whole layer, until ``clear``), ``_updates`` (areas marked for
repainting since the last paint), ``_scale`` (of the last paint: another means a zoom),
``_rough`` (areas painted rough, to smooth) and ``_smoothing`` (the stretch being smoothed).
numpy is imported when links are first painted: the window starts without it.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import shiboken6
from PySide6 import QtCore, QtGui, QtWidgets

from .ngqt import PIPE_HIGHLIGHT_COLOR, PIPE_SOLID
from .pipes import PEN_REACH, Z_PIPE, FlowPipe, pen_style

_Qt = QtCore.Qt
_DEVICE_CACHE = QtWidgets.QGraphicsItem.CacheMode.DeviceCoordinateCache
ROUGH_ABOVE = 300_000  # pixels of links that antialiasing paints in about a frame, here
SMOOTH_AFTER_MS = 120  # a rough paint is smoothed once the view stayed put this long
SMOOTH_EVERY_MS = 30
MIN_STRETCH = 16  # pixels: a stretch is not cut thinner
MAX_UPDATES = 256
RUN = 8  # segments of a link whose bounds are repainted together when it changes

PenKey = tuple[tuple, int]  # colour (r, g, b, a), NodeGraphQt's pipe style


@dataclass
class _Drawn:
    """One link as a layer paints it: its pen, curve and arrow (and the arrow's bounds), and
    its segments once they are wanted."""

    pen: PenKey
    path: QtGui.QPainterPath
    arrow: QtGui.QPolygonF | None
    corners: tuple[float, float, float, float] | None
    segments: object = None  # numpy (n, 4): x1, y1, x2, y2 of each straight piece

    def made(self):
        """Its segments, made now if they are not yet."""
        if self.segments is None:
            self.segments = _segments(self.path)
        return self.segments

    def areas(self) -> list[QtCore.QRectF]:
        """Where it is drawn, as the bounds of runs of its segments and of its arrow: a long
        link's own bounds are mostly empty canvas, which a change need not repaint."""
        segments, reach = self.made(), PEN_REACH
        areas = [self.arrow.boundingRect()] if self.arrow is not None else []
        for start in range(0, len(segments), RUN):
            run = segments[start : start + RUN]
            left, top = run[:, 0::2].min(), run[:, 1::2].min()
            right, bottom = run[:, 0::2].max(), run[:, 1::2].max()
            areas.append(QtCore.QRectF(left, top, right - left, bottom - top))
        return [area.adjusted(-reach, -reach, reach, reach) for area in areas]


@lru_cache(maxsize=64)
def _pens(key: PenKey) -> tuple[QtGui.QPen, QtGui.QPen, QtGui.QBrush]:
    """The pen of a link's segments (square caps: Qt's fast path for wide lines, and the
    pieces of a curve overlap at their joints), its arrow's pen and brush."""
    colour = QtGui.QColor(*key[0])
    square, miter = _Qt.PenCapStyle.SquareCap, _Qt.PenJoinStyle.MiterJoin
    line = QtGui.QPen(colour, 2, pen_style(key[1]), square, miter)
    arrow = QtGui.QPen(colour, 2, _Qt.PenStyle.SolidLine, _Qt.PenCapStyle.RoundCap, miter)
    return line, arrow, QtGui.QBrush(colour.darker(200))


class LinkLayer(QtWidgets.QGraphicsItem):
    """Paints a set of links, each with the pen it was put with."""

    def __init__(self, z: float) -> None:
        super().__init__()
        self._links: dict[FlowPipe, _Drawn] = {}
        self._batches: dict[PenKey, _Batch] | None = None
        self._rect = QtCore.QRectF()
        self._updates = 0
        self._scale = 0.0
        self._rough: list[QtCore.QRectF] = []
        self._smoothing: QtCore.QRectF | None = None
        self._smoother = QtCore.QTimer(singleShot=True)
        self._smoother.timeout.connect(self._smooth_next)
        self.setZValue(z)
        self.setCacheMode(_DEVICE_CACHE)
        self.setFlag(QtWidgets.QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)
        self.setAcceptedMouseButtons(_Qt.MouseButton.NoButton)

    def __len__(self) -> int:
        return len(self._links)

    def __contains__(self, pipe: FlowPipe) -> bool:
        return pipe in self._links

    @property
    def smoothing(self) -> bool:
        """Whether some of what it painted rough is still to be painted smoothly."""
        return bool(self._rough) or self._smoothing is not None

    def boundingRect(self) -> QtCore.QRectF:
        return self._rect

    def shape(self) -> QtGui.QPainterPath:
        return QtGui.QPainterPath()  # never under the mouse: the pipes take the clicks

    def put(self, pipe: FlowPipe, pen: PenKey) -> None:
        """Draw ``pipe`` with ``pen`` along its path as it is now (again, if it was drawn)."""
        old = self._links.get(pipe)
        path = pipe.path()
        if old is not None and old.pen == pen and old.path == path:
            return
        arrow = pipe.arrow
        corners = arrow.boundingRect().getCoords() if arrow is not None else None
        drawn = self._links[pipe] = _Drawn(pen, path, arrow, corners)
        rect = pipe.area
        if not self._rect.contains(rect):
            self.prepareGeometryChange()
            self._rect = self._rect.united(rect)
        self._changed(old, drawn)

    def discard(self, pipe: FlowPipe) -> None:
        old = self._links.pop(pipe, None)
        if old is not None:
            self._changed(old)

    def clear(self) -> None:
        self.prepareGeometryChange()
        self._links.clear()
        self._batches = None
        self._rect = QtCore.QRectF()

    def _changed(self, *links: _Drawn | None) -> None:
        """Repaint where ``links`` are drawn; past ``MAX_UPDATES`` areas before a paint, all
        of the layer (Qt would join every area into one region)."""
        self._batches = None
        if self._updates >= MAX_UPDATES:
            return  # all of it, already
        areas = [area for drawn in links if drawn is not None for area in drawn.areas()]
        self._updates += len(areas)
        if self._updates >= MAX_UPDATES:
            self.update()
            return
        for area in areas:
            self.update(area)

    def paint(self, painter: QtGui.QPainter, option, widget=None) -> None:
        """The segments and arrows of the links in the part painted, smoothly unless there
        is more link there than antialiasing draws in about a frame."""
        self._updates = 0
        if not self._links:
            return
        area = _painted_area(painter, option.exposedRect)
        scale = painter.worldTransform().m11()
        if scale != self._scale:  # zoomed: what was rough is painted afresh
            self._scale, self._rough, self._smoothing = scale, [], None
        shown = [(key, _crossing(b.segments, area), b) for key, b in self._batched().items()]
        smooth = self._smoothing_covers(area) or (
            sum(_length(segments, area) for _, segments, _ in shown) * scale <= ROUGH_ABOVE
        )
        if not smooth:
            self._add_rough(area)
            if self._smoothing is None:
                self._smoother.start(SMOOTH_AFTER_MS)
        painter.setRenderHint(QtGui.QPainter.RenderHint.Antialiasing, smooth)
        for key, segments, batch in shown:
            line, arrow_pen, arrow_brush = _pens(key)
            if len(segments):
                painter.setPen(line)
                # The array's rows as Qt's array of QLineF: no Python object per segment.
                rows = shiboken6.wrapInstance(segments.ctypes.data, QtCore.QLineF)
                painter.drawLines(rows, len(segments))
            painter.setPen(arrow_pen)
            painter.setBrush(arrow_brush)
            for arrow in batch.arrows_in(area):
                painter.drawPolygon(arrow)

    def _add_rough(self, area: QtCore.QRectF) -> None:
        """Note ``area`` as painted rough, joined with the rough areas it meets (a pan paints
        strip after strip)."""
        kept = []
        for rough in self._rough:
            if rough.adjusted(-1, -1, 1, 1).intersects(area):
                area = area.united(rough)
            else:
                kept.append(rough)
        self._rough = [*kept, area]

    def _smoothing_covers(self, area: QtCore.QRectF) -> bool:
        """Whether ``area`` is the stretch being smoothed (as Qt exposes it: a pixel more
        around it, and the reach of the pens)."""
        if self._smoothing is None:
            return False
        reach = PEN_REACH + 2.0 / self._scale
        return self._smoothing.adjusted(-reach, -reach, reach, reach).contains(area)

    def _smooth_next(self) -> None:
        """Paint the next stretch of what was painted rough, smoothly (a stretch that
        antialiasing paints within about a frame, one every ``SMOOTH_EVERY_MS``: the window
        stays responsive)."""
        if not shiboken6.isValid(self) or self.scene() is None:  # its canvas closed
            return
        self._smoothing = None
        if not self._rough:
            return
        area = self._rough.pop(0)
        while self._cost(area) > ROUGH_ABOVE and area.height() * self._scale > MIN_STRETCH:
            half = area.height() / 2  # the first half now, the other in a later turn
            self._rough.insert(0, area.adjusted(0, half, 0, 0))
            area = area.adjusted(0, 0, 0, -half)
        self._smoothing = area
        self.update(area)
        self._smoother.start(SMOOTH_EVERY_MS)  # the next stretch, once this one is painted

    def _cost(self, area: QtCore.QRectF) -> float:
        """About how many pixels of link a paint of ``area`` draws."""
        batches = self._batched().values()
        return sum(_length(_crossing(b.segments, area), area) for b in batches) * self._scale

    def _batched(self) -> dict[PenKey, _Batch]:
        """The segments and arrows of all links, by pen."""
        if self._batches is None:
            drawn_by: dict[PenKey, list[_Drawn]] = {}
            for drawn in self._links.values():
                drawn.made()
                drawn_by.setdefault(drawn.pen, []).append(drawn)
            self._batches = {key: _Batch(links) for key, links in drawn_by.items()}
        return self._batches


class _Batch:
    """The links drawn with one pen: all their segments, their arrows and where those are."""

    def __init__(self, links: list[_Drawn]) -> None:
        import numpy as np

        self.segments = np.concatenate([drawn.segments for drawn in links])
        pointed = [drawn for drawn in links if drawn.arrow is not None]
        self.arrows = [drawn.arrow for drawn in pointed]
        corners = [drawn.corners for drawn in pointed]
        self._corners = np.array(corners, dtype=np.float64).reshape(-1, 4)

    def arrows_in(self, area: QtCore.QRectF) -> list[QtGui.QPolygonF]:
        import numpy as np

        left, top, right, bottom = area.getCoords()
        x1, y1, x2, y2 = self._corners.T
        keep = (x1 <= right) & (x2 >= left) & (y1 <= bottom) & (y2 >= top)
        return [self.arrows[i] for i in np.flatnonzero(keep)]


class Links:
    """A canvas's links: every one at the bottom, the highlighted ones over them."""

    def __init__(self, scene: QtWidgets.QGraphicsScene) -> None:
        self.plain, self.raised = LinkLayer(Z_PIPE - 0.2), LinkLayer(Z_PIPE - 0.1)
        scene.addItem(self.plain)
        scene.addItem(self.raised)

    def show(self, pipe: FlowPipe) -> None:
        """Draw ``pipe`` as it is now: its path, style and whether it is highlighted."""
        self.plain.put(pipe, (tuple(pipe.color), pipe.style))
        if pipe.highlighted():
            self.raised.put(pipe, (tuple(PIPE_HIGHLIGHT_COLOR), PIPE_SOLID))
        else:
            self.raised.discard(pipe)

    def forget(self, pipe: FlowPipe) -> None:
        self.plain.discard(pipe)
        self.raised.discard(pipe)

    def clear(self) -> None:
        self.plain.clear()
        self.raised.clear()

    def set_visible(self, visible: bool) -> None:
        self.plain.setVisible(visible)
        self.raised.setVisible(visible)


def _segments(path: QtGui.QPainterPath):
    """A path's straight pieces as Qt flattens it, as rows x1, y1, x2, y2."""
    import numpy as np

    rows = [np.empty((0, 4))]
    for polygon in path.toSubpathPolygons():
        count = len(polygon)
        if count < 2:
            continue
        first = polygon.data()  # its points, as two doubles each
        raw = shiboken6.VoidPtr(first, count * 16, False)
        points = np.frombuffer(raw, dtype=np.float64, count=count * 2).reshape(count, 2)
        rows.append(np.hstack((points[:-1], points[1:])))
    return np.concatenate(rows)


def _painted_area(painter: QtGui.QPainter, exposed: QtCore.QRectF) -> QtCore.QRectF:
    """The part of the scene a paint can reach: ``exposed`` within the painter's device and
    clip (into a device cache, Qt exposes the whole item and paints a pixmap of the view),
    grown by the reach of a link's pen."""
    to_scene = painter.worldTransform().inverted()[0]
    area = exposed.intersected(to_scene.mapRect(QtCore.QRectF(painter.device().rect())))
    if painter.hasClipping():
        area = area.intersected(painter.clipBoundingRect())
    return area.adjusted(-PEN_REACH, -PEN_REACH, PEN_REACH, PEN_REACH)


def _length(segments, area: QtCore.QRectF) -> float:
    """About how many pixels of ``segments`` lie in ``area``, at scale 1 (the part of each
    inside it, as Liang and Barsky clip a line)."""
    import numpy as np

    if not len(segments):
        return 0.0
    x1, y1 = segments[:, 0], segments[:, 1]
    dx, dy = segments[:, 2] - x1, segments[:, 3] - y1
    enter, leave = np.zeros(len(segments)), np.ones(len(segments))
    left, top, right, bottom = area.getCoords()
    with np.errstate(divide="ignore", invalid="ignore"):
        for p, q in ((-dx, x1 - left), (dx, right - x1), (-dy, y1 - top), (dy, bottom - y1)):
            r = q / p
            enter = np.where(p < 0, np.maximum(enter, r), enter)
            leave = np.where(p > 0, np.minimum(leave, r), leave)
            leave = np.where((p == 0) & (q < 0), -1.0, leave)  # beside the area, along it
    inside = np.clip(leave - enter, 0.0, None)
    return float((inside * np.maximum(np.abs(dx), np.abs(dy))).sum())


def _crossing(segments, area: QtCore.QRectF):
    """The rows of ``segments`` whose bounding boxes meet ``area``, contiguous."""
    import numpy as np

    x1, y1, x2, y2 = segments[:, 0], segments[:, 1], segments[:, 2], segments[:, 3]
    left, top, right, bottom = area.left(), area.top(), area.right(), area.bottom()
    keep = (
        (np.minimum(x1, x2) <= right)
        & (np.maximum(x1, x2) >= left)
        & (np.minimum(y1, y2) <= bottom)
        & (np.maximum(y1, y2) >= top)
    )
    return np.ascontiguousarray(segments[keep])
