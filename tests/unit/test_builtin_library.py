"""The built-in node library and its example flows (resources/library.json)."""

from __future__ import annotations

import json
import sys

import pytest
from builtin_nodes import func_def, imported_modules

from pyflow_desktop.engine import (
    NodeFinished,
    NodeOutput,
    NodeStarted,
    NodeTask,
    execute_node,
    run_flow,
)
from pyflow_desktop.repository import PORT_TYPES, check_file, convert_value, load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path

LIBRARY = resource_path(BUILTIN_LIBRARY)
REPO = load_repository(LIBRARY)
SPEC_IDS = sorted(REPO.specs)
FLOW_IDS = sorted(REPO.flows)
FAILING_FLOW = "examples.failure"

EXPECTED_SPECS = {
    "math.add",
    "math.subtract",
    "math.multiply",
    "math.divide",
    "math.power",
    "math.sqrt",
    "math.round",
    "logic.and",
    "logic.or",
    "logic.not",
    "logic.xor",
    "logic.compare",
    "logic.if_else",
    "text.concat",
    "text.upper",
    "text.lower",
    "text.split",
    "text.join",
    "text.replace",
    "text.format",
    "text.length",
    "lists.range",
    "lists.length",
    "lists.sum",
    "lists.sort",
    "lists.reverse",
    "lists.slice",
    "lists.map_scale",
    "lists.zip_dicts",
    "json.parse",
    "json.dumps",
    "json.get",
    "json.keys",
    "sequences.linspace",
    "sequences.sine",
    "sequences.noise",
    "sequences.cumsum",
    "sequences.moving_average",
    "sequences.grid_2d",
    "stream.counter",
    "stream.random_walk",
    "util.print",
    "util.sleep",
    "util.fail",
}
EXPECTED_FLOWS = {
    "examples.math",
    "examples.logic",
    "examples.text",
    "examples.lists",
    "examples.json",
    "examples.plots",
    "examples.streaming",
    "examples.parallel",
    "examples.failure",
}
NODE_WIDTH, HEADER, PORT_HEIGHT = 180, 40, 30


def run(flow_id, **kwargs):
    """Run every node of an example (the tests look at each node's result)."""
    return run_flow(REPO, flow_id, **{"targets": "all", **kwargs})


# -- the file ---------------------------------------------------------------------------


def test_file_has_no_problems():
    assert check_file(LIBRARY) == []


def test_file_is_native_format():
    data = json.loads(LIBRARY.read_text(encoding="utf-8"))
    assert data["pyflow_desktop"] == {"format_version": 1}


def test_library_holds_the_expected_specs_and_flows():
    assert EXPECTED_SPECS <= set(REPO.specs)
    assert set(REPO.flows) == EXPECTED_FLOWS


# -- every spec -------------------------------------------------------------------------


@pytest.mark.parametrize("spec_id", SPEC_IDS)
def test_spec_is_documented_and_typed(spec_id):
    spec = REPO.specs[spec_id]
    assert "." in spec_id
    assert spec.title and spec.title != spec_id
    assert spec.description.strip().endswith(".")
    assert spec.outputs, "every built-in node has an output"
    for port in spec.inputs + spec.outputs:
        assert port.type in PORT_TYPES
    for port in spec.inputs:
        assert port.default is not None, f"input {port.name!r} has no default"
        convert_value(port.default, port.type)  # a default must read as its own type


@pytest.mark.parametrize("spec_id", SPEC_IDS)
def test_func_parameters_match_input_ports(spec_id):
    spec = REPO.specs[spec_id]
    source = spec.func
    compile(source, f"<{spec_id}>", "exec", dont_inherit=True)
    assert "\t" not in source
    func = func_def(source)
    params = [arg.arg for arg in func.args.args]
    assert params == [port.name for port in spec.ordered_inputs()]
    assert not (func.args.vararg or func.args.kwarg or func.args.kwonlyargs)


@pytest.mark.parametrize("spec_id", SPEC_IDS)
def test_func_uses_only_the_standard_library(spec_id):
    assert imported_modules(REPO.specs[spec_id].func) <= set(sys.stdlib_module_names)


