"""``pyflow-desktop --install-desktop-entry``: a Linux menu entry and icon for this install.

Writes ``pyflow-desktop.desktop`` to ``$XDG_DATA_HOME/applications`` and the icon to
``$XDG_DATA_HOME/icons/hicolor/scalable/apps`` (``~/.local/share`` when unset), pointing at the
program that is running now (the ``pyflow-desktop`` script, or a bundle's executable). The
menus of Windows and macOS are not made of these files: there it refuses (``ELSEWHERE``).
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from ..resources import APP_ICON, resource_path

FREEDESKTOP = sys.platform not in ("win32", "darwin")  # menus of .desktop files: Linux, BSDs
ELSEWHERE = (
    "--install-desktop-entry makes a Linux desktop's menu entry, which this system does not "
    "read. On Windows start the window with pyflow-desktop-gui (no console window; pin it or "
    "make a shortcut to it), on macOS use the PyFlow Desktop.app bundle; see the README's "
    "Installing and bundles."
)

ENTRY = """[Desktop Entry]
Type=Application
Name=PyFlow Desktop
GenericName=Flow editor
Comment=Build and run flows of Python functions
Exec={exec} %f
Icon=pyflow-desktop
Terminal=false
Categories=Development;IDE;
MimeType=application/json;
"""


def program() -> str:
    """How to start this install of PyFlow Desktop, as an absolute command."""
    if getattr(sys, "frozen", False):
        return sys.executable
    script = Path(sys.argv[0])
    if script.name.startswith("pyflow-desktop") and script.exists():
        return str(script.resolve())
    return shutil.which("pyflow-desktop") or f"{sys.executable} -m pyflow_desktop"


def install(data_home: Path | None = None) -> list[Path]:
    """Write the entry and the icon; returns the files written."""
    base = data_home or Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local/share")
    entry = base / "applications" / "pyflow-desktop.desktop"
    icon = base / "icons" / "hicolor" / "scalable" / "apps" / "pyflow-desktop.svg"
    for path in (entry, icon):
        path.parent.mkdir(parents=True, exist_ok=True)
    command = program()
    quoted = command if " " not in command or command.startswith(sys.executable) else f'"{command}"'
    entry.write_text(ENTRY.format(exec=quoted), encoding="utf-8")
    shutil.copyfile(resource_path(APP_ICON), icon)
    return [entry, icon]
