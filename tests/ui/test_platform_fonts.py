"""The canvas's small text keeps its share of the application's font on every system:
macOS's 13 pt font gives labels of about 10.8 pt, not the 7.5 pt (about 7.5 px there) that
suits Linux's and Windows' 9 pt. The application's font is set as each system sets it."""

from __future__ import annotations

import pytest
from helpers import fresh_window
from PySide6 import QtGui, QtWidgets

from pyflow_desktop.ui.canvas import fonts, labels
from pyflow_desktop.ui.canvas.labels import LabelItem

CACHED = (
    fonts.label_font,
    fonts.field_font,
    fonts.label_row,
    labels._label_metrics,
    labels.elided,
)


@pytest.fixture
def application_font():
    """Sets the application's font for one test, and the canvas's fonts made from it."""
    kept = QtWidgets.QApplication.font()

    def use(font: QtGui.QFont) -> None:
        QtWidgets.QApplication.setFont(font)
        for cached in CACHED:
            cached.cache_clear()

    yield use
    use(kept)


@pytest.mark.parametrize("points", [9.0, 13.0])
def test_node_labels_and_fields_are_a_share_of_the_application_font(
    qtbot, repo, application_font, points
):
    font = QtGui.QFont(QtWidgets.QApplication.font())
    font.setPointSizeF(points)
    application_font(font)
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    shown = [item for item in canvas.scene().items() if isinstance(item, LabelItem)]
    assert shown, "the nodes have footers"
    for label in shown:
        assert label.font().pointSizeF() == pytest.approx(points * 7.5 / 9)
    assert fonts.field_font().pointSizeF() == pytest.approx(points * 8 / 9)
    if points == 13.0:  # macOS: legible, as the 9 pt system's 7.5 pt is
        assert QtGui.QFontInfo(fonts.label_font()).pixelSize() >= 10
    for node_id in repo.flows["calc"].nodes:
        item = canvas.flow_node(node_id).item
        rows = [*item.previews.values(), item.footer]
        tops = [label.pos().y() for label in rows]
        line = QtGui.QFontMetricsF(item.footer.font()).height()
        assert all(below - above >= line for above, below in zip(tops, tops[1:])), node_id
        assert tops[-1] + line <= item.height, f"{node_id}'s footer is inside it"


def test_a_font_sized_in_pixels_gives_labels_in_pixels(application_font):
    font = QtGui.QFont(QtWidgets.QApplication.font())
    font.setPixelSize(18)
    application_font(font)
    assert fonts.label_font().pixelSize() == 15
    assert fonts.field_font().pixelSize() == 16
