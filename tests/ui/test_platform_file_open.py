"""A file the system hands the running application (macOS: opened from Finder, or dropped
on the Dock icon) opens in the window, as File › Open opens it. The system's event is sent
here to the real application."""

from __future__ import annotations

from helpers import fresh_window
from PySide6 import QtGui, QtWidgets

from pyflow_desktop.ui.window.main_window import MainWindow

Button = QtWidgets.QMessageBox.StandardButton


def hand_over(path) -> None:
    """What macOS does when the user opens ``path`` with the application."""
    QtWidgets.QApplication.sendEvent(
        QtWidgets.QApplication.instance(), QtGui.QFileOpenEvent(str(path))
    )


def test_a_file_opened_from_the_system_opens_in_the_window(qtbot, repo_file):
    win = fresh_window(qtbot)
    hand_over(repo_file)
    qtbot.waitUntil(lambda: win.path == repo_file.resolve(), timeout=5000)
    assert set(win.repo.flows) == {"calc", "broken"}
    assert win.tabs.canvases, "its flow is shown"


def test_unsaved_changes_are_asked_about_first(qtbot, repo, repo_file, monkeypatch):
    win = MainWindow()  # asks before another file replaces the changes
    qtbot.addWidget(win)
    win.show()
    win.set_repository(repo, None)
    win.tabs.open_flow("calc")
    win.tabs.current()[1].set_value("n1", "a", "41")
    asked, replies = [], [Button.Cancel, Button.Discard]

    def question(parent, title, text, *args):
        asked.append(text)
        return replies.pop(0)

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", question)
    hand_over(repo_file)
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    assert win.path is None and win.repo.flows["calc"].nodes["n1"].values["a"] == "41"
    hand_over(repo_file)
    qtbot.waitUntil(lambda: win.path == repo_file.resolve(), timeout=5000)
    assert "Save the changes" in asked[1]
    assert win.repo.flows["calc"].nodes["n1"].values["a"] != "41"
    win.ask_on_close = False


def test_a_file_that_cannot_be_read_is_said_and_the_window_keeps_its_own(
    qtbot, repo, tmp_path, monkeypatch
):
    win = fresh_window(qtbot, repo)
    bad = tmp_path / "bad.json"
    bad.write_text('{"flow": {', encoding="utf-8")
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "warning", lambda parent, title, text: shown.append(text)
    )
    hand_over(bad)
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert "bad.json" in shown[0]
    assert win.repo is repo
