"""The command line with subflows, through real subprocesses: check, run, convert, export."""

from __future__ import annotations

import json
import re
import subprocess
import sys

from subflow_docs import MAIN, NESTED, SCALE, TWICE, document, links, node, write
from test_cli import cli


def run_json(path, *args) -> dict[str, dict]:
    done = cli("run", path, "--json", *args)
    assert done.returncode == 0, done.stderr
    return {n["id"]: {o["name"]: o["value"] for o in n["outputs"]} for n in json.loads(done.stdout)}


def test_check_lists_every_subflow_problem_and_exits_2(tmp_path):
    doc = document()
    doc["flow"]["main"]["nodes"][1]["subflow"] = "sub.gone"
    doc["flow"]["sub.scale"]["interface"]["output"][0]["from"] = "p:zz"
    doc["flow"]["sub.scale"]["nodes"].append(node("self", subflow="sub.scale"))
    path = write(tmp_path, doc)
    done = cli("check", path)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert len(lines) == 3, lines
    assert all(line.startswith(f"{path}: flow[") for line in lines)
    assert any('flow["main"].nodes[1].subflow' in line and "sub.gone" in line for line in lines)
    assert any("interface.output[0].from" in line and "'zz'" in line for line in lines)
    assert any("sub.scale → sub.scale" in line for line in lines)
    assert cli("check", write(tmp_path, document(), "good.json")).returncode == 0


def test_run_names_inner_nodes_and_runs_a_subflow_node_with_its_ancestors(tmp_path):
    path = write(tmp_path, document(SCALE, MAIN, TWICE, NESTED))
    assert run_json(path, "--flow", "main", "--node", "u1") == {
        "c": {"out": 2.0},
        "u1/m": {"out": 6.0},
        "u1/p": {"out": 7.0},
        "u1": {"y": 7.0},
    }
    nested = run_json(path, "--flow", "nested")
    assert list(nested) == [
        *("w/inner1/m", "w/inner1/p", "w/inner1", "w/inner2/m", "w/inner2/p", "w/inner2", "w")
    ]
    assert nested["w"] == {"y": 22.0}
    done = cli("run", path, "--flow", "main", "--events")
    started = [json.loads(line)["node"] for line in done.stdout.splitlines()]
    assert "u2/p" in started and "u2" in started


def test_convert_to_the_original_inlines_every_subflow_and_computes_the_same(tmp_path):
    source = write(tmp_path, document(SCALE, MAIN, TWICE, NESTED))
    target = tmp_path / "original.json"
    done = cli("convert", source, target, "--format", "original")
    assert done.returncode == 0, done.stderr
    data = json.loads(target.read_text(encoding="utf-8"))
    assert "pyflow_desktop" not in data
    for flow in data["flow"].values():
        assert "interface" not in flow
        assert all("spec_id" in item and "subflow" not in item for item in flow["nodes"])
    assert [item["id"] for item in data["flow"]["nested"]["nodes"]] == [
        *("w-inner1-m", "w-inner1-p", "w-inner2-m", "w-inner2-p")
    ]
    assert cli("check", target).returncode == 0
    for flow_id in ("main", "nested"):
        ours = run_json(source, "--flow", flow_id)
        inlined = run_json(target, "--flow", flow_id)
        assert inlined == {node_id: ours[node_id.replace("-", "/")] for node_id in inlined}
        assert {i.replace("/", "-") for i in ours} - set(inlined) <= {
            *("u1", "u2", "w", "w-inner1", "w-inner2")
        }
    back = tmp_path / "native.json"
    assert cli("convert", source, back, "--format", "native").returncode == 0
    assert json.loads(back.read_text(encoding="utf-8"))["pyflow_desktop"] == {"format_version": 2}


