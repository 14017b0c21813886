"""Test in the Code panel is as safe as Run: it runs on the executor of the run settings, a
function that kills its process fails the Test with the reason and the window lives, Stop
(Shift+Esc or the button) and the per-node timeout end it, and code from a file runs only
once trusted."""

from __future__ import annotations

import os
import threading

import pytest
from helpers import Answers, action, add_hanging_flow, fresh_window, select
from PySide6 import QtCore, QtWidgets

from pyflow_desktop.engine import NodeOutcome
from pyflow_desktop.engine.process_executor import shared_pool
from pyflow_desktop.repository import save_repository
from pyflow_desktop.ui.run.settings import RunSettings, RunSettingsDialog

POSIX_SIGNALS = pytest.mark.skipif(os.name == "nt", reason="a signal's death is POSIX's")

Key = QtCore.Qt.Key
Modifier = QtCore.Qt.KeyboardModifier


def show_code(qtbot, win) -> None:
    """Select ``f1`` of flow ``broken`` and bring its spec up in the Code panel."""
    canvas = win.tabs.open_flow("broken")
    select(qtbot, canvas, "f1")
    qtbot.waitUntil(lambda: win.panels.spec_editor.spec_id == "debug.fail", timeout=3000)
    action(win, "Edit", "Edit nodespec").trigger()
    qtbot.waitUntil(win.panels.spec_editor.editor.isVisible, timeout=3000)


def write_code(qtbot, win, lines: list[str]) -> None:
    """Select ``f1`` of flow ``broken``, bring its spec up in the Code panel (Edit › Edit
    nodespec) and type ``lines`` over its code, the editor indenting the body."""
    show_code(qtbot, win)
    editor = win.panels.spec_editor
    editor.editor.selectAll()
    qtbot.keyClick(editor.editor, Key.Key_Delete)
    for index, line in enumerate(lines):
        if index:
            qtbot.keyClick(editor.editor, Key.Key_Return)
        qtbot.keyClicks(editor.editor, line)


def press_test(qtbot, win, timeout: int = 30_000) -> object:
    """Ctrl+Return in the code editor; the Test's outcome."""
    form = win.panels.spec_editor.test_form
    with qtbot.waitSignal(form.finished, timeout=timeout) as blocker:
        qtbot.keyClick(win.panels.spec_editor.editor, Key.Key_Return, Modifier.ControlModifier)
    return blocker.args[0]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("import os; os._exit(1)", "the worker process died (exit code 1)"),
        pytest.param(
            "import ctypes; ctypes.string_at(0)",
            "killed by SIGSEGV, a crash in native code",
            marks=POSIX_SIGNALS,
        ),
        pytest.param(
            "import os, signal; os.kill(os.getpid(), signal.SIGKILL)",  # as the OOM killer does
            "killed by SIGKILL, perhaps out of memory",
            marks=POSIX_SIGNALS,
        ),
    ],
)
def test_a_function_that_kills_its_process_fails_the_test_with_why_and_the_window_lives(
    qtbot, repo, body, reason
):
    win = fresh_window(qtbot, repo)
    assert win.runs.runner.settings.executor == "process"  # the default
    write_code(qtbot, win, ["def func(x):", body])
    outcome = press_test(qtbot, win)
    assert isinstance(outcome, NodeOutcome) and reason in outcome.error
    form = win.panels.spec_editor.test_form
    assert f"Error: {outcome.error}" in form.result.toPlainText()
    assert win.isVisible() and form.test_button.isEnabled()
    assert not form.stop_button.isEnabled()
    win.panels.spec_editor.editor.selectAll()
    qtbot.keyClicks(win.panels.spec_editor.editor, "def func(x):")
    qtbot.keyClick(win.panels.spec_editor.editor, Key.Key_Return)
    qtbot.keyClicks(win.panels.spec_editor.editor, "return x * 3")
    qtbot.keyClicks(form.editors["x"], "2")
    assert press_test(qtbot, win).outputs == {"out": 6}, "the next Test runs as usual"


@pytest.mark.parametrize("executor", ["process", "thread"])
def test_shift_esc_and_the_stop_button_end_a_test_that_sleeps(qtbot, repo, tmp_path, executor):
    win = fresh_window(qtbot, repo)
    win.runs.runner.settings = RunSettings(executor=executor)
    asleep = tmp_path / "asleep"
    write_code(
        qtbot,
        win,
        ["import time", "def func(x):", f"open({str(asleep)!r}, 'w').close()", "time.sleep(30)"],
    )
    form = win.panels.spec_editor.test_form
    stop = action(win, "Run", "Stop")
    assert not stop.isEnabled()
    for press_stop in (
        lambda: qtbot.keyClick(
            win.panels.spec_editor.editor, Key.Key_Escape, Modifier.ShiftModifier
        ),
        lambda: qtbot.mouseClick(form.stop_button, QtCore.Qt.MouseButton.LeftButton),
    ):
        asleep.unlink(missing_ok=True)
        with qtbot.waitSignal(form.finished, timeout=20_000) as blocker:
            qtbot.keyClick(win.panels.spec_editor.editor, Key.Key_Return, Modifier.ControlModifier)
            assert stop.isEnabled() and form.stop_button.isEnabled()
            assert not form.test_button.isEnabled()
            assert form.result.toPlainText() == "Running debug.fail…"
            qtbot.waitUntil(asleep.exists, timeout=10_000)  # the function sleeps now
            press_stop()
        outcome = blocker.args[0]
        assert "stopped before it finished" in outcome.error
        assert "stopped before it finished" in form.result.toPlainText()
        assert outcome.elapsed > 0, "how long it ran until stopped"
        assert form.test_button.isEnabled() and not form.stop_button.isEnabled()
        assert not stop.isEnabled()


