"""The original's semantics in the window: F5 runs to the end nodes, Run all runs everything,
converted links are drawn dashed, nodemaker files import, a flow exports as a script."""

from __future__ import annotations

import json
import subprocess
import sys

from helpers import action, fresh_window
from PySide6 import QtCore, QtGui

from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.canvas.ngqt import PIPE_DASHED, PIPE_SOLID


def run_by_menu(qtbot, win, text: str) -> bool:
    with qtbot.waitSignal(win.runs.run_done, timeout=20_000) as blocker:
        action(win, "Run", text).trigger()
    return blocker.args[0]


def statuses(win) -> dict[str, str]:
    return {node["id"]: node["status"] for node in win.runs.runner.last_result.nodes}


def test_f5_runs_to_the_end_nodes_and_run_all_runs_every_node(qtbot):
    win = fresh_window(qtbot, load_repository(resource_path(BUILTIN_LIBRARY)))
    win.tabs.open_flow("examples.failure")
    assert run_by_menu(qtbot, win, "Run")  # F5: n5 is the end node; n4 feeds it
    assert statuses(win) == {"n4": "success", "n5": "success"}
    message = win.statusBar().currentMessage()
    end_name = win.repo.flows["examples.failure"].nodes["n5"].name
    assert f"to end node {end_name!r}" in message
    assert not run_by_menu(qtbot, win, "Run all")  # Ctrl+F5: the failing branch runs too
    assert set(statuses(win)) == {"n1", "n2", "n3", "n4", "n5"}
    assert "fail" in statuses(win).values()
    run_all = "Meta+F5" if sys.platform == "darwin" else "Ctrl+F5"  # ⌘F5 is VoiceOver's
    assert action(win, "Run", "Run all").shortcut() == QtGui.QKeySequence(run_all)


def test_a_flow_without_end_nodes_runs_whole(qtbot, run_and_wait, repo):
    repo.flows["calc"].set_end("n2", False)
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    assert run_by_menu(qtbot, win, "Run")
    assert set(statuses(win)) == {"n1", "n2"}
    assert "every node" in win.statusBar().currentMessage()


def _pipe(canvas, target: str, port: str):
    (pipe,) = canvas.flow_node(target).inputs()[port].view.connected_pipes
    return pipe


def test_converted_links_are_dashed_and_links_without_a_conversion_refused(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    bridge = win.tabs.current()[1]
    assert _pipe(canvas, "n2", "a").style == PIPE_DASHED  # Int into Float: converted
    join = bridge.create_node("text.join", 600, 0)
    bridge.connect_ports("n1", "out", join, "a")  # Int into String: converted on the way
    assert bridge.flow.link_into(join, "a") is not None
    assert _pipe(canvas, join, "a").style == PIPE_DASHED
    assert "Int → String: converted" in _pipe(canvas, join, "a").toolTip()
    second = bridge.create_node("text.join", 900, 0)
    bridge.connect_ports(join, "out", second, "b")  # String into String: as it is
    assert _pipe(canvas, second, "b").style == PIPE_SOLID
    pick = bridge.create_node("logic.pick", 600, 300)
    bridge.connect_ports("n2", "out", pick, "flag")  # Float into Boolean: no conversion
    assert bridge.flow.link_into(pick, "flag") is None
    assert "no conversion from Float to Boolean" in win.statusBar().currentMessage()
    while bridge.flow.link_into(join, "a") is not None:  # undo back to before that link
        win.undo_stack.undo()
    win.undo_stack.redo()  # and it comes back drawn dashed
    assert _pipe(canvas, join, "a").style == PIPE_DASHED


MODULE = """spec = {"id": "text.shout", "title": "Shout"}
output_keys = ["loud"]


def func(text: str, times=2):
    return {"loud": (text.upper() + "!") * times}
"""


def test_nodemaker_files_dropped_on_the_library_become_undoable_specs(qtbot, repo, tmp_path):
    path = tmp_path / "shout.py"
    path.write_text(MODULE)
    win = fresh_window(qtbot, repo)
    data = QtCore.QMimeData()
    data.setUrls([QtCore.QUrl.fromLocalFile(str(path))])
    library = win.library
    drop = QtGui.QDropEvent(
        QtCore.QPointF(10, 10),
        QtCore.Qt.DropAction.CopyAction,
        data,
        QtCore.Qt.MouseButton.LeftButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
    )
    library.dropEvent(drop)
    spec = win.repo.specs["text.shout"]
    assert [(p.name, p.type) for p in spec.inputs] == [("text", "String"), ("times", "Int")]
    assert [p.name for p in spec.outputs] == ["loud"]
    assert "Imported nodespecs text.shout" in win.log.toPlainText()
    win.undo_stack.undo()
    assert "text.shout" not in win.repo.specs


def test_a_bad_nodemaker_file_is_refused_and_changes_nothing(qtbot, repo, tmp_path, monkeypatch):
    path = tmp_path / "bad.py"
    path.write_text("spec = {'id': 'x'\n")
    win = fresh_window(qtbot, repo)
    shown = []
    monkeypatch.setattr(
        "PySide6.QtWidgets.QMessageBox.warning", lambda *args: shown.append(args[2])
    )
    before = set(win.repo.specs)
    assert not win.files.import_python_files([str(path)])
    assert set(win.repo.specs) == before and win.undo_stack.count() == 0
    assert "bad.py" in shown[0]


def test_export_as_python_script_prints_what_run_prints(qtbot, tmp_path):
    library = resource_path(BUILTIN_LIBRARY)
    win = fresh_window(qtbot, load_repository(library))
    win.tabs.open_flow("examples.math")
    out = tmp_path / "math.py"
    assert win.files.export_script("examples.math", out)
    script = subprocess.run(
        [sys.executable, "-I", str(out), "--json"], capture_output=True, text=True, timeout=60
    )
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyflow_desktop",
            "run",
            str(library),
            "--flow",
            "examples.math",
            "--json",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert script.returncode == run.returncode == 0, script.stderr
    assert json.loads(script.stdout) == json.loads(run.stdout)


def test_file_menu_has_the_import_and_export_entries(qtbot):
    win = fresh_window(qtbot)
    assert action(win, "File", "Import Python files…")
    assert action(win, "File", "Export as Python script…")
