"""What ``bench_gui`` measures of the window for one shape of flow (see ``flow_shapes``).

Each figure is taken as a user meets it: a flow opened in a new window, through the window's
own path, until drawn; one warm repaint at three views (F, 100 % on the busiest part, the
zoomed-out overview); a pan of 100 px and a zoom step (a wheel notch), each until drawn;
GUI runs with the window's default run settings against headless runs on the same executor.
The canvas is 1280×800 pixels. Noise on this machine only ever adds time, so a repaint is the
fastest of several; pans and zoom steps, which go to new places, are medians.
"""

from __future__ import annotations

import gc
import statistics
import time

from flow_shapes import build
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.engine import ResultCache, make_executor, run_flow
from pyflow_desktop.ui.canvas.overview import LOD_SCALE
from pyflow_desktop.ui.run.settings import RunSettings
from pyflow_desktop.ui.window.main_window import MainWindow

CANVAS = (1280, 800)
GUI_RUNS = {"thread": 11, "process": 5}  # runs of ~20 ms and of ~1 s: the fastest of 11 of
# the short ones is as often the code as a stretch of a slow core; the long ones vary less
STEPS = 6  # pans and zoom steps per view
OVERVIEW_MARGIN = 0.9  # the overview shows the whole flow in this much of the canvas


def settle(app: QtWidgets.QApplication, ms: int = 0) -> None:
    deadline = time.perf_counter() + ms / 1000
    app.processEvents()
    while time.perf_counter() < deadline:
        app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 10)


def clean_slate(app: QtWidgets.QApplication) -> None:
    """Before a measure: the windows of earlier ones deleted and their garbage collected, so
    that the measure does not pay for them (processEvents leaves deferred deletions)."""
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    gc.collect()
    settle(app, 50)


def new_window(app: QtWidgets.QApplication) -> MainWindow:
    """A window shown at rest, its canvas area ``CANVAS`` pixels."""
    window = MainWindow(ask_on_close=False)
    window.resize(*CANVAS)
    window.show()
    settle(app, 100)
    tabs = window.tabs.widget
    window.resize(2 * CANVAS[0] - tabs.width(), 2 * CANVAS[1] - tabs.height())
    settle(app, 50)
    return window


def close(app: QtWidgets.QApplication, window: MainWindow) -> None:
    window.close()
    window.deleteLater()
    settle(app, 50)


def open_flow(app, shape: str, n: int):
    """A new window showing ``shape`` of ``n`` nodes: the window, its canvas and the seconds
    from the repository handed over to the first view drawn."""
    repo = build(shape, n)
    clean_slate(app)
    window = new_window(app)
    start = time.perf_counter()
    window.set_repository(repo, None)
    canvas = window.tabs.open_flow(shape)
    settle(app)  # the new tab frames its flow (F) at the next turn of the event loop
    canvas.viewer().viewport().repaint()
    return window, canvas, time.perf_counter() - start


def fastest_ms(repeat: int, work) -> float:
    """The fastest of ``repeat`` calls of ``work``, in ms."""
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def frame_ms(viewport: QtWidgets.QWidget, repeat: int) -> float:
    """One warm repaint of a canvas as it shows now, in ms."""
    viewport.repaint()  # cold
    return fastest_ms(repeat, viewport.repaint)


def views(canvas) -> dict[str, tuple[float, float, float]]:
    """The three views measured: ``F`` (what the F key shows), ``100%`` on the busiest part
    (the view around a node that the most links cross) and ``overview`` (the whole flow)."""
    canvas.frame_all()
    framed = canvas.view_state()
    geometry = canvas.sketch.geometry()
    bounds = geometry.bounds
    scale = OVERVIEW_MARGIN * min(CANVAS[0] / bounds.width(), CANVAS[1] / bounds.height())
    overview = (bounds.center().x(), bounds.center().y(), min(scale, LOD_SCALE * 0.9))
    return {"F": framed, "100%": (*busiest(geometry), 1.0), "overview": overview}


