"""Grouping nodes into a subflow, ungrouping it back and forking a local copy: pure edits
that compute the same, that a view following the model's events keeps up with, and that
undo exactly."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from subflow_docs import MAIN, NESTED, SCALE, TWICE, document, links, load, node, outputs

from pyflow_desktop.engine import run_flow
from pyflow_desktop.repository import (
    Interface,
    InterfaceInput,
    InterfaceOutput,
    Link,
    ModelEvent,
    PortRef,
    apply_edit,
    dump_repository,
    group_nodes,
    local_copy,
    revert_edit,
    rewire_users,
    ungroup_node,
)

PLAIN = {
    "id": "plain",
    "name": "Plain",
    "nodes": [
        node("c", "add", a="1", b="1"),
        node("m", "mul", b="3"),
        node("q", "mul"),
        node("p", "add"),
        {**node("t", "add", b="100"), "is_end": 1},
    ],
    "links": links("c:out m:a", "c:out q:a", "c:out q:b", "m:out p:a", "q:out p:b", "p:out t:a"),
}


class Mirror:
    """What a view knows of a flow when it follows only the model's events."""

    def __init__(self, repo, flow):
        self.nodes = set(flow.nodes)
        self.links = set(flow.links)
        self.flows = set(repo.flows)
        self.heard: list[str] = []
        for event in (ModelEvent.NODE_ADDED, ModelEvent.NODE_REMOVED, ModelEvent.LINK_ADDED, ModelEvent.LINK_REMOVED):
            flow.events.connect(event, lambda event=event, **p: self.hear(event, **p))
        for event in (ModelEvent.FLOW_ADDED, ModelEvent.FLOW_REMOVED):
            repo.events.connect(event, lambda event=event, **p: self.hear(event, **p))

    def hear(self, event, node=None, link=None, flow=None):
        self.heard.append(event)
        item = node.id if node else link if link else flow.id
        pool = self.nodes if node else self.links if link else self.flows
        (pool.add if event.endswith("added") else pool.discard)(item)

    def agrees(self, repo, flow) -> bool:
        return (self.nodes, self.links, self.flows) == (
            set(flow.nodes),
            set(flow.links),
            set(repo.flows),
        )


def canonical(repo) -> dict:
    """The file's content, nodes in id order and links in order too (undo puts them back at
    the end of a flow)."""
    data = json.loads(dump_repository(repo))
    for flow in data["flow"].values():
        flow["nodes"].sort(key=lambda item: item["id"])
        flow.get("links", []).sort(key=lambda item: (item["source"], item["target"]))
    return data


def test_grouping_makes_the_crossing_links_the_interface():
    repo = load(document(PLAIN))
    flow = repo.flows["plain"]
    edit = group_nodes(repo, flow, ["q", "m", "p"], "sub.group", "Group")
    assert "sub.group" not in repo.flows and "m" in flow.nodes  # nothing happened yet
    apply_edit(repo, edit)
    inner = repo.flows["sub.group"]
    assert list(inner.nodes) == ["m", "q", "p"]
    assert inner.interface.inputs == (
        InterfaceInput("a", "Float", (PortRef("m", "a"), PortRef("q", "a"), PortRef("q", "b"))),
    )
    assert inner.interface.outputs == (InterfaceOutput("out", PortRef("p", "out"), "Float"),)
    assert edit.node.id == "group" and edit.node.subflow == "sub.group"
    assert list(flow.nodes) == ["c", "t", "group"]
    assert {link.source_ref + " " + link.target_ref for link in flow.links} == {
        "c:out group:a",
        "group:out t:a",
    }
    assert inner.nodes["m"].values == {"b": "3"}  # manual values stay with their nodes


def test_group_and_ungroup_compute_the_same_and_undo_exactly():
    repo = load(document(PLAIN))
    flow = repo.flows["plain"]
    before, text = outputs(run_flow(repo, "plain", targets="all")), canonical(repo)
    mirror = Mirror(repo, flow)
    group = group_nodes(repo, flow, ["m", "q", "p"], "sub.group")
    apply_edit(repo, group)
    grouped = outputs(run_flow(repo, "plain", targets="all"))
    assert grouped["t"] == before["t"] == {"out": 110.0}
    for inner in ("m", "q", "p"):
        assert grouped[f"group/{inner}"] == before[inner]
    assert grouped["group"] == {"out": 10.0}
    assert mirror.heard[0] == ModelEvent.FLOW_ADDED and mirror.agrees(repo, flow)
    assert '"format_version": 2' in dump_repository(repo)
    ungroup = ungroup_node(repo, flow, "group")
    apply_edit(repo, ungroup)
    assert mirror.agrees(repo, flow)
    assert sorted(flow.nodes) == ["c", "group/m", "group/p", "group/q", "t"]
    assert outputs(run_flow(repo, "plain", targets="all")) == {
        node_id: values for node_id, values in grouped.items() if node_id != "group"
    }
    revert_edit(repo, ungroup)
    assert mirror.agrees(repo, flow) and outputs(run_flow(repo, "plain", targets="all")) == grouped
    revert_edit(repo, group)
    assert mirror.agrees(repo, flow) and canonical(repo) == text
    assert json.loads(dump_repository(repo))["pyflow_desktop"] == {"format_version": 1}


