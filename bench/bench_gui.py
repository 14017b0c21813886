"""The window at scale, measured in one process against NodeGraphQt's own paths.

Prints readable lines, then one JSON object with: ``open_1000_s``, ``open_5000_s`` (a chain
flow to a drawn canvas), ``frame_ms`` (5,000 nodes at fit zoom, warm), ``max_stall_ms`` and
``gui_vs_headless`` (eleven GUI runs of a 2,000-node chain, each the first in a new window
and followed by ``run_flow`` on the same executor: the fastest of each, and the longest
stall), ``startup_s`` (a separate process, to a shown window), ``engine_chain_us`` and
``engine_vs_ryvencore`` (skipped when ryvencore is not installed: this bench installs
nothing), ``ngqt_deserialize_1000_s`` and ``ngqt_frame_5000_ms`` (NodeGraphQt by itself);
also ``plan_us`` (``plan_run`` of the 2,000-node chain, per node) and ``save_ms`` (the
longest stall of the window while it saves a 43 MB repository, twice).

    QT_QPA_PLATFORM=offscreen python bench/bench_gui.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["XDG_CONFIG_HOME"] = tempfile.mkdtemp()  # a fresh layout and settings

from PySide6 import QtCore, QtWidgets  # noqa: E402

from pyflow_desktop.engine import make_executor, plan_run, run_flow  # noqa: E402
from pyflow_desktop.repository import (  # noqa: E402
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
)

SOURCE = "def func(a):\n    return (a or 0) + 1\n"
GUI_RUNS = 11  # runs of 20 ms on a machine whose cores each lose a third of their speed now
# and then: the fastest of three was as often that as the code
STARTUP = """
import time, sys
from pyflow_desktop.ui.window.app import application
from pyflow_desktop.ui.window.main_window import MainWindow
app = application()
window = MainWindow(ask_on_close=False)
window.show()
app.processEvents()
print("shown", flush=True)
"""


def chain(n: int) -> Repository:
    repo = Repository()
    repo.add_spec(NodeSpec("inc", "Inc", [Port("a", "Int")], [Port("out", "Int")], SOURCE))
    flow = Flow("chain", "Chain")
    with flow.events.muted():
        for i in range(n):
            flow.add_node(NodeInstance(f"n{i}", "inc", x=(i % 50) * 240.0, y=(i // 50) * 140.0))
            if i:
                flow.add_link(Link(f"n{i - 1}", "out", f"n{i}", "a"))
    repo.add_flow(flow)
    return repo


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


def fit_all(viewer, items) -> None:
    rect = QtCore.QRectF()
    for item in items:
        rect = rect.united(item.sceneBoundingRect())
    viewer.set_scene_rect([rect.x(), rect.y(), rect.width(), rect.height()])


def warm_frame_ms(app, viewer, repeat: int) -> float:
    viewport = viewer.viewport()
    viewport.repaint()  # cold
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        viewport.repaint()
        best = min(best, time.perf_counter() - start)
    return best * 1000


def open_window(app, n: int):
    from pyflow_desktop.ui.window.main_window import MainWindow

    repo = chain(n)
    window = MainWindow(ask_on_close=False)
    window.resize(1280, 800)
    window.show()
    settle(app, 100)
    start = time.perf_counter()
    window.set_repository(repo, None)
    canvas = window.tabs.open_flow("chain")
    settle(app)
    canvas.viewer().viewport().repaint()
    return window, canvas, time.perf_counter() - start


def ours(app, args) -> dict:
    out = {}
    for n in (1000, 5000):
        window, canvas, seconds = open_window(app, n)
        out[f"open_{n}_s"] = seconds
        print(f"open a {n}-node chain in the window: {seconds:.2f} s")
        if n == 5000:
            fit_all(canvas.viewer(), [node.view for node in canvas.flow_nodes()])
            settle(app, 50)
            out["frame_ms"] = warm_frame_ms(app, canvas.viewer(), args.repeat)
            print(f"frame at fit zoom, 5,000 nodes, warm: {out['frame_ms']:.1f} ms")
        window.close()
        window.deleteLater()
        settle(app, 50)
    return out


def gui_run(app, args) -> dict:
    """``GUI_RUNS`` GUI runs, each the first in a new window and followed at once by a
    headless run on the same repository: the fastest of each (noise here only ever adds:
    another tenant takes one core or the other, for a tenth of a second at a time), the
    median of the pairs' ratios beside it, and the longest stall of them all."""
    n = 2000
    walls, stalls, batch_gaps, headless = [], [], [], []
    for _ in range(GUI_RUNS):
        repo = chain(n)  # its own: a closed window's listeners stay on the repository it showed
        wall, stall, batch_gap = one_gui_run(app, repo)
        walls.append(wall)
        stalls.append(stall)
        batch_gaps.append(batch_gap)
        executor = make_executor("thread", 2)
        began = time.perf_counter()
        run_flow(repo, "chain", targets="all", executor=executor)
        headless.append(time.perf_counter() - began)
    out = {"max_stall_ms": max(stalls) * 1000, "gui_vs_headless": min(walls) / min(headless)}
    pairs = ", ".join(f"{w * 1000:.0f}/{h * 1000:.0f}" for w, h in zip(walls, headless))
    median = statistics.median(w / h for w, h in zip(walls, headless))
    print(
        f"GUI run of a {n}-node chain / headless, ms: {pairs}; longest stall"
        f" {out['max_stall_ms']:.0f} ms, longest gap between batches"
        f" {max(batch_gaps) * 1000:.0f} ms; fastest against fastest"
        f" {out['gui_vs_headless']:.2f}x (median of the pairs {median:.2f}x)"
    )
    return out


