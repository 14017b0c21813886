"""The user's settings: window layout, recent files and run settings, kept by ``QSettings``."""

from __future__ import annotations

from typing import Any

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


def string_list(value: Any) -> list[str]:
    """A list read back from the settings: ``QSettings`` gives a plain string for a one-item
    list and ``None`` for an empty one."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]
