"""What a bug report needs: the versions of PyFlow Desktop and of what it runs on.

``version_text()`` is what ``pyflow-desktop --version`` prints and Help › About shows. Versions
come from the installed packages' metadata (a bundle carries it), so nothing heavy is imported.
"""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import QtCore, QtWidgets

APP = "pyflow-desktop"
LIBRARIES = (
    ("PySide6", "PySide6-Essentials"),
    ("NodeGraphQt", "NodeGraphQt"),
    ("pyqtgraph", "pyqtgraph"),
)


def _version(distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "unknown"


def version_text() -> str:
    """Two lines: the app's version, then Python, Qt, PySide6, NodeGraphQt and pyqtgraph."""
    parts = [f"Python {platform.python_version()}", f"Qt {QtCore.qVersion()}"]
    parts += [f"{name} {_version(distribution)}" for name, distribution in LIBRARIES]
    return f"PyFlow Desktop {_version(APP)}\n{', '.join(parts)} on {platform.platform(terse=True)}"


def show_about(parent: QtWidgets.QWidget) -> None:
    box = QtWidgets.QMessageBox(parent)
    box.setWindowTitle("About PyFlow Desktop")
    box.setIconPixmap(parent.windowIcon().pixmap(64, 64))
    box.setText("<b>PyFlow Desktop</b><br>Flow-based programming in Python.")
    box.setInformativeText(version_text())
    box.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()