@pytest.mark.parametrize("spec_id", SPEC_IDS)
def test_spec_runs_on_its_own_defaults(spec_id):
    spec = REPO.specs[spec_id]
    args = [
        0.0 if port.name == "delay" else convert_value(port.default, port.type)
        for port in spec.ordered_inputs()
    ]
    if spec_id == "util.sleep":
        args[1] = 0.0
    task = NodeTask(spec_id, spec.func, args, [port.name for port in spec.outputs], spec_id)
    outcome = execute_node(task)
    if spec_id == "util.fail":
        assert outcome.error == "ValueError: this node fails on purpose"
    else:
        assert outcome.ok, outcome.traceback
        assert set(outcome.outputs) == {port.name for port in spec.outputs}


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("<", 1, 2, True),
        ("<=", 2, 2, True),
        ("==", 2, 3, False),
        ("!=", 2, 3, True),
        (">", 1, 2, False),
        (" >= ", 3, 2, True),
    ],
)
def test_compare_operators(op, a, b, expected):
    spec = REPO.specs["logic.compare"]
    outcome = execute_node(NodeTask("c", spec.func, [a, op, b], ["out"]))
    assert outcome.outputs == {"out": expected}


def test_compare_rejects_unknown_operator_without_eval():
    spec = REPO.specs["logic.compare"]
    outcome = execute_node(NodeTask("c", spec.func, [1, "__import__('os')", 2], ["out"]))
    assert outcome.error and "unknown operator" in outcome.error


# -- flows ------------------------------------------------------------------------------


@pytest.mark.parametrize("flow_id", FLOW_IDS)
def test_flow_is_named_with_one_end_node_and_no_overlaps(flow_id):
    flow = REPO.flows[flow_id]
    assert flow.name and flow.name != flow_id
    assert sum(node.is_end for node in flow.nodes.values()) == 1
    boxes = []
    for node in flow.nodes.values():
        spec = REPO.specs[node.spec_id]
        height = HEADER + PORT_HEIGHT * max(len(spec.inputs), len(spec.outputs))
        boxes.append((node.id, node.x, node.y, node.x + NODE_WIDTH, node.y + height))
    for index, (a, ax0, ay0, ax1, ay1) in enumerate(boxes):
        assert ax0 >= 0 and ay0 >= 0
        for b, bx0, by0, bx1, by1 in boxes[index + 1 :]:
            overlap = ax0 < bx1 and bx0 < ax1 and ay0 < by1 and by0 < ay1
            assert not overlap, f"{flow_id}: nodes {a} and {b} overlap"


@pytest.mark.parametrize("flow_id", sorted(EXPECTED_FLOWS - {FAILING_FLOW}))
def test_example_flow_runs_cleanly(flow_id):
    result = run(flow_id)
    assert result.ok, result.nodes
    assert len(result.nodes) == len(REPO.flows[flow_id].nodes)


def test_math_flow_values():
    result = run("examples.math")
    assert [result.output(f"n{i}") for i in range(1, 7)] == [5.0, 25.0, 16.0, 4.0, 4 / 3, 1.33]
    end = run("examples.math", targets="end")
    assert end.output("n6") == 1.33


def test_logic_flow_builds_xor():
    result = run("examples.logic")
    assert result.output("n6") is True  # xor from and/or/not
    assert result.output("n7") is True  # the built-in xor agrees
    assert result.output("n8") == "a xor b is true"
    assert result.output("n9") is True  # 3 < 5


def test_text_flow_values():
    result = run("examples.text")
    assert result.output("n1", "head") == "pyflow"
    assert result.output("n1", "tail") == ["desktop", "runs", "python", "flows"]
    assert result.output("n2") == "PYFLOW"
    assert result.output("n3") == "desktop, runs, python, flows"
    assert result.output("n5") == "PYFLOW: desktop, runs, python, flows"
    assert result.output("n6") == "PYFLOW: desktop, runs, Python, flows"
    assert result.output("n7") == 36


