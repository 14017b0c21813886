"""Files the system hands the running application: on macOS a document opened from Finder,
or dropped on the Dock icon, arrives as a ``QFileOpenEvent``, not on the command line (the
bundle declares JSON files as documents it opens: ``build_app.spec``)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets


class FileOpenFilter(QtCore.QObject):
    """Passes each file the system hands the application to ``open_file``, once the event
    is delivered (it may ask about unsaved changes). The newest window's filter gets it."""

    def __init__(self, open_file: Callable[[str], object], parent: QtCore.QObject) -> None:
        super().__init__(parent)
        self._open_file = open_file
        QtWidgets.QApplication.instance().installEventFilter(self)

    def eventFilter(self, watched: QtCore.QObject, event: QtCore.QEvent) -> bool:
        if event.type() != QtCore.QEvent.Type.FileOpen:
            return False
        path = QtGui.QFileOpenEvent.file(event)  # a URL without a local file gives ""
        if path:
            QtCore.QTimer.singleShot(0, lambda: self._open_file(path))
        return True
