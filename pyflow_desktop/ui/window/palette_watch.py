"""The application's palette in the window, kept current: My nodes is watched, and read again
when a file in it comes, goes or changes, without a restart.

State: ``palette`` (the ``library.Palette`` as last read), ``folder`` (My nodes), ``watcher``
(the folder and its node files), ``_soon`` (gathers a burst of changes into one reading).
"""

from __future__ import annotations

from pathlib import Path

from PySide6 import QtCore, QtGui

from ...library import Palette, read_palette, reread_user
from ...library.sections import NODE_SUFFIXES
from .user_settings import user_nodes_folder

SETTLE_MS = 200  # an editor's save is a burst of events: read once it is over


class PaletteWatch(QtCore.QObject):
    """Reads the palette once, then My nodes again whenever its files change (``changed``)."""

    changed = QtCore.Signal()

    def __init__(self, parent: QtCore.QObject | None = None, folder: Path | None = None) -> None:
        super().__init__(parent)
        self.folder = folder or user_nodes_folder()
        self.palette: Palette = read_palette(self.folder)
        self.watcher = QtCore.QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(self._changed)
        self.watcher.fileChanged.connect(self._changed)
        self._soon = QtCore.QTimer(self, singleShot=True, interval=SETTLE_MS)
        self._soon.timeout.connect(self.reread)
        self._make_folder()
        self._watch()

    def _make_folder(self) -> bool:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError:
            return False
        return True

    def _watch(self) -> None:
        """Watch the folder (files come and go) and each node file in it (edits)."""
        watched = self.watcher.files() + self.watcher.directories()
        if watched:
            self.watcher.removePaths(watched)
        if not self.folder.is_dir():
            return
        files = [str(p) for p in self.folder.iterdir() if p.suffix in NODE_SUFFIXES]
        self.watcher.addPaths([str(self.folder), *files])

    def _changed(self, _path: str) -> None:
        self._soon.start()

    def reread(self) -> None:
        """Read My nodes again and say so."""
        self.palette = reread_user(self.palette)
        self._watch()
        self.changed.emit()

    def open_folder(self) -> bool:
        """Show My nodes in the file manager, made first if missing; False if it cannot be."""
        if not self._make_folder():
            return False
        self._watch()
        return QtGui.QDesktopServices.openUrl(QtCore.QUrl.fromLocalFile(str(self.folder)))