def test_lists_flow_values():
    result = run("examples.lists")
    assert result.output("n1") == [0, 1, 2, 3, 4]
    assert result.output("n2") == [0.0, 10.0, 20.0, 30.0, 40.0]
    assert result.output("n3") == 100.0
    assert result.output("n4") == [{"n": i, "scaled": 10.0 * i} for i in range(5)]
    assert result.output("n5") == 5
    assert result.output("n7") == [40.0, 30.0, 20.0]
    assert result.output("n8") == [20.0, 30.0, 40.0]


def test_json_flow_values():
    result = run("examples.json")
    assert result.output("n3") == ["name", "version", "tags", "authors"]
    assert result.output("n4") == "Grace"
    assert result.output("n5").startswith('{\n  "name": "PyFlow Desktop"')


def test_plots_flow_shapes():
    result = run("examples.plots")
    for node_id in ("n1", "n2", "n3", "n4", "n5", "n6"):
        values = result.output(node_id)
        assert len(values) == 100 and all(isinstance(v, float) for v in values)
    assert result.output("n1")[0] == 0.0 and result.output("n1")[-1] == pytest.approx(6.283185)
    assert max(abs(v) for v in result.output("n2")) <= 1.0
    assert result.output("n3") == run("examples.plots").output("n3")  # seeded noise
    grid = result.output("n7")
    assert len(grid) == 48 and {len(row) for row in grid} == {64}
    assert all(-1.0 <= v <= 1.0 for row in grid for v in row)


def test_streaming_flow_emits_partial_values_in_order():
    events = []
    result = run("examples.streaming", on_event=events.append)
    assert result.ok
    partial = [e for e in events if isinstance(e, NodeOutput) and e.node == "n1"]
    assert [e.index for e in partial] == list(range(20))
    assert [e.value for e in partial] == list(range(20))
    assert result.output("n1") == partial[-1].value == 19
    assert result.output("n2") == 19
    printed = next(e for e in events if isinstance(e, NodeFinished) and e.node == "n2")
    assert printed.stdout == "19\n"
    walk = [e for e in events if isinstance(e, NodeOutput) and e.node == "n3"]
    assert [len(e.value) for e in walk] == list(range(1, 32))
    assert result.output("n3") == walk[-1].value


def test_parallel_flow_overlaps_its_sleeps():
    """Both sleeps start before either finishes."""
    events = []
    result = run("examples.parallel", on_event=events.append, workers=4)
    assert result.ok
    assert result.output("n3") == "left and right together"
    kinds = [(type(e), e.node) for e in events]
    first_finish = min(kinds.index((NodeFinished, n)) for n in ("n1", "n2"))
    assert kinds.index((NodeStarted, "n1")) < first_finish
    assert kinds.index((NodeStarted, "n2")) < first_finish


def test_failure_flow_fails_one_node_skips_its_descendant_and_runs_the_rest():
    result = run("examples.failure")
    assert not result.ok
    status = {node["id"]: node["status"] for node in result.nodes}
    assert status == {"n1": "success", "n2": "fail", "n3": "skip", "n4": "success", "n5": "success"}
    assert "this node fails on purpose" in result.node("n2")["error"]
    assert "n2" in result.node("n3")["error"]
    assert result.output("n4") == 42.0
    assert result.output("n5") == 42.0


@pytest.mark.parametrize("flow_id", FLOW_IDS)
def test_by_default_an_example_runs_its_end_node_and_its_ancestors(flow_id):
    flow = REPO.flows[flow_id]
    (end,) = [node_id for node_id, node in flow.nodes.items() if node.is_end]
    ancestors, stack = set(), [end]
    while stack:
        node_id = stack.pop()
        ancestors.add(node_id)
        stack.extend(link.source for link in flow.links if link.target == node_id)
    result = run_flow(REPO, flow_id)
    assert {node["id"] for node in result.nodes} == ancestors
    assert result.nodes[-1]["id"] == end


def test_the_failure_example_by_default_runs_n4_and_n5_as_the_original_would():
    result = run_flow(REPO, FAILING_FLOW)
    assert result.ok
    assert [(node["id"], node["status"]) for node in result.nodes] == [
        ("n4", "success"),
        ("n5", "success"),
    ]
