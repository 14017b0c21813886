"""End nodes: which nodes a run runs by default, and how files mark them."""

from __future__ import annotations

import json
import subprocess

import pytest
from flows import add_nodes, basic_repo, cli, link
from original_docs import OWN, original_file

from pyflow_desktop.engine import PlanError, end_nodes, plan_run, run_flow
from pyflow_desktop.repository import (
    Flow,
    dump_repository,
    load_repository,
    loads_repository,
    save_repository,
)
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path

SPEC = {
    "id": "c",
    "title": "C",
    "port": {"input": [{"name": "v"}]},
    "func": "def func(v):\n  return v\n",
}


def file_with_end_mark(*marks) -> str:
    """A file of one flow whose node ``n{i}`` has ``is_end: marks[i]`` (``...`` for none)."""
    nodes = []
    for index, mark in enumerate(marks):
        node = {"id": f"n{index}", "spec_id": "c", "name": "", "ports": []}
        if mark is not ...:
            node["is_end"] = mark
        nodes.append(node)
    flow = {"id": "f", "name": "F", "nodes": nodes, "links": []}
    return json.dumps({"flow": {"f": flow}, "nodespec": {"c": SPEC}})


@pytest.mark.parametrize("mark", [1, True, "1", "true", "True", 1.0])
def test_these_marks_make_an_end_node(mark):
    assert loads_repository(file_with_end_mark(mark)).flows["f"].nodes["n0"].is_end is True


@pytest.mark.parametrize("mark", [0, False, "0", "false", ..., None, "", 2, "yes"])
def test_these_marks_do_not(mark):
    assert loads_repository(file_with_end_mark(mark)).flows["f"].nodes["n0"].is_end is False


def test_a_round_trip_keeps_the_files_own_spelling_of_is_end():
    text = file_with_end_mark("1", 0, "0", False, "true", ..., 1, True)
    again = json.loads(dump_repository(loads_repository(text), "original"))
    assert [node.get("is_end", ...) for node in again["flow"]["f"]["nodes"]] == [
        "1",
        0,
        "0",
        False,
        "true",
        ...,
        1,
        True,
    ]


def test_an_edited_end_mark_is_written_in_the_usual_spelling():
    repo = loads_repository(file_with_end_mark("0", "1"))
    repo.flows["f"].set_end("n0", True)
    repo.flows["f"].set_end("n1", False)
    nodes = json.loads(dump_repository(repo))["flow"]["f"]["nodes"]
    assert nodes[0]["is_end"] == 1 and "is_end" not in nodes[1]


def chain_with_branch():
    """a → b (end when marked) and an unrelated node `lone`."""
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("a", "const", {"v": "1"}), ("b", "add", {"b": "1"}), ("lone", "boom", {}))
    link(flow, "a:out", "b:a")
    repo.add_flow(flow)
    return repo, flow


def test_the_default_runs_end_nodes_and_ancestors_else_everything():
    repo, flow = chain_with_branch()
    assert set(plan_run(repo, flow).order) == {"a", "b", "lone"}
    assert not run_flow(repo, flow).ok  # no end node: the failing branch runs too
    flow.set_end("b", True)
    assert end_nodes(flow) == ["b"]
    assert plan_run(repo, flow).order == ("a", "b")
    assert plan_run(repo, flow, None).order == ("a", "b")
    result = run_flow(repo, flow)
    assert result.ok and [n["id"] for n in result.nodes] == ["a", "b"]
    assert len(run_flow(repo, flow, targets="all").nodes) == 3
    assert plan_run(repo, flow, ["lone"]).order == ("lone",)


def test_an_unknown_targets_word_is_a_plan_error():
    repo, flow = chain_with_branch()
    with pytest.raises(PlanError, match="unknown targets 'ends'"):
        plan_run(repo, flow, "ends")


def ids_run(done: subprocess.CompletedProcess) -> list[tuple[str, str]]:
    return [(node["id"], node["status"]) for node in json.loads(done.stdout)]


def test_cli_run_follows_end_nodes_and_all_runs_every_node(tmp_path):
    repo, flow = chain_with_branch()
    flow.set_end("b", True)
    path = tmp_path / "f.json"
    save_repository(repo, path)
    done = cli("run", path, "--json")
    assert done.returncode == 0, done.stderr
    assert ids_run(done) == [("a", "success"), ("b", "success")]
    done = cli("run", path, "--json", "--all")
    assert done.returncode == 1
    assert {node_id for node_id, _ in ids_run(done)} == {"a", "b", "lone"}
    done = cli("run", path, "--json", "--node", "lone")
    assert done.returncode == 1 and ids_run(done) == [("lone", "fail")]
    done = cli("run", path, "--all", "--node", "a")
    assert done.returncode == 2 and "not allowed" in done.stderr


def test_cli_run_of_the_failure_example_runs_n4_and_n5_and_succeeds():
    library = resource_path(BUILTIN_LIBRARY)
    done = cli("run", library, "--flow", "examples.failure", "--json")
    assert done.returncode == 0, done.stderr
    assert ids_run(done) == [("n4", "success"), ("n5", "success")]
    assert len(ids_run(cli("run", library, "--flow", "examples.failure", "--json", "--all"))) == 5


@pytest.mark.parametrize("name", ["repo.json", OWN])
def test_the_original_samples_run_their_end_node_and_its_ancestors(name, request, tmp_path):
    repo = load_repository(original_file(request, tmp_path, name))
    for flow in repo.flows.values():
        (end,) = end_nodes(flow)
        assert plan_run(repo, flow).order[-1] == end