def test_export_python_runs_subflows_as_run_does(tmp_path):
    path = write(tmp_path, document(SCALE, TWICE, NESTED))
    script = tmp_path / "nested.py"
    done = cli("export-python", path, "--flow", "nested", "-o", script)
    assert done.returncode == 0, done.stderr
    ran = subprocess.run(
        [sys.executable, "-I", script, "--json"], capture_output=True, text=True, timeout=60
    )
    assert ran.returncode == 0, ran.stderr
    expected = cli("run", path, "--flow", "nested", "--json")
    assert json.loads(ran.stdout) == json.loads(expected.stdout)


def original_runflow_nodes(flow: dict) -> list[str]:
    """The nodes the original's ``/runflow`` runs: the last node whose ``is_end == 1`` and its
    ancestors (``fbp.run_flow``; with no such node it fails). Each id must be one its web UI
    can select with jQuery's ``#id``."""
    ids = [item["id"] for item in flow["nodes"]]
    assert all(re.fullmatch(r"[A-Za-z0-9_-]+", node_id) for node_id in ids), ids
    ends = [item["id"] for item in flow["nodes"] if item.get("is_end") == 1]
    assert ends, f"flow {flow['id']}: the original's /runflow needs an end node"
    feeds = {}
    for link in flow["links"]:
        source, target = link["source"].split(":")[0], link["target"].split(":")[0]
        assert source in ids and target in ids, link
        feeds.setdefault(target, []).append(source)
    wanted, stack = set(), [ends[-1]]
    while stack:
        node_id = stack.pop()
        if node_id not in wanted:
            wanted.add(node_id)
            stack.extend(feeds.get(node_id, []))
    return [node_id for node_id in ids if node_id in wanted]


def test_a_converted_flow_keeps_its_end_marks_and_ids_the_originals_web_ui_can_select(tmp_path):
    nested = {**NESTED, "nodes": [{**NESTED["nodes"][0], "is_end": 1}]}
    taken = {**MAIN, "nodes": [*MAIN["nodes"], node("u1-m", "add", a="5", b="5")]}
    source = write(tmp_path, document(SCALE, taken, TWICE, nested))
    target = tmp_path / "original.json"
    assert cli("convert", source, target, "--format", "original").returncode == 0
    flows = json.loads(target.read_text(encoding="utf-8"))["flow"]
    assert [item["id"] for item in flows["main"]["nodes"]] == [
        *("c", "u1-m_2", "u1-p", "u2-m", "u2-p", "t", "u1-m")
    ]
    assert original_runflow_nodes(flows["main"]) == ["c", "u1-m_2", "u1-p", "u2-m", "u2-p", "t"]
    assert original_runflow_nodes(flows["nested"]) == [
        *("w-inner1-m", "w-inner1-p", "w-inner2-m", "w-inner2-p")
    ]
    ours = run_json(source, "--flow", "main")
    assert run_json(target, "--flow", "main")["t"] == ours["t"] == {"out": 28.0}
    assert run_json(source, "--flow", "nested")["w"] == {"y": 22.0}
    assert run_json(target, "--flow", "nested")["w-inner2-p"] == {"out": 22.0}


def test_ungrouped_nodes_get_selectable_ids_in_the_original_format(tmp_path):
    flow = {
        "id": "f",
        "name": "F",
        "nodes": [
            node("u1/m", "mul", a="2", b="3"),
            {**node("calc.total", "add", b="1"), "is_end": 1},
        ],
        "links": links("u1/m:out calc.total:a"),
    }
    source = write(tmp_path, document(flow))
    target = tmp_path / "original.json"
    assert cli("convert", source, target, "--format", "original").returncode == 0
    converted = json.loads(target.read_text(encoding="utf-8"))["flow"]["f"]
    assert original_runflow_nodes(converted) == ["u1-m", "calc-total"]
    assert converted["nodes"][0]["ports"] == [
        {"name": "a", "value": "2"},
        {"name": "b", "value": "3"},
    ]
    assert run_json(target)["calc-total"] == run_json(source)["calc.total"] == {"out": 7.0}
