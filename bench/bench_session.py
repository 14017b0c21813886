"""A long session in one window: memory, threads, file handles and processes over many runs.

One offscreen ``MainWindow`` on the built-in library runs a flow again and again through
``window.runs.run_current()``, each run ending with ``window.runs.run_done`` (results are not
cached, so every node really runs). Prints, after a warm-up and at the end: the RSS and its
growth (target < 10 %), threads, open file handles and child processes; then closes the
window and checks that the worker processes ended with it.

    python bench/bench_session.py [--runs 500] [--warmup 50] [--executor process]
                                  [--flow examples.math]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import psutil  # noqa: E402 — a dependency of distributed, in the dev extras
from PySide6 import QtCore  # noqa: E402

from pyflow_desktop.repository import load_repository  # noqa: E402
from pyflow_desktop.resources import __file__ as resources_file  # noqa: E402
from pyflow_desktop.ui.run.settings import RunSettings  # noqa: E402
from pyflow_desktop.ui.window.app import application  # noqa: E402
from pyflow_desktop.ui.window.main_window import MainWindow  # noqa: E402

LIBRARY = os.path.join(os.path.dirname(resources_file), "library.json")


def figures(me: psutil.Process) -> dict[str, float]:
    gc.collect()
    return {
        "rss_mb": me.memory_info().rss / 2**20,
        "threads": me.num_threads(),
        "handles": me.num_fds() if hasattr(me, "num_fds") else me.num_handles(),
        "children": len(me.children(recursive=True)),
    }


def show(label: str, values: dict[str, float]) -> None:
    print(
        f"{label:>12}: RSS {values['rss_mb']:7.1f} MB, {values['threads']:3d} threads, "
        f"{values['handles']:4d} file handles, {values['children']:2d} child processes"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=500)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--executor", choices=("thread", "process", "dask"), default="process")
    parser.add_argument("--flow", default="examples.math")
    args = parser.parse_args()

    settings_dir = tempfile.mkdtemp(prefix="pyflow-bench-settings-")
    QtCore.QSettings.setDefaultFormat(QtCore.QSettings.Format.IniFormat)
    QtCore.QSettings.setPath(
        QtCore.QSettings.Format.IniFormat, QtCore.QSettings.Scope.UserScope, settings_dir
    )
    app = application()
    me = psutil.Process()
    show("before", before := figures(me))
    window = MainWindow(ask_on_close=False)
    window.set_repository(load_repository(LIBRARY), None)
    window.tabs.open_flow(args.flow)
    window.runs.runner.settings = RunSettings(executor=args.executor, cache=False)
    outcomes: list[bool] = []
    loop = QtCore.QEventLoop()

    def done(ok: bool) -> None:
        outcomes.append(ok)
        loop.quit()

    window.runs.run_done.connect(done)

    def run_once() -> None:
        if not window.runs.run_current():
            raise SystemExit(f"cannot run: {window.statusBar().currentMessage()}")
        loop.exec()

    for _ in range(args.warmup):
        run_once()
    show("warmed up", warm := figures(me))
    workers = [child.pid for child in me.children(recursive=True)]
    begin = time.perf_counter()
    for _ in range(args.runs):
        run_once()
    took = time.perf_counter() - begin
    show(f"{args.runs} runs", end := figures(me))
    growth = (end["rss_mb"] - warm["rss_mb"]) / warm["rss_mb"]
    print(
        f"{args.runs} runs of {args.flow} on {args.executor} in {took:.1f} s "
        f"({took / args.runs * 1000:.1f} ms a run); {outcomes.count(False)} failed"
    )
    print(f"RSS growth after warm-up: {growth:+.1%} (target < 10 %)")
    for key in ("threads", "handles", "children"):
        print(f"{key} after warm-up → end: {warm[key]:.0f} → {end[key]:.0f}")

    window.close()
    window.deleteLater()
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)
    app.processEvents()
    deadline = time.monotonic() + 10
    alive = [pid for pid in workers if psutil.pid_exists(pid)]
    while alive and time.monotonic() < deadline:
        time.sleep(0.1)
        alive = [pid for pid in alive if _running(pid)]
    show("closed", closed := figures(me))
    print(
        f"workers after the window closed: {len(alive)} of {len(workers)} still running; "
        f"children before → after the session: {before['children']} → {closed['children']}"
    )
    return 0 if not alive and growth < 0.10 and not outcomes.count(False) else 1


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


if __name__ == "__main__":
    sys.exit(main())
