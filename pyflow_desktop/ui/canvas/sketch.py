"""The nodes of a canvas as plain shapes, for the views that draw them all at once (the
zoomed-out overview and the minimap).

Collecting the shapes from thousands of items is what costs, so the two kinds of change are
kept apart: where the nodes and links are (``geometry``: collected again only after nodes
moved, were resized, added or removed) and how they look (``fills``: regrouped by colour
from the items' own attributes, cheap enough for every batch of run events).

State: ``_geometry`` and ``_fills``, each ``None`` until asked for after a change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from PySide6 import QtCore

from .node_item import STALE_OPACITY, FlowNodeItem


@dataclass
class Geometry:
    """Each node's rectangle and title, each link as a line, and their bounds."""

    nodes: list[tuple[FlowNodeItem, QtCore.QRectF]] = field(default_factory=list)
    titles: list[tuple[QtCore.QRectF, str]] = field(default_factory=list)
    links: list[QtCore.QLineF] = field(default_factory=list)
    bounds: QtCore.QRectF = field(default_factory=QtCore.QRectF)
    widest: float = 0.0


@dataclass
class Fills:
    """The node rectangles by fill colour (r, g, b, a: stale ones fainter), the selected."""

    by_colour: dict[tuple, list[QtCore.QRectF]] = field(default_factory=dict)
    selected: list[QtCore.QRectF] = field(default_factory=list)


class Sketch:
    """The node items ``nodes()`` gives, as rectangles and lines."""

    def __init__(self, nodes: Callable[[], Iterable[FlowNodeItem]]) -> None:
        self._nodes = nodes
        self._geometry: Geometry | None = None
        self._fills: Fills | None = None

    def invalidate(self, geometry: bool = False) -> None:
        """The nodes look different (with ``geometry``: are elsewhere, or others)."""
        self._fills = None
        if geometry:
            self._geometry = None

    def geometry(self) -> Geometry:
        if self._geometry is None:
            self._geometry = _collect(self._nodes())
        return self._geometry

    def node_at(self, point: QtCore.QPointF) -> FlowNodeItem | None:
        """The node drawn at scene ``point`` (the one on top), if any."""
        for item, rect in reversed(self.geometry().nodes):
            if rect.contains(point):
                return item
        return None

    def fills(self) -> Fills:
        if self._fills is None:
            fills = Fills()
            for item, rect in self.geometry().nodes:
                red, green, blue, alpha = item.color
                if item.stale:
                    alpha = int(alpha * STALE_OPACITY)
                fills.by_colour.setdefault((red, green, blue, alpha), []).append(rect)
                if item.isSelected():
                    fills.selected.append(rect)
            self._fills = fills
        return self._fills


def _collect(items: Iterable[FlowNodeItem]) -> Geometry:
    geometry = Geometry()
    bounds = QtCore.QRectF()
    for item in items:
        rect = QtCore.QRectF(item.pos(), QtCore.QSizeF(item.width, item.height))
        geometry.nodes.append((item, rect))
        geometry.titles.append((rect, item.name))
        geometry.widest = max(geometry.widest, rect.width())
        bounds = bounds.united(rect)
        for port in item.inputs:
            for pipe in port.connected_pipes:
                if pipe.ends is not None:
                    geometry.links.append(QtCore.QLineF(*pipe.ends))
    geometry.bounds = bounds
    return geometry
