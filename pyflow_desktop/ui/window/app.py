"""The desktop application: ``application()`` and ``open_window``, which shows the main window
on a repository and, when scripted (``pyflow-desktop FILE --run --screenshot PNG --quit``),
runs the shown flow as F5 does, saves a grab of the whole window once the run has settled and
closes it; what happened comes back as a ``WindowOutcome`` (the command line, ``cli.window``,
makes the exit code of it).
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Repository
from ...resources import APP_ICON, resource_path
from .file_open import Application
from .main_window import MainWindow
from .user_settings import APPLICATION, ORGANIZATION

SETTLE_MS = 150


def _qt_message(mode: QtCore.QtMsgType, context: QtCore.QMessageLogContext, text: str) -> None:
    """Qt's own messages, minus the offscreen platform's harmless size-hint notice."""
    if "propagateSizeHints" not in text:
        print(text, file=sys.stderr)


class GuiThreadCollector(QtCore.QObject):
    """Python's cyclic garbage collector, run on the GUI thread only, while this object lives.

    Left automatic, a collection starts on whichever thread happens to allocate (an engine
    thread making events) and frees the Qt objects in the garbage there; shiboken then defers
    their deletion to the GUI thread, where it has deadlocked with a thread inside a Qt call.
    So automatic collection is off and a timer here collects the generations whose
    thresholds are reached. The timer is frequent, so the youngest generation stays small (a
    save on a worker thread makes a million objects a second: left for half a second, their
    collection held the window for 140 ms). A full collection costs as much as everything
    alive, so, as Python's own collector does, one only runs once what survived into the
    oldest generation since the last one is a quarter of what that one left (``_long_lived``),
    and never more often than every ``FULL_EVERY`` collections of the middle one."""

    INTERVAL_MS = 50
    FULL_EVERY = 10

    def __init__(self, parent: QtCore.QObject | None = None) -> None:
        super().__init__(parent)
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._long_lived = len(gc.get_objects(2))
        self._middle = 0  # collections of the middle generation since a full one was weighed
        self._timer = QtCore.QTimer(self)
        self._timer.timeout.connect(self.collect)
        self._timer.start(self.INTERVAL_MS)

    def collect(self) -> None:
        counts, thresholds = gc.get_count(), gc.get_threshold()
        if counts[1] > thresholds[1]:
            self._middle += 1
            if self._middle >= self.FULL_EVERY:
                self._middle = 0
                if len(gc.get_objects(2)) > self._long_lived * 5 // 4:
                    gc.collect(2)
                    self._long_lived = len(gc.get_objects(2))
                    return
            gc.collect(1)
        elif counts[0] > thresholds[0]:
            gc.collect(0)

    def stop(self) -> None:
        """Hand collection back to Python."""
        self._timer.stop()
        if self._was_enabled:
            gc.enable()


def application() -> QtWidgets.QApplication:
    QtCore.qInstallMessageHandler(_qt_message)
    app = QtWidgets.QApplication.instance() or Application([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(QtGui.QIcon(str(resource_path(APP_ICON))))  # every window's, every OS
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)
    return app


@dataclass
class WindowOutcome:
    """What a window did of what it was asked."""

    run_ok: bool | None = None  # the flow's run succeeded or failed; None: it did not run
    failed: bool = False  # a request could not be carried out (and was reported)


def open_window(
    repo: Repository,
    path: Path | None,
    flow_id: str | None,
    *,
    flow_asked: bool = False,
    problem: str | None = None,
    run: bool = False,
    screenshot: str | None = None,
    quit: bool = False,
    report: Callable[[str], None],
) -> WindowOutcome:
    """Show the main window on ``repo`` (saved to ``path``; ``None``: Save asks where) at
    ``flow_id`` and return when it closes. ``flow_id`` is opened even over the tabs the file
    reopens when ``flow_asked``; ``problem`` (why the file could not be read) is shown in a
    message box. ``run``, ``screenshot`` and ``quit`` script it, with no question asked;
    what cannot be done is said through ``report``."""
    scripted = quit or run
    app = application()
    window = MainWindow(ask_on_close=not quit)
    window.trust.asking = not scripted  # --run is the user's own explicit request
    window.set_repository(repo, path)
    if flow_id is not None and (flow_asked or not window.tabs.canvases):
        window.tabs.open_flow(flow_id)
    window.show()
    if problem:
        QtWidgets.QMessageBox.warning(window, "Cannot open", problem)
    if not scripted:
        QtCore.QTimer.singleShot(0, lambda: window.recovery.offer(window.restore))
    outcome = WindowOutcome()

    def finish() -> None:
        _, bridge = window.tabs.current()
        if bridge is not None:
            window.edits.frame_all()
        app.processEvents()
        if screenshot and not window.grab().save(screenshot):
            report(f"cannot write {screenshot}")
            outcome.failed = True
        if quit:
            window.close()
            app.exit()

    def run_done(ok: bool) -> None:
        outcome.run_ok = ok
        QtCore.QTimer.singleShot(SETTLE_MS, finish)

    def start() -> None:
        if not run:
            QtCore.QTimer.singleShot(SETTLE_MS, finish)
            return
        window.runs.run_done.connect(run_done)
        if not window.runs.run_current():
            report(window.statusBar().currentMessage())
            outcome.failed = True
            finish()

    QtCore.QTimer.singleShot(0, start)
    app.exec()
    window.runs.runner.wait(5000)
    window.deleteLater()
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    return outcome
