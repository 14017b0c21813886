"""Regenerate the README's pictures from the real window on the built-in library.

    xvfb-run -a -s "-screen 0 1600x1000x24" python docs/screenshots.py

Writes docs/first_start.png (the first window, 1280×800, after running examples.math and F),
docs/screenshot.png (after running examples.plots, a node selected, its output in a plot
viewer and its spec in the Code panel), docs/spec_editor.png (the Code panel after Test),
docs/plot_viewer.png (that viewer), docs/completion.png (the Code panel completing a name
inside a call, with the call's signature above it), docs/subflow.png (examples.math with
its first two nodes grouped into a subflow, run, the subflow node selected) and
docs/subflow_inside.png (that subflow's tab: its Inputs and Outputs nodes, the breadcrumb).
Settings go to a temporary folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6 import QtCore, QtGui, QtTest, QtWidgets

HERE = Path(__file__).resolve().parent


def wait_for(app: QtWidgets.QApplication, done, seconds: float = 20) -> None:
    timer = QtCore.QElapsedTimer()
    timer.start()
    while not done() and timer.elapsed() < seconds * 1000:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 50)


def run(app: QtWidgets.QApplication, window) -> None:
    finished = []
    window.runs.run_done.connect(finished.append)
    window.runs.run_current()
    wait_for(app, lambda: finished)
    window.runs.run_done.disconnect(finished.append)


def completion_shot(app: QtWidgets.QApplication, window, path: Path) -> None:
    """Type a line into the Code panel until Jedi's popup and the signature hint show; the
    popup is a window of its own, so the screen is grabbed, not the dock."""
    editor = window.panels.spec_editor.editor
    editor.setFocus()
    editor.setTextCursor(QtGui.QTextCursor(editor.document().findBlockByNumber(0)))
    editor.moveCursor(QtGui.QTextCursor.MoveOperation.EndOfBlock)
    for line in ("import statistics", "spread = round(statistics.st"):
        QtTest.QTest.keyClick(editor, QtCore.Qt.Key.Key_Return)
        QtTest.QTest.keyClicks(editor, line)
    completer = editor.completer
    wait_for(app, lambda: completer.shown_names() and completer.hint.isVisible())
    wait_for(app, lambda: False, 0.3)
    dock = window.panels.code_dock
    area = QtCore.QRect(dock.mapToGlobal(QtCore.QPoint(0, 0)), dock.size())
    area = area.united(completer.popup().geometry()).united(completer.hint.geometry())
    screen = app.primaryScreen()
    screen.grabWindow(0, area.x(), area.y(), area.width(), area.height()).save(str(path))
    editor.undo()


def main() -> int:
    os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # a fresh layout, not the user's
    from pyflow_desktop.repository import load_repository
    from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
    from pyflow_desktop.ui.window.app import application
    from pyflow_desktop.ui.window.main_window import MainWindow

    app = application()
    window = MainWindow(ask_on_close=False)
    window.set_repository(load_repository(resource_path(BUILTIN_LIBRARY)), None)
    window.resize(1280, 800)
    window.show()
    wait_for(app, lambda: False, 0.3)
    window.tabs.open_flow("examples.math")
    run(app, window)
    window.edits.frame_all()
    wait_for(app, lambda: False, 0.3)
    window.grab().save(str(HERE / "first_start.png"))

    window.resize(1500, 920)
    canvas = window.tabs.open_flow("examples.plots")
    run(app, window)
    panels = window.panels
    canvas.flow_node("n4").set_selected(True)
    window.tabs.selection_changed.emit("examples.plots", ["n4"])
    dock = panels.viewers.open_viewer("n4", "out", "examples.plots")
    panels.edit_spec()
    tested = []
    panels.spec_editor.test_form.finished.connect(tested.append)
    panels.spec_editor.test()
    wait_for(app, lambda: tested)
    wait_for(app, lambda: False, 0.3)
    window.edits.frame_all()
    wait_for(app, lambda: False, 0.3)
    window.grab().save(str(HERE / "screenshot.png"))
    panels.code_dock.grab().save(str(HERE / "spec_editor.png"))
    dock.grab().save(str(HERE / "plot_viewer.png"))
    completion_shot(app, window, HERE / "completion.png")
    subflow_shots(app, window)
    return 0


def subflow_shots(app: QtWidgets.QApplication, window) -> None:
    """Group the math example's first two nodes (as Ctrl+G does), run, look inside."""
    window.resize(1280, 800)
    canvas = window.tabs.open_flow("examples.math")
    flow = window.repo.flows["examples.math"]
    canvas.clear_selection()
    for node_id in list(flow.nodes)[:2]:
        canvas.flow_node(node_id).set_selected(True)
    node_id = window.subflows.group()
    run(app, window)
    window.tabs.selection_changed.emit("examples.math", [node_id])
    window.edits.frame_all()
    wait_for(app, lambda: False, 0.3)
    window.grab().save(str(HERE / "subflow.png"))
    inner = window.tabs.open_subflow("examples.math", node_id)
    wait_for(app, lambda: False, 0.3)
    inner.frame_all()
    wait_for(app, lambda: False, 0.3)
    window.tabs.widget.grab().save(str(HERE / "subflow_inside.png"))


if __name__ == "__main__":
    sys.exit(main())
