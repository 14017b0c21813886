"""Running flows with subflows: flattened at plan time into ``OUTER/INNER`` nodes, with the
subflow node itself in the result, and everything else (targets, conversions, failures,
streaming, timing) as for any node. What an edit of a subflow reruns through the cache is in
``test_cache.py``."""

from __future__ import annotations

import pytest
from subflow_docs import NESTED, SCALE, TWICE, document, float_spec, load, node, outputs

from pyflow_desktop.engine import (
    NodeFinished,
    NodeOutput,
    NodeSkipped,
    PlanError,
    plan_run,
    run_flow,
)
from pyflow_desktop.repository import Flow, Link, NodeInstance, SubflowError, UnknownFlowError


def test_inner_nodes_are_outer_slash_inner_and_the_subflow_node_is_listed():
    result = run_flow(load(document()), "main")
    assert result.ok
    assert [n["id"] for n in result.nodes] == [
        *("c", "u1/m", "u1/p", "u1", "u2/m", "u2/p", "u2", "t")
    ]
    values = outputs(result)
    assert values["u1/m"] == {"out": 6.0} and values["u2/m"] == {"out": 20.0}
    assert values["u1"] == {"y": 7.0} and values["u2"] == {"y": 21.0}
    assert values["t"] == {"out": 28.0}
    row = result.node("u2")
    assert (row["name"], row["inputs"], row["status"]) == ("u2", [], "success")
    assert row["outputs"] == [{"name": "y", "type": "Float", "value": 21.0}]
    assert [i["value"] for i in result.node("u2/m")["inputs"]] == [2.0, 10.0]


def test_nesting_goes_as_deep_as_the_flows():
    result = run_flow(load(document(SCALE, TWICE, NESTED)), "nested")
    assert [n["id"] for n in result.nodes] == [
        *("w/inner1/m", "w/inner1/p", "w/inner1", "w/inner2/m", "w/inner2/p", "w/inner2", "w")
    ]
    assert outputs(result)["w/inner1"] == {"y": 7.0}  # 2 * 3 + 1
    assert outputs(result)["w"] == {"y": 22.0}  # 7 * 3 + 1


def test_targets_may_name_the_subflow_node_or_an_inner_node():
    repo = load(document())
    assert list(plan_run(repo, "main", ["u1"]).order) == ["c", "u1/m", "u1/p", "u1"]
    assert list(plan_run(repo, "main", ["u2/m"]).order) == ["c", "u2/m"]
    with pytest.raises(PlanError, match="no node 'u3'"):
        plan_run(repo, "main", ["u3"])


def test_needing_one_output_needs_the_whole_subflow_node_but_not_its_wait():
    """The consumer of the fast output starts before the slow output is there, yet the slow
    branch runs: the subflow node is needed as a whole."""
    specs = {
        "fast": float_spec("fast", "def func(a):\n    return a\n", inputs=("a",)),
        "slow": float_spec(
            "slow", "import time\ndef func(a):\n    time.sleep(0.5)\n    return a\n", ("a",)
        ),
    }
    two = {
        "id": "sub.two",
        "nodes": [node("f", "fast"), node("s", "slow")],
        "links": [],
        "interface": {
            "input": [{"name": "x", "to": ["f:a", "s:a"]}],
            "output": [{"name": "quick", "from": "f:out"}, {"name": "late", "from": "s:out"}],
        },
    }
    top = {
        "id": "top",
        "nodes": [node("u", subflow="sub.two", x="1"), {**node("use", "fast"), "is_end": 1}],
        "links": [{"source": "u:quick", "target": "use:a"}],
    }
    finished = []
    result = run_flow(
        load(document(two, top, specs=specs)),
        "top",
        on_event=lambda e: isinstance(e, NodeFinished) and finished.append(e.node),
    )
    assert [n["id"] for n in result.nodes] == ["u/f", "u/s", "u", "use"]
    assert finished.index("use") < finished.index("u/s") < finished.index("u")
    assert outputs(result)["u"] == {"quick": 1.0, "late": 1.0}


