"""The window at scale, for four shapes of flow, measured in one process against
NodeGraphQt's own paths.

The shapes (``flow_shapes``): a chain, a fan-out, a fan-in tree and a random DAG whose links
cross the whole flow. For each, it prints readable lines, NodeGraphQt's figure beside ours
where it has one, and the last line is one JSON object. The chain's keys:

- ``open_1000_s``, ``open_5000_s``: the flow opened in a new window, until drawn;
- ``frame_ms``: the slowest warm repaint of three views (F, 100 % on the busiest part, the
  zoomed-out overview), at 2,000 and at 5,000 nodes; ``pan_ms`` and ``zoom_ms``: the slowest
  pan of 100 px and wheel notch of those views at 2,000 nodes, each until drawn;
- ``max_stall_ms`` and ``gui_vs_headless``: GUI runs of 2,000 nodes with the window's default
  run settings (result cache on, default workers), on the thread and on the process
  executor, each the first in a new window and followed by a plain ``run_flow`` on the same
  executor: the fastest against the fastest, the worse executor's ratio, and the longest
  stall of them all (the ratio against headless runs with the window's settings, a new
  result cache, is printed beside it);
- ``startup_s`` (a separate process, to a shown window), ``engine_chain_us`` and
  ``engine_vs_ryvencore`` (skipped when ryvencore is not installed: this bench installs
  nothing), ``plan_us`` (``plan_run`` of a 2,000-node chain, per node), ``save_ms`` (the
  longest stall of the window while it saves a 43 MB repository, twice),
  ``ngqt_deserialize_1000_s`` (NodeGraphQt opening the chain, until drawn) and
  ``ngqt_frame_5000_ms`` (NodeGraphQt, 5,000 nodes at fit zoom).

Every other shape has the same figures as ``SHAPE_open_1000_s``, ``SHAPE_open_5000_s``,
``SHAPE_frame_ms``, ``SHAPE_pan_ms``, ``SHAPE_zoom_ms``, ``SHAPE_max_stall_ms`` and
``SHAPE_gui_vs_headless``. ``--shape`` measures one shape (the figures that are not a shape's
go with the chain).

    QT_QPA_PLATFORM=offscreen python bench/bench_gui.py [--shape chain|fanout|fanin|random]
        [--repeat 3]
"""

from __future__ import annotations

import argparse
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

import canvas_measures  # noqa: E402
import ngqt_measures  # noqa: E402
from flow_shapes import SHAPES, build  # noqa: E402
from PySide6 import QtCore  # noqa: E402

from pyflow_desktop.engine import make_executor, plan_run, run_flow  # noqa: E402
from pyflow_desktop.repository import (  # noqa: E402
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,  # noqa: E402
)

SOURCE = "def func(a):\n    return (a or 0) + 1\n"
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


def per_shape(app, shape: str, args) -> dict:
    """Every figure of one shape (its keys, see the module's docstring), printed beside
    NodeGraphQt's for the same shape where it has one."""
    key = (lambda name: name) if shape == "chain" else (lambda name: f"{shape}_{name}")
    out, frames, pans, zooms = {}, [], [], []
    for n in (1000, 5000):
        window, canvas, seconds = canvas_measures.open_flow(app, shape, n)
        out[key(f"open_{n}_s")] = seconds
        if n == 5000:
            frames += [ms for _, ms in view_figures(app, canvas, args, f"{n:,}", moves=False)]
        canvas_measures.close(app, window)
    peer = ngqt_measures.open_s(app, shape, 1000)
    if shape == "chain":
        out["ngqt_deserialize_1000_s"] = peer
    opened = out[key("open_5000_s")] / out[key("open_1000_s")]
    print(
        f"{shape}: open 1,000 nodes {out[key('open_1000_s')]:.2f} s (NodeGraphQt {peer:.2f} s),"
        f" 5,000 nodes {out[key('open_5000_s')]:.2f} s ({opened:.1f}x the time for 5x the nodes)"
    )
    window, canvas, _ = canvas_measures.open_flow(app, shape, 2000)
    figures = view_figures(app, canvas, args, "2,000", moves=True, peer=shape)
    canvas_measures.close(app, window)
    for name, ms in figures:
        (pans if name == "pan" else zooms if name == "zoom" else frames).append(ms)
    out[key("frame_ms")], out[key("pan_ms")], out[key("zoom_ms")] = (
        max(frames),
        max(pans),
        max(zooms),
    )
    stalls, ratios = [], []
    for executor in ("thread", "process"):
        ratio, same, stall, pairs = canvas_measures.gui_runs(app, shape, executor)
        stalls.append(stall * 1000)
        ratios.append(ratio)
        listed = ", ".join(f"{wall * 1000:.0f}/{alone * 1000:.0f}" for wall, alone in pairs)
        median = statistics.median(wall / alone for wall, alone in pairs)
        print(
            f"{shape}: GUI run of 2,000 nodes / headless on {executor}, ms: {listed}; longest"
            f" stall {stall * 1000:.0f} ms; fastest against fastest {ratio:.2f}x"
            f" (median of the pairs {median:.2f}x; {same:.2f}x against headless runs with"
            " the window's settings)"
        )
    out[key("max_stall_ms")], out[key("gui_vs_headless")] = max(stalls), max(ratios)
    return out


def view_figures(app, canvas, args, size: str, moves: bool, peer: str = "") -> list:
    """The warm repaint at each of the three views (with ``moves``: a pan and a zoom step at
    each too), printed as (name, ms); with ``peer`` (a shape), NodeGraphQt's beside them."""
    shown = canvas_measures.views(canvas)
    theirs = ngqt_measures.measures(app, peer, shown, args.repeat) if peer else {}
    figures = []
    for name, view in shown.items():
        canvas.set_view(*view)
        canvas_measures.settle(app, 50)
        ms = canvas_measures.frame_ms(canvas.viewer().viewport(), args.repeat)
        figures.append((name, ms))
        line = f"  {size} nodes at {name} (scale {view[2]:.2f}): repaint {ms:.1f} ms"
        if name in theirs:
            line += f" (NodeGraphQt {theirs[name]:.0f} ms)"
        if moves:
            pan, zoom = canvas_measures.pan_ms(app, canvas), canvas_measures.zoom_ms(app, canvas)
            figures += [("pan", pan), ("zoom", zoom)]
            line += f"; pan of 100 px {pan:.1f} ms, zoom step {zoom:.1f} ms"
            if name == "F" and theirs:
                line += f" (NodeGraphQt {theirs['pan']:.0f} and {theirs['zoom']:.0f} ms)"
        print(line)
    return figures


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
    repo = build("chain", n)
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
    canvas_measures.clean_slate(app)
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
        canvas_measures.settle(
            app, 400
        )  # what the save leaves to do, e.g. looking at the file it changed
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=SHAPES, help="one shape (default: all four)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from pyflow_desktop.ui.window.app import application

    app = application()
    figures: dict = {}
    shapes = [args.shape] if args.shape else SHAPES
    if "chain" in shapes:  # first, in a process with no windows' garbage yet
        figures.update(startup(args))
        figures.update(engine(args))
        figures.update(save_stall(app))
        ms = figures["ngqt_frame_5000_ms"] = ngqt_measures.frame_5000_ms(app, args.repeat)
        print(f"NodeGraphQt frame at fit zoom, 5,000 nodes, warm: {ms:.1f} ms")
    for shape in shapes:
        figures.update(per_shape(app, shape, args))
    print(json.dumps({key: round(value, 4) for key, value in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
