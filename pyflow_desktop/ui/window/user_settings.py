"""The user's settings (window layout, recent files and run settings, kept by ``QSettings``)
and the user's data folder (recoveries, My nodes).

Both are in the system's places (the registry and ``%APPDATA%`` on Windows, ``~/Library`` on
macOS, ``~/.config`` and ``~/.local/share`` on Linux) unless ``PYFLOW_DESKTOP_DATA_DIR``
names a folder: then both are there (the settings as ``settings.ini``), whatever the system.
The self-test and the tests use it, so they never touch the user's own.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6 import QtCore

ORGANIZATION = APPLICATION = "PyFlow Desktop"
USER_NODES = "nodes"  # the My nodes folder, in the data folder
DATA_DIR = "PYFLOW_DESKTOP_DATA_DIR"  # the environment variable naming a folder for both


def settings() -> QtCore.QSettings:
    """The user's settings (in the default format and place, or in ``DATA_DIR``)."""
    chosen = os.environ.get(DATA_DIR)
    if chosen:
        return QtCore.QSettings(
            str(Path(chosen) / "settings.ini"), QtCore.QSettings.Format.IniFormat
        )
    return QtCore.QSettings(
        QtCore.QSettings.defaultFormat(),
        QtCore.QSettings.Scope.UserScope,
        ORGANIZATION,
        APPLICATION,
    )


def string_list(value: Any) -> list[str]:
    """A list read back from the settings: ``QSettings`` gives a plain string for a one-item
    list and ``None`` for an empty one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def data_folder() -> Path:
    """The user's data folder for PyFlow Desktop (Qt's application data location, or
    ``DATA_DIR``), the same for the window and the command line."""
    chosen = os.environ.get(DATA_DIR)
    if chosen:
        return Path(chosen)
    QtCore.QCoreApplication.setOrganizationName(ORGANIZATION)
    QtCore.QCoreApplication.setApplicationName(APPLICATION)
    location = QtCore.QStandardPaths.StandardLocation.AppDataLocation
    return Path(QtCore.QStandardPaths.writableLocation(location))


def user_nodes_folder() -> Path:
    """My nodes: the user's own node files."""
    return data_folder() / USER_NODES
