"""What subflows cost: a flow of U uses of one subflow (a chain of K trivial nodes) against the
same flow inlined (what ``convert --format original`` writes), on the thread executor.

Prints, for each, the planned nodes, the best plan time and the best run time (plan
included), and the ratios subflows / inlined: the price of flattening at plan time and of
one pass-through node per use. Usage:

    python bench/bench_subflows.py [--uses 200] [--inner 10] [--repeat 10]
"""

from __future__ import annotations

import argparse
import time

from pyflow_desktop.engine import plan_run, run_flow
from pyflow_desktop.repository import (
    Flow,
    Interface,
    InterfaceInput,
    InterfaceOutput,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    PortRef,
    Repository,
    inline_subflows,
)

SOURCE = "def func(a):\n    return (a or 0) + 1\n"


def build(uses: int, inner: int) -> Repository:
    repo = Repository()
    repo.add_spec(NodeSpec("inc", "inc", [Port("a", "Int")], [Port("out", "Int")], SOURCE))
    first, last = PortRef("s0", "a"), PortRef(f"s{inner - 1}", "out")
    interface = Interface((InterfaceInput("x", "Int", (first,)),), (InterfaceOutput("y", last),))
    chain = Flow("sub.chain", interface=interface)
    for i in range(inner):
        chain.add_node(NodeInstance(f"s{i}", "inc"))
        if i:
            chain.add_link(Link(f"s{i - 1}", "out", f"s{i}", "a"))
    repo.add_flow(chain)
    top = Flow("top")
    top.add_node(NodeInstance("source", "inc"))
    for use in range(uses):
        top.add_node(NodeInstance(f"u{use}", "", subflow="sub.chain"))
        top.add_link(Link("source", "out", f"u{use}", "x"))
    repo.add_flow(top)
    return repo


def best_ms(call, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uses", type=int, default=200)
    parser.add_argument("--inner", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    with_subflows = build(args.uses, args.inner)
    figures = {}
    for name, repo in (("subflows", with_subflows), ("inlined", inline_subflows(with_subflows))):
        planned = len(plan_run(repo, "top"))
        plan = best_ms(lambda repo=repo: plan_run(repo, "top"), args.repeat)
        run = best_ms(lambda repo=repo: run_flow(repo, "top"), args.repeat)
        figures[name] = (plan, run)
        print(f"{name:>9}: {planned} planned nodes, plan {plan:.1f} ms, run {run:.1f} ms")
    (sub_plan, sub_run), (flat_plan, flat_run) = figures["subflows"], figures["inlined"]
    print(
        f"ratio subflows / inlined: plan {sub_plan / flat_plan:.2f}, run {sub_run / flat_run:.2f}"
    )


if __name__ == "__main__":
    main()
