"""The pictures in a value's view, read as data: a thumbnail's pixels and a figure's PNG.

A view's ``image`` is raw pixels in base64 with their shape and dtype, ``figure`` a PNG in
base64 (``engine.views``). Both come from a worker: they are checked (dtype one of the two a
view uses, shape matching the bytes, sides within bounds) before numpy reads the pixels or
Qt's PNG reader the figure; anything else is no picture. Imported on first use (numpy).
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

import numpy as np
from PySide6 import QtCore, QtGui, QtWidgets

from ...engine.view_pictures import IMAGE_SIDE

_DTYPES = {"uint8": np.uint8, "float32": np.float32}


def image_pixels(part: Any) -> np.ndarray | None:
    """A view's ``image`` as an array (2-D, or RGB(A) pixels), or ``None`` when it is not one."""
    if not isinstance(part, dict) or part.get("dtype") not in _DTYPES:
        return None
    shape, data = part.get("shape"), part.get("data")
    if not (isinstance(shape, list) and len(shape) in (2, 3) and isinstance(data, str)):
        return None
    if not all(type(side) is int and 0 < side <= IMAGE_SIDE for side in shape[:2]):
        return None
    if len(shape) == 3 and shape[2] not in (3, 4):
        return None
    dtype = np.dtype(_DTYPES[part["dtype"]])
    try:
        raw = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        return None
    if len(raw) != math.prod(shape) * dtype.itemsize:
        return None
    return np.frombuffer(raw, dtype=dtype).reshape(shape)


def figure_png(part: Any) -> bytes | None:
    """A view's ``figure`` as PNG bytes, or ``None``."""
    png = part.get("png") if isinstance(part, dict) else None
    if not isinstance(png, str):
        return None
    try:
        return base64.b64decode(png, validate=True)
    except (binascii.Error, ValueError):
        return None


class FigureViewer(QtWidgets.QScrollArea):
    """A picture (a matplotlib figure's PNG), at its size, scrolled when it does not fit."""

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QtWidgets.QLabel(alignment=QtCore.Qt.AlignmentFlag.AlignCenter)
        self.setWidget(self.label)
        self.setWidgetResizable(True)

    def set_png(self, png: bytes | None) -> None:
        pixmap = QtGui.QPixmap()
        if png is None or not pixmap.loadFromData(png, "PNG"):
            self.label.setText("This figure's picture could not be read")
            return
        self.label.setPixmap(pixmap)

    def picture_size(self) -> tuple[int, int]:
        pixmap = self.label.pixmap()
        return (pixmap.width(), pixmap.height()) if pixmap is not None else (0, 0)
