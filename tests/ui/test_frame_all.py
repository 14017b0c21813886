"""Edit › Frame all: a small flow is framed whole, and every example stays legible (never
zoomed out past the scale where node titles can be read)."""

from __future__ import annotations

from helpers import action, fresh_window, settle
from PySide6 import QtGui

from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.canvas.graph import MIN_FRAME_SCALE
from pyflow_desktop.ui.canvas.node_item import title_font


def test_frame_all_keeps_every_example_legible(qtbot):
    repo = load_repository(resource_path(BUILTIN_LIBRARY))
    win = fresh_window(qtbot, repo)
    for flow_id in repo.flows:
        canvas = win.tabs.open_flow(flow_id)
        settle(qtbot)  # the tab's first frame
        action(win, "Edit", "Frame all").trigger()
        _x, _y, scale = canvas.view_state()
        assert scale >= MIN_FRAME_SCALE - 1e-6, flow_id
        text = QtGui.QFontMetricsF(title_font()).capHeight() * scale
        assert text >= 7, f"{flow_id}: node titles are {text:.1f} px high"
        # Some node is in view: the frame starts where the flow does.
        view = canvas.viewer().mapToScene(canvas.viewer().viewport().rect()).boundingRect()
        assert any(view.intersects(n.view.sceneBoundingRect()) for n in canvas.flow_nodes())


def test_frame_all_fits_a_small_flow_whole(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    settle(qtbot)  # the tab's first frame
    action(win, "Edit", "Frame all").trigger()
    view = canvas.viewer().mapToScene(canvas.viewer().viewport().rect()).boundingRect()
    for node in canvas.flow_nodes():
        assert view.contains(node.view.sceneBoundingRect())
