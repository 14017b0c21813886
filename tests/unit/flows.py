"""Small repositories built in code for engine and CLI tests, and the exported script's
result of a flow."""

from __future__ import annotations

from pyflow_desktop.export.script import flow_script
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository


def spec(spec_id: str, func: str, inputs=(), outputs=("out",), types=None) -> NodeSpec:
    """A spec whose inputs are ``inputs`` (names, optionally ``name:Type``)."""
    ports = []
    for order, item in enumerate(inputs):
        name, _, port_type = item.partition(":")
        ports.append(Port(name, port_type or "Any", order))
    return NodeSpec(spec_id, spec_id, ports, [Port(name, "Any") for name in outputs], func)


def basic_repo() -> Repository:
    repo = Repository()
    for item in (
        spec("add", "def func(a, b):\n    return a + b\n", ["a:Int", "b:Int"]),
        spec("const", "def func(v):\n    return v\n", ["v:Int"]),
        spec("boom", "def func(a):\n    raise ValueError('boom at ' + str(a))\n", ["a"]),
        spec("sleep", "import time\ndef func(s):\n    time.sleep(s)\n    return s\n", ["s:Float"]),
        spec("count", "def func(n):\n    for i in range(n):\n        yield i\n", ["n:Int"]),
        spec("shout", "def func(t):\n    print('hello', t)\n    return t\n", ["t:String"]),
    ):
        repo.add_spec(item)
    return repo


def add_nodes(flow: Flow, *nodes: tuple[str, str, dict]) -> None:
    for node_id, spec_id, values in nodes:
        flow.add_node(NodeInstance(node_id, spec_id, name=node_id, values=dict(values)))


def link(flow: Flow, source: str, target: str) -> None:
    flow.add_link(Link.parse(source, target))


def exported(repo: Repository, flow, targets=None) -> list[dict]:
    """The run result of ``flow``'s exported script (``export-python``), run here."""
    namespace = {"__name__": "exported"}
    exec(compile(flow_script(repo, flow, targets), "<exported>", "exec"), namespace)
    return namespace["to_jsonable"](namespace["run_plan"](namespace["PLAN"], namespace["SOURCES"]))
