"""A readable window from the first start: the canvas gets the room, F keeps text legible,
previews stay inside their node, viewers leave the Inspector alone, files reopen as they were
left, Open Recent keeps whole paths."""

from __future__ import annotations

from pathlib import Path

from helpers import action, area, fresh_window
from PySide6 import QtCore, QtGui

from pyflow_desktop.repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Port,
    load_repository,
    save_repository,
)
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.canvas.graph import MIN_FRAME_SCALE
from pyflow_desktop.ui.canvas.node_item import title_font
from pyflow_desktop.ui.results.inspector import MIN_ROWS
from pyflow_desktop.ui.window.main_window import MainWindow
from pyflow_desktop.ui.window.user_settings import settings


def canvas_share(win: MainWindow) -> float:
    canvas, _ = win.tabs.current()
    return area(canvas.widget) / area(win)


def test_the_first_start_gives_the_canvas_most_of_the_window(qtbot, repo):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    qtbot.wait(20)
    assert canvas_share(win) >= 0.6
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
    qtbot.wait(20)
    body = canvas.flow_node("n2").view.sceneBoundingRect()  # its footer's empty right end
    spot = canvas.viewer().mapFromScene(QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    viewport = canvas.viewer().viewport()
    qtbot.mouseClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=spot)
    qtbot.mouseDClick(viewport, QtCore.Qt.MouseButton.LeftButton, pos=spot)
    code = win.panels.code_dock
    qtbot.waitUntil(code.isVisible, timeout=2000)
    assert win.panels.spec_editor.spec_id == "math.mul"
    qtbot.wait(50)
    assert code.height() >= 0.2 * win.height()
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
    qtbot.wait(50)
    assert not win.library_dock.isFloating()
    left = QtCore.Qt.DockWidgetArea.LeftDockWidgetArea
    assert win.dockWidgetArea(win.library_dock) == left
    assert win.dockWidgetArea(win.panels.inspector_dock) == left
    assert not win.panels.code_dock.isVisible()
    assert canvas_share(win) >= 0.6


def test_a_saved_layout_wins_over_the_first_start(qtbot, repo):
    first = fresh_window(qtbot, repo)
    first.panels.code_dock.show()
    first.close()
    assert settings().contains("window/state")
    again = fresh_window(qtbot, repo)
    assert again.panels.code_dock.isVisible()


def test_frame_all_keeps_every_example_legible(qtbot):
    repo = load_repository(resource_path(BUILTIN_LIBRARY))
    win = fresh_window(qtbot, repo)
    for flow_id in repo.flows:
        canvas = win.tabs.open_flow(flow_id)
        qtbot.wait(10)
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
    qtbot.wait(10)
    action(win, "Edit", "Frame all").trigger()
    view = canvas.viewer().mapToScene(canvas.viewer().viewport().rect()).boundingRect()
    for node in canvas.flow_nodes():
        assert view.contains(node.view.sceneBoundingRect())


def test_a_preview_never_draws_over_its_neighbour(qtbot, repo, run_and_wait):
    repo.add_spec(
        NodeSpec(
            "text.long", "Long", [], [Port("out", "String")], "def func():\n    return 'x' * 500\n"
        )
    )
    flow = Flow("tight", "Tight")
    flow.add_node(NodeInstance("long", "text.long", x=0, y=0))
    flow.add_node(NodeInstance("next", "math.add", values={"a": "1", "b": "2"}, x=190, y=0))
    repo.add_flow(flow)
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("tight")
    assert run_and_wait(win)
    long_node, neighbour = canvas.flow_node("long"), canvas.flow_node("next")
    assert neighbour.view.sceneBoundingRect().left() > long_node.view.sceneBoundingRect().right()
    label = long_node.item.previews["out"]
    assert label.text().endswith("…")
    drawn = label.sceneBoundingRect()
    assert long_node.view.sceneBoundingRect().contains(drawn)
    assert not drawn.intersects(neighbour.view.sceneBoundingRect())
    assert "x" * 400 in label.toolTip()  # the full value stays in the tooltip


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
    qtbot.wait(50)
    rows = MIN_ROWS * panels.inspector.inputs.verticalHeader().defaultSectionSize()
    for table in (panels.inspector.inputs, panels.inspector.outputs):
        assert table.height() >= rows
    assert panels.inspector_dock.height() >= 0.3 * win.height()
    right = QtCore.Qt.DockWidgetArea.RightDockWidgetArea
    assert all(win.dockWidgetArea(dock) == right for dock in docks)
    assert set(docks[1:]) <= set(win.tabifiedDockWidgets(docks[0]))  # tabbed together


