"""What the sandbox costs: a sandboxed worker (bubblewrap) against a plain one.

Start-up: the time ``WorkerPool.spawn`` takes to start a worker and connect to it. Per node: a
run of a chain of quick nodes on one warm worker, in µs per node, and a run of one node, in
ms (its round trip). A value: an 8 MB array made in a worker and read here by
``RunResult.output`` (through shared memory, as between workers). Plain and sandboxed runs go in turn, each the
median of ``--repeat``; each figure's ratio is sandboxed / plain. The last line is JSON.

    python bench/bench_sandbox.py [--repeat 7] [--chain 200]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time

from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.engine.sandbox import Sandbox, unavailable
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository

FIGURES = (  # key of ``measure``, name, unit, scale from seconds
    ("start", "start", "ms", 1e3),
    ("chain", "node_in_chain", "us", 1e6),
    ("node", "one_node_run", "ms", 1e3),
    ("value", "value_8mb", "ms", 1e3),
)


def chain(length: int) -> tuple[Repository, Flow]:
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "inc", "inc", [Port("x", "Int", 0)], [Port("out")], "def func(x):\n    return x + 1\n"
        )
    )
    repo.add_spec(
        NodeSpec(
            "arr",
            "arr",
            [],
            [Port("out")],
            "import numpy as np\ndef func():\n    return np.ones(1 << 20)\n",
        )
    )
    flow = Flow("chain")
    for index in range(length):
        flow.add_node(NodeInstance(f"n{index}", "inc", values={"x": "0"}))
        if index:
            flow.add_link(Link.parse(f"n{index - 1}:out", f"n{index}:x"))
    flow.add_node(NodeInstance("arr", "arr"))
    repo.add_flow(flow)
    return repo, flow


def timed(action) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(pool: WorkerPool, repo, flow, length: int) -> dict[str, float]:
    """One round of each figure on ``pool``, in seconds."""
    spawned = timed(pool.spawn)
    one = make_executor("process", 1, pool=pool)
    chain_s = timed(lambda: run_flow(repo, flow, executor=one, targets=[f"n{length - 1}"]))
    node_s = timed(lambda: run_flow(repo, flow, executor=one, targets=["n0"]))
    made = run_flow(repo, flow, executor=one, targets=["arr"])

    def fetch() -> None:
        assert made.output("arr").sum() == 1 << 20

    return {"start": spawned, "chain": chain_s / length, "node": node_s, "value": timed(fetch)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--chain", type=int, default=200)
    args = parser.parse_args()
    reason = unavailable()
    if reason is not None:
        print(f"no sandbox here: {reason}", file=sys.stderr)
        return 1
    folder = tempfile.mkdtemp(prefix="pyflow-bench-sandbox-")
    repo, flow = chain(args.chain)
    pools = {"plain": WorkerPool(), "sandboxed": WorkerPool(sandbox=Sandbox(folder))}
    rounds: dict[str, list[dict[str, float]]] = {name: [] for name in pools}
    try:
        for pool in pools.values():  # warm-up: imports, the first workers
            measure(pool, repo, flow, args.chain)
        for _ in range(args.repeat):
            for name, pool in pools.items():
                rounds[name].append(measure(pool, repo, flow, args.chain))
                pool.shutdown()  # the next round's start-up and runs begin cold alike
    finally:
        for pool in pools.values():
            pool.shutdown()
        shutil.rmtree(folder, ignore_errors=True)
    medians = {
        name: {key: statistics.median(r[key] for r in runs) for key in runs[0]}
        for name, runs in rounds.items()
    }
    plain, boxed = medians["plain"], medians["sandboxed"]
    figures: dict[str, float] = {}
    for key, name, unit, scale in FIGURES:
        figures[f"{name}_plain_{unit}"] = plain[key] * scale
        figures[f"{name}_sandboxed_{unit}"] = boxed[key] * scale
        figures[f"{name}_ratio"] = boxed[key] / plain[key]
        print(
            f"{name.replace('_', ' ')}: plain {plain[key] * scale:.1f} {unit}, sandboxed "
            f"{boxed[key] * scale:.1f} {unit} (x{boxed[key] / plain[key]:.2f})"
        )
    print(json.dumps({key: round(value, 3) for key, value in figures.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
