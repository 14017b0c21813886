"""Reading and writing repository files: the original PyFlow format and our native one."""

from __future__ import annotations

import builtins
import copy
import dataclasses
import json
import os
import stat
import uuid
from pathlib import Path

import pytest
from original_docs import COUNTS, END_NODES, OWN, PYTHON2, original_file

from pyflow_desktop.repository import (
    FORMAT_VERSION,
    FuncSourceError,
    ModelEvent,
    NewerFormatError,
    Port,
    Repository,
    RepositoryError,
    check_file,
    dump_repository,
    load_repository,
    loads_repository,
    repository_to_dict,
    save_repository,
)
from pyflow_desktop.repository import writer as writer_module

POSIX_MODES = pytest.mark.skipif(os.name == "nt", reason="Windows files have no POSIX modes")

# file name -> (number of nodespecs, number of flows): ../shared's original files, and ours
ORIGINAL_FILES = {
    "repo.json": (11, 4),
    "repo_2018-01_af4792d.json": (3, 2),
    "node_specs_via_nodemaker.json": (4, 0),
    "unit_test_specs.json": (3, 0),
    OWN: COUNTS,
}


@pytest.fixture
def original(request, tmp_path):
    """``original(name)``: the path of a file in the original format: ours
    (``original_docs``), or one of the original PyFlow's (skipped where ../shared has none)."""
    return lambda name: original_file(request, tmp_path, name)


@pytest.fixture
def raw(original):
    """``raw(name)``: the decoded JSON of one of the original PyFlow's files."""
    return lambda name: json.loads(original(name).read_text(encoding="utf-8"))


def snapshot(repo: Repository) -> dict:
    """Everything the model holds, as plain comparable data."""
    return {
        "extra": repo.extra,
        "specs": {spec_id: dataclasses.asdict(spec) for spec_id, spec in repo.specs.items()},
        "flows": {
            flow_id: {
                "name": flow.name,
                "extra": flow.extra,
                "nodes": {nid: dataclasses.asdict(node) for nid, node in flow.nodes.items()},
                "links": sorted((link.source_ref, link.target_ref) for link in flow.links),
                "link_extra": {f"{k[0]}:{k[1]}": v for k, v in flow.link_extra.items()},
            }
            for flow_id, flow in repo.flows.items()
        },
    }


def write_json(folder: Path, name: str, data) -> Path:
    path = folder / name
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


def pixels(text: str) -> float:
    assert text.endswith("px")
    return float(text[:-2])


# -- the original's files ------------------------------------------------------------------


@pytest.mark.parametrize(("name", "counts"), ORIGINAL_FILES.items())
def test_original_files_load_with_their_counts(name, counts, original, raw):
    path = original(name)
    repo = load_repository(path)
    assert (len(repo.specs), len(repo.flows)) == counts
    data = raw(name)
    assert set(repo.specs) == set(data.get("nodespec", {}))
    assert set(repo.flows) == set(data.get("flow", {}))
    assert repo.extra == {}


# Which original specs hold Python 2 code that ``check`` reports (it compiles, never runs).
PYTHON2_SPECS = {"unit_test_specs.json": ["flow.line_breaker"], OWN: PYTHON2}


@pytest.mark.parametrize("name", ORIGINAL_FILES)
def test_check_file_on_original_files_reports_only_python2_sources(name, original):
    path = original(name)
    problems = check_file(path)
    assert all(isinstance(p, FuncSourceError) for p in problems), problems
    assert [p.ident for p in problems] == PYTHON2_SPECS.get(name, [])
    for problem in problems:
        assert str(path) in str(problem)
        assert f'nodespec["{problem.ident}"].func' in str(problem)


@pytest.mark.parametrize("name", ORIGINAL_FILES)
def test_original_files_load_from_str_path_and_text(name, original):
    path = original(name)
    from_str = load_repository(str(path))
    from_text = loads_repository(path.read_text(encoding="utf-8"), name=name)
    assert snapshot(from_str) == snapshot(from_text) == snapshot(load_repository(path))


