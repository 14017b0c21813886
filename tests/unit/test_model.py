"""The repository model: mutators, their past-tense events, muting, and NodeSpec helpers."""

from __future__ import annotations

import pytest

from pyflow_desktop.repository import (
    Flow,
    Link,
    ModelEvent,
    NodeInstance,
    NodeSpec,
    Observable,
    Port,
    Repository,
    UnknownFlowError,
)


class Recorder:
    """Connects to every named event of an Observable and records (event, payload) pairs."""

    def __init__(self, events: Observable, names: list[str]):
        self.calls: list[tuple[str, dict]] = []
        for name in names:
            events.connect(name, self._handler(name))

    def _handler(self, name: str):
        def handle(**payload):
            self.calls.append((name, payload))

        return handle

    @property
    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


FLOW_EVENTS = [
    ModelEvent.NODE_ADDED,
    ModelEvent.NODE_REMOVED,
    ModelEvent.NODE_MOVED,
    ModelEvent.NODE_CHANGED,
    ModelEvent.VALUE_CHANGED,
    ModelEvent.LINK_ADDED,
    ModelEvent.LINK_REMOVED,
    ModelEvent.FLOW_RENAMED,
]
REPO_EVENTS = [ModelEvent.SPEC_ADDED, ModelEvent.SPEC_CHANGED, ModelEvent.SPEC_REMOVED, ModelEvent.FLOW_ADDED, ModelEvent.FLOW_REMOVED]


def make_flow() -> Flow:
    """n1 -> n2.a, n2 -> n3.a, n1 -> n3.b (built muted so recorders start clean)."""
    flow = Flow("f", "My flow")
    with flow.events.muted():
        for node_id in ("n1", "n2", "n3"):
            flow.add_node(NodeInstance(node_id, "add"))
        flow.add_link(Link("n1", "out", "n2", "a"))
        flow.add_link(Link("n2", "out", "n3", "a"))
        flow.add_link(Link("n1", "out", "n3", "b"))
    return flow


# -- Flow mutators --------------------------------------------------------------------------


def test_add_node_stores_it_and_emits_node_added():
    flow = Flow("f")
    rec = Recorder(flow.events, FLOW_EVENTS)
    node = NodeInstance("n1", "spec.a", name="A")
    returned = flow.add_node(node)
    assert returned is node
    assert flow.nodes == {"n1": node}
    assert rec.calls == [(ModelEvent.NODE_ADDED, {"node": node})]


def test_add_node_with_taken_id_raises_and_emits_nothing():
    flow = Flow("f")
    first = flow.add_node(NodeInstance("n1", "spec.a"))
    rec = Recorder(flow.events, FLOW_EVENTS)
    with pytest.raises(ValueError, match="n1"):
        flow.add_node(NodeInstance("n1", "spec.b"))
    assert flow.nodes["n1"] is first
    assert rec.calls == []


def test_remove_node_removes_its_links_and_emits_link_removed_before_node_removed():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    node, removed = flow.remove_node("n1")
    assert node.id == "n1"
    assert "n1" not in flow.nodes
    assert set(removed) == {Link("n1", "out", "n2", "a"), Link("n1", "out", "n3", "b")}
    assert flow.links == [Link("n2", "out", "n3", "a")]
    assert rec.names == [ModelEvent.LINK_REMOVED, ModelEvent.LINK_REMOVED, ModelEvent.NODE_REMOVED]
    assert {call[1]["link"] for call in rec.calls[:2]} == set(removed)
    assert rec.calls[-1] == (ModelEvent.NODE_REMOVED, {"node": node})


def test_remove_node_removes_incoming_and_outgoing_links():
    flow = make_flow()
    _, removed = flow.remove_node("n2")
    assert set(removed) == {Link("n1", "out", "n2", "a"), Link("n2", "out", "n3", "a")}
    assert flow.links == [Link("n1", "out", "n3", "b")]
    assert flow.link_into("n3", "a") is None


def test_remove_node_then_putting_it_back_restores_the_flow():
    flow = make_flow()
    before = (dict(flow.nodes), set(flow.links))
    node, links = flow.remove_node("n2")
    flow.add_node(node)
    for link in links:
        flow.add_link(link)
    assert (dict(flow.nodes), set(flow.links)) == before


def test_remove_missing_node_raises_keyerror():
    flow = make_flow()
    with pytest.raises(KeyError):
        flow.remove_node("nope")


def test_add_link_emits_link_added_and_returns_none_when_input_was_free():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    flow.add_node(NodeInstance("n4", "add"))
    rec.calls.clear()
    link = Link("n3", "out", "n4", "a")
    assert flow.add_link(link) is None
    assert flow.link_into("n4", "a") == link
    assert link in flow.links
    assert rec.calls == [(ModelEvent.LINK_ADDED, {"link": link})]


