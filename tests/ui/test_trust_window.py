"""Trust in the window: code from outside runs only once the user says so, the window's
nodes run in worker processes, a node that kills its process fails alone."""

from __future__ import annotations

import os
import subprocess
import sys

from helpers import Answers, action, fresh_window

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
