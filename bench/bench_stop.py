"""How soon a run ends after Stop, and after a node's timeout, on each executor.

A node enters (it leaves a file) and then waits for a file that never comes. Stop: the run is
cancelled once the node has entered, and the time from ``cancel()`` to the end of ``run()`` is
measured. Timeout: the node has ``--timeout`` seconds, and the time the run takes beyond that
is measured. Each figure is the median of ``--repeat`` runs, in ms, and its ratio to a run of
one 1 ms node on the same executor (slow enough to be sent to the executor, not run inline),
measured here first.

    python bench/bench_stop.py [--repeat 5] [--timeout 0.3] [--skip-dask]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from pathlib import Path

from pyflow_desktop.engine import Scheduler, make_executor, plan_run, run_flow
from pyflow_desktop.engine.process_executor import shared_pool
from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port, Repository

WAIT = (
    "import os, time\n"
    "def func(release):\n"
    "    open(release + '.entered', 'w').close()\n"
    "    deadline = time.monotonic() + 30\n"
    "    while not os.path.exists(release) and time.monotonic() < deadline:\n"
    "        time.sleep(0.01)\n"
)


def one_node_flow(source: str, **values: str) -> tuple[Repository, Flow]:
    repo = Repository()
    inputs = [Port(name, "String", order) for order, name in enumerate(values)]
    repo.add_spec(NodeSpec("node", "node", inputs, [Port("out", "Any")], source))
    flow = Flow("one")
    flow.add_node(NodeInstance("n", "node", values=values))
    repo.add_flow(flow)
    return repo, flow


def one_node_run(executor) -> float:
    """Seconds for a run of one node that takes 1 ms (after a warm-up run)."""
    repo, flow = one_node_flow("import time\ndef func():\n    time.sleep(0.001)\n")
    run_flow(repo, flow, executor=executor)
    start = time.perf_counter()
    assert run_flow(repo, flow, executor=executor).ok
    return time.perf_counter() - start


def stop_latency(executor, folder: Path) -> float:
    """Seconds from Stop, asked once the node has entered, to the end of the run."""
    release = folder / "release"
    repo, flow = one_node_flow(WAIT, release=str(release))
    scheduler = Scheduler(plan_run(repo, flow), executor)
    asked = []

    def stop() -> None:
        entered = release.with_suffix(".entered")
        while not entered.exists():
            time.sleep(0.001)
        asked.append(time.perf_counter())
        scheduler.cancel()

    threading.Thread(target=stop).start()
    result = scheduler.run()
    ended = time.perf_counter()
    release.touch()  # a thread that cannot be killed goes on until it sees this
    assert result.node("n")["status"] == "cancelled", result.nodes
    return ended - asked[0]


def timeout_latency(executor, folder: Path, timeout: float) -> float:
    """Seconds a run takes beyond the timeout of its one node, which never returns."""
    release = folder / "release"
    repo, flow = one_node_flow(WAIT, release=str(release))
    start = time.perf_counter()
    result = run_flow(repo, flow, executor=executor, timeout=timeout)
    ended = time.perf_counter()
    release.touch()
    assert result.node("n")["status"] == "fail", result.nodes
    return ended - start - timeout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=0.3)
    parser.add_argument("--skip-dask", action="store_true")
    args = parser.parse_args()
    names = ["thread", "process"] + ([] if args.skip_dask else ["dask"])
    print(f"median of {args.repeat} runs, ms (and x a 1 ms one-node run on that executor)")
    print(f"{'executor':10}{'1 ms node':>14}{'Stop':>20}{'timeout, late by':>24}")
    for name in names:
        executor = make_executor(name, 2)
        baseline = one_node_run(executor)
        stops, lates = [], []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as folder:
                stops.append(stop_latency(executor, Path(folder)))
            with tempfile.TemporaryDirectory() as folder:
                lates.append(timeout_latency(executor, Path(folder), args.timeout))
        stop, late = statistics.median(stops), statistics.median(lates)
        print(
            f"{name:10}{baseline * 1e3:14.1f}"
            f"{stop * 1e3:12.1f} ({stop / baseline:4.1f}x)"
            f"{late * 1e3:16.1f} ({late / baseline:4.1f}x)"
        )
        executor.shutdown()
    shared_pool().shutdown()


if __name__ == "__main__":
    main()