def test_add_link_into_taken_input_replaces_and_returns_the_old_link():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    old = flow.link_into("n3", "b")
    new = Link("n2", "out", "n3", "b")
    replaced = flow.add_link(new)
    assert replaced == old == Link("n1", "out", "n3", "b")
    assert flow.link_into("n3", "b") == new
    assert old not in flow.links
    assert len(flow.links) == 3
    assert rec.calls == [(ModelEvent.LINK_REMOVED, {"link": old}), (ModelEvent.LINK_ADDED, {"link": new})]


def test_replacing_a_link_drops_the_old_links_unknown_keys():
    flow = make_flow()
    flow.link_extra[("n3", "b")] = {"x-colour": "red"}
    flow.add_link(Link("n2", "out", "n3", "b"))
    assert ("n3", "b") not in flow.link_extra


def test_remove_link_emits_and_unknown_link_raises():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    link = Link("n2", "out", "n3", "a")
    flow.link_extra[("n3", "a")] = {"note": 1}
    flow.remove_link(link)
    assert link not in flow.links
    assert ("n3", "a") not in flow.link_extra
    assert rec.calls == [(ModelEvent.LINK_REMOVED, {"link": link})]
    with pytest.raises(KeyError):
        flow.remove_link(link)
    # Same target, different source: not the stored link, so nothing is removed.
    with pytest.raises(KeyError):
        flow.remove_link(Link("n2", "out", "n3", "b"))
    assert flow.link_into("n3", "b") == Link("n1", "out", "n3", "b")


def test_links_of_lists_links_in_and_out():
    flow = make_flow()
    assert set(flow.links_of("n3")) == {Link("n2", "out", "n3", "a"), Link("n1", "out", "n3", "b")}
    assert flow.links_of("nobody") == []


def test_link_parse_and_refs():
    link = Link.parse("node1:out", "node2:a")
    assert link == Link("node1", "out", "node2", "a")
    assert link.source_ref == "node1:out"
    assert link.target_ref == "node2:a"
    # A node id may itself contain a colon: the port is after the last one.
    assert Link.parse("a:b:out", "c:x") == Link("a:b", "out", "c", "x")


def test_set_value_stores_value_and_emits_value_changed():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    flow.set_value("n1", "a", "42")
    assert flow.nodes["n1"].values == {"a": "42"}
    assert rec.calls == [(ModelEvent.VALUE_CHANGED, {"node": flow.nodes["n1"], "port": "a", "value": "42"})]


def test_set_value_can_store_none_distinct_from_clearing():
    flow = make_flow()
    flow.set_value("n1", "a", None)
    assert flow.nodes["n1"].values == {"a": None}


def test_set_value_without_value_clears_it_and_emits_none():
    flow = make_flow()
    flow.set_value("n1", "a", "42")
    rec = Recorder(flow.events, FLOW_EVENTS)
    flow.set_value("n1", "a")
    assert "a" not in flow.nodes["n1"].values
    assert rec.calls == [(ModelEvent.VALUE_CHANGED, {"node": flow.nodes["n1"], "port": "a", "value": None})]


def test_set_value_on_missing_node_raises_keyerror_without_event():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    with pytest.raises(KeyError):
        flow.set_value("ghost", "a", 1)
    assert rec.calls == []


def test_move_node_emits_node_moved():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    flow.move_node("n2", 160.0, -69.5)
    node = flow.nodes["n2"]
    assert (node.x, node.y) == (160.0, -69.5)
    assert rec.calls == [(ModelEvent.NODE_MOVED, {"node": node})]


def test_set_end_and_rename_node_emit_node_changed():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    flow.set_end("n3", True)
    flow.rename_node("n3", "Result")
    node = flow.nodes["n3"]
    assert node.is_end is True
    assert node.name == "Result"
    assert rec.calls == [(ModelEvent.NODE_CHANGED, {"node": node}), (ModelEvent.NODE_CHANGED, {"node": node})]
    flow.set_end("n3", False)
    assert node.is_end is False


def test_rename_flow_emits_flow_renamed():
    flow = make_flow()
    rec = Recorder(flow.events, FLOW_EVENTS)
    flow.rename("Renamed")
    assert flow.name == "Renamed"
    assert rec.calls == [(ModelEvent.FLOW_RENAMED, {"flow": flow})]


def test_flow_name_defaults_to_id_and_extra_is_per_instance():
    first, second = Flow("f1"), Flow("f2")
    assert first.name == "f1"
    first.extra["k"] = 1
    assert second.extra == {}


