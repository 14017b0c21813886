"""The user's settings: window layout, recent files and run settings, kept by ``QSettings``."""

from __future__ import annotations

from PySide6 import QtCore

ORGANIZATION = APPLICATION = "PyFlow Desktop"


def settings() -> QtCore.QSettings:
    """The user's settings (in the default format and place, so tests can redirect them)."""
    return QtCore.QSettings(
        QtCore.QSettings.defaultFormat(),
        QtCore.QSettings.Scope.UserScope,
        ORGANIZATION,
        APPLICATION,
    )
