"""The palette in the window: File › New keeps the whole Library, a library spec dropped or
picked on the canvas is copied into the file in the same undoable step, My nodes is read
again when its files change, a file spec that differs from the library's is marked and can be
updated keeping its links, and the installation's own code runs without a trust question."""

from __future__ import annotations

from pathlib import Path

from helpers import Answers, action, fresh_window, library_index
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.library import read_builtin, read_user
from pyflow_desktop.repository import (
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    load_repository,
    save_repository,
)
from pyflow_desktop.ui.canvas.flow_node import LIBRARY_MARK
from pyflow_desktop.ui.canvas.spec_search import SpecSearchBox
from pyflow_desktop.ui.run.settings import RunSettings
from pyflow_desktop.ui.window.flow_tabs import EmptyHint
from pyflow_desktop.ui.window.library_model import (
    BROKEN,
    DIFFERS,
    SECTION_ROLE,
    SHADOWED,
    SPEC_ROLE,
    STATE_ROLE,
)
from pyflow_desktop.ui.window.user_settings import user_nodes_folder

Qt = QtCore.Qt
SCALE_V1 = 'spec = {"id": "my.scale", "title": "Scale"}\n\ndef func(x: float, k: float = 2.0):\n    return x * k\n'
SCALE_V2 = 'spec = {"id": "my.scale", "title": "Scale"}\n\ndef func(x: float, factor: float = 2.0):\n    return x * factor\n'


def sections(win) -> list[str]:
    model = win.library.specs
    return [model.item(row).text() for row in range(model.rowCount())]


def leaves(win, section: str) -> dict[str, QtGui.QStandardItem]:
    """The leaves of a Library section that add a node, by spec id."""
    model = win.library.specs
    top = next(model.item(r) for r in range(model.rowCount()) if model.item(r).text() == section)
    found, items = {}, [top]
    while items:
        item = items.pop()
        items += [item.child(row) for row in range(item.rowCount())]
        if item.data(SPEC_ROLE):
            found[item.data(SPEC_ROLE)] = item
    return found


def section_items(win, section_name: str) -> list[QtGui.QStandardItem]:
    """Every item under a section (by its name: "user", "builtin"...), folders included."""
    model = win.library.specs
    found = []
    for row in range(model.rowCount()):
        items = [model.item(row)] if model.item(row).data(SECTION_ROLE) == section_name else []
        while items:
            item = items.pop()
            found.append(item)
            items += [item.child(r) for r in range(item.rowCount())]
    return found


def drop(canvas, mime: QtCore.QMimeData, point: QtCore.QPoint) -> None:
    """Drag ``mime`` onto the canvas and drop it at ``point``, as the mouse would."""
    viewport = canvas.viewer().viewport()
    for event in (
        QtGui.QDragEnterEvent(point, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                              Qt.KeyboardModifier.NoModifier),
        QtGui.QDropEvent(QtCore.QPointF(point), Qt.DropAction.CopyAction, mime,
                         Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier),
    ):
        QtWidgets.QApplication.sendEvent(viewport, event)


def tab_search(qtbot, win) -> SpecSearchBox:
    canvas, _bridge = win.tabs.current()
    viewer = canvas.viewer()
    win.activateWindow()
    viewer.setFocus()
    qtbot.waitUntil(viewer.hasFocus)
    qtbot.keyClick(viewer, Qt.Key.Key_Tab)
    qtbot.waitUntil(lambda: any(box.isVisible() for box in win.findChildren(SpecSearchBox)))
    return next(box for box in win.findChildren(SpecSearchBox) if box.isVisible())


def new_file(qtbot, win) -> None:
    action(win, "File", "New").trigger()
    qtbot.waitUntil(lambda: win.tabs.current()[0] is not None)


