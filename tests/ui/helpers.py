"""What the window tests share: picking menu entries, a fresh window, answering questions,
clicking on a canvas and typing into its fields, its right-click menus, and whether a node
shows a stale result."""

from __future__ import annotations

from PySide6 import QtCore, QtGui, QtTest, QtWidgets

from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port, Repository
from pyflow_desktop.ui.canvas.node_item import STALE_OPACITY
from pyflow_desktop.ui.canvas.value_editor import editor_of
from pyflow_desktop.ui.window.main_window import MainWindow


def action(window: QtWidgets.QMainWindow, menu: str, text: str) -> QtGui.QAction:
    """The menu entry ``menu › text`` (ignoring & mnemonics), as a user would pick it."""
    for top in window.menuBar().actions():
        if top.text().replace("&", "") == menu:
            for entry in top.menu().actions():
                if entry.text().replace("&", "") == text:
                    return entry
    raise AssertionError(f"no menu entry {menu} › {text}")


def select(qtbot, canvas, node_id: str) -> None:
    """Click the node's title, as a user selects it."""
    view = canvas.viewer()
    rect = canvas.flow_node(node_id).view.sceneBoundingRect()
    point = view.mapFromScene(QtCore.QPointF(rect.center().x(), rect.top() + 8))
    qtbot.mouseClick(view.viewport(), QtCore.Qt.MouseButton.LeftButton, pos=point)


def set_selection(canvas, *node_ids: str) -> None:
    """Select exactly ``node_ids`` (as a rubber band over them would)."""
    canvas.clear_selection()
    for node_id in node_ids:
        canvas.flow_node(node_id).set_selected(True)


def new_ids(flow, before: set[str]) -> list[str]:
    """The ids of ``flow``'s nodes that are not in ``before``, in the flow's order."""
    return [node_id for node_id in flow.nodes if node_id not in before]


def click_node(qtbot, canvas, node_id: str) -> None:
    """Click a node where nothing else of it takes the click (its footer's right end)."""
    body = canvas.flow_node(node_id).view.sceneBoundingRect()
    spot = canvas.viewer().mapFromScene(QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    qtbot.mouseClick(canvas.viewer().viewport(), QtCore.Qt.MouseButton.LeftButton, pos=spot)


def is_stale(canvas, node_id: str) -> bool:
    """Whether the node shows its result as stale (faded, and its footer says so)."""
    node = canvas.flow_node(node_id)
    return node.item.opacity() == STALE_OPACITY and node.item.footer.text().startswith("stale")


def add_hanging_flow(repo: Repository) -> None:
    """Flow ``hang``: one node ``h`` that sleeps for a minute (a run to stop)."""
    repo.add_spec(
        NodeSpec(
            "slow.hang", "Hang", [], [Port("out")], "import time\ndef func():\n    time.sleep(60)\n"
        )
    )
    flow = Flow("hang", "Hang")
    flow.add_node(NodeInstance("h", "slow.hang"))
    repo.add_flow(flow)


def library_index(window: QtWidgets.QMainWindow, spec_id: str, section: str = "file"):
    """The Library's row (in its filter's model, as the tree shows it) for ``spec_id`` in
    ``section`` ("file": In this file; else a palette section's name, "builtin", "user")."""
    from pyflow_desktop.ui.window.library_model import SECTION_ROLE, SPEC_ROLE

    proxy = window.library.proxy
    flags = QtCore.Qt.MatchFlag.MatchExactly | QtCore.Qt.MatchFlag.MatchRecursive
    for index in proxy.match(proxy.index(0, 0), SPEC_ROLE, spec_id, -1, flags):
        if index.data(SECTION_ROLE) == section:
            return index
    raise AssertionError(f"the Library shows no {spec_id} in {section}")


def area(widget: QtWidgets.QWidget) -> int:
    return widget.width() * widget.height()


def settle(qtbot) -> None:
    """Wait until the event loop has run what is queued now: zero-delay timers (a new tab's
    first frame, the first-start dock sizes, a check left for when the loop is free) run in
    the order they were started, so one started here fires after them."""
    done: list[bool] = []
    QtCore.QTimer.singleShot(0, lambda: done.append(True))
    qtbot.waitUntil(lambda: bool(done), timeout=5000)


def fresh_window(qtbot, repo=None) -> MainWindow:
    win = MainWindow(ask_on_close=False)
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    qtbot.waitExposed(win)
    if repo is not None:
        win.set_repository(repo, None)
    settle(qtbot)  # the first-start sizes are applied once the window has shown
    return win


class Answers:
    """Answers the consent question as a user would, and keeps what it was asked."""

    def __init__(self, monkeypatch, *replies: str) -> None:
        self.asked: list[str] = []
        self.replies = list(replies)
        monkeypatch.setattr(QtWidgets.QMessageBox, "exec", lambda box: self.answer(box))

    def answer(self, box: QtWidgets.QMessageBox) -> int:
        self.asked.append(f"{box.text()}\n{box.informativeText()}")
        reply = self.replies.pop(0)
        button = next(b for b in box.buttons() if b.text().replace("&", "") == reply)
        button.click()
        return 0


def click_scene(canvas, scene_point: QtCore.QPointF, button=QtCore.Qt.MouseButton.LeftButton):
    """Click the canvas's view at a scene point."""
    view = canvas.viewer()
    QtTest.QTest.mouseClick(view.viewport(), button, pos=view.mapFromScene(scene_point))


def centre(item: QtWidgets.QGraphicsItem) -> QtCore.QPointF:
    """An item's centre, in scene coordinates."""
    return item.mapToScene(item.boundingRect().center())


def type_into(qtbot, canvas, node: str, port: str, text: str) -> QtWidgets.QLineEdit:
    """Click the inline field of ``node``.``port``, select its text and type ``text`` (no
    Enter): the field keeps the focus."""
    editor = canvas.flow_node(node).item.editors[port]
    point = centre(editor)
    canvas.set_view(point.x(), point.y(), 1.0)
    click_scene(canvas, point)
    scene = canvas.viewer().scene()
    qtbot.waitUntil(lambda: editor_of(scene.focusItem()) is editor, timeout=2000)
    editor.editor.selectAll()
    QtTest.QTest.keyClicks(canvas.viewer().viewport(), text)  # keys go where the focus is
    return editor.editor


def right_click(qtbot, win, canvas, scene_point: QtCore.QPointF) -> QtWidgets.QMenu:
    """Right-click the canvas at a scene point; the context menu it opened."""
    viewer = canvas.viewer()
    local = viewer.mapFromScene(scene_point)
    event = QtGui.QContextMenuEvent(
        QtGui.QContextMenuEvent.Reason.Mouse, local, viewer.viewport().mapToGlobal(local)
    )
    QtWidgets.QApplication.sendEvent(viewer.viewport(), event)
    return win.menus.last


def entries(menu: QtWidgets.QMenu) -> dict[str, QtGui.QAction]:
    """A menu's entries by their text as the user reads it (without & mnemonics)."""
    return {a.text().replace("&", ""): a for a in menu.actions() if not a.isSeparator()}
