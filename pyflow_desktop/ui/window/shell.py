"""What the window's action groups share: the ``Shell`` they work in, and ``add_action``.

The action groups (files, edits, runs, flow tabs, panels) are owned by ``MainWindow`` but
never import it: each takes the window as a ``Shell``, the few members it needs, so the
imports only go one way.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Repository
from .log_panel import LogPanel


class Shell(Protocol):
    """The main window as its action groups see it: a ``QMainWindow`` holding the open
    repository, its file, the undo stack of its edits and the Log."""

    repo: Repository
    path: Path | None
    undo_stack: QtGui.QUndoStack
    ask_on_close: bool
    log: LogPanel
    log_dock: QtWidgets.QDockWidget
    repository_changed: QtCore.SignalInstance

    def set_repository(self, repo: Repository, path: Path | None) -> None: ...

    def set_path(self, path: Path) -> None: ...

    def show_message(self, text: str) -> None: ...

    def add_dock(
        self, name: str, title: str, widget: QtWidgets.QWidget, area: QtCore.Qt.DockWidgetArea
    ) -> QtWidgets.QDockWidget: ...

    def statusBar(self) -> QtWidgets.QStatusBar: ...

    def close(self) -> bool: ...


def add_action(
    menu: QtWidgets.QMenu,
    text: str,
    slot: Callable[[], Any],
    keys: list[QtGui.QKeySequence] | None = None,
) -> QtGui.QAction:
    """Add a menu entry that calls ``slot()``, on ``keys`` too (``shortcuts.keys``: the
    menu shows the first)."""
    action = menu.addAction(text)
    action.triggered.connect(lambda _checked=False: slot())
    if keys:
        action.setShortcuts(keys)
    return action
