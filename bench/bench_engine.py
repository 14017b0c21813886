"""Engine overhead per node: our thread executor against dask.threaded.get, same process.

Builds a chain and a wide flow of N trivial nodes (``return a + 1``), runs each with our
scheduler and, on the same graph of the same function, with ``dask.threaded.get``; prints
microseconds per node and the ratio ours / dask (target: <= 1.0). Usage:

    python bench/bench_engine.py [--nodes 2000] [--repeat 5] [--workers 4]
"""

from __future__ import annotations

import argparse
import statistics
import time

from dask.threaded import get as dask_get

from pyflow_desktop.engine import run_flow
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository

SOURCE = "def func(a):\n    return (a or 0) + 1\n"


def build(shape: str, n: int) -> tuple[Repository, dict]:
    """Our repository and the equivalent dask graph for a ``chain`` or ``wide`` flow."""
    repo = Repository()
    repo.add_spec(NodeSpec("inc", "inc", [Port("a", "Any")], [Port("out", "Any")], SOURCE))
    flow = Flow(shape)
    namespace: dict = {}
    exec(SOURCE, namespace)  # the same function, for dask's graph
    func = namespace["func"]
    graph: dict = {}
    for i in range(n):
        flow.add_node(NodeInstance(f"n{i}", "inc"))
        if shape == "chain" and i:
            flow.add_link(Link(f"n{i - 1}", "out", f"n{i}", "a"))
            graph[f"n{i}"] = (func, f"n{i - 1}")
        elif shape == "wide" and i:
            flow.add_link(Link("n0", "out", f"n{i}", "a"))
            graph[f"n{i}"] = (func, "n0")
        else:
            graph[f"n{i}"] = (func, None)
    repo.add_flow(flow)
    return repo, graph


def best_of(repeat: int, run) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times), statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    print(f"{args.nodes} trivial nodes, {args.workers} workers, best (median) of {args.repeat}")
    print(f"{'shape':6} {'ours µs/node':>18} {'dask µs/node':>18} {'ours/dask':>10}")
    for shape in ("chain", "wide"):
        repo, graph = build(shape, args.nodes)
        keys = list(graph)

        def ours(repo=repo, shape=shape) -> None:
            assert run_flow(repo, shape, workers=args.workers).ok

        def dask(graph=graph, keys=keys) -> None:
            dask_get(graph, keys, num_workers=args.workers)

        ours(), dask()  # warm up both
        our_best, our_median = best_of(args.repeat, ours)
        dask_best, dask_median = best_of(args.repeat, dask)
        per = 1e6 / args.nodes
        print(
            f"{shape:6} {our_best * per:8.1f} ({our_median * per:6.1f}) "
            f"{dask_best * per:8.1f} ({dask_median * per:6.1f}) {our_best / dask_best:10.2f}"
        )


if __name__ == "__main__":
    main()