@pytest.mark.parametrize("name", ORIGINAL_FILES)
def test_original_specs_match_the_file(name, original, raw):
    repo = load_repository(original(name))
    for spec_id, raw_spec in raw(name)["nodespec"].items():
        spec = repo.specs[spec_id]
        assert spec.title == raw_spec["title"]
        assert spec.func == raw_spec["func"]  # byte for byte, tabs and all
        raw_inputs = raw_spec["port"]["input"]
        assert [p.name for p in spec.inputs] == [p["name"] for p in raw_inputs]
        assert [p.type for p in spec.inputs] == [p.get("type", "String") for p in raw_inputs]
        assert [p.order for p in spec.inputs] == [int(p["order"]) for p in raw_inputs]
        assert [p.default for p in spec.inputs] == [p.get("default") for p in raw_inputs]
        if "output" in raw_spec["port"]:
            raw_outputs = raw_spec["port"]["output"]
            assert [(p.name, p.type) for p in spec.outputs] == [
                (p["name"], p.get("type", "String")) for p in raw_outputs
            ]
        else:
            assert [(p.name, p.type) for p in spec.outputs] == [("out", "String")]


@pytest.mark.parametrize(
    ("name", "spec_id"),
    [("repo_2018-01_af4792d.json", "pyflow.transform.add"), (OWN, "own.text.shout")],
)
def test_missing_output_means_one_output_named_out(name, spec_id, original):
    repo = load_repository(original(name))
    spec = repo.specs[spec_id]
    assert spec.outputs == [Port("out")]
    assert spec.explicit_outputs is False
    # Written back without an "output" key, as the file had it.
    written = repository_to_dict(repo, "original")["nodespec"][spec_id]
    assert "output" not in written["port"]


@pytest.mark.parametrize(
    ("name", "spec_id", "outputs"),
    [
        ("node_specs_via_nodemaker.json", "pyflow.transform.split", ["a", "b"]),
        ("unit_test_specs.json", "flow.rest", ["text", "json", "encoding"]),
        (OWN, "own.text.split", ["head", "tail"]),
    ],
)
def test_explicit_outputs_are_read_and_an_untyped_one_is_a_string(
    name, spec_id, outputs, original
):
    spec = load_repository(original(name)).specs[spec_id]
    assert [(p.name, p.type) for p in spec.outputs] == [(out, "String") for out in outputs]


@pytest.mark.parametrize(
    ("name", "spec_id", "plain"),
    [("unit_test_specs.json", "flow.line_breaker", "input"), (OWN, "own.text.lines", "text")],
)
def test_input_default_is_kept(name, spec_id, plain, original):
    spec = load_repository(original(name)).specs[spec_id]
    assert spec.input("breaker").default == "\n"
    assert spec.input(plain).default is None


@pytest.mark.parametrize(("name", "tabs"), [("repo.json", 11), (OWN, 5)])
def test_tab_indented_sources_are_kept_byte_for_byte(name, tabs, tmp_path, original, raw):
    path = original(name)
    repo = load_repository(path)
    tabbed = [spec for spec in repo.specs.values() if "\t" in spec.func]
    assert len(tabbed) == tabs
    expected = {sid: s["func"] for sid, s in raw(name)["nodespec"].items()}
    for fmt in ("native", "original"):
        out = tmp_path / f"{fmt}.json"
        save_repository(repo, out, fmt)
        on_disk = json.loads(out.read_text(encoding="utf-8"))
        assert {sid: s["func"] for sid, s in on_disk["nodespec"].items()} == expected
        assert {sid: s.func for sid, s in load_repository(out).specs.items()} == expected


@pytest.mark.parametrize(
    ("name", "flow_id", "node_id"),
    [("repo.json", "pyflow.sample.math", "node1527101193950"), (OWN, "own.sample.math", "add1")],
)
def test_positions_are_parsed_from_css_pixels(name, flow_id, node_id, original, raw):
    repo = load_repository(original(name))
    node = repo.flows[flow_id].nodes[node_id]
    assert (node.x, node.y) == (160.0, 69.0)
    for flow_id, raw_flow in raw(name)["flow"].items():
        for raw_node in raw_flow["nodes"]:
            if "ui" in raw_node:
                node = repo.flows[flow_id].nodes[raw_node["id"]]
                ui = raw_node["ui"]
                assert (node.x, node.y) == (pixels(ui["x"]), pixels(ui["y"]))