def test_end_marks_inside_a_subflow_are_not_what_runs():
    doc = document()
    doc["flow"]["sub.scale"]["nodes"].append({**node("extra", "add", a="1", b="1"), "is_end": 1})
    repo = load(doc)
    assert "u1/extra" not in plan_run(repo, "main").order  # main's end node needs u1's outputs
    assert "u1/extra" in plan_run(repo, "main", "all").order
    assert list(plan_run(repo, "sub.scale").order) == ["extra"]  # run on its own, it is a flow


def test_an_interface_port_converts_where_the_value_arrives():
    doc = document()
    doc["flow"]["main"]["nodes"][1]["ports"] = [{"name": "k", "value": "0.5"}]
    doc["flow"]["main"]["nodes"][2]["ports"] = [{"name": "k", "value": "lots"}]
    result = run_flow(load(doc), "main")
    assert outputs(result)["u1"] == {"y": 2.0}  # "0.5" arrived at a Float input
    assert result.node("u2/m")["status"] == "fail"
    assert "input 'b'" in result.node("u2/m")["error"] and "'lots'" in result.node("u2/m")["error"]


def test_a_failure_inside_skips_the_subflow_node_and_what_follows_only():
    doc = document()
    doc["nodespec"]["mul"]["func"] = (
        "def func(a, b):\n    if b > 5:\n        raise ValueError(b)\n    return a * b\n"
    )
    skipped = []
    result = run_flow(
        load(doc), "main", on_event=lambda e: isinstance(e, NodeSkipped) and skipped.append(e)
    )
    status = {n["id"]: n["status"] for n in result.nodes}
    assert status == {
        **dict.fromkeys(("c", "u1/m", "u1/p", "u1"), "success"),
        "u2/m": "fail",
        **dict.fromkeys(("u2/p", "u2", "t"), "skip"),
    }
    assert {e.failed_ancestor for e in skipped} == {"u2/m"}
    assert "'u2/m'" in result.node("t")["error"]


def test_a_generator_inside_streams_under_its_inner_id():
    doc = document()
    doc["nodespec"]["count"] = {
        **float_spec(
            "count", "def func(a):\n    for i in range(int(a)):\n        yield i\n", ("a",)
        ),
    }
    doc["flow"]["sub.scale"]["nodes"][0]["spec_id"] = "count"
    doc["flow"]["sub.scale"]["interface"]["input"].pop()  # k fed m:b, which count lacks
    doc["flow"]["main"]["nodes"][2]["ports"] = []
    partials = []
    result = run_flow(
        load(doc), "main", on_event=lambda e: isinstance(e, NodeOutput) and partials.append(e)
    )
    assert [(e.node, e.value) for e in partials if e.node == "u1/m"] == [("u1/m", 0), ("u1/m", 1)]
    assert outputs(result)["u1"] == {"y": 2.0}  # the last value, 1, plus 1


def test_invalid_subflows_fail_the_plan_naming_where():
    repo = load(document())
    repo.flows["main"].add_node(NodeInstance("u3", "", subflow="sub.gone"))
    with pytest.raises(UnknownFlowError) as info:
        plan_run(repo, "main")
    assert info.value.path == 'flow["main"].nodes[4].subflow'
    repo.flows["main"].remove_node("u3")
    inner = repo.flows["sub.scale"]
    inner.add_node(NodeInstance("loop", "", subflow="sub.scale"))
    with pytest.raises(SubflowError, match="sub.scale → sub.scale"):
        plan_run(repo, "main")
    inner.remove_node("loop")
    inner.add_node(NodeInstance("q", "nospec"))
    with pytest.raises(Exception, match=r'flow\["sub.scale"\].nodes\[2\].spec_id'):
        plan_run(repo, "main")


def test_a_flow_not_in_the_repository_may_use_its_subflows():
    repo = load(document())
    posted = Flow("posted")
    posted.add_node(NodeInstance("u", "", values={"x": "4"}, subflow="sub.scale"))
    posted.add_node(NodeInstance("after", "add", values={"b": "0"}))
    posted.add_link(Link("u", "y", "after", "a"))
    assert outputs(run_flow(repo, posted))["after"] == {"out": 13.0}
