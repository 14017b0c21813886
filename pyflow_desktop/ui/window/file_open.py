"""Files the system hands the running application: on macOS a document opened from Finder,
or dropped on the Dock icon, arrives as a ``QFileOpenEvent`` sent to the application object,
not on the command line (the bundle declares JSON files as documents it opens:
``build_app.spec``). ``Application`` turns that event into a signal, as Qt's documentation
advises, rather than an application-wide event filter, which would call Python for every
event of every widget."""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets


class Application(QtWidgets.QApplication):
    """The application object; ``file_open(path)`` when the system hands it a file."""

    file_open = QtCore.Signal(str)

    def event(self, event: QtCore.QEvent) -> bool:
        if event.type() != QtCore.QEvent.Type.FileOpen:
            return super().event(event)
        path = QtGui.QFileOpenEvent.file(event)  # a URL without a local file gives ""
        if path:
            self.file_open.emit(path)
        return True


def follow_file_open(open_file: Callable[[str], object]) -> None:
    """Call ``open_file(path)`` (a bound method of a live QObject) with each file the system
    hands the application, once the event has been delivered (it may ask about unsaved
    changes). Under another application object (a host's), there are none."""
    app = QtWidgets.QApplication.instance()
    if isinstance(app, Application):
        app.file_open.connect(open_file, QtCore.Qt.ConnectionType.QueuedConnection)