@pytest.mark.parametrize(
    ("name", "flow_id", "node_id"),
    [
        ("repo_2018-01_af4792d.json", "flowbuilder.gen.dir", "node1419317316499"),
        (OWN, "own.sample.lines", "l1"),
    ],
)
def test_node_without_ui_sits_at_the_origin(name, flow_id, node_id, original):
    node = load_repository(original(name)).flows[flow_id].nodes[node_id]
    assert (node.x, node.y) == (0.0, 0.0)


@pytest.mark.parametrize("name", ["repo.json", "repo_2018-01_af4792d.json", OWN])
def test_nodes_links_values_and_is_end_match_the_file(name, original, raw):
    repo = load_repository(original(name))
    for flow_id, raw_flow in raw(name)["flow"].items():
        flow = repo.flows[flow_id]
        assert flow.name == raw_flow["name"]
        assert list(flow.nodes) == [n["id"] for n in raw_flow["nodes"]]
        for raw_node in raw_flow["nodes"]:
            node = flow.nodes[raw_node["id"]]
            assert node.spec_id == raw_node["spec_id"]
            assert node.name == raw_node["name"]
            assert node.values == {p["name"]: p["value"] for p in raw_node["ports"]}
            assert node.is_end is bool(raw_node.get("is_end", False))
        assert sorted((link.source_ref, link.target_ref) for link in flow.links) == sorted(
            (link["source"], link["target"]) for link in raw_flow["links"]
        )


ORIGINAL_END_NODES = {
    "pyflow.sample.error": ["node1527137684469"],
    "pyflow.sample.xor": ["node1527108752672"],
    "pyflow.sample.xor1": ["node1527448391328"],
    "pyflow.sample.math": ["node1527101204754"],
}


@pytest.mark.parametrize(("name", "expected"), [("repo.json", ORIGINAL_END_NODES), (OWN, END_NODES)])
def test_is_end_is_read(name, expected, original):
    repo = load_repository(original(name))
    ends = {
        flow_id: sorted(nid for nid, node in flow.nodes.items() if node.is_end)
        for flow_id, flow in repo.flows.items()
    }
    assert ends == expected


# -- quirks of the original format ------------------------------------------------------------

ADD_SPEC = {
    "id": "add",
    "title": "Add",
    "port": {"input": [{"name": "a", "order": 0}, {"name": "b", "order": 1}]},
    "func": "def func(a, b):\n    return a + b\n",
}
ADD_FLOW = {
    "id": "f",
    "name": "F",
    "nodes": [
        {"id": "n1", "spec_id": "add", "name": "one", "ports": [{"name": "a", "value": "1"}]},
        {"id": "n2", "spec_id": "add", "name": "two", "ports": []},
    ],
    "links": [{"source": "n1:out", "target": "n2:a"}],
}


def test_json_string_domain_values_are_parsed(tmp_path):
    encoded = write_json(
        tmp_path,
        "encoded.json",
        {"flow": {"f": json.dumps(ADD_FLOW)}, "nodespec": {"add": json.dumps(ADD_SPEC)}},
    )
    plain = write_json(
        tmp_path, "plain.json", {"flow": {"f": ADD_FLOW}, "nodespec": {"add": ADD_SPEC}}
    )
    repo = load_repository(encoded)
    assert snapshot(repo) == snapshot(load_repository(plain))
    assert repo.flows["f"].link_into("n2", "a").source == "n1"
    # Written back as plain objects.
    written = repository_to_dict(repo, "original")
    assert isinstance(written["flow"]["f"], dict)
    assert isinstance(written["nodespec"]["add"], dict)


def test_a_whole_domain_as_a_json_string_is_parsed(tmp_path):
    path = write_json(
        tmp_path,
        "domain.json",
        {"flow": json.dumps({"f": ADD_FLOW}), "nodespec": json.dumps({"add": ADD_SPEC})},
    )
    repo = load_repository(path)
    assert set(repo.flows) == {"f"}
    assert set(repo.specs) == {"add"}