def test_file_new_shows_the_whole_palette_and_how_to_add_a_node(qtbot, repo):
    win = fresh_window(qtbot, repo)
    new_file(qtbot, win)
    assert not win.repo.specs and list(win.repo.flows) == ["flow_1"]
    assert sections(win)[:3] == ["In this file", "Built-in", "My nodes"]
    builtin = [spec.id for spec, _ in read_builtin().specs]
    assert sorted(leaves(win, "Built-in")) == sorted(builtin) and len(builtin) > 40
    assert leaves(win, "In this file") == {}
    canvas, bridge = win.tabs.current()
    (hint,) = [h for h in canvas.viewer().findChildren(EmptyHint)]
    assert hint.isVisible() and "Library" in hint.text() and "Tab" in hint.text()
    box = tab_search(qtbot, win)
    assert set(builtin) <= set(box.offered())
    qtbot.keyClicks(box.field, "math.power")
    assert box.list.currentItem().text() == "Power — math.power  · Built-in"
    qtbot.keyClick(box.field, Qt.Key.Key_Return)
    (node,) = bridge.flow.nodes.values()
    assert node.spec_id == "math.power" and "math.power" in win.repo.specs
    assert not hint.isVisible()
    win.undo_stack.undo()  # one step: the node and the copied spec
    assert not bridge.flow.nodes and "math.power" not in win.repo.specs
    assert hint.isVisible()
    assert win.undo_stack.isClean()


def test_dropping_a_built_in_spec_copies_it_into_the_file(qtbot, repo, tmp_path, monkeypatch):
    win = fresh_window(qtbot, repo)
    win.runs.runner.settings = RunSettings(executor="thread", cache=False)
    new_file(qtbot, win)
    canvas, bridge = win.tabs.current()
    win.library.filter.setText("sqrt")
    leaf = library_index(win, "math.sqrt", "builtin")
    drop(canvas, win.library.proxy.mimeData([leaf]), QtCore.QPoint(200, 150))
    (node,) = bridge.flow.nodes.values()
    library = read_builtin()
    original = next(spec for spec, _ in library.specs if spec.id == "math.sqrt")
    assert node.spec_id == "math.sqrt"
    assert win.repo.specs["math.sqrt"] == original and win.repo.specs["math.sqrt"] is not original
    assert "math.sqrt" in leaves(win, "In this file")
    assert win.undo_stack.undoText() == "Add math.sqrt" and win.undo_stack.count() == 1
    win.undo_stack.undo()
    assert not bridge.flow.nodes and not win.repo.specs
    win.undo_stack.redo()
    assert "math.sqrt" in win.repo.specs and len(bridge.flow.nodes) == 1
    # The file holds what it uses: it opens anywhere; its built-in code runs unasked.
    path = tmp_path / "uses_sqrt.json"
    assert win.files.save_to(path)
    assert "math.sqrt" in load_repository(path).specs
    again = fresh_window(qtbot)
    again.runs.runner.settings = RunSettings(executor="thread", cache=False)
    assert again.files.open_path(path)
    with qtbot.waitSignal(again.runs.run_done, timeout=10_000) as done:
        assert again.runs.run_current("all")  # no trust question (the test fails on one)
    assert done.args == [True]


def test_the_library_keeps_its_folders_as_the_user_left_them(qtbot, repo):
    win = fresh_window(qtbot, repo)
    new_file(qtbot, win)
    tree = win.library.tree
    math = library_index(win, "math.sqrt", "builtin").parent()
    assert tree.isExpanded(math.parent()) and not tree.isExpanded(math)  # sections open
    tree.setExpanded(math, True)
    canvas, _bridge = win.tabs.current()
    drop(canvas, win.library.proxy.mimeData([library_index(win, "math.sqrt", "builtin")]),
         QtCore.QPoint(100, 100))
    assert "math.sqrt" in win.repo.specs  # the tree was filled again
    assert tree.isExpanded(library_index(win, "math.sqrt", "builtin").parent())
    assert not tree.isExpanded(library_index(win, "lists.sum", "builtin").parent())
    assert tree.isExpanded(library_index(win, "math.sqrt").parent().parent())  # In this file