def test_a_test_runs_while_a_flow_runs_and_shift_esc_stops_the_run(qtbot, repo):
    add_hanging_flow(repo)
    win = fresh_window(qtbot, repo)
    write_code(qtbot, win, ["def func(x):", "return 'tested'"])
    win.tabs.open_flow("hang")
    qtbot.keyClick(win.tabs.current()[0].viewer().viewport(), Key.Key_F5)
    assert win.runs.runner.running
    assert press_test(qtbot, win).outputs == {"out": "tested"}
    assert win.runs.runner.running and action(win, "Run", "Stop").isEnabled()
    with qtbot.waitSignal(win.runs.run_done, timeout=20_000):
        qtbot.keyClick(win.panels.spec_editor.editor, Key.Key_Escape, Modifier.ShiftModifier)
    assert win.runs.runner.last_result.node("h")["status"] == "cancelled"


@pytest.mark.real_dialogs
def test_the_per_node_timeout_of_the_run_settings_ends_a_test(qtbot, repo):
    win = fresh_window(qtbot, repo)

    def fill() -> None:
        dialog = QtWidgets.QApplication.activeModalWidget()
        assert isinstance(dialog, RunSettingsDialog)
        dialog.timeout.selectAll()
        qtbot.keyClicks(dialog.timeout.lineEdit(), "0.5")
        dialog.accept()

    QtCore.QTimer.singleShot(0, fill)
    action(win, "Run", "Run settings…").trigger()
    assert win.runs.runner.settings.timeout == 0.5
    win.activateWindow()  # as the window manager does when the dialog closes (offscreen: not)
    qtbot.waitUntil(lambda: QtWidgets.QApplication.activeWindow() is win, timeout=3000)
    write_code(qtbot, win, ["import time", "def func(x):", "time.sleep(30)"])
    outcome = press_test(qtbot, win, timeout=20_000)
    assert outcome.error == "timed out after 0.5 s"
    assert "timed out after 0.5 s" in win.panels.spec_editor.test_form.result.toPlainText()


def where_it_runs() -> list[str]:
    return [
        "import os, threading",
        "def func(x):",
        "return [os.getpid(), threading.current_thread().name]",
    ]


@pytest.mark.parametrize("executor", ["process", "thread"])
def test_a_test_runs_on_the_executor_of_the_run_settings(qtbot, repo, executor):
    win = fresh_window(qtbot, repo)
    win.runs.runner.settings = RunSettings(executor=executor)
    write_code(qtbot, win, where_it_runs())
    pid, thread = press_test(qtbot, win).outputs["out"]
    if executor == "process":
        assert pid in shared_pool().live_pids() and pid != os.getpid()
    else:
        assert pid == os.getpid() and thread != threading.current_thread().name  # not the GUI's


def test_a_test_runs_on_a_dask_cluster_when_the_run_settings_say_so(qtbot, repo):
    pytest.importorskip("distributed")
    win = fresh_window(qtbot, repo)
    win.runs.runner.settings = RunSettings(executor="dask")
    write_code(qtbot, win, where_it_runs())
    try:
        _pid, thread = press_test(qtbot, win, timeout=60_000).outputs["out"]
    finally:
        win.runs.shutdown()
    assert "Dask" in thread or "ThreadPoolExecutor" in thread, thread


def test_a_test_of_a_files_code_asks_first_and_runs_nothing_unless_trusted(
    qtbot, repo, tmp_path, monkeypatch
):
    marker = tmp_path / "ran"
    spec = repo.specs["debug.fail"]
    code = f"def func(x):\n    open({str(marker)!r}, 'a').write('x')\n    return x\n"
    repo.replace_spec(spec.copy(func=code))
    path = tmp_path / "marks.json"
    save_repository(repo, path)
    win = fresh_window(qtbot)
    assert win.files.open_path(path)
    show_code(qtbot, win)
    editor = win.panels.spec_editor
    form = editor.test_form
    answers = Answers(monkeypatch, "Cancel")
    qtbot.keyClick(editor.editor, Key.Key_Return, Modifier.ControlModifier)
    assert len(answers.asked) == 1 and "Fail (debug.fail)" in answers.asked[0]
    assert "Test will run" in answers.asked[0]
    assert not form.running and form.result.toPlainText() == ""
    assert "Test cancelled" in win.statusBar().currentMessage()

    def close_the_question(box: QtWidgets.QMessageBox) -> int:
        answers.asked.append(box.text())
        box.reject()  # Esc, or the title bar's close button
        return 0

    monkeypatch.setattr(QtWidgets.QMessageBox, "exec", close_the_question)
    qtbot.mouseClick(form.test_button, QtCore.Qt.MouseButton.LeftButton)
    assert len(answers.asked) == 2
    assert not form.running and not marker.exists()  # a Test starts at once, or never
    Answers(monkeypatch, "Trust and run")
    outcome = press_test(qtbot, win)
    assert outcome.outputs == {"out": None} and marker.read_text() == "x"