def test_order_given_as_a_string_is_accepted(tmp_path):
    spec = {
        "id": "s",
        "title": "S",
        "port": {
            "input": [
                {"name": "c", "order": " 2 "},
                {"name": "b", "order": "1"},
                {"name": "a", "order": "0"},
            ]
        },
        "func": "def func(a, b, c):\n    return a\n",
    }
    repo = load_repository(write_json(tmp_path, "r.json", {"nodespec": {"s": spec}}))
    loaded = repo.specs["s"]
    assert [p.order for p in loaded.inputs] == [2, 1, 0]
    assert [p.name for p in loaded.ordered_inputs()] == ["a", "b", "c"]
    written = repository_to_dict(repo, "original")["nodespec"]["s"]["port"]["input"]
    assert [p["order"] for p in written] == [2, 1, 0]


def test_missing_order_defaults_to_file_position(tmp_path):
    spec = {"id": "s", "title": "S", "port": {"input": [{"name": "x"}, {"name": "y"}]}, "func": ""}
    loaded = load_repository(write_json(tmp_path, "r.json", {"nodespec": {"s": spec}})).specs["s"]
    assert [(p.name, p.order) for p in loaded.ordered_inputs()] == [("x", 0), ("y", 1)]


def test_empty_output_list_means_no_outputs_and_stays_empty(tmp_path):
    spec = {"id": "sink", "title": "Sink", "port": {"input": [], "output": []}, "func": ""}
    repo = load_repository(write_json(tmp_path, "r.json", {"nodespec": {"sink": spec}}))
    assert repo.specs["sink"].outputs == []
    for fmt in ("native", "original"):
        assert repository_to_dict(repo, fmt)["nodespec"]["sink"]["port"]["output"] == []


def test_file_with_only_specs_or_only_flows_keys(tmp_path):
    only_specs = load_repository(write_json(tmp_path, "s.json", {"nodespec": {"add": ADD_SPEC}}))
    assert (len(only_specs.specs), len(only_specs.flows)) == (1, 0)
    only_flows = load_repository(write_json(tmp_path, "f.json", {"flow": {}}))
    assert (len(only_flows.specs), len(only_flows.flows)) == (0, 0)


def test_a_utf8_bom_is_accepted(tmp_path):
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"nodespec": {"add": ADD_SPEC}}).encode())
    assert set(load_repository(path).specs) == {"add"}


def test_loaded_repository_emits_events_again():
    repo = loads_repository(json.dumps({"flow": {"f": ADD_FLOW}, "nodespec": {"add": ADD_SPEC}}))
    seen = []
    repo.events.connect(ModelEvent.SPEC_REMOVED, lambda spec: seen.append(spec.id))
    repo.flows["f"].events.connect(ModelEvent.NODE_MOVED, lambda node: seen.append(node.id))
    repo.remove_spec("add")
    repo.flows["f"].move_node("n1", 1, 1)
    assert seen == ["add", "n1"]


# -- round trips ---------------------------------------------------------------------------


@pytest.mark.parametrize("name", ORIGINAL_FILES)
def test_native_round_trip_is_stable(name, original):
    first = load_repository(original(name))
    text = dump_repository(first, "native")
    second = loads_repository(text)
    assert dump_repository(second, "native") == text
    assert snapshot(second) == snapshot(first)


@pytest.mark.parametrize("name", ORIGINAL_FILES)
def test_original_to_native_to_original_keeps_every_flow_and_spec(name, tmp_path, original):
    first = load_repository(original(name))
    native = tmp_path / "native.json"
    save_repository(first, native, "native")
    back = tmp_path / "original.json"
    save_repository(load_repository(native), back, "original")
    assert "pyflow_desktop" not in json.loads(back.read_text(encoding="utf-8"))
    last = load_repository(back)
    assert snapshot(last) == snapshot(first)
    assert repository_to_dict(last, "original") == repository_to_dict(first, "original")
    for flow_id in first.flows:
        assert (
            repository_to_dict(last)["flow"][flow_id] == repository_to_dict(first)["flow"][flow_id]
        )


