"""What an install gives each platform: the Linux menu entry only where menus read it, and a
window command with no console window on Windows (``pyflow-desktop-gui``)."""

from __future__ import annotations

import os
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

NOT_FREEDESKTOP = (
    "import sys\n"
    "from pyflow_desktop.cli import desktop_entry, main\n"
    "desktop_entry.FREEDESKTOP = False  # as on Windows and macOS\n"
    "sys.exit(main(['--install-desktop-entry']))\n"
)


def test_the_desktop_entry_is_refused_where_no_menu_reads_it(tmp_path):
    done = subprocess.run(
        [sys.executable, "-c", NOT_FREEDESKTOP],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        env={**os.environ, "XDG_DATA_HOME": str(tmp_path), "HOME": str(tmp_path)},
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith("error: --install-desktop-entry makes a Linux desktop's menu")
    assert "pyflow-desktop-gui" in done.stderr and "PyFlow Desktop.app" in done.stderr
    assert not list(tmp_path.iterdir()), "nothing is written"


def test_the_window_has_a_command_without_a_console_window():
    (gui,) = [
        e for e in metadata.entry_points(group="gui_scripts") if e.name == "pyflow-desktop-gui"
    ]
    (console,) = [
        e for e in metadata.entry_points(group="console_scripts") if e.name == "pyflow-desktop"
    ]
    assert gui.value == console.value == "pyflow_desktop.cli:main"


GUI_SCRIPT = Path(sys.executable).parent / "pyflow-desktop-gui"


@pytest.mark.skipif(
    not GUI_SCRIPT.exists(), reason="Windows' windowed launcher has no console to print to"
)
def test_the_window_command_is_the_program():
    done = subprocess.run(
        [str(GUI_SCRIPT), "--version"], capture_output=True, encoding="utf-8", timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("PyFlow Desktop ")
