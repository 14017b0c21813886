"""Where the docks go (``ui/window/dock_layout.py``): the first start gives the canvas most of
the window, editing a spec shows the Code panel at a useful height, Reset layout brings the
first start back, a saved layout wins over it, and docked viewers leave the Inspector usable."""

from __future__ import annotations

from helpers import action, area, fresh_window, settle
from PySide6 import QtCore

from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.results.inspector import MIN_ROWS
from pyflow_desktop.ui.window.main_window import MainWindow
from pyflow_desktop.ui.window.user_settings import settings


def canvas_share(win: MainWindow) -> float:
    canvas, _ = win.tabs.current()
    return area(canvas.widget) / area(win)


def test_the_first_start_gives_the_canvas_most_of_the_window(qtbot, repo):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    qtbot.waitUntil(lambda: canvas_share(win) >= 0.6, timeout=2000)
    panels = win.panels
    assert win.library_dock.isVisible() and panels.inspector_dock.isVisible()
    # The Code panel shares a tab with the Log, both hidden until wanted.
    assert not panels.code_dock.isVisible() and not win.log_dock.isVisible()
    action(win, "View", "Code").trigger()
    action(win, "View", "Log").trigger()
    assert win.log_dock in win.tabifiedDockWidgets(panels.code_dock)


def test_editing_a_spec_shows_the_code_panel(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    settle(qtbot)  # the tab's first frame
    body = canvas.flow_node("n2").view.sceneBoundingRect()  # its footer's empty right end
    spot = canvas.viewer().mapFromScene(QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    viewport = canvas.viewer().viewport()
    qtbot.mouseClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=spot)
    qtbot.mouseDClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=spot)
    code = win.panels.code_dock
    qtbot.waitUntil(code.isVisible, timeout=2000)
    assert win.panels.spec_editor.spec_id == "math.mul"
    qtbot.waitUntil(lambda: code.height() >= 0.2 * win.height(), timeout=2000)
    code.close()
    action(win, "Edit", "Edit nodespec").trigger()
    assert code.isVisible()


def test_reset_layout_brings_the_first_start_back(qtbot, repo):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    win.library_dock.setFloating(True)
    win.panels.code_dock.show()
    win.removeDockWidget(win.panels.inspector_dock)
    win.addDockWidget(QtCore.Qt.DockWidgetArea.BottomDockWidgetArea, win.panels.inspector_dock)
    win.panels.inspector_dock.show()
    action(win, "View", "Reset layout").trigger()
    assert not win.library_dock.isFloating()
    left = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    assert win.dockWidgetArea(win.library_dock) == left
    assert win.dockWidgetArea(win.panels.inspector_dock) == left
    assert not win.panels.code_dock.isVisible()
    qtbot.waitUntil(lambda: canvas_share(win) >= 0.6, timeout=2000)


def test_a_saved_layout_wins_over_the_first_start(qtbot, repo):
    first = fresh_window(qtbot, repo)
    first.panels.code_dock.show()
    first.close()
    assert settings().contains("window/state")
    again = fresh_window(qtbot, repo)
    assert again.panels.code_dock.isVisible()


def test_docked_viewers_leave_the_inspector_usable(qtbot, run_and_wait):
    repo = load_repository(resource_path(BUILTIN_LIBRARY))
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("examples.plots")
    assert run_and_wait(win)
    panels = win.panels
    panels.inspector.show_node(repo.flows["examples.plots"], "n4", None)
    docks = [
        panels.viewers.open_viewer(node.id, "out", "examples.plots") for node in canvas.flow_nodes()
    ]
    rows = MIN_ROWS * panels.inspector.inputs.verticalHeader().defaultSectionSize()
    tables = (panels.inspector.inputs, panels.inspector.outputs)

    def usable() -> bool:
        tall = panels.inspector_dock.height() >= 0.3 * win.height()
        return tall and all(table.height() >= rows for table in tables)

    qtbot.waitUntil(usable, timeout=2000)
    right = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
    assert all(win.dockWidgetArea(dock) == right for dock in docks)
    assert set(docks[1:]) <= set(win.tabifiedDockWidgets(docks[0]))  # tabbed together