def test_mutators_only_emit_on_their_own_flow():
    first, second = make_flow(), make_flow()
    rec = Recorder(second.events, FLOW_EVENTS)
    first.move_node("n1", 1, 2)
    first.remove_node("n2")
    assert rec.calls == []


# -- Repository mutators --------------------------------------------------------------------


def spec(spec_id: str = "s", **kwargs) -> NodeSpec:
    return NodeSpec(spec_id, kwargs.pop("title", spec_id.title()), **kwargs)


def test_add_spec_emits_spec_added_and_rejects_duplicates():
    repo = Repository()
    rec = Recorder(repo.events, REPO_EVENTS)
    first = spec("s")
    repo.add_spec(first)
    assert repo.specs == {"s": first}
    assert rec.calls == [(ModelEvent.SPEC_ADDED, {"spec": first})]
    with pytest.raises(ValueError, match="'s'"):
        repo.add_spec(spec("s"))
    assert repo.specs["s"] is first
    assert len(rec.calls) == 1


def test_replace_spec_emits_spec_changed_with_old_and_returns_old():
    repo = Repository()
    old = spec("s", title="Old")
    repo.add_spec(old)
    rec = Recorder(repo.events, REPO_EVENTS)
    new = old.copy(title="New")
    assert repo.replace_spec(new) is old
    assert repo.specs["s"] is new
    assert rec.calls == [(ModelEvent.SPEC_CHANGED, {"spec": new, "old": old})]


def test_replace_unknown_spec_raises_keyerror():
    repo = Repository()
    with pytest.raises(KeyError):
        repo.replace_spec(spec("missing"))
    assert repo.specs == {}


def test_remove_spec_emits_spec_removed():
    repo = Repository()
    removed = spec("s")
    repo.add_spec(removed)
    rec = Recorder(repo.events, REPO_EVENTS)
    assert repo.remove_spec("s") is removed
    assert repo.specs == {}
    assert rec.calls == [(ModelEvent.SPEC_REMOVED, {"spec": removed})]
    with pytest.raises(KeyError):
        repo.remove_spec("s")


def test_add_and_remove_flow_emit_flow_events():
    repo = Repository()
    rec = Recorder(repo.events, REPO_EVENTS)
    flow = make_flow()
    repo.add_flow(flow)
    assert repo.flow("f") is flow
    with pytest.raises(ValueError, match="'f'"):
        repo.add_flow(Flow("f"))
    assert repo.remove_flow("f") is flow
    assert repo.flows == {}
    assert rec.calls == [(ModelEvent.FLOW_ADDED, {"flow": flow}), (ModelEvent.FLOW_REMOVED, {"flow": flow})]


def test_unknown_flow_error_lists_known_flows():
    repo = Repository()
    repo.add_flow(Flow("b"))
    repo.add_flow(Flow("a"))
    with pytest.raises(UnknownFlowError) as info:
        repo.flow("zzz")
    assert "'zzz'" in str(info.value)
    assert "a, b" in str(info.value)
    assert info.value.ident == "zzz"
    with pytest.raises(UnknownFlowError, match="none"):
        Repository().flow("x")


def test_flows_using_spec():
    repo = Repository()
    uses = make_flow()
    other = Flow("g")
    other.add_node(NodeInstance("m", "mul"))
    repo.add_flow(uses)
    repo.add_flow(other)
    assert repo.flows_using("add") == [uses]
    assert repo.flows_using("mul") == [other]
    assert repo.flows_using("none") == []


# -- Observable -----------------------------------------------------------------------------


def test_handlers_run_in_connection_order_with_keyword_payload():
    events = Observable()
    seen = []
    events.connect("thing_happened", lambda **kw: seen.append(("first", kw)))
    events.connect("thing_happened", lambda **kw: seen.append(("second", kw)))
    events.emit("thing_happened", a=1, b="x")
    assert seen == [("first", {"a": 1, "b": "x"}), ("second", {"a": 1, "b": "x"})]


def test_emit_without_handlers_and_disconnect():
    events = Observable()
    seen = []

    def handler(**kw):
        seen.append(kw)

    events.emit("nobody_listens", x=1)
    events.connect("e", handler)
    events.disconnect("e", handler)
    events.emit("e")
    assert seen == []
    with pytest.raises(ValueError):
        events.disconnect("e", handler)


def test_handler_may_disconnect_itself_while_emitting():
    events = Observable()
    seen = []

    def once(**kw):
        seen.append("once")
        events.disconnect("e", once)

    events.connect("e", once)
    events.connect("e", lambda **kw: seen.append("always"))
    events.emit("e")
    events.emit("e")
    assert seen == ["once", "always", "always"]


