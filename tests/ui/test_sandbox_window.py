"""The sandbox in the window: Run settings' Sandbox, the trust question's "Run in sandbox",
and where no sandbox can run, a reason shown and no run unsandboxed."""

from __future__ import annotations

import os
import shutil
import sys

import pytest
from helpers import Answers, action, fresh_window
from PySide6 import QtWidgets
from test_trust_window import run_by_menu

from pyflow_desktop.repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    save_repository,
)
from pyflow_desktop.ui.run.settings import RunSettings, RunSettingsDialog
from pyflow_desktop.ui.window.user_settings import settings

needs_bwrap = pytest.mark.skipif(
    shutil.which("bwrap") is None or sys.platform != "linux",
    reason="bubblewrap (bwrap) is not installed: apt/dnf/pacman install bubblewrap",
)

SEES_OWNER = "import os\ndef func(pid):\n    return os.path.exists('/proc/' + pid)\n"


@pytest.fixture
def probe_file(tmp_path):
    """A file whose one node tells whether it sees this process in /proc."""
    repo = Repository()
    repo.add_spec(NodeSpec("probe", "Probe", [Port("pid", "String", 0)], [Port("out")], SEES_OWNER))
    flow = Flow("f")
    flow.add_node(NodeInstance("p", "probe", values={"pid": str(os.getpid())}))
    repo.add_flow(flow)
    path = tmp_path / "probe.json"
    save_repository(repo, path, "native")
    return path


def seen(win) -> str:
    return win.tabs.current()[0].flow_node("p").preview("out")


@needs_bwrap
def test_run_in_sandbox_runs_untrusted_code_confined_once(qtbot, probe_file, monkeypatch):
    win = fresh_window(qtbot)
    win.runs.runner.settings = RunSettings(executor="process", workers=1, cache=False)
    assert win.files.open_path(probe_file)
    win.tabs.open_flow("f")
    answers = Answers(monkeypatch, "Run in sandbox", "Trust and run")
    assert run_by_menu(qtbot, win) is True
    assert "Run in sandbox: this run only" in answers.asked[0]
    assert seen(win) == "false", "a sandboxed worker does not see the window's process"
    assert "in a sandbox: 1 node(s)" in win.log.toPlainText()
    assert run_by_menu(qtbot, win) is True
    assert len(answers.asked) == 2, "the code stayed untrusted: asked again"
    assert seen(win) == "true"
    assert win.log.toPlainText().count("in a sandbox") == 1


@needs_bwrap
def test_the_sandbox_setting_runs_every_run_confined(qtbot, probe_file, monkeypatch):
    win = fresh_window(qtbot)
    assert win.files.open_path(probe_file)
    win.tabs.open_flow("f")
    Answers(monkeypatch, "Trust and run")
    win.runs.runner.settings = RunSettings(executor="process", cache=False, sandbox=True)
    assert run_by_menu(qtbot, win) is True and seen(win) == "false"
    win.runs.runner.settings = RunSettings(executor="process", cache=False)
    assert run_by_menu(qtbot, win) is True and seen(win) == "true"


def test_the_dialog_sets_and_keeps_the_sandbox(qtbot, window, monkeypatch):
    dialog = RunSettingsDialog(RunSettings(executor="thread"))
    qtbot.addWidget(dialog)
    assert not dialog.sandbox_writable.isEnabled()
    dialog.sandbox.setChecked(True)
    assert dialog.executor.currentData() == "process" and not dialog.executor.isEnabled()
    assert dialog.sandbox_writable.isEnabled()
    dialog.sandbox_writable.setChecked(True)
    chosen = dialog.settings()
    assert chosen == RunSettings("process", sandbox=True, sandbox_writable=True)
    monkeypatch.setattr(RunSettingsDialog, "exec", lambda self: RunSettingsDialog.Accepted)
    monkeypatch.setattr(RunSettingsDialog, "settings", lambda self: chosen)
    window.runs.edit_run_settings()
    assert RunSettings.load(settings()) == chosen


def test_without_bwrap_the_options_say_why_and_no_run_goes_unsandboxed(
    qtbot, probe_file, tmp_path, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    dialog = RunSettingsDialog(RunSettings())
    qtbot.addWidget(dialog)
    assert not dialog.sandbox.isEnabled()
    assert "No sandbox here: " in dialog.sandbox_note.text()
    assert "bwrap is not installed (install the package bubblewrap)" in dialog.sandbox_note.text()
    kept = RunSettingsDialog(RunSettings(executor="process", sandbox=True))
    qtbot.addWidget(kept)
    assert kept.sandbox.isChecked() and kept.sandbox.isEnabled(), "never dropped unseen"
    assert "Runs fail until" in kept.sandbox_note.text()

    win = fresh_window(qtbot)
    assert win.files.open_path(probe_file)
    win.tabs.open_flow("f")
    buttons: dict[str, bool] = {}

    def cancel(box: QtWidgets.QMessageBox) -> int:
        buttons.update({b.text().replace("&", ""): b.isEnabled() for b in box.buttons()})
        assert "No sandbox here: bwrap is not installed" in box.informativeText()
        next(b for b in box.buttons() if b.text().replace("&", "") == "Cancel").click()
        return 0

    monkeypatch.setattr(QtWidgets.QMessageBox, "exec", cancel)
    win.runs.runner.settings = RunSettings(executor="process", cache=False)
    assert run_by_menu(qtbot, win) is None
    assert buttons == {"Trust and run": True, "Run in sandbox": False, "Cancel": True}
    Answers(monkeypatch, "Trust and run")
    win.runs.runner.settings = RunSettings(executor="process", cache=False, sandbox=True)
    assert run_by_menu(qtbot, win) is None
    assert "bwrap is not installed" in win.statusBar().currentMessage()
    assert win.runs.runner.last_result is None and seen(win) == ""
    assert action(win, "Run", "Run").isEnabled()