def test_an_end_node_inside_a_group_is_still_run():
    repo = load(document(PLAIN))
    flow = repo.flows["plain"]
    apply_edit(repo, group_nodes(repo, flow, ["p", "t"], "sub.tail"))
    assert flow.nodes["tail"].is_end
    assert [p.name for p in repo.flows["sub.tail"].interface.outputs] == ["out"]
    assert outputs(run_flow(repo, "plain"))["tail"] == {"out": 110.0}


def test_ungrouping_a_use_puts_its_values_and_defaults_on_the_inner_ports():
    repo = load(document())
    flow = repo.flows["main"]
    before = outputs(run_flow(repo, "main"))
    for use in ("u1", "u2"):
        apply_edit(repo, ungroup_node(repo, flow, use))
    assert flow.nodes["u2/m"].values == {"b": "10"} and flow.nodes["u1/m"].values == {"b": 3}
    assert not any(n.is_end for n in flow.nodes.values() if n.id != "t")
    after = outputs(run_flow(repo, "main"))
    assert after == {node_id: v for node_id, v in before.items() if node_id not in ("u1", "u2")}


def test_ungrouping_one_level_keeps_the_ids_of_the_nested_nodes():
    repo = load(document(SCALE, TWICE, NESTED))
    before = outputs(run_flow(repo, "nested"))
    flow = repo.flows["nested"]
    apply_edit(repo, ungroup_node(repo, flow, "w"))
    assert [(n.id, n.subflow) for n in flow.nodes.values()] == [
        ("w/inner1", "sub.scale"),
        ("w/inner2", "sub.scale"),
    ]
    after = outputs(run_flow(repo, "nested"))
    assert after == {node_id: v for node_id, v in before.items() if node_id != "w"}


def test_an_end_subflow_node_hands_its_end_mark_to_the_inner_nodes_giving_outputs():
    end_use = {**node("w", subflow="sub.scale", x="2"), "is_end": 1}
    repo = load(document(SCALE, {**NESTED, "nodes": [end_use]}))
    flow = repo.flows["nested"]
    apply_edit(repo, ungroup_node(repo, flow, "w"))
    assert [n.id for n in flow.nodes.values() if n.is_end] == ["w/p"]


def test_a_local_copy_forks_the_definition_for_one_use():
    repo = load(document())
    main = repo.flows["main"]
    mirror = Mirror(repo, main)
    edit = local_copy(repo, main, "u2")
    apply_edit(repo, edit)
    assert main.nodes["u2"].subflow == "sub.scale.copy" and main.nodes["u1"].subflow == "sub.scale"
    assert repo.flows["sub.scale.copy"].name == "Scale (copy)"
    assert mirror.agrees(repo, main)
    assert outputs(run_flow(repo, "main"))["t"] == {"out": 28.0}  # a copy computes the same
    repo.flows["sub.scale.copy"].set_value("p", "b", "5")
    assert outputs(run_flow(repo, "main"))["u2"] == {"y": 25.0}
    assert outputs(run_flow(repo, "main"))["u1"] == {"y": 7.0}
    repo.flows["sub.scale"].set_value("p", "b", "2")  # the shared one reaches u1 only now
    assert outputs(run_flow(repo, "main"))["u1"] == {"y": 8.0}
    assert outputs(run_flow(repo, "main"))["u2"] == {"y": 25.0}
    revert_edit(repo, edit)
    assert main.nodes["u2"].subflow == "sub.scale" and "sub.scale.copy" not in repo.flows
    assert mirror.agrees(repo, main)


@pytest.mark.parametrize(
    ("node_ids", "flow_id", "message"),
    [([], "sub.new", "no nodes"), (["m", "zz"], "sub.new", "'zz'"), (["m"], "plain", "already")],
)
def test_grouping_refuses_what_cannot_be_grouped(node_ids, flow_id, message):
    repo = load(document(PLAIN))
    with pytest.raises(ValueError, match=message):
        group_nodes(repo, repo.flows["plain"], node_ids, flow_id)


def test_only_subflow_nodes_ungroup_or_fork():
    repo = load(document(SCALE, MAIN))
    for edit in (ungroup_node, local_copy):
        with pytest.raises(ValueError, match="'c' is not a subflow node"):
            edit(repo, repo.flows["main"], "c")


def test_renamed_and_removed_interface_ports_keep_the_users_wired():
    repo = load(document())
    main, scale = repo.flows["main"], repo.flows["sub.scale"]
    before = canonical(repo)
    inputs = {"k": "factor"}
    renamed = Interface(
        (scale.interface.inputs[0], replace(scale.interface.inputs[1], name="factor")),
        (replace(scale.interface.outputs[0], name="result"),),
    )
    edits = rewire_users(repo, "sub.scale", inputs, {"y": "result"})
    assert {edit.flow.id for edit in edits} == {"main"} and len(edits) == 2  # u1 and u2
    old = scale.set_interface(renamed)
    for edit in edits:
        apply_edit(repo, edit)
    assert main.nodes["u2"].values == {"factor": "10"}
    assert main.link_into("t", "a") == Link("u1", "result", "t", "a")
    assert outputs(run_flow(repo, "main"))["t"] == {"out": 28.0}  # computes as before
    gone = rewire_users(repo, "sub.scale", {"factor": None}, {"result": None})
    for edit in gone:
        apply_edit(repo, edit)
    assert main.nodes["u2"].values == {} and not main.links_of("u1")[1:]
    assert not [link for link in main.links if link.source in ("u1", "u2")]
    for edit in reversed(gone):
        revert_edit(repo, edit)
    for edit in reversed(edits):
        revert_edit(repo, edit)
    scale.set_interface(old)
    assert canonical(repo) == before