@pytest.mark.parametrize("name", ORIGINAL_FILES)
def test_original_dump_is_stable(name, original):
    first = load_repository(original(name))
    text = dump_repository(first, "original")
    assert dump_repository(loads_repository(text), "original") == text


def test_round_trip_of_a_model_built_in_code(tmp_path):
    repo = loads_repository(json.dumps({"flow": {"f": ADD_FLOW}, "nodespec": {"add": ADD_SPEC}}))
    flow = repo.flows["f"]
    flow.move_node("n2", 12.5, -3)
    flow.set_value("n2", "b", {"structured": [1, 2]})
    flow.set_end("n2", True)
    path = tmp_path / "built.json"
    save_repository(repo, path)
    again = load_repository(path)
    assert snapshot(again) == snapshot(repo)
    node = again.flows["f"].nodes["n2"]
    assert (node.x, node.y, node.is_end) == (12.5, -3.0, True)
    assert node.values["b"] == {"structured": [1, 2]}


# -- unknown keys --------------------------------------------------------------------------


def unknown_keys_doc() -> dict:
    return {
        "x_top": {"nested": [1, 2]},
        "nodespec": {
            "s": {
                "id": "s",
                "title": "S",
                "func": "def func(a):\n    return a\n",
                "x_spec": "spec-level",
                "port": {
                    "input": [{"name": "a", "type": "Int", "order": 0, "x_in": {"min": 0}}],
                    "output": [{"name": "out", "type": "Int", "x_out": True}],
                    "x_portdict": 5,
                },
            }
        },
        "flow": {
            "f": {
                "id": "f",
                "name": "F",
                "x_flow": [1, "two"],
                "nodes": [
                    {
                        "id": "n1",
                        "spec_id": "s",
                        "name": "one",
                        "x_node": "n",
                        "ports": [{"name": "a", "value": "1", "x_value": {"unit": "m"}}],
                        "ui": {"x": "10px", "y": "20px", "x_ui": "#fff"},
                    },
                    {"id": "n2", "spec_id": "s", "name": "two", "ui": {"x": "30px", "y": "40px"}},
                ],
                "links": [{"source": "n1:out", "target": "n2:a", "x_link": {"style": "dashed"}}],
            }
        },
    }


UNKNOWN_KEY_PLACES = {
    "top level": lambda d: d["x_top"] == {"nested": [1, 2]},
    "spec": lambda d: d["nodespec"]["s"]["x_spec"] == "spec-level",
    "spec port object": lambda d: d["nodespec"]["s"]["port"]["x_portdict"] == 5,
    "input port": lambda d: d["nodespec"]["s"]["port"]["input"][0]["x_in"] == {"min": 0},
    "output port": lambda d: d["nodespec"]["s"]["port"]["output"][0]["x_out"] is True,
    "flow": lambda d: d["flow"]["f"]["x_flow"] == [1, "two"],
    "node": lambda d: d["flow"]["f"]["nodes"][0]["x_node"] == "n",
    "node ui": lambda d: d["flow"]["f"]["nodes"][0]["ui"]["x_ui"] == "#fff",
    "port value entry": lambda d: (
        d["flow"]["f"]["nodes"][0]["ports"][0]["x_value"] == {"unit": "m"}
    ),
    "link": lambda d: d["flow"]["f"]["links"][0]["x_link"] == {"style": "dashed"},
}


@pytest.mark.parametrize("place", UNKNOWN_KEY_PLACES)
@pytest.mark.parametrize(
    "formats", [("native",), ("original",), ("native", "original"), ("original", "native")]
)
def test_unknown_keys_survive_round_trips(place, formats, tmp_path):
    path = write_json(tmp_path, "start.json", unknown_keys_doc())
    for index, fmt in enumerate(formats):
        repo = load_repository(path)
        path = tmp_path / f"step{index}.json"
        save_repository(repo, path, fmt)
        data = json.loads(path.read_text(encoding="utf-8"))
        assert UNKNOWN_KEY_PLACES[place](data), json.dumps(data, indent=1)
        assert ("pyflow_desktop" in data) is (fmt == "native")