def test_muted_suppresses_events_and_nesting_keeps_them_suppressed():
    flow = Flow("f")
    rec = Recorder(flow.events, FLOW_EVENTS)
    with flow.events.muted():
        flow.add_node(NodeInstance("n1", "s"))
        with flow.events.muted():
            flow.add_node(NodeInstance("n2", "s"))
        # Still inside the outer block: leaving the inner one must not unmute.
        flow.move_node("n1", 5, 5)
    assert rec.calls == []
    assert set(flow.nodes) == {"n1", "n2"}
    flow.move_node("n2", 1, 1)
    assert rec.names == [ModelEvent.NODE_MOVED]


def test_muted_is_released_after_an_exception():
    events = Observable()
    seen = []
    events.connect("e", lambda **kw: seen.append(kw))
    with pytest.raises(RuntimeError), events.muted():
        raise RuntimeError("boom")
    events.emit("e", ok=True)
    assert seen == [{"ok": True}]


def test_muting_one_observable_leaves_others_alone():
    repo = Repository()
    flow = Flow("f")
    rec = Recorder(flow.events, FLOW_EVENTS)
    with repo.events.muted():
        flow.add_node(NodeInstance("n", "s"))
    assert rec.names == [ModelEvent.NODE_ADDED]


# -- NodeSpec -------------------------------------------------------------------------------


def test_ordered_inputs_sorts_by_order_then_file_position():
    inputs = [
        Port("c", order=2),
        Port("b", order=1),
        Port("x", order=0),
        Port("y", order=1),
        Port("a", order=0),
    ]
    node_spec = NodeSpec("s", "S", inputs=inputs)
    assert [p.name for p in node_spec.ordered_inputs()] == ["x", "a", "b", "y", "c"]
    # The stored list keeps file order.
    assert [p.name for p in node_spec.inputs] == ["c", "b", "x", "y", "a"]


def test_ordered_inputs_handles_negative_orders():
    node_spec = NodeSpec("s", "S", inputs=[Port("a", order=0), Port("b", order=-1)])
    assert [p.name for p in node_spec.ordered_inputs()] == ["b", "a"]


def test_input_and_output_lookup():
    node_spec = NodeSpec("s", "S", inputs=[Port("a"), Port("b")], outputs=[Port("x")])
    assert node_spec.input("b").name == "b"
    assert node_spec.input("x") is None
    assert node_spec.output("x").name == "x"
    assert node_spec.output("a") is None


def test_nodespec_defaults():
    node_spec = NodeSpec("s", "S")
    assert node_spec.inputs == []
    assert [(p.name, p.type) for p in node_spec.outputs] == [("out", "String")]
    other = NodeSpec("t", "T")
    assert other.outputs[0] is not node_spec.outputs[0]
    assert Port("p").type == "String"


def make_spec_with_extras() -> NodeSpec:
    return NodeSpec(
        "s",
        "S",
        inputs=[Port("a", "Int", 0, extra={"hint": "first"}), Port("b", "Int", 1)],
        outputs=[Port("out", "Int", extra={"unit": "m"})],
        func="def func(a, b):\n    return a + b\n",
        extra={"author": "me"},
    )


def test_copy_is_equal_but_does_not_alias_ports():
    original = make_spec_with_extras()
    clone = original.copy()
    assert clone == original
    assert clone is not original
    assert clone.inputs is not original.inputs
    assert clone.outputs is not original.outputs
    for mine, theirs in zip(
        clone.inputs + clone.outputs, original.inputs + original.outputs, strict=True
    ):
        assert mine is not theirs
        assert mine.extra is not theirs.extra
    assert clone.extra is not original.extra

    clone.inputs[0].name = "renamed"
    clone.inputs[0].extra["hint"] = "changed"
    clone.inputs.append(Port("c"))
    clone.outputs[0].type = "Float"
    clone.outputs[0].extra["unit"] = "km"
    clone.extra["author"] = "you"
    assert original == make_spec_with_extras()


def test_copy_applies_changes():
    original = make_spec_with_extras()
    clone = original.copy(title="Renamed", func="def func():\n    return 1\n")
    assert (clone.title, clone.func) == ("Renamed", "def func():\n    return 1\n")
    assert (original.title, original.func) == ("S", "def func(a, b):\n    return a + b\n")
    new_inputs = [Port("z")]
    assert original.copy(inputs=new_inputs).inputs == [Port("z")]
    assert original.inputs[0].name == "a"


def test_copy_applies_a_changed_extra():
    original = make_spec_with_extras()
    clone = original.copy(extra={"author": "someone else", "licence": "MIT"})
    assert clone.extra == {"author": "someone else", "licence": "MIT"}
    assert original.extra == {"author": "me"}