def busiest(geometry) -> tuple[float, float]:
    """The centre of the canvas-sized view, around one of the nodes, that the most links
    cross (each link taken as the straight line the overview draws)."""
    import numpy as np

    ends = np.array([_line(line) for line in geometry.links]).reshape(-1, 4)
    along = np.linspace(0.0, 1.0, 17)
    xs = ends[:, 0:1] + (ends[:, 2:3] - ends[:, 0:1]) * along
    ys = ends[:, 1:2] + (ends[:, 3:4] - ends[:, 1:2]) * along
    half_w, half_h = CANVAS[0] / 2, CANVAS[1] / 2
    best, where = -1, (0.0, 0.0)
    step = max(1, len(geometry.nodes) // 400)
    for _item, rect in geometry.nodes[::step]:
        cx, cy = rect.center().x(), rect.center().y()
        inside = (np.abs(xs - cx) <= half_w) & (np.abs(ys - cy) <= half_h)
        count = int(inside.any(axis=1).sum())
        if count > best:
            best, where = count, (cx, cy)
    return where


def _line(line: QtCore.QLineF) -> tuple[float, float, float, float]:
    return line.x1(), line.y1(), line.x2(), line.y2()


def pan_ms(app, canvas) -> float:
    """A pan of 100 px to the right, until drawn: the median of ``STEPS`` in a row, in ms."""
    x, y, scale = canvas.view_state()
    viewport = canvas.viewer().viewport()
    took = []
    for step in range(1, STEPS + 1):
        start = time.perf_counter()
        canvas.set_view(x + step * 100 / scale, y, scale)
        viewport.repaint()
        took.append(time.perf_counter() - start)
    canvas.set_view(x, y, scale)
    settle(app)
    return statistics.median(took) * 1000


def zoom_ms(app, canvas) -> float:
    """A wheel notch over the middle of the canvas, until drawn: the median of ``STEPS``,
    in and out by turns, in ms."""
    viewport = canvas.viewer().viewport()
    took = []
    for step in range(STEPS):
        start = time.perf_counter()
        wheel(viewport, 120 if step % 2 == 0 else -120)
        viewport.repaint()
        took.append(time.perf_counter() - start)
    settle(app)
    return statistics.median(took) * 1000


def wheel(viewport: QtWidgets.QWidget, notch: int) -> None:
    """Turn the mouse wheel by ``notch`` (120: one notch in) over the middle of a view."""
    centre = QtCore.QPointF(viewport.rect().center())
    event = QtGui.QWheelEvent(
        centre,
        QtCore.QPointF(viewport.mapToGlobal(centre.toPoint())),
        QtCore.QPoint(),
        QtCore.QPoint(0, notch),
        QtCore.Qt.MouseButton.NoButton,
        QtCore.Qt.KeyboardModifier.NoModifier,
        QtCore.Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QtWidgets.QApplication.sendEvent(viewport, event)


def gui_runs(app, shape: str, executor: str) -> tuple[float, float, float, list]:
    """``GUI_RUNS`` runs of every node of a 2,000-node ``shape``, each the first in a new
    window with the default run settings (but for ``executor``) and followed at once by
    headless runs on the same executor: plain, as ``run_flow`` runs, and with the window's
    settings (a new result cache). Gives the fastest GUI run against the fastest plain one
    and against the fastest with the same settings, the window's longest stall, and the
    (GUI, plain) pairs of seconds."""
    run_flow(build(shape, 50), shape, targets="all", executor=make_executor(executor))  # warm
    settings = RunSettings(executor=executor)
    pairs, same, stalls = [], [], []
    for _ in range(GUI_RUNS[executor]):
        repo = build(shape, 2000)  # its own: a closed window's listeners keep its repository
        wall, stall = one_gui_run(app, repo, shape, settings)
        pairs.append((wall, headless(repo, shape, executor)))
        same.append(headless(repo, shape, executor, ResultCache() if settings.cache else None))
        stalls.append(stall)
    fastest = min(wall for wall, _ in pairs)
    return fastest / min(alone for _, alone in pairs), fastest / min(same), max(stalls), pairs


def headless(repo, shape: str, executor: str, cache: ResultCache | None = None) -> float:
    """The seconds of a ``run_flow`` of every node of ``repo``'s flow ``shape``, as the ``run``
    command makes it: with Python's own garbage collection (the window's application turns
    it off for its GUI-thread collector, which then collects what a run outside the event
    loop left during the next GUI run), after collecting what came before."""
    was = gc.isenabled()
    gc.collect()
    gc.enable()
    try:
        began = time.perf_counter()
        run_flow(repo, shape, targets="all", executor=make_executor(executor), cache=cache)
        return time.perf_counter() - began
    finally:
        if not was:
            gc.disable()


def one_gui_run(app, repo, shape: str, settings: RunSettings) -> tuple[float, float]:
    """A run of every node of ``repo``'s flow ``shape`` in a new window: its wall time and
    the window's longest stall."""
    clean_slate(app)
    window = new_window(app)
    window.set_repository(repo, None)
    window.tabs.open_flow(shape)
    settle(app, 600)  # the flow framed and drawn: the run starts in a window at rest
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)  # as a running event loop
    # would have long before a click on Run (processEvents leaves them; the run's loop did not)
    window.runs.runner.settings = settings
    ticks: list[float] = []
    heartbeat = QtCore.QTimer(interval=5)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    loop = QtCore.QEventLoop()  # as the application waits: asleep until there is work
    window.runs.run_done.connect(loop.quit)
    heartbeat.start()
    start = time.perf_counter()
    window.runs.run_current("all")
    loop.exec()
    wall = time.perf_counter() - start
    heartbeat.stop()
    beats = [start, *ticks, start + wall]  # a GUI thread stalled all along has no ticks
    stall = max(b - a for a, b in zip(beats, beats[1:]))
    close(app, window)
    return wall, stall