def test_a_spec_put_in_my_nodes_appears_without_a_restart(qtbot, repo, monkeypatch):
    win = fresh_window(qtbot, repo)
    folder = win.library_actions.watch.folder
    assert folder == user_nodes_folder() and folder.is_dir()
    assert [i.text() for i in section_items(win, "user")][1:] == [
        "(empty: right-click › Open folder, add .py or .json files)"
    ]
    (folder / "scale.py").write_text(SCALE_V1)
    qtbot.waitUntil(lambda: "my.scale" in leaves(win, "My nodes"), timeout=5000)
    win.tabs.open_flow("calc")
    box = tab_search(qtbot, win)
    assert "my.scale" in box.offered()
    box.close()
    (folder / "broken.py").write_text("spec = {\n")
    (folder / "add.py").write_text(SCALE_V1.replace("my.scale", "math.add"))

    def states() -> dict[str, str]:
        return {i.text(): i.data(STATE_ROLE) for i in section_items(win, "user")}

    qtbot.waitUntil(lambda: "⚠ broken.py" in states(), timeout=5000)
    assert states()["⚠ broken.py"] == BROKEN
    assert states()["Scale  (math.add) — shadowed"] == SHADOWED
    assert "math.add" not in leaves(win, "My nodes")  # shadowed: it cannot be dragged
    assert "My nodes read again" in win.log.toPlainText()
    (folder / "scale.py").unlink()
    qtbot.waitUntil(lambda: "my.scale" not in leaves(win, "My nodes"), timeout=5000)
    # Open folder: made again if it went, shown in the file manager.
    for path in folder.iterdir():
        path.unlink()
    folder.rmdir()
    opened = []
    monkeypatch.setattr(QtGui.QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    win.library.open_folder.click()
    assert folder.is_dir() and opened == [QtCore.QUrl.fromLocalFile(str(folder))]
    menu = win.library.menu_for(library_index(win, "math.add", "builtin"))
    assert menu is None  # nothing to do on a built-in spec
    (top,) = [i for i in section_items(win, "user") if i.parent() is None]
    menu = win.library.menu_for(win.library.proxy.mapFromSource(top.index()))
    assert [a.text() for a in menu.actions()] == ["&Open folder"]


def scale_flow(win) -> Flow:
    """A flow: two sources into my.scale's x and k, and the scale's result into an end."""
    win.tabs.open_flow("calc")
    _canvas, bridge = win.tabs.current()
    bridge.create_node("my.scale", 400, 0)
    scale = next(n.id for n in bridge.flow.nodes.values() if n.spec_id == "my.scale")
    bridge.connect_ports("n1", "out", scale, "x")
    bridge.connect_ports("n2", "out", scale, "k")
    return bridge.flow


def test_a_changed_library_spec_shows_the_mark_and_the_update_keeps_links(
    qtbot, repo, monkeypatch
):
    (user_nodes_folder()).mkdir(parents=True, exist_ok=True)
    (user_nodes_folder() / "scale.py").write_text(SCALE_V1)
    win = fresh_window(qtbot, repo)
    flow = scale_flow(win)
    canvas, _bridge = win.tabs.current()
    scale = next(n.id for n in flow.nodes.values() if n.spec_id == "my.scale")
    assert leaves(win, "In this file")["my.scale"].data(STATE_ROLE) == ""
    assert not canvas.flow_node(scale).item.name.endswith(LIBRARY_MARK)
    # The library's spec changes (k is now factor): the Library and the node say so.
    (user_nodes_folder() / "scale.py").write_text(SCALE_V2)
    mine = lambda: leaves(win, "In this file")["my.scale"]  # noqa: E731
    qtbot.waitUntil(lambda: mine().data(STATE_ROLE) == DIFFERS, timeout=5000)
    assert mine().text().startswith("↻ ") and "My nodes version" in mine().toolTip()
    assert canvas.flow_node(scale).item.name == "Scale" + LIBRARY_MARK
    assert "differs from the My nodes version" in canvas.flow_node(scale).item.toolTip()
    # Update, from the node's menu: it says first that k's link goes; Cancel changes nothing.
    menu = win.menus.menu_for(scale, QtCore.QPointF(0, 0))
    update = next(a for a in menu.actions() if a.text() == "Update to &library version")
    answers = Answers(monkeypatch, "Cancel", "Update")
    update.trigger()
    assert f"n2:out → {scale}:k" in answers.asked[0] and len(answers.asked) == 1
    assert [p.name for p in win.repo.specs["my.scale"].inputs] == ["x", "k"]
    update.trigger()
    assert [p.name for p in win.repo.specs["my.scale"].inputs] == ["x", "factor"]
    assert flow.link_into(scale, "x") == Link("n1", "out", scale, "x")  # kept
    assert flow.link_into(scale, "k") is None  # its port is gone
    assert mine().data(STATE_ROLE) == "" and not mine().text().startswith("↻")
    assert canvas.flow_node(scale).item.name == "Scale"
    assert list(canvas.flow_node(scale).inputs()) == ["x", "factor"]
    assert win.undo_stack.undoText() == "Update my.scale to the My nodes version"
    win.undo_stack.undo()  # one step back: the old spec and both links
    assert [p.name for p in win.repo.specs["my.scale"].inputs] == ["x", "k"]
    assert flow.link_into(scale, "k") == Link("n2", "out", scale, "k")
    assert mine().data(STATE_ROLE) == DIFFERS
    assert canvas.flow_node(scale).item.name == "Scale" + LIBRARY_MARK


def test_an_update_that_drops_nothing_asks_nothing(qtbot, repo):
    (user_nodes_folder()).mkdir(parents=True, exist_ok=True)
    (user_nodes_folder() / "scale.py").write_text(SCALE_V1)
    win = fresh_window(qtbot, repo)
    flow = scale_flow(win)
    win.repo.replace_spec(win.repo.specs["my.scale"].copy(title="Old scale"))
    index = library_index(win, "my.scale")
    assert index.data(STATE_ROLE) == DIFFERS
    menu = win.library.menu_for(index)
    (update,) = menu.actions()
    update.trigger()  # nothing breaks: no question (the test fails on one)
    assert win.repo.specs["my.scale"].title == "Scale"
    assert len(flow.links) == 3
    assert "Updated my.scale to the My nodes version" in win.log.toPlainText()


def test_the_installations_code_runs_unasked_and_a_files_own_code_asks(
    qtbot, tmp_path, monkeypatch
):
    (user_nodes_folder()).mkdir(parents=True, exist_ok=True)
    (user_nodes_folder() / "scale.py").write_text(SCALE_V1)
    (mine,) = [spec for spec, _file in read_user(user_nodes_folder()).specs]
    builtin = next(spec for spec, _ in read_builtin().specs if spec.id == "math.sqrt")
    repo = Repository()
    for spec in (mine, builtin):
        repo.add_spec(spec.copy())
    repo.add_spec(
        NodeSpec("own.half", "Half", [Port("x", "Float", 0)], [Port("out", "Float")],
                 "def func(x):\n    return x / 2\n")
    )
    flow = Flow("f", "F")
    flow.add_node(NodeInstance("a", "math.sqrt", values={"x": "16"}))
    flow.add_node(NodeInstance("b", "my.scale", values={"x": "3"}))
    repo.add_flow(flow)
    path = tmp_path / "mixed.json"
    save_repository(repo, path)
    win = fresh_window(qtbot)
    win.runs.runner.settings = RunSettings(executor="thread", cache=False)
    assert win.files.open_path(path)
    with qtbot.waitSignal(win.runs.run_done, timeout=10_000) as done:
        assert win.runs.run_current("all")  # built-in and My nodes code: no question
    assert done.args == [True]
    win.tabs.current()[1].create_node("own.half", 300, 300)
    answers = Answers(monkeypatch, "Cancel")
    assert not win.runs.run_current("all")
    (asked,) = answers.asked
    assert "own.half" in asked and "math.sqrt" not in asked and "my.scale" not in asked


def test_a_spec_offered_twice_shows_which_one_is_used(qtbot, repo):
    (user_nodes_folder()).mkdir(parents=True, exist_ok=True)
    (user_nodes_folder() / "add.py").write_text(SCALE_V1.replace("my.scale", "math.add"))
    win = fresh_window(qtbot, repo)
    (shadowed,) = [i for i in section_items(win, "user") if i.data(STATE_ROLE) == SHADOWED]
    assert "shadowed" in shadowed.text() and "builtin offers math.add first" in shadowed.toolTip()
    assert not shadowed.isDragEnabled() and shadowed.data(SPEC_ROLE) is None
    assert win.library_actions.palette_specs()["math.add"].title == "Add"
    assert Path(win.library_actions.watch.folder, "add.py").exists()
