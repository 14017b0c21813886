"""``pyflow-desktop [FILE] [--flow ID] [--run] [--screenshot PNG] [--quit]``: the desktop app.

The options make the window scriptable: ``--run`` runs the shown flow exactly as F5 does,
``--screenshot`` saves a grab of the whole window once the run has settled, and ``--quit``
then exits with the run's code — 0 success, 1 a node failed or was skipped, 2 the file or
flow is invalid (a message on stderr, no traceback, and no dialog waits for anyone).
"""

from __future__ import annotations

import argparse
import gc
import sys
from collections.abc import Sequence
from pathlib import Path

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import Repository, RepositoryError, load_repository
from ...resources import APP_ICON, BUILTIN_LIBRARY, resource_path
from .main_window import MainWindow
from .user_settings import APPLICATION, ORGANIZATION

EXIT_OK, EXIT_FAILED, EXIT_INVALID = 0, 1, 2
SETTLE_MS = 150


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="pyflow-desktop", description="Open the PyFlow Desktop window."
    )
    parser.add_argument(
        "file", metavar="FILE", nargs="?", help="repository to open (default: the built-in library)"
    )
    parser.add_argument("--flow", metavar="ID", help="the flow to show (default: the first)")
    parser.add_argument("--run", action="store_true", help="run the flow, as F5 does")
    parser.add_argument("--screenshot", metavar="PNG", help="save a picture of the window")
    parser.add_argument(
        "--quit", action="store_true", help="exit when done, with the run's exit code"
    )
    return parser


def _load(file: str | None, flow_id: str | None) -> tuple[Repository, Path, str | None]:
    """The repository, its path and the flow to show; raises ``RepositoryError``."""
    path = Path(file) if file else resource_path(BUILTIN_LIBRARY)
    repo = load_repository(path)
    if flow_id is not None:
        return repo, path, repo.flow(flow_id).id
    return repo, path, next(iter(repo.flows), None)


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
    app = QtWidgets.QApplication.instance() or QtWidgets.QApplication([sys.argv[0]])
    app.setOrganizationName(ORGANIZATION)
    app.setApplicationName(APPLICATION)
    app.setWindowIcon(QtGui.QIcon(str(resource_path(APP_ICON))))  # every window's, every OS
    if app.findChild(GuiThreadCollector) is None:
        GuiThreadCollector(app)
    return app


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(list(sys.argv[1:] if argv is None else argv))
    scripted = args.quit or args.run
    try:
        repo, path, flow_id = _load(args.file, args.flow)
    except RepositoryError as error:
        print(f"error: {error}", file=sys.stderr)
        if scripted:
            return EXIT_INVALID
        repo, path, flow_id, problem = Repository(), None, None, str(error)
    else:
        problem = None
    if args.run and flow_id is None:
        print(f"error: {path}: the file holds no flow to run", file=sys.stderr)
        return EXIT_INVALID
    app = application()
    window = MainWindow(ask_on_close=not args.quit)
    window.trust.asking = not scripted  # --run is the user's own explicit request
    # The built-in library is read-only: without FILE, Save asks where to write.
    window.set_repository(repo, path.resolve() if path and args.file else None)
    if flow_id is not None and (args.flow or not window.tabs.canvases):
        window.tabs.open_flow(flow_id)
    window.show()
    if problem:
        QtWidgets.QMessageBox.warning(window, "Cannot open", problem)
    if not scripted:
        QtCore.QTimer.singleShot(0, lambda: window.recovery.offer(window.restore))
    outcome = {"code": EXIT_OK}

    def finish() -> None:
        _, bridge = window.tabs.current()
        if bridge is not None:
            window.edits.frame_all()
        app.processEvents()
        if args.screenshot and not window.grab().save(args.screenshot):
            print(f"error: cannot write {args.screenshot}", file=sys.stderr)
            outcome["code"] = outcome["code"] or EXIT_INVALID
        if args.quit:
            window.close()
            app.exit(outcome["code"])

    def run_done(ok: bool) -> None:
        outcome["code"] = EXIT_OK if ok else EXIT_FAILED
        QtCore.QTimer.singleShot(SETTLE_MS, finish)

    def start() -> None:
        if not args.run:
            QtCore.QTimer.singleShot(SETTLE_MS, finish)
            return
        window.runs.run_done.connect(run_done)
        if not window.runs.run_current():
            print(f"error: {window.statusBar().currentMessage()}", file=sys.stderr)
            outcome["code"] = EXIT_INVALID
            finish()

    QtCore.QTimer.singleShot(0, start)
    code = app.exec()
    window.runs.runner.wait(5000)
    window.deleteLater()
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    return code if args.quit else EXIT_OK
