"""Trust in the window: code from outside runs only once the user says so, the window's
nodes run in worker processes, a node that kills its process fails alone."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import Answers, action, fresh_window, select
from PySide6 import QtCore, QtWidgets

from pyflow_desktop.repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    save_repository,
)
from pyflow_desktop.ui.run.settings import RunSettings


def run_by_menu(qtbot, win, text: str = "Run") -> bool | None:
    outcome = []
    win.runs.run_done.connect(outcome.append)
    action(win, "Run", text).trigger()
    if win.runs.runner.running:
        qtbot.waitUntil(lambda: bool(outcome), timeout=30_000)
    return outcome[0] if outcome else None


def test_a_files_code_runs_only_once_trusted_and_asks_again_when_it_changes(
    qtbot, repo_file, monkeypatch
):
    win = fresh_window(qtbot)
    win.runs.runner.settings = RunSettings(executor="thread", cache=False)
    assert win.files.open_path(repo_file)
    answers = Answers(monkeypatch, "Cancel", "Trust and run", "Trust and run")
    assert run_by_menu(qtbot, win) is None  # refused: nothing ran
    assert "math.add" in answers.asked[0] and "math.mul" in answers.asked[0]
    assert "repo.json" in answers.asked[0]
    assert win.runs.runner.last_result is None
    assert run_by_menu(qtbot, win) is True  # trusted, and run
    assert run_by_menu(qtbot, win) is True  # not asked again
    assert len(answers.asked) == 2
    changed = win.repo.specs["math.add"].copy(func="def func(a, b):\n    return a * b + 0\n")
    win.repo.replace_spec(changed)  # as if another file brought other code under that id
    win.trust.came_from_outside([changed])
    assert run_by_menu(qtbot, win) is True
    assert len(answers.asked) == 3 and "math.add" in answers.asked[2]
    assert "math.mul" not in answers.asked[2]  # its code did not change


def test_code_written_in_the_window_and_the_built_in_library_run_without_asking(
    qtbot, repo, repo_file, monkeypatch
):
    win = fresh_window(qtbot, repo)  # built in this session, from no file
    win.runs.runner.settings = RunSettings(executor="thread")
    win.tabs.open_flow("calc")
    assert run_by_menu(qtbot, win) is True
    assert win.files.open_path(repo_file)
    editor = win.panels.spec_editor
    win.panels.edit_spec("math.add")
    answers = Answers(monkeypatch, "Cancel")
    editor.test()  # the file's own code: asked
    assert len(answers.asked) == 1 and not editor.test_form.running
    editor.editor.setPlainText("def func(a, b):\n    return a - b\n")  # now the user's code
    with qtbot.waitSignal(editor.test_form.finished, timeout=10_000):
        editor.test()
    assert len(answers.asked) == 1


def test_pasted_specs_from_the_clipboard_ask_before_they_run(qtbot, repo, monkeypatch):
    first = fresh_window(qtbot, repo)
    canvas = first.tabs.open_flow("calc")
    canvas.flow_node("n1").set_selected(True)
    action(first, "Edit", "Copy").trigger()
    second = fresh_window(qtbot, Repository())
    second.runs.runner.settings = RunSettings(executor="thread")
    second.tabs.new_flow()
    action(second, "Edit", "Paste").trigger()
    answers = Answers(monkeypatch, "Cancel")
    assert run_by_menu(qtbot, second) is None
    assert "math.add" in answers.asked[0] and "the clipboard" in answers.asked[0]


def test_specs_imported_from_another_file_ask_before_they_run(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot, Repository())
    win.runs.runner.settings = RunSettings(executor="thread")
    monkeypatch.setattr(
        QtWidgets.QFileDialog, "getOpenFileName", lambda *args: (str(repo_file), "")
    )
    action(win, "File", "Import…").trigger()
    assert "math.add" in win.repo.specs
    win.tabs.open_flow("calc")
    answers = Answers(monkeypatch, "Cancel")
    assert run_by_menu(qtbot, win) is None and win.runs.runner.last_result is None
    assert "math.add" in answers.asked[0]


def test_opening_a_file_never_runs_its_code(qtbot, tmp_path):
    marker = tmp_path / "ran"
    spec = NodeSpec(
        "evil",
        "Evil",
        [],
        [Port("out")],
        f"open({str(marker)!r}, 'w').write('x')\ndef func():\n    return 1\n",
    )
    flow = Flow("f", "F")
    flow.add_node(NodeInstance("n", "evil"))
    repo = Repository()
    repo.add_spec(spec)
    repo.add_flow(flow)
    path = tmp_path / "evil.json"
    save_repository(repo, path)
    win = fresh_window(qtbot)
    assert win.files.open_path(path)
    win.panels.edit_spec("evil")  # shown in the code editor, checked as you type
    for command in (
        ["check", str(path)],
        ["convert", str(path), str(tmp_path / "o.json"), "--format", "original"],
    ):
        done = subprocess.run(
            [sys.executable, "-m", "pyflow_desktop", *command], capture_output=True, timeout=60
        )
        assert done.returncode == 0
    assert not marker.exists()


def test_the_scripted_run_asks_nothing(tmp_path, repo_file):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "XDG_CONFIG_HOME": str(tmp_path)}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyflow_desktop",
            str(repo_file),
            "--flow",
            "calc",
            "--run",
            "--quit",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 0, done.stderr


def test_the_window_runs_nodes_in_worker_processes_and_survives_a_crashing_one(qtbot, repo):
    assert RunSettings().executor == "process"
    repo.add_spec(
        NodeSpec("crash", "Crash", [], [Port("out")], "import os\ndef func():\n    os._exit(1)\n")
    )
    flow = Flow("crash", "Crash")
    flow.add_node(NodeInstance("boom", "crash"))
    flow.add_node(NodeInstance("fine", "math.add", values={"a": "1", "b": "2"}))
    repo.add_flow(flow)
    win = fresh_window(qtbot, repo)
    assert win.runs.runner.settings.executor == "process"
    win.tabs.open_flow("crash")
    assert run_by_menu(qtbot, win, "Run all") is False
    statuses = {node["id"]: node["status"] for node in win.runs.runner.last_result.nodes}
    assert statuses == {"boom": "fail", "fine": "success"}
    error = win.runs.runner.last_result.node("boom")["error"]
    assert "worker process died" in error
    assert win.isVisible()


def press(qtbot, win, key, modifier=QtCore.Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed on the canvas in front, as a user does."""
    qtbot.keyClick(win.tabs.current()[0].viewer().viewport(), key, modifier)


