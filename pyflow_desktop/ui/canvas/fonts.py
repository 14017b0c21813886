"""The canvas's small fonts, sized as a share of the application's font rather than in
points: the systems' own sizes differ (9 pt on Linux and Windows, 13 pt on macOS, whose
points are pixels), and a fixed 7.5 pt came out about 7.5 px on macOS. Each is made once,
when first used (the application exists by then)."""

from __future__ import annotations

import math
from functools import lru_cache

from PySide6 import QtGui

LABEL_SHARE = 7.5 / 9  # a node's footer and output previews: 7.5 pt beside a 9 pt font
FIELD_SHARE = 8 / 9  # the text of a node's inline value fields


def share_of_application_font(share: float) -> QtGui.QFont:
    """The application's font at ``share`` of its size (in points, or in pixels when the
    font is sized so)."""
    font = QtGui.QFont()
    if font.pointSizeF() > 0:
        font.setPointSizeF(font.pointSizeF() * share)
    else:
        font.setPixelSize(max(1, round(font.pixelSize() * share)))
    return font


@lru_cache(maxsize=1)
def label_font() -> QtGui.QFont:
    return share_of_application_font(LABEL_SHARE)


@lru_cache(maxsize=1)
def field_font() -> QtGui.QFont:
    return share_of_application_font(FIELD_SHARE)


@lru_cache(maxsize=1)
def label_row() -> float:
    """The height of a node's row of labels (an output's preview; the footer takes a pixel
    more): the label font's line and 3 px (15 px beside a 9 pt font)."""
    return math.ceil(QtGui.QFontMetricsF(label_font()).height()) + 3.0
