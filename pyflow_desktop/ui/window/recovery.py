"""No lost work: unsaved changes are autosaved to a recovery file, and a start after a crash
offers what it finds.

Every ``autosave/seconds`` (a setting, 30 by default) a window with unsaved changes writes
them to its own recovery file in the user's data folder (``recovery/`` under the platform's
application data location), never beside the user's file. The file holds the repository in
our native format with the path it belongs to, the time and the flow names. While the window
lives it holds a lock file beside it; a recovery whose lock is free was left by a program
that ended without cleaning up (a crash), so the next start offers it. A save, a discarded
document and a clean close remove the window's recovery file.

State: ``folder``, ``file`` and ``lock`` (this window's recovery file and its lock),
``timer`` (the autosave interval).
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6 import QtCore, QtWidgets

from ...repository import Repository, RepositoryError, parse_repository
from ...repository.file_text import read_text
from ...repository.json_text import parse_json
from ...repository.writer import repository_to_dict, write_atomically
from .shell import Shell
from .user_settings import data_folder, settings

MARK = "pyflow_desktop_recovery"
DEFAULT_SECONDS = 30


def recovery_folder() -> Path:
    return data_folder() / "recovery"


@dataclass
class Found:
    """A recovery file left by a window that did not close cleanly."""

    file: Path
    source: str | None  # the path of the user's file it belongs to (None: never saved)
    saved: float  # when it was written (seconds since the epoch)
    flows: list[str]
    problem: str = ""  # why it cannot be restored, if it cannot
    session: dict[str, Any] | None = None  # the tabs, views and viewers it had open

    def describe(self) -> str:
        when = time.strftime("%Y-%m-%d %H:%M", time.localtime(self.saved)) if self.saved else "?"
        name = self.source or "an unsaved repository"
        flows = ", ".join(self.flows[:6]) + (" …" if len(self.flows) > 6 else "")
        detail = f"unreadable: {self.problem}" if self.problem else f"flows: {flows or 'none'}"
        return f"{name} — autosaved {when} — {detail}"

    def repository(self) -> Repository:
        """The repository it holds; raises ``RepositoryError`` if it is not readable."""
        data = _read(self.file)
        repo, problems = parse_repository(data.get("repository"))
        if problems:
            raise problems[0].with_file(str(self.file))
        return repo

    def discard(self) -> None:
        self.file.unlink(missing_ok=True)
        _lock_path(self.file).unlink(missing_ok=True)


class Recovery(QtCore.QObject):
    """Autosaves one window's unsaved changes and cleans up after it."""

    def __init__(
        self, shell: Shell, session: Callable[[], dict[str, Any]], folder: Path | None = None
    ) -> None:
        """``session()``: what the window shows (tabs, views, viewers), kept along."""
        super().__init__(shell)
        self.shell, self.session = shell, session
        self.folder = folder or recovery_folder()
        self.folder.mkdir(parents=True, exist_ok=True)
        self.file = self.folder / f"{uuid.uuid4().hex}.json"
        self.lock = QtCore.QLockFile(str(_lock_path(self.file)))
        self.lock.setStaleLockTime(0)  # only a dead owner frees it
        self.lock.tryLock(0)
        self.timer = QtCore.QTimer(self, interval=self.seconds() * 1000)
        self.timer.timeout.connect(self.autosave)
        self.timer.start()
        shell.undo_stack.cleanChanged.connect(lambda clean: clean and self.discard())

    @staticmethod
    def seconds() -> int:
        try:
            return max(1, int(settings().value("autosave/seconds", DEFAULT_SECONDS)))
        except (TypeError, ValueError):
            return DEFAULT_SECONDS

    def autosave(self) -> bool:
        """Write the unsaved changes to this window's recovery file (atomically)."""
        shell = self.shell
        if shell.repo is None or shell.undo_stack.isClean():
            return False
        data = {
            MARK: 1,
            "source": str(shell.path) if shell.path else None,
            "saved": time.time(),
            "flows": [flow.name for flow in shell.repo.flows.values()],
            "session": self.session(),
            "repository": repository_to_dict(shell.repo, "native"),
        }
        try:
            write_atomically(self.file, [json.dumps(data).encode("utf-8")])
        except (OSError, ValueError) as error:
            shell.show_message(f"Autosave failed: {error}")
            return False
        return True

    def discard(self) -> None:
        """Nothing is unsaved any more: the recovery file goes."""
        self.file.unlink(missing_ok=True)

    def close(self) -> None:
        """A clean close: no recovery file, and the lock goes too."""
        self.timer.stop()
        self.discard()
        self.lock.unlock()

    def offer(self, restore: Callable[[Found], bool]) -> None:
        """After a crash: offer each recovery found, newest first, to restore (into this
        window, by ``restore``), discard, or keep for later."""
        for found in self.orphans():
            box = QtWidgets.QMessageBox(
                QtWidgets.QMessageBox.Icon.Question,
                "Recover unsaved work",
                "PyFlow Desktop did not close cleanly. Unsaved work was kept:",
                parent=self.shell,
            )
            box.setInformativeText(found.describe())
            choices = {}
            if not found.problem:
                choices[box.addButton("Restore", QtWidgets.QMessageBox.ButtonRole.AcceptRole)] = (
                    "restore"
                )
            choices[box.addButton("Discard", QtWidgets.QMessageBox.ButtonRole.DestructiveRole)] = (
                "discard"
            )
            box.addButton("Later", QtWidgets.QMessageBox.ButtonRole.RejectRole)
            box.exec()
            answer = choices.get(box.clickedButton())
            if answer == "discard":
                found.discard()
            elif answer == "restore" and restore(found):
                return  # this window holds one document: the others wait for the next start
            elif answer is None:
                return

    def orphans(self) -> list[Found]:
        """Recovery files whose window ended without cleaning up, newest first."""
        found = []
        for file in self.folder.glob("*.json"):
            if file == self.file:
                continue
            lock = QtCore.QLockFile(str(_lock_path(file)))
            lock.setStaleLockTime(0)
            if not lock.tryLock(0):
                continue  # its window is still open (another running copy of the app)
            lock.unlock()
            found.append(_describe(file))
        return sorted(found, key=lambda item: -item.saved)


def _lock_path(file: Path) -> Path:
    return file.with_suffix(".lock")


def _read(file: Path) -> dict[str, Any]:
    try:
        data, problems = parse_json(read_text(file))
    except RepositoryError as error:
        raise error.with_file(str(file)) from None
    if problems:
        raise problems[0].with_file(str(file))
    if not (isinstance(data, dict) and data.get(MARK) == 1):
        raise RepositoryError("not a PyFlow Desktop recovery file", file=str(file))
    return data


def _describe(file: Path) -> Found:
    try:
        data = _read(file)
    except RepositoryError as error:
        return Found(file, None, file.stat().st_mtime, [], problem=error.message)
    source, flows, saved = data.get("source"), data.get("flows"), data.get("saved")
    session = data.get("session")
    if not (isinstance(saved, (int, float)) and 0 <= saved < 1e11):
        saved = file.stat().st_mtime
    return Found(
        file,
        source if isinstance(source, str) else None,
        float(saved),
        [str(flow) for flow in flows[:1000]] if isinstance(flows, list) else [],
        session=session if isinstance(session, dict) else None,
    )