def test_trust_asks_once_for_a_file_about_the_specs_of_all_its_flows(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    win.tabs.open_flow("calc")
    answers = Answers(monkeypatch, "Trust and run")
    with qtbot.waitSignal(win.runs.run_done, timeout=30_000):
        press(qtbot, win, QtCore.Qt.Key.Key_F5)
    (question,) = answers.asked
    for listed in ("Add (math.add)", "Multiply (math.mul)", "Fail (debug.fail)"):
        assert listed in question  # debug.fail: used by the file's other flow
    assert "Join (text.join)" not in question  # no flow uses it
    canvas = win.tabs.open_flow("broken")
    with qtbot.waitSignal(win.runs.run_done, timeout=30_000):
        press(qtbot, win, QtCore.Qt.Key.Key_F5)
    select(qtbot, canvas, "f1")
    action(win, "Edit", "Edit nodespec").trigger()
    editor = win.panels.spec_editor
    with qtbot.waitSignal(editor.test_form.finished, timeout=30_000):
        qtbot.keyClick(
            editor.editor, QtCore.Qt.Key.Key_Return, QtCore.Qt.KeyboardModifier.ControlModifier
        )
    assert len(answers.asked) == 1, "neither the other flow's run nor its Test asked again"


def test_code_written_in_the_window_stays_trusted_after_save_and_reopen(
    qtbot, repo_file, monkeypatch
):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    canvas = win.tabs.open_flow("calc")
    select(qtbot, canvas, "n1")
    action(win, "Edit", "Edit nodespec").trigger()
    panel = win.panels.spec_editor
    qtbot.waitUntil(lambda: panel.spec_id == "math.add" and panel.editor.isVisible())
    panel.editor.selectAll()
    qtbot.keyClicks(panel.editor, "def func(a, b):")
    qtbot.keyClick(panel.editor, QtCore.Qt.Key.Key_Return)
    qtbot.keyClicks(panel.editor, "return a + b + 100")
    panel.actions_by_name["Save"].trigger()
    action(win, "File", "Save").trigger()
    assert win.undo_stack.isClean()
    assert win.files.open_path(repo_file)
    assert "a + b + 100" in win.repo.specs["math.add"].func
    answers = Answers(monkeypatch)  # no answer: a question fails the test
    canvas = win.tabs.open_flow("calc")
    select(qtbot, canvas, "n1")
    action(win, "Edit", "Edit nodespec").trigger()
    qtbot.waitUntil(lambda: panel.spec_id == "math.add" and panel.editor.isVisible())
    for name, value in (("a", "1"), ("b", "2")):
        panel.test_form.editors[name].setText(value)
    with qtbot.waitSignal(panel.test_form.finished, timeout=30_000) as blocker:
        qtbot.keyClick(
            panel.editor, QtCore.Qt.Key.Key_Return, QtCore.Qt.KeyboardModifier.ControlModifier
        )
    assert blocker.args[0].outputs == {"out": 103} and answers.asked == []
    answers.replies.append("Cancel")
    press(qtbot, win, QtCore.Qt.Key.Key_F5)  # the file's own code still asks
    (question,) = answers.asked
    assert "Multiply (math.mul)" in question and "math.add" not in question