def one_gui_run(app, repo) -> tuple[float, float, float]:
    """A run of every node of ``repo``'s chain in a new window: its wall time, the window's
    longest stall and the longest wait for a batch of events."""
    from pyflow_desktop.ui.run.settings import RunSettings
    from pyflow_desktop.ui.window.main_window import MainWindow

    clean_slate(app)
    window = MainWindow(ask_on_close=False)
    window.resize(1280, 800)
    window.show()
    window.set_repository(repo, None)
    window.tabs.open_flow("chain")
    settle(app, 600)  # the flow framed and drawn: the run starts in a window at rest
    app.sendPostedEvents(None, QtCore.QEvent.Type.DeferredDelete)  # as a running event loop
    # would have long before a click on Run (processEvents leaves them; the run's loop did not)
    window.runs.runner.settings = RunSettings(executor="thread", workers=2, cache=False)
    ticks: list[float] = []
    batches: list[float] = []
    heartbeat = QtCore.QTimer(interval=5)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    window.runs.runner.batch_ready.connect(lambda _events: batches.append(time.perf_counter()))
    loop = QtCore.QEventLoop()  # as the application waits: asleep until there is work
    window.runs.run_done.connect(loop.quit)
    heartbeat.start()
    start = time.perf_counter()
    window.runs.run_current("all")
    loop.exec()
    wall = time.perf_counter() - start
    heartbeat.stop()
    beats = [start, *ticks, start + wall]  # a GUI thread stalled all along has no ticks
    gaps = [b - a for a, b in zip(beats, beats[1:])]
    batch_gaps = [b - a for a, b in zip([start, *batches], batches)]
    window.close()
    window.deleteLater()
    return wall, max(gaps, default=0), max(batch_gaps, default=0)


def startup(args) -> dict:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    best = float("inf")
    for _ in range(args.repeat):
        began = time.perf_counter()
        process = subprocess.Popen(
            [sys.executable, "-c", STARTUP], stdout=subprocess.PIPE, text=True, env=env
        )
        process.stdout.readline()
        best = min(best, time.perf_counter() - began)
        process.kill()
        process.wait()
    print(f"start-up to a shown window (a new process): {best:.2f} s")
    return {"startup_s": best}


def engine(args) -> dict:
    n = 2000
    repo = chain(n)
    plans = []
    for _ in range(args.repeat):
        began = time.perf_counter()
        plan_run(repo, "chain", "all")
        plans.append(time.perf_counter() - began)
    print(f"plan_run, chain of {n}: {min(plans) / n * 1e6:.2f} µs/node")
    best = float("inf")
    for _ in range(args.repeat):
        executor = make_executor("thread", 4)
        began = time.perf_counter()
        run_flow(repo, "chain", targets="all", executor=executor)
        best = min(best, time.perf_counter() - began)
    out = {"engine_chain_us": best / n * 1e6, "plan_us": min(plans) / n * 1e6}
    line = f"engine, chain of {n} trivial nodes: {out['engine_chain_us']:.1f} µs/node"
    try:
        peer = ryvencore_chain_us(n, args.repeat)
    except ImportError:
        print(line + " (ryvencore not installed: no comparison)")
        return out
    out["engine_vs_ryvencore"] = out["engine_chain_us"] / peer
    print(f"{line}; ryvencore {peer:.1f} µs/node: {out['engine_vs_ryvencore']:.2f}x")
    return out


