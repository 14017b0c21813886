"""Unsaved work is not lost (``ui/window/recovery.py``): it is autosaved to a recovery file away
from the document, offered back after a crash with its tabs, and cleaned up once saved or
discarded."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from helpers import Answers, fresh_window

from pyflow_desktop.repository import load_repository
from pyflow_desktop.ui.window.user_settings import settings

CRASHING_SESSION = """
import os, sys
from PySide6 import QtCore
from pyflow_desktop.ui.window.app import application
from pyflow_desktop.ui.window.main_window import MainWindow

# The test's own settings and data folder: PYFLOW_DESKTOP_DATA_DIR, from conftest.
app = application()
window = MainWindow()
window.files.open_path(sys.argv[1])
window.tabs.current()[1].set_value("n1", "a", "41")  # an unsaved edit
QtCore.QTimer.singleShot(2500, lambda: os._exit(1))  # then the program dies
app.exec()
"""


def test_unsaved_changes_are_autosaved_away_from_the_file_and_cleaned_up(qtbot, repo_file):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    recovery = win.recovery
    assert not recovery.autosave()  # nothing unsaved: nothing written
    win.tabs.current()[1].set_value("n1", "a", "41")
    assert recovery.autosave()
    assert recovery.file.parent != repo_file.parent and recovery.file.exists()
    kept = json.loads(recovery.file.read_text())
    assert kept["source"] == str(repo_file.resolve())
    assert kept["repository"]["flow"]["calc"]["nodes"][0]["ports"][0]["value"] == "41"
    assert json.loads(repo_file.read_text())["flow"]["calc"]["nodes"][0]["ports"][0]["value"] == "2"
    win.files.save_to(repo_file)  # saved: nothing to recover any more
    assert not recovery.file.exists()
    win.tabs.current()[1].set_value("n1", "a", "42")
    assert recovery.autosave()
    win.close()  # a clean close (this window never asks) leaves nothing behind
    assert not recovery.file.exists()
    assert not list(recovery.folder.iterdir())


def test_a_file_opened_through_a_symlink_is_saved_and_autosaved_with_the_link_kept(
    qtbot, repo_file, tmp_path
):
    desk = tmp_path / "desk"
    desk.mkdir()
    link = desk / "linked.json"
    link.symlink_to(repo_file)
    win = fresh_window(qtbot)
    assert win.files.open_path(link)
    win.tabs.current()[1].set_value("n1", "a", "41")
    assert win.recovery.autosave()
    assert json.loads(win.recovery.file.read_text())["source"] == str(repo_file.resolve())
    win.files.save_to(link)
    assert link.is_symlink() and link.resolve() == repo_file.resolve()
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "41"
    assert (repo_file.parent / "repo.json.bak").exists()
    assert [p.name for p in desk.iterdir()] == ["linked.json"]
    assert not win.recovery.file.exists()
    win.close()


def test_the_autosave_interval_is_a_setting(qtbot, repo):
    settings().setValue("autosave/seconds", 1)
    win = fresh_window(qtbot, repo)
    assert win.recovery.timer.interval() == 1000
    win.tabs.open_flow("calc")
    win.tabs.current()[1].set_value("n1", "a", "7")
    qtbot.waitUntil(win.recovery.file.exists, timeout=3000)


def test_after_a_crash_the_next_start_offers_the_work_to_restore(qtbot, repo_file, monkeypatch):
    settings().setValue("autosave/seconds", 1)
    settings().sync()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", CRASHING_SESSION, str(repo_file)],
        env=env,
        timeout=60,
    )
    assert done.returncode == 1  # died without cleaning up
    win = fresh_window(qtbot)
    (found,) = win.recovery.orphans()
    assert found.source == str(repo_file.resolve()) and found.flows == ["Calculation", "Broken"]
    answers = Answers(monkeypatch, "Restore")
    win.recovery.offer(win.restore)
    assert str(repo_file.resolve()) in answers.asked[0]
    assert win.path == repo_file.resolve()
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "41"
    assert win.isWindowModified()  # restored as unsaved work: the file is as it was
    assert load_repository(repo_file).flows["calc"].nodes["n1"].values["a"] == "2"
    assert not found.file.exists() and win.recovery.orphans() == []


def test_a_recovery_can_be_discarded_and_a_live_windows_is_never_offered(
    qtbot, repo, repo_file, monkeypatch
):
    other = fresh_window(qtbot, repo)  # still open: its recovery is its own
    other.tabs.open_flow("calc")
    other.tabs.current()[1].set_value("n1", "a", "5")
    assert other.recovery.autosave()
    win = fresh_window(qtbot)
    assert win.recovery.orphans() == []
    other.recovery.lock.unlock()  # as if that program had crashed
    (found,) = win.recovery.orphans()
    Answers(monkeypatch, "Discard")
    win.recovery.offer(win.restore)
    assert not found.file.exists()


def test_a_restore_brings_back_the_tabs_that_were_open(qtbot, repo, monkeypatch):
    crashed = fresh_window(qtbot, repo)
    crashed.tabs.open_flow("calc")
    crashed.tabs.open_flow("broken")
    crashed.tabs.current()[1].set_value("f1", "x", "5")
    assert crashed.recovery.autosave()
    crashed.recovery.lock.unlock()  # as if that program had crashed
    win = fresh_window(qtbot)
    Answers(monkeypatch, "Restore")
    win.recovery.offer(win.restore)
    assert sorted(win.tabs.canvases) == ["broken", "calc"]
    assert win.tabs.current()[1].flow.id == "broken"
    assert win.repo.flows["broken"].nodes["f1"].values["x"] == "5"
