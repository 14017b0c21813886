"""pyqtgraph viewers: a line plot for numbers and numeric sequences, an image for 2-D arrays.

This is the only module that imports pyqtgraph; ``viewers`` imports it on first use, so the
window starts without it. Colours follow the application palette (background, axes, line).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6 import QtGui, QtWidgets

SYMBOLS_UP_TO = 200  # draw a marker on each point while there are this few


def _theme(widget: QtWidgets.QWidget) -> tuple[QtGui.QColor, QtGui.QColor, QtGui.QColor]:
    """Background, foreground and accent colours of ``widget``'s palette."""
    palette = widget.palette()
    return (
        palette.color(QtGui.QPalette.ColorRole.Base),
        palette.color(QtGui.QPalette.ColorRole.Text),
        palette.color(QtGui.QPalette.ColorRole.Highlight),
    )


def _style_axes(plot: pg.PlotItem, foreground: QtGui.QColor) -> None:
    for name in plot.axes:
        axis = plot.getAxis(name)
        axis.setPen(foreground)
        axis.setTextPen(foreground)


class PlotViewer(QtWidgets.QWidget):
    """A line plot of a numeric sequence; ``append`` adds streamed points."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        background, foreground, accent = _theme(self)
        self.plot_widget = pg.PlotWidget(background=background)
        plot = self.plot_widget.getPlotItem()
        _style_axes(plot, foreground)
        plot.showGrid(x=True, y=True, alpha=0.15)
        plot.setDownsampling(auto=True, mode="peak")  # a whole series of millions draws fast
        plot.setClipToView(True)
        self._accent = accent
        self.curve = plot.plot(pen=pg.mkPen(accent, width=2))
        self._values: list[float] = []
        self._positions: list[int] | None = None
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot_widget)

    def set_values(self, values: Any, positions: list[int] | None = None) -> None:
        """Show ``values`` (a number, or a 1-D sequence or array of numbers; ``None`` a gap)
        at ``positions`` (default 0, 1, 2...: a view's series has them when it was thinned)."""
        self._values = np.asarray(values, dtype=float).ravel().tolist()
        self._positions = positions
        self._redraw()

    def append(self, numbers: list[float]) -> None:
        """Add streamed points at the end, redrawing once."""
        self._values.extend(float(number) for number in numbers)
        self._positions = None
        self._redraw()

    def point_count(self) -> int:
        return len(self._values)

    def last(self) -> float | None:
        return self._values[-1] if self._values else None

    def _redraw(self) -> None:
        few = len(self._values) <= SYMBOLS_UP_TO
        y = np.asarray(self._values, dtype=float)
        x = np.arange(len(y)) if self._positions is None else np.asarray(self._positions)
        self.curve.setData(
            x,
            y,
            connect="finite",
            symbol="o" if few else None,
            symbolSize=5,
            symbolBrush=self._accent,
            symbolPen=None,
        )


class ImageViewer(QtWidgets.QWidget):
    """A 2-D numeric array as an image (row 0 at the top) with a colour bar; RGB(A) pixels
    (a view's thumbnail of a picture) as they are."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        background, foreground, _accent = _theme(self)
        self.graphics = pg.GraphicsLayoutWidget()
        self.graphics.setBackground(background)
        self.plot = self.graphics.addPlot()
        _style_axes(self.plot, foreground)
        self.plot.invertY(True)
        self.plot.setAspectLocked(True)
        self.image_item = pg.ImageItem(axisOrder="row-major")
        self.plot.addItem(self.image_item)
        self.color_bar = pg.ColorBarItem(colorMap="viridis", interactive=False, width=15)
        self.color_bar.setImageItem(self.image_item, insert_in=self.plot)
        _style_axes(self.color_bar, foreground)
        layout = QtWidgets.QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.graphics)

    def set_values(self, values: Any) -> None:
        if getattr(values, "ndim", 2) == 3:  # colours: no levels, no colour bar
            self.image_item.setImage(values, autoLevels=False, levels=(0, 255))
            self.color_bar.hide()
            self.plot.autoRange()
            return
        self.color_bar.show()
        image = np.asarray(values, dtype=float)
        finite = image[np.isfinite(image)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.image_item.setImage(image, autoLevels=False)
        self.color_bar.setLevels((low, high if high > low else low + 1.0))
        self.plot.autoRange()

    def shape(self) -> tuple[int, ...]:
        return tuple(self.image_item.image.shape) if self.image_item.image is not None else ()
