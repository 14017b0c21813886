"""Changes on disk: the open file changed by another program is noticed, and a save never
silently overwrites a change it has not seen.

A ``QFileSystemWatcher`` follows the open file. The file's content hash when the window last
read or wrote it is ``known``; a change to any other content asks the user: reload it, keep
their own version (a later save then overwrites knowingly), or compare the two first. Before
a save over that file, a content the window has not seen asks again.

State: ``path`` (the file followed), ``known`` (the hash of its content as last read or
written), ``_stat`` (its size, modification time and inode then: a file that still has them
is not read and hashed again, which takes a tenth of a second at 40 MB), ``_asking`` (a question is
open: changes meanwhile wait for its answer).
"""

from __future__ import annotations

import difflib
import hashlib
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import RepositoryError, dump_repository, load_repository
from .shell import Shell

SETTLE_MS = 200  # writers often write in steps: look once they are done
DIFF_LINES = 5000


def _stat(path: Path | None) -> tuple[int, int, int] | None:
    """What tells a file changed without reading it: its size, time and inode (a save by
    rename makes a new one)."""
    try:
        status = path.stat() if path is not None else None
    except OSError:
        return None
    return (status.st_size, status.st_mtime_ns, status.st_ino) if status is not None else None


def content_hash(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None  # gone, or unreadable


class DiskWatch(QtCore.QObject):
    """Follows the window's file on disk; ``reload_requested(path)``: the user chose to open
    the file again, as it is on disk now."""

    reload_requested = QtCore.Signal(object)

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.path: Path | None = None
        self.known: str | None = None
        self._stat: tuple[int, int, int] | None = None
        self._asking = False
        self.watcher = QtCore.QFileSystemWatcher(self)
        self.watcher.fileChanged.connect(
            lambda _path: QtCore.QTimer.singleShot(SETTLE_MS, self.check)
        )

    def follow(self, path: Path | None) -> None:
        """The window shows ``path`` now, as it is on disk (``None``: no file)."""
        if self.watcher.files():
            self.watcher.removePaths(self.watcher.files())
        self.path = path
        self._stat = _stat(path)
        self.known = content_hash(path) if path is not None else None
        self._watch()

    def _watch(self) -> None:
        """(Re)watch the file: a save by rename replaces it, and watchers lose it then."""
        if (
            self.path is not None
            and self.path.exists()
            and str(self.path) not in self.watcher.files()
        ):
            self.watcher.addPath(str(self.path))

    def check(self) -> None:
        """Look at the file: a content the window has not seen asks what to do."""
        self._watch()
        if self._asking or self.path is None:
            return
        stat = _stat(self.path)
        if stat is not None and stat == self._stat:
            return
        now = content_hash(self.path)
        if now is None or now == self.known:
            self._stat = stat  # touched, not changed
            return
        self._asking = True
        try:
            self._ask_changed(now, stat)
        finally:
            self._asking = False

    def _ask_changed(self, now: str, stat: tuple[int, int, int] | None) -> None:
        answer = self._ask(
            f"{self.path} was changed by another program.",
            "Reload it, losing the changes made here since it was opened or saved? Or keep "
            "yours (saving will then replace the file's new content)?",
            ["Reload", "Keep mine", "Compare…"],
        )
        if answer == "Compare…":
            answer = self._compare()
        if answer == "Reload":
            self.reload_requested.emit(self.path)
        elif answer == "Keep mine":
            self.known, self._stat = now, stat
            self.shell.undo_stack.resetClean()  # what the window shows is not on disk any more

    def allow_save(self, path: Path) -> bool:
        """Whether saving to ``path`` may replace what is there: a content the window has not
        seen asks first."""
        if self.path is None or path.resolve() != self.path.resolve():
            return True
        if self._stat is not None and _stat(path) == self._stat:
            return True
        now = content_hash(path)
        if now is None or now == self.known:
            return True
        return (
            self._ask(
                f"{path} changed on disk since it was opened or saved here.",
                "Replace its new content with yours?",
                ["Replace", "Cancel"],
            )
            == "Replace"
        )

    def saved(self, path: Path, digest: str | None = None) -> None:
        """The window wrote ``path`` (whose content hash is ``digest``, when the writer knows
        it): that content is known now."""
        self.path, self._stat = path, _stat(path)
        self.known = digest if digest is not None else content_hash(path)
        self._watch()

    def _ask(self, text: str, detail: str, choices: list[str]) -> str:
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Warning, "File changed on disk", text, parent=self.shell
        )
        box.setInformativeText(detail)
        buttons = {
            box.addButton(c, QtWidgets.QMessageBox.ButtonRole.ActionRole): c for c in choices
        }
        box.exec()
        return buttons.get(box.clickedButton(), choices[-1])

    def _compare(self) -> str:
        """Show what differs (the window's version against the file's), then ask again."""
        try:  # both written the same way, so only what differs in content shows
            theirs = dump_repository(load_repository(self.path), "native").splitlines()
        except RepositoryError:  # not a repository any more: its text as it is
            theirs = self.path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as error:
            theirs = [f"cannot read the file: {error.strerror}"]
        mine = dump_repository(self.shell.repo, "native").splitlines()
        diff = list(difflib.unified_diff(mine, theirs, "open here", "on disk", lineterm=""))
        dialog = QtWidgets.QDialog(self.shell)
        dialog.setWindowTitle(f"Compare — {self.path.name}")
        text = QtWidgets.QPlainTextEdit(readOnly=True)
        text.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        text.setPlainText("\n".join(diff[:DIFF_LINES]) or "No difference in content.")
        buttons = QtWidgets.QDialogButtonBox()
        chosen = {}
        for choice in ("Reload", "Keep mine"):
            button = buttons.addButton(choice, QtWidgets.QDialogButtonBox.ButtonRole.AcceptRole)
            button.clicked.connect(lambda _=False, choice=choice: chosen.setdefault("c", choice))
        buttons.accepted.connect(dialog.accept)
        layout = QtWidgets.QVBoxLayout(dialog)
        layout.addWidget(text)
        layout.addWidget(buttons)
        dialog.resize(800, 600)
        dialog.exec()
        return chosen.get("c", "Keep mine")
