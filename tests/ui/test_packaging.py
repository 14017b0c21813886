"""What an installed program (or a bundle) says about itself: --version, --self-test, the
About box, the icon on every window, the Linux menu entry."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
from helpers import action, fresh_window
from PySide6 import QtWidgets

from pyflow_desktop.cli.desktop_entry import FREEDESKTOP, install
from pyflow_desktop.resources import APP_ICON, resource_path

PROGRAM = Path(sys.executable).parent / "pyflow-desktop"


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def test_version_names_what_a_bug_report_needs():
    done = cli("--version", env={k: v for k, v in os.environ.items() if k != "QT_QPA_PLATFORM"})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == f"PyFlow Desktop {metadata.version('pyflow-desktop')}"
    for name, distribution in (
        ("Python", None),
        ("PySide6", "PySide6-Essentials"),
        ("NodeGraphQt", "NodeGraphQt"),
        ("pyqtgraph", "pyqtgraph"),
    ):
        expected = f"{name} {metadata.version(distribution)}" if distribution else name
        assert expected in lines[1]
    assert "Qt 6." in lines[1]


@pytest.mark.skipif(not PROGRAM.exists(), reason="the pyflow-desktop script is not installed")
def test_the_self_test_passes_with_no_display_and_a_bare_environment():
    done = subprocess.run(
        ["env", "-i", str(PROGRAM), "--self-test"], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "examples.math runs in worker processes" in done.stdout
    assert "a generator streams" in done.stdout
    assert done.stdout.strip().endswith("self-test passed")


FAILING_SELF_TEST = """
import sys
from pyflow_desktop.ui.window import self_test
self_test.EXPECTED_MATH["n6"] = "999"  # a result the window will not show
sys.exit(self_test.main())
"""


def test_a_self_test_that_fails_says_what_and_exits_1():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", FAILING_SELF_TEST],
        capture_output=True,
        text=True,
        timeout=180,
        env=env,
    )
    assert done.returncode == 1
    assert "FAILED: examples.math n6 shows 999 (it shows '1.33')" in done.stderr
    assert "self-test FAILED: 1 problem(s)" in done.stdout


def test_help_about_shows_the_versions(qtbot, monkeypatch):
    from pyflow_desktop.ui.window.about import version_text

    win = fresh_window(qtbot)
    shown = []
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "exec", lambda box: shown.append(box.informativeText())
    )
    action(win, "Help", "About PyFlow Desktop").trigger()
    assert shown == [version_text()]


def test_every_window_has_the_apps_icon(qtbot):
    from pyflow_desktop.ui.window.app import application

    app = application()
    assert not app.windowIcon().isNull()
    assert not fresh_window(qtbot).windowIcon().isNull()


@pytest.mark.skipif(not FREEDESKTOP, reason="Windows and macOS refuse it: test_platform_install")
def test_the_desktop_entry_starts_this_install_with_its_icon(tmp_path):
    entry, icon = install(tmp_path)
    text = entry.read_text()
    assert entry == tmp_path / "applications" / "pyflow-desktop.desktop"
    assert "Icon=pyflow-desktop" in text and "Type=Application" in text
    command = next(line for line in text.splitlines() if line.startswith("Exec="))
    assert command.endswith(" %f") and "pyflow" in command
    assert icon.read_bytes() == resource_path(APP_ICON).read_bytes()
    done = cli(
        "--install-desktop-entry", env={**os.environ, "XDG_DATA_HOME": str(tmp_path / "xdg")}
    )
    assert done.returncode == 0
    assert (tmp_path / "xdg" / "applications" / "pyflow-desktop.desktop").exists()
    assert "wrote" in done.stdout
