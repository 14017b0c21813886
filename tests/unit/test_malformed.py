"""Malformed repository files: each raises one RepositoryError subclass naming file, path and id.

Every file here is written by the test itself into ``tmp_path``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from pyflow_desktop.repository import (
    CycleError,
    DuplicateIdError,
    DuplicateLinkError,
    Flow,
    Link,
    LinkError,
    MalformedFileError,
    NewerFormatError,
    NodeInstance,
    NodeSpec,
    Port,
    RepositoryError,
    SchemaError,
    UnknownPortError,
    UnknownSpecError,
    check_file,
    find_cycle,
    flow_problems,
    load_repository,
    loads_repository,
)

DIRECTORY = object()  # the "file" is a folder
MISSING = object()  # the file does not exist


def add_spec(**changes) -> dict:
    spec = {
        "id": "add",
        "title": "Add",
        "port": {"input": [{"name": "a", "order": 0}, {"name": "b", "order": 1}]},
        "func": "def func(a, b):\n    return a + b\n",
    }
    spec.update(changes)
    return spec


def node(node_id: str, spec_id: str = "add", **changes) -> dict:
    data = {"id": node_id, "spec_id": spec_id, "name": node_id, "ports": []}
    data.update(changes)
    return data


def link(source: str, target: str) -> dict:
    return {"source": source, "target": target}


def flow_doc(nodes=None, links=None, **flow_changes) -> str:
    """A repository with spec "add" and one flow "f"."""
    flow = {
        "id": "f",
        "name": "F",
        "nodes": [node("n1"), node("n2")] if nodes is None else nodes,
        "links": [] if links is None else links,
    }
    flow.update(flow_changes)
    return json.dumps({"flow": {"f": flow}, "nodespec": {"add": add_spec()}})


def spec_doc(**changes) -> str:
    """A repository with one spec "s" (no flows), changed by ``changes``."""
    spec = add_spec(id="s", title="S")
    spec.update(changes)
    for key in [k for k, v in changes.items() if v is DELETE]:
        del spec[key]
    return json.dumps({"nodespec": {"s": spec}})


def ports_doc(inputs) -> str:
    return spec_doc(port={"input": inputs})


def doc(data) -> str:
    return json.dumps(data)


DELETE = object()


@dataclass
class Case:
    id: str
    content: object  # str, bytes, DIRECTORY or MISSING
    error: type[RepositoryError]
    expected: list[str] = field(default_factory=list)


CASES = [
    # -- the file itself ----------------------------------------------------------------------
    Case("empty file", "", MalformedFileError, ["empty"]),
    Case("whitespace only", "  \n\t  \n", MalformedFileError, ["empty"]),
    Case(
        "invalid JSON",
        '{"flow": {}\n   "nodespec": {}}',
        MalformedFileError,
        ["not valid JSON", "line 2", "column 4"],
    ),
    Case("truncated JSON", '{"flow": {', MalformedFileError, ["not valid JSON", "line 1"]),
    Case("non-UTF-8 bytes", b'{"flow": {"f\xff\xfe": {}}}', MalformedFileError, ["UTF-8"]),
    Case("a directory", DIRECTORY, MalformedFileError, ["folder"]),
    Case("a missing file", MISSING, MalformedFileError, ["no such file"]),
    Case("top-level array", "[1, 2]", SchemaError, ["expected an object", "an array"]),
    Case("top-level string", '"flow"', SchemaError, ["expected an object", "a string"]),
    Case(
        "no flow or nodespec key",
        doc({"flows": {}, "specs": {}}),
        MalformedFileError,
        ['"flow"', '"nodespec"', "not a PyFlow repository"],
    ),
    # -- format header ------------------------------------------------------------------------
    Case(
        "newer format_version",
        doc({"pyflow_desktop": {"format_version": 99}, "flow": {}, "nodespec": {}}),
        NewerFormatError,
        ["pyflow_desktop.format_version", "99", "newer"],
    ),
    Case(
        "format header not an object",
        doc({"pyflow_desktop": 1, "flow": {}}),
        SchemaError,
        ["pyflow_desktop", "expected an object", "an integer"],
    ),
    Case(
        "format_version a string",
        doc({"pyflow_desktop": {"format_version": "1"}, "flow": {}}),
        SchemaError,
        ["pyflow_desktop.format_version", "an integer", "a string"],
    ),
    Case(
        "format_version missing",
        doc({"pyflow_desktop": {}, "flow": {}}),
        SchemaError,
        ["pyflow_desktop.format_version", "null"],
    ),
    Case(
        "format_version a boolean",
        doc({"pyflow_desktop": {"format_version": True}, "flow": {}}),
        SchemaError,
        ["pyflow_desktop.format_version", "a boolean"],
    ),
    # -- nodespecs ----------------------------------------------------------------------------
    Case(
        "nodespec not an object",
        doc({"nodespec": [add_spec()]}),
        SchemaError,
        ["nodespec: expected an object", "an array"],
    ),
    Case(
        "nodespec null",
        doc({"nodespec": None, "flow": {}}),
        SchemaError,
        ["nodespec: expected an object", "null"],
    ),
    Case(
        "a spec not an object",
        doc({"nodespec": {"s": 5}}),
        SchemaError,
        ['nodespec["s"]', "expected an object", "an integer"],
    ),
    Case(
        "a spec null",
        doc({"nodespec": {"s": None}}),
        SchemaError,
        ['nodespec["s"]', "expected an object", "null"],
    ),
    Case(
        "spec id differs from its key",
        spec_doc(id="t"),
        SchemaError,
        ['nodespec["s"].id', "'t'", "'s'"],
    ),
    Case("func missing", spec_doc(func=DELETE), SchemaError, ['nodespec["s"].func', "'s'"]),
    Case(
        "func not a string",
        spec_doc(func=["def func(): pass"]),
        SchemaError,
        ['nodespec["s"].func', "a string", "an array"],
    ),
    Case(
        "bad JSON-string spec value",
        doc({"nodespec": {"s": '{"id": "s", '}}),
        SchemaError,
        ['nodespec["s"]', "JSON-encoded string"],
    ),
    Case(
        "port not an object",
        spec_doc(port=[{"name": "a"}]),
        SchemaError,
        ['nodespec["s"].port', "expected an object", "an array"],
    ),
    Case(
        "port.input not a list",
        spec_doc(port={"input": {"name": "a"}}),
        SchemaError,
        ['nodespec["s"].port.input', "expected an array", "an object"],
    ),
    Case(
        "port.output not a list",
        spec_doc(port={"input": [], "output": "out"}),
        SchemaError,
        ['nodespec["s"].port.output', "expected an array", "a string"],
    ),
    Case(
        "a port not an object",
        ports_doc(["a"]),
        SchemaError,
        ['nodespec["s"].port.input[0]', "expected an object", "a string"],
    ),
    Case(
        "port without name",
        ports_doc([{"name": "a"}, {"type": "Int"}]),
        SchemaError,
        ['nodespec["s"].port.input[1].name', "name"],
    ),
    Case(
        "port with empty name",
        ports_doc([{"name": ""}]),
        SchemaError,
        ['nodespec["s"].port.input[0].name'],
    ),
    Case(
        "duplicate port names",
        ports_doc([{"name": "a"}, {"name": "a"}]),
        DuplicateIdError,
        ['nodespec["s"].port.input[1].name', "'a'", "'s'"],
    ),
    Case(
        "duplicate output port names",
        spec_doc(port={"input": [], "output": [{"name": "x"}, {"name": "x"}]}),
        DuplicateIdError,
        ['nodespec["s"].port.output[1].name', "'x'"],
    ),
    Case(
        "unknown port type",
        ports_doc([{"name": "a", "type": "Integer"}]),
        SchemaError,
        ['nodespec["s"].port.input[0].type', "'Integer'", "'a'"],
    ),
    Case(
        'order "abc"',
        ports_doc([{"name": "a", "order": "abc"}]),
        SchemaError,
        ['nodespec["s"].port.input[0].order', "'abc'", "'a'"],
    ),
    Case(
        'order "--1"',
        ports_doc([{"name": "a", "order": "--1"}]),
        SchemaError,
        ['nodespec["s"].port.input[0].order', "'--1'"],
    ),
    Case(
        "order a fraction",
        ports_doc([{"name": "a", "order": 1.5}]),
        SchemaError,
        ['nodespec["s"].port.input[0].order', "1.5"],
    ),
    # -- flows --------------------------------------------------------------------------------
    Case(
        "flow domain not an object",
        doc({"flow": ["f"], "nodespec": {}}),
        SchemaError,
        ["flow: expected an object", "an array"],
    ),
    Case(
        "flow domain null",
        doc({"flow": None, "nodespec": {}}),
        SchemaError,
        ["flow: expected an object", "null"],
    ),
    Case(
        "flow not an object",
        doc({"flow": {"f": [1, 2]}, "nodespec": {}}),
        SchemaError,
        ['flow["f"]', "expected an object", "an array"],
    ),
    Case(
        "flow null",
        doc({"flow": {"f": None}, "nodespec": {}}),
        SchemaError,
        ['flow["f"]', "expected an object", "null"],
    ),
    Case(
        "bad JSON-string flow value",
        doc({"flow": {"f": '{"id": "f", "nodes": ['}, "nodespec": {}}),
        SchemaError,
        ['flow["f"]', "JSON-encoded string"],
    ),
    Case(
        "bad JSON-string flow domain",
        doc({"flow": "{not json", "nodespec": {}}),
        SchemaError,
        ["flow", "JSON-encoded string"],
    ),
    Case(
        "flow id differs from its key",
        flow_doc(id="g"),
        SchemaError,
        ['flow["f"].id', "'g'", "'f'"],
    ),
    Case(
        "flow name not a string",
        flow_doc(name=7),
        SchemaError,
        ['flow["f"].name', "a string", "an integer"],
    ),
    Case(
        "nodes not a list",
        flow_doc(nodes={"n1": node("n1")}),
        SchemaError,
        ['flow["f"].nodes', "expected an array", "an object"],
    ),
    Case(
        "links not a list",
        flow_doc(links="n1:out -> n2:a"),
        SchemaError,
        ['flow["f"].links', "expected an array", "a string"],
    ),
    # -- nodes --------------------------------------------------------------------------------
    Case(
        "node not an object",
        flow_doc(nodes=[node("n1"), "n2"]),
        SchemaError,
        ['flow["f"].nodes[1]', "expected an object", "a string"],
    ),
    Case(
        "node without id",
        flow_doc(nodes=[node("n1"), {"spec_id": "add"}]),
        SchemaError,
        ['flow["f"].nodes[1].id'],
    ),
    Case(
        "node id not a string",
        flow_doc(nodes=[node(5)]),
        SchemaError,
        ['flow["f"].nodes[0].id'],
    ),
    Case(
        "node without spec_id",
        flow_doc(nodes=[node("n1"), {"id": "n2"}]),
        SchemaError,
        ['flow["f"].nodes[1].spec_id', "'n2'"],
    ),
    Case(
        "duplicate node id",
        flow_doc(nodes=[node("n1"), node("n1")]),
        DuplicateIdError,
        ['flow["f"].nodes[1].id', "'n1'"],
    ),
    Case(
        "unknown spec",
        flow_doc(nodes=[node("n1"), node("n2", "no.such.spec")]),
        UnknownSpecError,
        ['flow["f"].nodes[1].spec_id', "'n2'", "'no.such.spec'"],
    ),
    Case(
        "manual value for an unknown port",
        flow_doc(nodes=[node("n1", ports=[{"name": "a", "value": "1"}, {"name": "zz"}])]),
        UnknownPortError,
        ['flow["f"].nodes[0].ports', "'zz'", "'n1'", "'add'"],
    ),
    Case(
        "ports not a list",
        flow_doc(nodes=[node("n1", ports={"a": "1"})]),
        SchemaError,
        ['flow["f"].nodes[0].ports', "expected an array"],
    ),
    Case(
        "port value without a name",
        flow_doc(nodes=[node("n1", ports=[{"value": "1"}])]),
        SchemaError,
        ['flow["f"].nodes[0].ports[0].name', "'n1'"],
    ),
    Case(
        "ui.x not pixels",
        flow_doc(nodes=[node("n1", ui={"x": "160pt", "y": "69px"})]),
        SchemaError,
        ['flow["f"].nodes[0].ui.x', "'160pt'", "pixels"],
    ),
    Case(
        "ui.y a boolean",
        flow_doc(nodes=[node("n1"), node("n2", ui={"x": "1px", "y": True})]),
        SchemaError,
        ['flow["f"].nodes[1].ui.y', "True"],
    ),
    Case(
        "ui not an object",
        flow_doc(nodes=[node("n1", ui="160px,69px")]),
        SchemaError,
        ['flow["f"].nodes[0].ui', "expected an object"],
    ),
    # -- links --------------------------------------------------------------------------------
    Case(
        "link not an object",
        flow_doc(links=["n1:out n2:a"]),
        SchemaError,
        ['flow["f"].links[0]', "expected an object"],
    ),
    Case(
        "link source not node:port",
        flow_doc(links=[link("n1", "n2:a")]),
        SchemaError,
        ['flow["f"].links[0].source', "nodeId:port", "'n1'"],
    ),
    Case(
        "link source with empty node",
        flow_doc(links=[link(":out", "n2:a")]),
        SchemaError,
        ['flow["f"].links[0].source', "':out'"],
    ),
    Case(
        "link target missing",
        flow_doc(links=[{"source": "n1:out"}]),
        SchemaError,
        ['flow["f"].links[0].target', "None"],
    ),
    Case(
        "link to a missing node",
        flow_doc(links=[link("n1:out", "n2:a"), link("ghost:out", "n2:b")]),
        LinkError,
        ['flow["f"].links[1].source', "'ghost'"],
    ),
    Case(
        "link into a missing node",
        flow_doc(links=[link("n1:out", "ghost:a")]),
        LinkError,
        ['flow["f"].links[0].target', "'ghost'"],
    ),
    Case(
        "link from a missing output port",
        flow_doc(links=[link("n1:nope", "n2:a")]),
        LinkError,
        ['flow["f"].links[0].source', "'nope'", "output", "'add'"],
    ),
    Case(
        "link into a missing input port",
        flow_doc(links=[link("n1:out", "n2:zz")]),
        LinkError,
        ['flow["f"].links[0].target', "'zz'", "input", "'add'"],
    ),
    Case(
        "two links into one input",
        flow_doc(
            nodes=[node("n1"), node("n2"), node("n3")],
            links=[link("n1:out", "n3:a"), link("n2:out", "n3:b"), link("n2:out", "n3:a")],
        ),
        DuplicateLinkError,
        ['flow["f"].links[2].target', "'n3:a'", "links[0]", "links[2]"],
    ),
    Case(
        "a cycle",
        flow_doc(
            nodes=[node("n1"), node("n2"), node("n3")],
            links=[link("n1:out", "n2:a"), link("n2:out", "n3:a"), link("n3:out", "n1:a")],
        ),
        CycleError,
        ['flow["f"].links', "cycle", "n1", "n2", "n3"],
    ),
    Case(
        "a node linked to itself",
        flow_doc(nodes=[node("n1")], links=[link("n1:out", "n1:b")]),
        CycleError,
        ['flow["f"].links', "n1 -> n1"],
    ),
]


def _write(case: Case, tmp_path: Path) -> Path:
    path = tmp_path / "case-file.json"
    if case.content is DIRECTORY:
        path.mkdir()
    elif case.content is MISSING:
        pass
    elif isinstance(case.content, bytes):
        path.write_bytes(case.content)
    else:
        path.write_text(case.content, encoding="utf-8")
    return path


def test_the_table_is_big_enough():
    assert len(CASES) >= 25
    assert len({case.id for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_malformed_file_raises_a_precise_error(case, tmp_path):
    path = _write(case, tmp_path)
    with pytest.raises(RepositoryError) as info:
        load_repository(path)
    error = info.value
    assert type(error) is case.error, f"{type(error).__name__}: {error}"
    message = str(error)
    assert str(path) in message
    assert error.file == str(path)
    for part in case.expected:
        assert part in message, f"{part!r} not in {message!r}"


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_check_file_lists_the_same_problem_without_raising(case, tmp_path):
    path = _write(case, tmp_path)
    problems = check_file(path)
    assert problems, "check_file found nothing"
    assert all(isinstance(p, RepositoryError) for p in problems)
    assert all(str(path) in str(p) for p in problems)
    assert type(problems[0]) is case.error
    for part in case.expected:
        assert part in str(problems[0])


TEXT_CASES = [case for case in CASES if isinstance(case.content, str)]


@pytest.mark.parametrize("case", TEXT_CASES, ids=[case.id for case in TEXT_CASES])
def test_loads_repository_raises_the_same_error(case):
    with pytest.raises(RepositoryError) as info:
        loads_repository(case.content, name="pasted.json")
    assert type(info.value) is case.error
    assert "pasted.json" in str(info.value)
    for part in case.expected:
        assert part in str(info.value)


def test_errors_without_a_file_name_still_name_the_json_path():
    with pytest.raises(UnknownSpecError) as info:
        loads_repository(flow_doc(nodes=[node("n1", "nope")]))
    assert str(info.value).startswith('flow["f"].nodes[0].spec_id: ')
    assert info.value.file is None
    assert info.value.ident == "nope"


def test_error_attributes():
    with pytest.raises(LinkError) as info:
        loads_repository(flow_doc(links=[link("n1:out", "n2:zz")]), name="x.json")
    error = info.value
    assert (error.file, error.path, error.ident) == ("x.json", 'flow["f"].links[0].target', "zz")
    assert str(error) == f"x.json: {error.path}: {error.message}"
    assert error.args == (str(error),)


def test_json_paths_quote_odd_ids():
    odd = 'a "quoted" id'
    text = json.dumps(
        {
            "flow": {odd: {"id": odd, "nodes": [node("n1", "nope")], "links": []}},
            "nodespec": {},
        }
    )
    with pytest.raises(UnknownSpecError) as info:
        loads_repository(text)
    assert 'flow["a \\"quoted\\" id"].nodes[0].spec_id' in str(info.value)


# -- cycles ---------------------------------------------------------------------------------


def _is_cycle_in_link_order(nodes: list[str], links: list[tuple[str, str]]) -> bool:
    return all((nodes[i], nodes[(i + 1) % len(nodes)]) in links for i in range(len(nodes)))


def test_cycle_error_lists_the_cycle_nodes_in_order(tmp_path):
    text = flow_doc(
        nodes=[node("n0"), node("n1"), node("n2"), node("n3"), node("tail")],
        links=[
            link("n0:out", "n1:b"),  # feeds the cycle but is not on it
            link("n1:out", "n2:a"),
            link("n2:out", "n3:a"),
            link("n3:out", "n1:a"),
            link("n3:out", "tail:a"),  # fed by the cycle, not on it
        ],
    )
    path = tmp_path / "cycle.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CycleError) as info:
        load_repository(path)
    error = info.value
    assert sorted(error.nodes) == ["n1", "n2", "n3"]
    edges = [("n0", "n1"), ("n1", "n2"), ("n2", "n3"), ("n3", "n1"), ("n3", "tail")]
    assert _is_cycle_in_link_order(error.nodes, edges)
    for node_id in error.nodes:
        assert node_id in str(error)
    assert "n0" not in str(error).split("cycle", 1)[1]
    assert "tail" not in str(error)
    assert str(path) in str(error)
    assert error.ident in error.nodes


def test_find_cycle_and_flow_problems_on_a_model_built_in_code():
    specs = {"add": NodeSpec("add", "Add", inputs=[Port("a"), Port("b", order=1)])}
    flow = Flow("g")
    for node_id in ("x", "y", "z"):
        flow.add_node(NodeInstance(node_id, "add"))
    flow.add_link(Link("x", "out", "y", "a"))
    flow.add_link(Link("y", "out", "z", "a"))
    assert find_cycle(flow) == []
    assert flow_problems(flow, specs) == []
    flow.add_link(Link("z", "out", "x", "a"))
    cycle = find_cycle(flow)
    assert sorted(cycle) == ["x", "y", "z"]
    assert _is_cycle_in_link_order(cycle, [("x", "y"), ("y", "z"), ("z", "x")])
    problems = flow_problems(flow, specs)
    assert [type(p) for p in problems] == [CycleError]
    assert problems[0].path == 'flow["g"].links'


def test_flow_problems_on_a_model_reports_every_problem():
    specs = {"add": NodeSpec("add", "Add", inputs=[Port("a"), Port("b", order=1)])}
    flow = Flow("g")
    flow.add_node(NodeInstance("x", "add", values={"nope": 1}))
    flow.add_node(NodeInstance("y", "missing"))
    flow.add_link(Link("x", "out", "ghost", "a"))
    problems = flow_problems(flow, specs)
    assert sorted(type(p).__name__ for p in problems) == [
        "LinkError",
        "UnknownPortError",
        "UnknownSpecError",
    ]


# -- check_file lists every problem -------------------------------------------------------


def test_check_file_returns_all_problems_not_just_the_first(tmp_path):
    data = {
        "nodespec": {
            "add": add_spec(),
            "nofunc": {"id": "nofunc", "title": "No func", "port": {"input": []}},
        },
        "flow": {
            "f": {
                "id": "f",
                "name": "F",
                "nodes": [node("n1"), node("n2", "missing.spec")],
                "links": [link("ghost:out", "n1:a")],
            }
        },
    }
    path = tmp_path / "three-problems.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    problems = check_file(path)
    found = sorted((type(p).__name__, p.path) for p in problems)
    assert found == [
        ("LinkError", 'flow["f"].links[0].source'),
        ("SchemaError", 'nodespec["nofunc"].func'),
        ("UnknownSpecError", 'flow["f"].nodes[1].spec_id'),
    ]
    assert all(str(path) in str(p) for p in problems)
    with pytest.raises(RepositoryError) as info:
        load_repository(path)
    assert str(info.value) == str(problems[0])


def test_check_file_collects_problems_across_flows_and_specs(tmp_path):
    data = {
        "nodespec": {
            "add": add_spec(),
            "badport": add_spec(id="badport", port={"input": [{"name": "a", "type": "Nope"}]}),
        },
        "flow": {
            "f1": {"id": "f1", "nodes": [node("n1", ui={"x": "abc"})], "links": []},
            "f2": {"id": "f2", "nodes": [node("n1"), node("n1")], "links": []},
        },
    }
    path = tmp_path / "many.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    found = sorted((type(p).__name__, p.path) for p in check_file(path))
    assert found == [
        ("DuplicateIdError", 'flow["f2"].nodes[1].id'),
        ("SchemaError", 'flow["f1"].nodes[0].ui.x'),
        ("SchemaError", 'nodespec["badport"].port.input[0].type'),
    ]


def test_check_file_on_a_valid_file_is_empty(tmp_path):
    path = tmp_path / "ok.json"
    path.write_text(
        flow_doc(links=[link("n1:out", "n2:a")], nodes=[node("n1"), node("n2")]), encoding="utf-8"
    )
    assert check_file(path) == []
    assert len(load_repository(path).flows["f"].links) == 1


def test_every_error_class_is_a_repository_error():
    classes = {case.error for case in CASES}
    assert classes >= {
        MalformedFileError,
        SchemaError,
        NewerFormatError,
        UnknownSpecError,
        LinkError,
        DuplicateLinkError,
        UnknownPortError,
        DuplicateIdError,
        CycleError,
    }
    assert all(issubclass(cls, RepositoryError) for cls in classes)


def test_check_lists_a_cycle_beside_other_problems(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {
                "nodespec": {
                    "s": {
                        "func": "def func(a):\n    return a\n",
                        "port": {"input": [{"name": "a"}]},
                    }
                },
                "flow": {
                    "f": {
                        "nodes": [
                            {"id": "a", "spec_id": "s"},
                            {"id": "b", "spec_id": "s"},
                            {"id": "c", "spec_id": "ghost"},
                        ],
                        "links": [
                            {"source": "a:out", "target": "b:a"},
                            {"source": "b:out", "target": "a:a"},
                        ],
                    }
                },
            }
        )
    )
    kinds = {type(problem) for problem in check_file(path)}
    assert CycleError in kinds and len(check_file(path)) == 2