def test_unknown_keys_do_not_leak_into_other_places():
    repo = loads_repository(json.dumps(unknown_keys_doc()))
    data = repository_to_dict(repo, "original")
    second = data["flow"]["f"]["nodes"][1]
    assert "x_node" not in second
    assert "x_ui" not in second["ui"]
    assert set(data["nodespec"]["s"]["port"]) == {"input", "output", "x_portdict"}
    assert "x_top" not in data["flow"] and "x_top" not in data["nodespec"]


# -- the native header and versions -------------------------------------------------------


@pytest.mark.parametrize("name", ["repo.json", OWN])
def test_native_files_carry_the_format_header(name, tmp_path, original):
    repo = load_repository(original(name))
    path = tmp_path / "native.json"
    save_repository(repo, path)  # native is the default
    data = json.loads(path.read_text(encoding="utf-8"))
    assert FORMAT_VERSION == 2  # the newest we read; a file without subflows stays version 1
    assert data["pyflow_desktop"] == {"format_version": 1}
    assert "pyflow_desktop" not in repository_to_dict(repo, "original")
    reloaded = load_repository(path)
    assert "pyflow_desktop" not in reloaded.extra
    assert "pyflow_desktop" not in json.loads(dump_repository(reloaded, "original"))


def test_header_keys_and_output_order_survive_a_round_trip():
    text = json.dumps(
        {
            "pyflow_desktop": {"format_version": 1, "later": {"x": 1}},
            "nodespec": {
                "s": {
                    "id": "s",
                    "title": "S",
                    "func": "def func():\n    return 1\n",
                    "port": {"input": [], "output": [{"name": "out", "order": 0}]},
                }
            },
        }
    )
    repo = loads_repository(text)
    data = repository_to_dict(repo, "native")
    assert data["pyflow_desktop"] == {"format_version": 1, "later": {"x": 1}}
    assert data["nodespec"]["s"]["port"]["output"][0]["order"] == 0
    assert "pyflow_desktop" not in repository_to_dict(repo, "original")


def test_unknown_format_name_is_rejected():
    with pytest.raises(ValueError, match="yaml"):
        repository_to_dict(Repository(), "yaml")


def test_newer_format_version_raises_naming_the_file(tmp_path):
    data = {"pyflow_desktop": {"format_version": 99}, "flow": {}, "nodespec": {}}
    path = write_json(tmp_path, "future-file.json", data)
    with pytest.raises(NewerFormatError) as info:
        load_repository(path)
    message = str(info.value)
    assert str(path) in message
    assert "99" in message
    assert info.value.file == str(path)
    assert [type(p) for p in check_file(path)] == [NewerFormatError]


def test_current_and_older_format_versions_load(tmp_path):
    for version in (1, FORMAT_VERSION):
        data = {"pyflow_desktop": {"format_version": version}, "nodespec": {"add": ADD_SPEC}}
        assert set(load_repository(write_json(tmp_path, f"v{version}.json", data)).specs) == {"add"}


@pytest.mark.parametrize("version", [0, -1, -(2**70)])
def test_a_format_version_below_1_is_refused_naming_it(tmp_path, version):
    data = {"pyflow_desktop": {"format_version": version}, "nodespec": {"add": ADD_SPEC}}
    path = write_json(tmp_path, "v.json", data)
    problems = check_file(path)
    assert [problem.path for problem in problems] == ["pyflow_desktop.format_version"]
    assert f"format version {version} is not one PyFlow Desktop knows" in str(problems[0])
    with pytest.raises(RepositoryError, match="versions count from 1"):
        load_repository(path)


# -- saving --------------------------------------------------------------------------------


def small_repo() -> Repository:
    return loads_repository(json.dumps({"flow": {"f": ADD_FLOW}, "nodespec": {"add": ADD_SPEC}}))