def test_reopening_a_file_brings_back_its_tabs_viewers_and_view(qtbot, repo_file, run_and_wait):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    win.trust.trust(win.repo.specs.values())  # the user's own file
    win.tabs.open_flow("broken")
    calc = win.tabs.open_flow("calc")
    qtbot.wait(20)
    calc.set_view(123.0, 45.0, 0.9)
    assert run_and_wait(win)
    win.panels.viewers.open_viewer("n2", "out", "calc")
    win.files.new_repository()  # leave the file
    assert list(win.tabs.canvases) == ["flow_1"]  # the new file's empty flow
    assert win.files.open_path(repo_file)
    qtbot.wait(50)
    order = [win.tabs.widget.widget(i).property("flow_id") for i in range(win.tabs.widget.count())]
    assert order == ["calc", "broken"]  # the first flow came first, then the one opened
    assert win.tabs.current()[1].flow.id == "calc"
    x, y, scale = win.tabs.current()[0].view_state()
    assert abs(scale - 0.9) < 0.01 and abs(x - 123) < 2 and abs(y - 45) < 2
    assert ("calc", "n2", "out") in win.panels.viewers.viewers
    win.close()
    # And after the window closed, a new window opening the file shows the same.
    again = fresh_window(qtbot)
    assert again.files.open_path(repo_file)
    assert ("calc", "n2", "out") in again.panels.viewers.viewers


def test_open_recent_keeps_whole_paths_most_recent_first(qtbot, tmp_path, repo):
    win = fresh_window(qtbot)
    paths = []
    for number in range(12):
        path = tmp_path / f"repo&{number}.json"
        save_repository(repo, path)
        assert win.files.open_path(path)
        paths.append(str(path.resolve()))
        if number == 0:  # one file: QSettings hands a one-item list back as a plain string
            assert list(_recent(win))[0] == paths[0]
    assert [p for p in _recent(win) if p not in _TOOLS] == list(reversed(paths))[:10]
    Path(paths[-1]).unlink()
    entries = _recent(win)
    assert not entries[paths[-1]].isEnabled()  # a missing file is greyed out
    assert entries[paths[-2]].isEnabled()
    entries["Remove missing files"].trigger()
    listed = [p for p in _recent(win) if p not in _TOOLS]
    assert paths[-1] not in listed and listed[0] == paths[-2]
    _recent(win)[paths[-3]].trigger()
    assert win.path == Path(paths[-3])
    _recent(win)["Clear list"].trigger()
    assert [p for p in _recent(win) if p not in _TOOLS] == []


_TOOLS = {"Remove missing files", "Clear list"}


def _recent(win: MainWindow) -> dict[str, QtGui.QAction]:
    """Open Recent's entries as the user reads them (``&&`` shows as ``&``), in order."""
    menu = win.files.recent_menu
    menu.aboutToShow.emit()
    shown = {}
    for entry in menu.actions():
        if not entry.isSeparator():
            text = entry.text().replace("&&", "\0").replace("&", "").replace("\0", "&")
            shown[text] = entry
    return shown


def test_reopening_shows_only_the_viewers_of_the_flow_in_front(qtbot, repo_file):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    win.tabs.open_flow("broken")
    win.panels.viewers.open_viewer("f2", "out", "broken")
    win.tabs.open_flow("calc")
    win.panels.viewers.open_viewer("n2", "out", "calc")
    win.files.new_repository()
    assert win.files.open_path(repo_file)
    qtbot.wait(50)
    assert win.tabs.current()[1].flow.id == "calc"
    viewers = win.panels.viewers.viewers
    assert viewers[("calc", "n2", "out")].isVisible()
    assert not viewers[("broken", "f2", "out")].isVisible()
