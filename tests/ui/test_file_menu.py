"""File menu behaviour: dirty mark, formats, import with clashes, nodemaker files (imported from
the menu or dropped on the Library), export as a Python script, layout, Open Recent (whole
paths, most recent first, missing files greyed out)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from helpers import action, fresh_window
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    load_repository,
    save_repository,
)
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.window.main_window import MainWindow
from pyflow_desktop.ui.window.user_settings import settings


def test_title_and_dirty_mark_follow_the_undo_stack(qtbot, window, tmp_path):
    assert window.windowTitle().startswith("untitled[*]")
    assert not window.isWindowModified()
    window.tabs.open_flow("calc")
    window.tabs.current()[1].create_node("math.add", 0, 0)
    assert window.isWindowModified()
    window.undo_stack.undo()
    assert not window.isWindowModified()
    window.tabs.current()[1].create_node("math.add", 0, 0)
    assert window.files.save_to(tmp_path / "mine.json", "original")
    assert window.windowTitle().startswith("mine.json[*]")
    assert not window.isWindowModified()
    data = json.loads((tmp_path / "mine.json").read_text())
    assert "pyflow_desktop" not in data and set(data["flow"]) == {"calc", "broken"}
    assert str((tmp_path / "mine.json").resolve()) in settings().value("recent")


def _other_repository() -> Repository:
    other = Repository()
    other.add_spec(
        NodeSpec(
            "math.add",
            "Add (other)",
            [Port("a", "Int")],
            [Port("out", "Int")],
            "def func(a):\n    return a\n",
        )
    )
    other.add_spec(
        NodeSpec("extra.one", "One", [], [Port("out", "Int")], "def func():\n    return 1\n")
    )
    flow = Flow("calc", "Other calc")
    flow.add_node(NodeInstance("x1", "math.add"))
    other.add_flow(flow)
    return other


def test_import_keep_both_renames_clashing_ids_and_undoes_in_one_step(qtbot, window):
    window.files.import_repository(_other_repository(), "rename")
    repo = window.repo
    assert "calc_2" in repo.flows and "math.add_2" in repo.specs and "extra.one" in repo.specs
    assert repo.flows["calc_2"].nodes["x1"].spec_id == "math.add_2"
    assert repo.specs["math.add"].title == "Add"
    window.undo_stack.undo()
    assert "calc_2" not in repo.flows and "math.add_2" not in repo.specs


def test_import_replace_and_skip(qtbot, window):
    window.tabs.open_flow("calc")
    window.files.import_repository(_other_repository(), "skip")
    assert window.repo.specs["math.add"].title == "Add"
    assert window.repo.flows["calc"].name == "Calculation"
    window.files.import_repository(_other_repository(), "replace")
    assert window.repo.specs["math.add"].title == "Add (other)"
    assert window.repo.flows["calc"].name == "Other calc"
    assert "calc" not in window.tabs.canvases  # the replaced flow's canvas was closed


def test_export_writes_chosen_flows_with_their_specs(qtbot, window, tmp_path):
    assert window.files.export_to(tmp_path / "out.json", ["broken"])
    window.files.load(tmp_path / "out.json")
    assert set(window.repo.flows) == {"broken"}
    assert set(window.repo.specs) == {"debug.fail", "math.add"}


def test_dock_layout_is_restored(qtbot, window):
    window.log_dock.hide()
    window.close()
    again = MainWindow(ask_on_close=False)
    qtbot.addWidget(again)
    again.show()
    assert again.library_dock.isVisible()
    assert not again.log_dock.isVisible()


def test_spec_change_redraws_nodes_built_from_it(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    spec = window.repo.specs["math.add"].copy()
    spec.inputs.append(Port("c", "Int", 2))
    window.repo.replace_spec(spec)
    assert set(canvas.flow_node("n1").inputs()) == {"a", "b", "c"}
    assert canvas.flow_node("n2").inputs()["a"].connected_ports()


def test_rename_flow_from_the_library(qtbot, window, monkeypatch):
    from PySide6 import QtWidgets

    window.tabs.open_flow("calc")
    monkeypatch.setattr(QtWidgets.QInputDialog, "getText", lambda *a, **k: ("Sums", True))
    window.library.select_flow("calc")
    window.library.rename_flow_requested.emit("calc")
    assert window.repo.flows["calc"].name == "Sums"
    assert window.tabs.widget.tabText(window.tabs.widget.currentIndex()) == "Sums"
    window.undo_stack.undo()
    assert window.tabs.widget.tabText(window.tabs.widget.currentIndex()) == "Calculation"


def test_opening_a_bad_file_says_what_and_where_and_keeps_the_document(
    qtbot, window, tmp_path, monkeypatch
):
    window.tabs.open_flow("calc")
    window.tabs.current()[1].set_value("n1", "a", "7")  # an unsaved edit
    bad = tmp_path / "bad.json"
    bad.write_text('{"flow": {"f": {"nodes": [{"id": "x", "spec_id": "ghost"}]}}}')
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    assert not window.files.open_path(bad)
    assert "bad.json" in shown[0] and "ghost" in shown[0]
    assert 'flow["f"].nodes[0].spec_id' in shown[0]
    assert window.repo.flows["calc"].nodes["n1"].values["a"] == "7"
    assert window.isWindowModified() and window.undo_stack.canUndo()
    assert "calc" in window.tabs.canvases


def test_a_value_json_cannot_hold_is_refused_on_save_and_the_file_kept(
    qtbot, window, tmp_path, monkeypatch
):
    path = tmp_path / "mine.json"
    assert window.files.save_to(path)
    before = path.read_bytes()
    window.repo.flows["calc"].set_value("n1", "a", float("nan"))
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    assert not window.files.save_to(path)
    assert 'flow["calc"].nodes[0].ports' in shown[0] and "NaN" in shown[0]
    assert path.read_bytes() == before


def test_import_replacing_a_spec_drops_links_to_its_removed_ports(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    flow = window.repo.flows["calc"]
    source = Repository()
    source.add_spec(
        NodeSpec(
            "math.add",
            "Add",
            [Port("a", "Int", 0), Port("b", "Int", 1)],
            [Port("sum", "Int")],
            "def func(a, b):\n    return a + b\n",
        )
    )
    window.files.import_repository(source, "replace")
    assert flow.links == []
    assert canvas.flow_node("n2").inputs()["a"].connected_ports() == []
    assert list(canvas.flow_node("n1").outputs()) == ["sum"]
    window.undo_stack.undo()
    assert [link.source_port for link in flow.links] == ["out"]
    assert [p.node().id for p in canvas.flow_node("n2").inputs()["a"].connected_ports()] == ["n1"]


def test_opening_a_file_during_a_run_stops_it_and_shows_none_of_its_results(
    qtbot, window, repo_file
):
    slow = NodeSpec(
        "slow.wait",
        "Wait",
        [Port("s", "Float", 0)],
        [Port("out", "Float")],
        "import time\ndef func(s):\n    time.sleep(s)\n    return s\n",
    )
    window.repo.add_spec(slow)
    flow = Flow("calc2")
    flow.add_node(NodeInstance("w", "slow.wait", values={"s": "30"}))
    window.repo.add_flow(flow)
    running = window.tabs.open_flow("calc2")
    with qtbot.waitSignal(window.runs.run_done, timeout=10_000):
        assert window.runs.run_current()
        qtbot.waitUntil(lambda: running.flow_node("w").status_text().startswith("running"))
        assert window.files.open_path(repo_file)
    canvas = window.tabs.open_flow("calc")
    assert all(node.status_text() == "" for node in canvas.flow_nodes())
    assert window.runs.run_flow_id is None


def test_a_file_with_many_problems_lists_every_one(qtbot, window, tmp_path, monkeypatch):
    bad = tmp_path / "bad.json"
    nodes = [{"id": f"x{i}", "spec_id": f"ghost{i}"} for i in range(3)]
    bad.write_text(json.dumps({"flow": {"f": {"nodes": nodes}}}))
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    assert not window.files.open_path(bad)
    assert shown[0].startswith("3 problems")
    assert all(f"ghost{i}" in shown[0] for i in range(3))


def test_a_big_save_runs_while_the_window_serves_its_timers(qtbot, window, tmp_path):
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "note", "Note", [Port("text", "String")], [Port("out")], "def func(text): return text\n"
        )
    )
    for index in range(3):
        flow = Flow(f"f{index}")
        with flow.events.muted():
            for i in range(3000):
                flow.add_node(NodeInstance(f"n{i}", "note", values={"text": "x" * 300}))
        repo.add_flow(flow)
    window.set_repository(repo, None)
    seen = []  # during the save: whether the window says it is saving, and a second save
    timer = QtCore.QTimer(interval=5)
    timer.timeout.connect(
        lambda: seen.append((window.files.saving, window.files.save_to(tmp_path / "b.json")))
    )
    timer.start()
    assert window.files.save_to(tmp_path / "a.json")
    timer.stop()
    assert seen and set(seen) == {(True, False)}  # timers ran; a save meanwhile was refused
    assert not window.files.saving and not window.isWindowModified()
    assert load_repository(tmp_path / "a.json").flows["f2"].nodes["n2999"].values == {
        "text": "x" * 300
    }
    assert not (tmp_path / "b.json").exists()


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