def ryvencore_chain_us(n: int, repeat: int) -> float:
    import ryvencore as rc

    class Inc(rc.Node):
        title = "inc"
        init_inputs = [rc.NodeInputType()]
        init_outputs = [rc.NodeOutputType()]

        def update_event(self, inp=-1):
            value = self.input(0)
            self.set_output_val(0, rc.Data(((value.payload if value else 0) or 0) + 1))

    session = rc.Session()
    session.register_node_types([Inc])
    flow = session.create_flow("chain")
    nodes = [flow.create_node(Inc) for _ in range(n)]
    # Its data flow recurses once per node (about five frames each); at the default limit a
    # RecursionError, which ryvencore catches and logs, stopped the chain near node 200.
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 10 * n + 1000))
    try:
        for a, b in zip(nodes, nodes[1:]):
            flow.connect_nodes(a.outputs[0], b.inputs[0])
        best = float("inf")
        for _ in range(repeat):
            nodes[0].set_output_val(0, rc.Data(-1))  # the last node holds n only if reached
            began = time.perf_counter()
            nodes[0].update()
            best = min(best, time.perf_counter() - began)
            last = nodes[-1].outputs[0].val.payload
            if last != n:
                raise RuntimeError(f"ryvencore's chain stopped early: its last node holds {last}")
    finally:
        sys.setrecursionlimit(limit)
    return best / n * 1e6


def save_stall(app) -> dict:
    from pyflow_desktop.ui.window.main_window import MainWindow

    repo = Repository()  # 22 flows of 2,500 nodes, each with 400 characters typed in: 43 MB
    repo.add_spec(NodeSpec("note", "Note", [Port("text", "String")], [Port("out")], SOURCE))
    for index in range(22):
        flow = Flow(f"flow{index}", f"Flow {index}")
        with flow.events.muted():
            for i in range(2500):
                node = NodeInstance(f"n{i}", "note", name=f"Note {i}", values={"text": "x" * 400})
                flow.add_node(node)
                if i:
                    flow.add_link(Link(f"n{i - 1}", "out", f"n{i}", "text"))
        repo.add_flow(flow)
    window = MainWindow(ask_on_close=False)
    window.show()
    window.set_repository(repo, None)
    clean_slate(app)
    path = Path(tempfile.mkdtemp()) / "big.json"
    ticks: list[float] = []
    heartbeat = QtCore.QTimer(interval=5)
    heartbeat.timeout.connect(lambda: ticks.append(time.perf_counter()))
    heartbeat.start()
    stalls, took = [], []
    for _ in range(2):  # a new file, then one replaced (with its .bak)
        ticks.clear()
        start = time.perf_counter()
        window.files.save_to(path)
        took.append(time.perf_counter() - start)
        settle(app, 400)  # what the save leaves to do, e.g. looking at the file it changed
        beats = [start, *ticks, time.perf_counter()]
        stalls.append(max(b - a for a, b in zip(beats, beats[1:])))
    heartbeat.stop()
    window.close()
    window.deleteLater()
    size = path.stat().st_size / 1e6
    print(
        f"save a {size:.0f} MB repository: {max(took):.2f} s,"
        f" longest stall of the window {max(stalls) * 1000:.0f} ms"
    )
    return {"save_ms": max(stalls) * 1000}


def nodegraphqt(app, args) -> dict:
    from pyflow_desktop.ui.canvas.ngqt import BaseNode, NodeGraph

    class Plain(BaseNode):
        __identifier__ = "bench"
        NODE_NAME = "plain"

        def __init__(self):
            super().__init__()
            self.add_input("a")
            self.add_output("out")

    out = {}
    graph = NodeGraph()
    graph.register_node(Plain)
    session = {"nodes": {}, "connections": []}
    for i in range(1000):
        session["nodes"][f"0x{i:x}"] = {
            "type_": "bench.Plain",
            "name": f"n{i}",
            "pos": [(i % 50) * 240.0, (i // 50) * 140.0],
        }
        if i:
            session["connections"].append({"out": [f"0x{i - 1:x}", "out"], "in": [f"0x{i:x}", "a"]})
    began = time.perf_counter()
    graph.deserialize_session(session)
    out["ngqt_deserialize_1000_s"] = time.perf_counter() - began
    print(f"NodeGraphQt deserialize_session, 1,000 nodes: {out['ngqt_deserialize_1000_s']:.2f} s")
    big = NodeGraph()
    big.register_node(Plain)
    widget = big.widget
    widget.resize(1000, 700)
    widget.show()
    for i in range(5000):
        node = Plain()
        big.add_node(node, pos=[(i % 70) * 240.0, (i // 70) * 140.0], push_undo=False)
    settle(app, 50)
    fit_all(big.viewer(), [node.view for node in big.all_nodes()])
    settle(app, 50)
    out["ngqt_frame_5000_ms"] = warm_frame_ms(app, big.viewer(), args.repeat)
    print(f"NodeGraphQt frame at fit zoom, 5,000 nodes, warm: {out['ngqt_frame_5000_ms']:.1f} ms")
    widget.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from pyflow_desktop.ui.window.app import application

    app = application()
    figures: dict = {}
    figures.update(ours(app, args))
    figures.update(gui_run(app, args))
    figures.update(startup(args))
    figures.update(engine(args))
    figures.update(save_stall(app))
    figures.update(nodegraphqt(app, args))
    print(json.dumps({key: round(value, 4) for key, value in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
