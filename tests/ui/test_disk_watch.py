"""A file changed on disk by another program (``ui/window/disk_watch.py``): the window notices
and asks — Reload, Keep mine or Compare, which shows only what differs in content — and a save
never silently overwrites a change it has not seen."""

from __future__ import annotations

import json

from helpers import Answers, fresh_window
from PySide6 import QtWidgets

from pyflow_desktop.repository import load_repository


def write_other_content(path, value: str) -> None:
    data = json.loads(path.read_text())
    data["flow"]["calc"]["nodes"][0]["ports"][0]["value"] = value
    path.write_text(json.dumps(data))


def test_a_file_changed_on_disk_is_noticed_and_can_be_reloaded(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    answers = Answers(monkeypatch, "Reload")
    write_other_content(repo_file, "99")
    qtbot.waitUntil(lambda: bool(answers.asked), timeout=5000)
    assert "changed by another program" in answers.asked[0]
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "99"
    assert not win.isWindowModified()


def test_keeping_mine_marks_the_document_unsaved_and_a_save_replaces_knowingly(
    qtbot, repo_file, monkeypatch
):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    answers = Answers(monkeypatch, "Keep mine")
    write_other_content(repo_file, "99")
    qtbot.waitUntil(lambda: bool(answers.asked), timeout=5000)
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "2" and win.isWindowModified()
    assert win.files.save_to(repo_file)  # the change was seen: no second question
    assert len(answers.asked) == 1
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "2"


def test_a_save_never_silently_overwrites_a_change_it_has_not_seen(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    win.disk.watcher.removePaths(win.disk.watcher.files())  # the change goes unnoticed
    write_other_content(repo_file, "99")
    answers = Answers(monkeypatch, "Cancel", "Replace")
    assert not win.files.save_to(repo_file)
    assert "changed on disk" in answers.asked[0]
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "99"
    assert win.files.save_to(repo_file)
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "2"


def test_compare_shows_what_differs_before_choosing(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    shown = []

    def compare(dialog):
        text = dialog.findChild(QtWidgets.QPlainTextEdit).toPlainText()
        shown.append(text)
        next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.text() == "Reload").click()
        return 0

    monkeypatch.setattr(QtWidgets.QDialog, "exec", compare)
    answers = Answers(monkeypatch, "Compare…")
    write_other_content(repo_file, "99")
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    assert '"value": "99"' in shown[0] and "+++ on disk" in shown[0]
    assert len(answers.asked) == 1
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "99"


def test_compare_shows_only_what_differs_in_content(qtbot, repo_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    shown = []

    def compare(dialog):
        shown.append(dialog.findChild(QtWidgets.QPlainTextEdit).toPlainText())
        next(b for b in dialog.findChildren(QtWidgets.QPushButton) if b.text() == "Reload").click()
        return 0

    monkeypatch.setattr(QtWidgets.QDialog, "exec", compare)
    Answers(monkeypatch, "Compare…")
    data = json.loads(repo_file.read_text())
    data["flow"]["calc"]["nodes"][0]["ports"][0]["value"] = "99"
    repo_file.write_text(json.dumps(data, indent=None))  # another program, another layout
    qtbot.waitUntil(lambda: bool(shown), timeout=5000)
    changed = [
        line for line in shown[0].splitlines() if line[:1] in "+-" and line[:3] not in "+++---"
    ]
    assert len(changed) == 2 and '"99"' in changed[1], shown[0]
