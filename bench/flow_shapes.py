"""The four shapes of flow the window is measured on, built as a file would load them.

- ``chain``: each node feeds the next (50 to a row);
- ``fanout``: one source feeds every other node (40 to a row);
- ``fanin``: half the nodes are sources, reduced pairwise to one node (40 to a row);
- ``random``: each node's two inputs come from any nodes before it, near or far, so links
  cross the whole flow (40 to a row; seeded, the same flow every time).

Every flow is ``SHAPE`` in its repository, of trivial nodes (``inc``: one input, ``add``: two).
"""

from __future__ import annotations

from collections import deque
from random import Random

from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository

SHAPES = ("chain", "fanout", "fanin", "random")
INC = "def func(a):\n    return (a or 0) + 1\n"
ADD = "def func(a, b):\n    return (a or 0) + (b or 0) + 1\n"
COLUMNS, WIDTH, HEIGHT = 40, 260.0, 150.0  # the grid of every shape but the chain's


def build(shape: str, n: int) -> Repository:
    """A repository holding one flow, ``shape``, of about ``n`` nodes."""
    repo = Repository()
    repo.add_spec(NodeSpec("inc", "Inc", [Port("a", "Int")], [Port("out", "Int")], INC))
    repo.add_spec(
        NodeSpec("add", "Add", [Port("a", "Int"), Port("b", "Int")], [Port("out", "Int")], ADD)
    )
    flow = Flow(shape, shape.capitalize())
    with flow.events.muted():
        _BUILDERS[shape](flow, n)
    repo.add_flow(flow)
    return repo


def _node(
    flow: Flow,
    index: int,
    spec: str,
    columns: int = COLUMNS,
    width: float = WIDTH,
    height: float = HEIGHT,
) -> str:
    x, y = (index % columns) * width, (index // columns) * height
    flow.add_node(NodeInstance(f"n{index}", spec, x=x, y=y))
    return f"n{index}"


def _chain(flow: Flow, n: int) -> None:
    for i in range(n):
        _node(flow, i, "inc", 50, 240.0, 140.0)
        if i:
            flow.add_link(Link(f"n{i - 1}", "out", f"n{i}", "a"))


def _fanout(flow: Flow, n: int) -> None:
    source = _node(flow, 0, "inc")
    for i in range(1, n):
        flow.add_link(Link(source, "out", _node(flow, i, "inc"), "a"))


def _fanin(flow: Flow, n: int) -> None:
    leaves = (n + 1) // 2
    waiting = deque(_node(flow, i, "add") for i in range(leaves))
    index = leaves
    while len(waiting) > 1:
        node = _node(flow, index, "add")
        index += 1
        flow.add_link(Link(waiting.popleft(), "out", node, "a"))
        flow.add_link(Link(waiting.popleft(), "out", node, "b"))
        waiting.append(node)


def _random_dag(flow: Flow, n: int) -> None:
    pick = Random(24).randrange
    for i in range(n):
        node = _node(flow, i, "add")
        if i:
            flow.add_link(Link(f"n{pick(i)}", "out", node, "a"))
            flow.add_link(Link(f"n{pick(i)}", "out", node, "b"))


_BUILDERS = {"chain": _chain, "fanout": _fanout, "fanin": _fanin, "random": _random_dag}
