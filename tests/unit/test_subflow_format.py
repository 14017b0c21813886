"""The subflow file format (version 2): what a file holds, what it round-trips, and every
error, each naming the file, the JSON path and the id."""

from __future__ import annotations

import json

import pytest
from subflow_docs import MAIN, NESTED, SCALE, TWICE, document, load, node, write

from pyflow_desktop.repository import (
    DuplicateIdError,
    Interface,
    InterfaceInput,
    InterfaceOutput,
    LinkError,
    ModelEvent,
    NodeInstance,
    PortRef,
    SchemaError,
    SubflowError,
    UnknownFlowError,
    UnknownPortError,
    check_file,
    dump_repository,
    load_repository,
    save_repository,
)


def test_a_file_with_subflows_round_trips_as_version_2(tmp_path):
    doc = document(SCALE, MAIN, TWICE, NESTED)
    doc["flow"]["sub.scale"]["interface"]["x_note"] = "kept"
    doc["flow"]["sub.scale"]["interface"]["input"][0]["x_hint"] = {"unit": "m"}
    repo = load(doc)
    path = tmp_path / "again.json"
    save_repository(repo, path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["pyflow_desktop"] == {"format_version": 2}
    assert data["flow"]["sub.scale"]["interface"] == doc["flow"]["sub.scale"]["interface"]
    assert data["flow"]["main"]["nodes"][1]["subflow"] == "sub.scale"
    assert "spec_id" not in data["flow"]["main"]["nodes"][1]
    assert dump_repository(load_repository(path)) == path.read_text(encoding="utf-8")


def test_the_model_holds_the_interface_and_the_subflow_node():
    repo = load(document())
    assert repo.flows["sub.scale"].interface == Interface(
        inputs=(
            InterfaceInput("x", "Float", (PortRef("m", "a"),)),
            InterfaceInput("k", "Float", (PortRef("m", "b"),), default=3),
        ),
        outputs=(InterfaceOutput("y", PortRef("p", "out"), "Float"),),
    )
    user = repo.flows["main"].nodes["u2"]
    assert (user.subflow, user.spec_id, user.values) == ("sub.scale", "", {"k": "10"})
    face = repo.node_spec(user)
    assert [(p.name, p.type, p.default) for p in face.inputs] == [
        ("x", "Float", None),
        ("k", "Float", 3),
    ]
    assert [(p.name, p.type) for p in face.outputs] == [("y", "Float")]
    assert face.title == "Scale"
    assert repo.node_spec(repo.flows["main"].nodes["c"]) is repo.specs["add"]
    assert [flow.id for flow in repo.flows_using_subflow("sub.scale")] == ["main"]
    assert repo.flows_using_subflow("main") == []


def test_an_input_may_feed_several_inner_ports_and_an_interface_type_defaults_to_any():
    doc = document(SCALE)
    doc["flow"]["sub.scale"]["interface"]["input"] = [{"name": "x", "to": ["m:a", "m:b"]}]
    port = load(doc).flows["sub.scale"].interface.inputs[0]
    assert port.to == (PortRef("m", "a"), PortRef("m", "b")) and port.type == "Any"


def test_a_file_without_subflows_is_written_as_version_1_again():
    doc = document(SCALE, MAIN)
    del doc["flow"]["sub.scale"]
    repo = load({**doc, "flow": {"plain": {"id": "plain", "nodes": [node("c", "add")]}}})
    assert json.loads(dump_repository(repo))["pyflow_desktop"] == {"format_version": 1}


# -- errors: each names the file, the JSON path and the id --------------------------------


def problems_of(tmp_path, doc):
    path = write(tmp_path, doc, "bad.json")
    found = check_file(path)
    with pytest.raises(type(found[0])) as first:
        load_repository(path)
    assert str(first.value) == str(found[0])
    for problem in found:
        assert str(path) in str(problem)
    return found


def only_problem(tmp_path, doc):
    found = problems_of(tmp_path, doc)
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


def test_an_unknown_flow(tmp_path):
    doc = document()
    doc["flow"]["main"]["nodes"][2]["subflow"] = "sub.gone"
    problem = only_problem(tmp_path, doc)
    assert isinstance(problem, UnknownFlowError)
    assert problem.path == 'flow["main"].nodes[2].subflow'
    assert problem.ident == "sub.gone"
    assert "'sub.gone'" in problem.message and "main, sub.scale" in problem.message


def test_a_flow_without_an_interface_is_no_subflow(tmp_path):
    doc = document()
    del doc["flow"]["sub.scale"]["interface"]
    found = problems_of(tmp_path, doc)
    assert {(type(p), p.path, p.ident) for p in found} == {
        (SubflowError, 'flow["main"].nodes[1].subflow', "sub.scale"),
        (SubflowError, 'flow["main"].nodes[2].subflow', "sub.scale"),
    }
    assert "declares no interface" in found[0].message


@pytest.mark.parametrize(
    ("where", "ref", "expected"),
    [
        ("input", "q:a", ["interface input 'x' feeds 'q:a'", "no node 'q'"]),
        ("input", "m:zz", ["interface input 'x' feeds 'm:zz'", "node 'm' has no input port 'zz'"]),
        ("output", "q:out", ["interface output 'y' comes from 'q:out'", "no node 'q'"]),
        ("output", "p:a", ["interface output 'y' comes from 'p:a'", "no output port 'a'"]),
    ],
)
def test_to_and_from_must_name_inner_ports(tmp_path, where, ref, expected):
    doc = document()
    interface = doc["flow"]["sub.scale"]["interface"]
    if where == "input":
        interface["input"][0]["to"] = [ref]
    else:
        interface["output"][0]["from"] = ref
    problem = only_problem(tmp_path, doc)
    assert isinstance(problem, SubflowError)
    path = "input[0].to[0]" if where == "input" else "output[0].from"
    assert problem.path == f'flow["sub.scale"].interface.{path}'
    assert problem.ident == ref.partition(":")[0]
    for text in expected:
        assert text in problem.message


def test_two_interface_inputs_cannot_feed_one_inner_port(tmp_path):
    doc = document()
    doc["flow"]["sub.scale"]["interface"]["input"][1]["to"] = ["m:b", "m:a"]
    problem = only_problem(tmp_path, doc)
    assert isinstance(problem, SubflowError)
    assert problem.path == 'flow["sub.scale"].interface.input[1].to[1]'
    assert problem.ident == "m:a"
    assert "interface inputs 'x' and 'k' both feed 'm:a'" in problem.message


def test_an_inner_port_fed_by_a_link_takes_no_interface_input(tmp_path):
    doc = document()
    doc["flow"]["sub.scale"]["interface"]["input"][0]["to"] = ["p:a"]
    problem = only_problem(tmp_path, doc)
    assert problem.path == 'flow["sub.scale"].interface.input[0].to[0]'
    assert "the link from 'm:out' feeds too" in problem.message


def test_a_subflow_that_uses_itself_directly(tmp_path):
    doc = document()
    doc["flow"]["sub.scale"]["nodes"].append(node("again", subflow="sub.scale"))
    problem = only_problem(tmp_path, doc)
    assert isinstance(problem, SubflowError)
    assert problem.path == 'flow["sub.scale"].nodes[2].subflow'
    assert problem.message.endswith("sub.scale → sub.scale")


def test_a_subflow_that_uses_itself_through_others_names_the_chain(tmp_path):
    def flow(flow_id, uses):
        return {
            "id": flow_id,
            "nodes": [node("n", "add"), node("use", subflow=uses)],
            "links": [],
            "interface": {"input": [], "output": [{"name": "y", "from": "n:out"}]},
        }

    doc = document(flow("sub.ping", "sub.pong"), flow("sub.pong", "sub.ping"))
    problem = only_problem(tmp_path, doc)
    assert isinstance(problem, SubflowError)
    assert problem.path == 'flow["sub.ping"].nodes[1].subflow'
    assert problem.ident == "sub.ping"
    assert "sub.ping → sub.pong → sub.ping" in problem.message


def test_a_subflow_node_has_only_the_interface_ports(tmp_path):
    doc = document()
    doc["flow"]["main"]["nodes"][1]["ports"] = [{"name": "zz", "value": "1"}]
    doc["flow"]["main"]["links"].append({"source": "u1:nope", "target": "u2:k"})
    found = problems_of(tmp_path, doc)
    assert [(type(p), p.path) for p in found] == [
        (UnknownPortError, 'flow["main"].nodes[1].ports'),
        (LinkError, 'flow["main"].links[4].source'),
    ]
    assert "subflow 'sub.scale' has no input named" in found[0].message
    assert "subflow 'sub.scale' has no output port 'nope'" in found[1].message


@pytest.mark.parametrize(
    ("change", "path", "kind", "words"),
    [
        (lambda i: i["input"][0].update(type="Complex"), "input[0].type", SchemaError, "Complex"),
        (lambda i: i["input"][0].update(to="m:a"), "input[0].to", SchemaError, "an array"),
        (lambda i: i["input"][0].update(to=[7]), "input[0].to[0]", SchemaError, '"node:port"'),
        (lambda i: i["output"][0].pop("from"), "output[0].from", SchemaError, '"node:port"'),
        (lambda i: i["input"][1].update(name="x"), "input[1].name", DuplicateIdError, "two"),
        (lambda i: i.update(output={}), "output", SchemaError, "an array"),
    ],
)
def test_a_malformed_interface(tmp_path, change, path, kind, words):
    doc = document()
    change(doc["flow"]["sub.scale"]["interface"])
    found = problems_of(tmp_path, doc)
    first = found[0]
    assert isinstance(first, kind)
    assert first.path == f'flow["sub.scale"].interface.{path}'
    assert words in first.message


def test_a_node_names_a_spec_or_a_subflow_not_both(tmp_path):
    doc = document()
    doc["flow"]["main"]["nodes"][1]["spec_id"] = "add"
    problem = problems_of(tmp_path, doc)[0]
    assert isinstance(problem, SchemaError)
    assert problem.path == 'flow["main"].nodes[1].subflow'
    assert "either a spec_id or a subflow" in problem.message


def test_subflows_need_format_version_2(tmp_path):
    doc = document()
    doc["pyflow_desktop"]["format_version"] = 1
    problem = only_problem(tmp_path, doc)
    assert problem.path == "pyflow_desktop.format_version"
    assert "need format_version 2 (the file says 1)" in problem.message
    del doc["pyflow_desktop"]
    problem = only_problem(tmp_path, doc)
    assert problem.path == "$"
    assert "an original PyFlow file" in problem.message


def test_a_subflow_may_come_later_in_the_file_than_its_use(tmp_path):
    doc = document(MAIN, SCALE)
    assert check_file(write(tmp_path, doc)) == []


def test_a_new_interface_is_a_model_edit_with_an_event():
    repo = load(document())
    flow = repo.flows["sub.scale"]
    heard = []
    flow.events.connect(ModelEvent.INTERFACE_CHANGED, lambda **payload: heard.append(payload))
    narrower = Interface(flow.interface.inputs[:1], flow.interface.outputs)
    old = flow.set_interface(narrower)
    assert heard == [{"flow": flow, "old": old}] and flow.interface is narrower
    assert [p.name for p in repo.node_spec(repo.flows["main"].nodes["u1"]).inputs] == ["x"]


def test_the_original_format_refuses_subflows_it_cannot_inline(tmp_path):
    repo = load(document())
    repo.flows["main"].add_node(NodeInstance("u3", "", subflow="sub.gone"))
    with pytest.raises(SubflowError, match="'sub.gone'"):
        save_repository(repo, tmp_path / "original.json", "original")
    assert not (tmp_path / "original.json").exists()
    repo.flows["main"].remove_node("u3")
    repo.flows["sub.scale"].add_node(NodeInstance("again", "", subflow="sub.scale"))
    with pytest.raises(SubflowError, match="sub.scale → sub.scale"):
        dump_repository(repo, "original")