def test_save_writes_a_new_file_without_backup_or_leftovers(tmp_path):
    path = tmp_path / "repo.json"
    save_repository(small_repo(), path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo.json"]
    text = path.read_text(encoding="utf-8")
    assert text == dump_repository(small_repo(), "native")
    assert text.endswith("\n")


def test_save_keeps_the_previous_file_as_bak(tmp_path):
    path = tmp_path / "repo.json"
    path.write_text("previous contents, byte for byte\n", encoding="utf-8")
    repo = small_repo()
    save_repository(repo, path)
    assert (tmp_path / "repo.json.bak").read_text(encoding="utf-8") == (
        "previous contents, byte for byte\n"
    )
    first = path.read_text(encoding="utf-8")
    repo.flows["f"].rename("Second version")
    save_repository(repo, path)
    assert (tmp_path / "repo.json.bak").read_text(encoding="utf-8") == first
    assert load_repository(path).flows["f"].name == "Second version"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo.json", "repo.json.bak"]


def test_save_writes_a_temp_file_in_the_same_folder_fsyncs_and_renames(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace

    def spy_fsync(fd):
        calls.append(("fsync", "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"))
        return real_fsync(fd)

    def spy_replace(src, dst, src_dir_fd=None, dst_dir_fd=None):
        for fd in (src_dir_fd, dst_dir_fd):  # names relative to the folder held open
            assert fd is None or os.path.samestat(os.fstat(fd), tmp_path.stat())
        calls.append(("replace", tmp_path / src, tmp_path / dst))
        assert (tmp_path / src).read_text(encoding="utf-8") == dump_repository(small_repo())
        return real_replace(src, dst, src_dir_fd=src_dir_fd, dst_dir_fd=dst_dir_fd)

    monkeypatch.setattr(writer_module.os, "fsync", spy_fsync)
    monkeypatch.setattr(writer_module.os, "replace", spy_replace)
    path = tmp_path / "repo.json"
    save_repository(small_repo(), path)
    assert [call[:2] for call in calls[::2]] == [("fsync", "file"), ("fsync", "folder")]
    assert calls[1][0] == "replace"
    _, src, dst = calls[1]
    assert src.parent == tmp_path
    assert src != path
    assert dst == path


def test_a_failed_save_leaves_the_old_file_and_no_temp_files(tmp_path, monkeypatch):
    path = tmp_path / "repo.json"
    save_repository(small_repo(), path)
    before = path.read_bytes()

    def broken_replace(src, dst, **folders):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module.os, "replace", broken_replace)
    repo = small_repo()
    repo.flows["f"].rename("never written")
    with pytest.raises(OSError, match="No space"):
        save_repository(repo, path)
    assert path.read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_an_unwritable_value_leaves_the_old_file_untouched(tmp_path):
    path = tmp_path / "repo.json"
    save_repository(small_repo(), path)
    before = path.read_bytes()
    repo = small_repo()
    repo.flows["f"].set_value("n1", "b", object())
    with pytest.raises(TypeError):
        save_repository(repo, path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo.json"]


def test_save_in_original_format_and_non_ascii_text(tmp_path):
    repo = small_repo()
    repo.flows["f"].rename("Flüsse → 流れ")
    path = tmp_path / "orig.json"
    save_repository(repo, path, "original")
    data = path.read_bytes()
    assert "Flüsse → 流れ".encode() in data
    assert b"pyflow_desktop" not in data
    assert load_repository(path).flows["f"].name == "Flüsse → 流れ"


@POSIX_MODES
def test_save_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "shared.json"
    path.write_text("{}", encoding="utf-8")
    path.chmod(0o640)
    save_repository(small_repo(), path)
    assert path.stat().st_mode & 0o777 == 0o640


@POSIX_MODES
def test_a_new_file_gets_the_usual_permissions(tmp_path):
    umask = os.umask(0)
    os.umask(umask)
    path = tmp_path / "new.json"
    save_repository(small_repo(), path)
    assert path.stat().st_mode & 0o777 == 0o666 & ~umask


@POSIX_MODES
def test_saving_through_a_symlink_writes_the_file_it_points_to_and_keeps_the_link(tmp_path):
    real_folder, link_folder = tmp_path / "projects", tmp_path / "desk"
    real_folder.mkdir()
    link_folder.mkdir()
    real = real_folder / "repo.json"
    real.write_text("the first version\n", encoding="utf-8")
    real.chmod(0o640)
    link = link_folder / "repo.json"
    link.symlink_to(os.path.relpath(real, link_folder))
    repo = small_repo()
    save_repository(repo, link)
    assert link.is_symlink() and link.resolve() == real
    assert load_repository(link).flows["f"].name == load_repository(real).flows["f"].name
    assert (real_folder / "repo.json.bak").read_text(encoding="utf-8") == "the first version\n"
    assert real.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in link_folder.iterdir()] == ["repo.json"]  # no .bak, no temp here
    repo.flows["f"].rename("Second version")
    save_repository(repo, link)
    assert link.is_symlink()
    assert load_repository(real).flows["f"].name == "Second version"
    assert sorted(p.name for p in real_folder.iterdir()) == ["repo.json", "repo.json.bak"]


def test_saving_through_a_dangling_symlink_makes_the_file_it_names(tmp_path):
    link = tmp_path / "repo.json"
    link.symlink_to("not-yet.json")
    save_repository(small_repo(), link)
    assert link.is_symlink()
    assert load_repository(tmp_path / "not-yet.json").flows["f"].name == "F"


def test_export_python_writes_through_a_symlink(tmp_path):
    from pyflow_desktop.export.script import write_script

    real = tmp_path / "real.py"
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "script.py"
    link.symlink_to(real.name)
    write_script("print('new')\n", link)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "print('new')\n"


# -- loading never runs node code ----------------------------------------------------------


def evil_doc(marker: Path) -> dict:
    top_level = (
        "import pathlib\n"
        f"pathlib.Path({str(marker)!r}).write_text('ran')\n"
        "raise SystemExit('imported!')\n"
        "def func(a):\n"
        f"    pathlib.Path({str(marker)!r}).write_text('called')\n"
        "    return a\n"
    )
    broken = "def func(a:\n    this is not python\n"
    flow = copy.deepcopy(ADD_FLOW)
    flow["nodes"][0]["spec_id"] = "evil"
    flow["nodes"][0]["ports"] = [{"name": "a", "value": "1"}]
    return {
        "nodespec": {
            "add": ADD_SPEC,
            "evil": {
                "id": "evil",
                "title": "Evil",
                "port": {"input": [{"name": "a"}]},
                "func": top_level,
            },
            "broken": {"id": "broken", "title": "Broken", "func": broken},
        },
        "flow": {"f": flow},
    }


def test_loading_never_executes_node_code(tmp_path, monkeypatch):
    token = f"MARKER_{uuid.uuid4().hex}"  # built at run time, so no other source contains it
    marker = tmp_path / token
    doc = evil_doc(marker)
    seen = []

    def spy(real):
        def spied(source, *args, **kwargs):
            text = source.decode(errors="replace") if isinstance(source, bytes) else source
            if isinstance(text, str) and token in text:
                seen.append(real.__name__)
            return real(source, *args, **kwargs)

        return spied

    # Compiling (what ``check`` does) is fine; running is not.
    for name in ("exec", "eval"):
        monkeypatch.setattr(builtins, name, spy(getattr(builtins, name)))

    path = write_json(tmp_path, "evil.json", doc)
    repo = load_repository(path)
    problems = check_file(path)
    loads_repository(path.read_text(encoding="utf-8"))
    save_repository(repo, tmp_path / "saved.json")
    load_repository(tmp_path / "saved.json")
    monkeypatch.undo()

    assert seen == [], "node code was run while loading"
    # check compiles sources: the broken one is reported, the evil one compiles but never runs.
    assert [(type(p), p.ident) for p in problems] == [(FuncSourceError, "broken")]
    assert not marker.exists()
    assert repo.specs["evil"].func == doc["nodespec"]["evil"]["func"]
    assert repo.specs["broken"].func == doc["nodespec"]["broken"]["func"]
    assert repo.flows["f"].nodes["n1"].spec_id == "evil"
