"""The call convention (``engine.call_convention``) where the original's files rely on it: a
port with no type is a String, a single output not named ``out`` takes that entry of a
returned dict, Boolean words, and a multi-output function that leaves out a key (a
deliberate difference). Through ``run_flow``, the exported script and the command line.
Then the two shortcuts of a fresh module per call, which a node cannot tell."""

from __future__ import annotations

import json

import pytest
from flows import cli, exported

from pyflow_desktop.engine import run_flow
from pyflow_desktop.engine.call_convention import call_node, func_code
from pyflow_desktop.repository import loads_repository
from pyflow_desktop.spec_test import run_spec


def _spec(spec_id: str, inputs: list, func: str, outputs: list | None = None) -> dict:
    spec = {"id": spec_id, "title": spec_id, "port": {"input": inputs}, "func": func}
    if outputs is not None:
        spec["port"]["output"] = outputs
    return spec


def _node(node_id: str, spec_id: str, **values: str) -> dict:
    ports = [{"name": name, "value": value} for name, value in values.items()]
    return {"id": node_id, "spec_id": spec_id, "name": node_id, "ports": ports}


# An original PyFlow file: no header, untyped ports, a missing ``output`` meaning "out".
ORIGINAL = {
    "nodespec": {
        "seven": _spec("seven", [], "def func():\n    return 7\n", [{"name": "out"}]),
        "exclaim": _spec("exclaim", [{"name": "t"}], "def func(t):\n    return t + '!'\n"),
        "total": _spec(
            "total",
            [{"name": "a", "type": "Int"}],
            "def func(a):\n    return {'total': a + 1, 'note': 'the sum'}\n",
            [{"name": "total", "type": "Int"}],
        ),
        "bare": _spec(
            "bare",
            [{"name": "a", "type": "Int"}],
            "def func(a):\n    return a + 1\n",
            [{"name": "total", "type": "Int"}],
        ),
        "other": _spec(
            "other",
            [{"name": "a", "type": "Int"}],
            "def func(a):\n    return {'x': a}\n",
            [{"name": "total", "type": "Json"}],
        ),
        "whole": _spec("whole", [{"name": "a"}], "def func(a):\n    return {'out': int(a)}\n"),
        "flag": _spec("flag", [{"name": "f", "type": "Boolean"}], "def func(f):\n    return f\n"),
        "split": _spec(
            "split",
            [{"name": "a", "type": "Int"}],
            "def func(a):\n    return {'q': a // 5}\n",
            [{"name": "q", "type": "Int"}, {"name": "r", "type": "Int"}],
        ),
    },
    "flow": {
        "f": {
            "id": "f",
            "name": "Original rules",
            "nodes": [
                _node("n7", "seven"),
                _node("linked", "exclaim"),
                _node("typed", "exclaim", t="hi"),
                _node("total", "total", a="1"),
                _node("bare", "bare", a="1"),
                _node("other", "other", a="1"),
                _node("whole", "whole", a="1"),
                _node("y", "flag", f="y"),
                _node("n", "flag", f="n"),
                _node("yes", "flag", f="YES"),
                _node("empty", "flag", f=""),
                _node("split", "split", a="17"),
                _node("after", "exclaim"),
            ],
            "links": [
                {"source": "n7:out", "target": "linked:t"},
                {"source": "split:q", "target": "after:t"},
            ],
        }
    },
}


@pytest.fixture(scope="module")
def repo():
    return loads_repository(json.dumps(ORIGINAL))


@pytest.fixture(scope="module")
def result(repo):
    return run_flow(repo, "f")


@pytest.fixture
def original_file(tmp_path):
    path = tmp_path / "original.json"
    path.write_text(json.dumps(ORIGINAL))
    return path


def test_a_port_with_no_type_is_a_string_for_linked_values_too(result):
    assert result.output("linked") == "7!"  # an Int 7 arrives as "7"
    assert result.node("linked")["inputs"] == [{"name": "t", "type": "String", "value": "7"}]
    assert result.output("typed") == "hi!"


def test_a_single_output_not_named_out_takes_its_entry_of_a_returned_dict(result):
    assert result.output("total", "total") == 2
    assert result.output("bare", "total") == 2  # not a dict: the value itself
    assert result.output("other", "total") == {"x": 1}  # no such entry: the whole dict
    assert result.output("whole") == {"out": 1}  # "out" always takes the value itself


def test_boolean_words_of_the_original_and_an_empty_field(result):
    assert [result.output(n) for n in ("y", "n", "yes", "empty")] == [True, False, True, False]


def test_a_multi_output_function_that_leaves_out_a_key_fails_its_node(result):
    split = result.node("split")
    assert split["status"] == "fail"
    assert split["error"] == "KeyError: \"func returned no value for output(s) 'r'\""
    assert result.node("after")["status"] == "skip"


def test_the_exported_script_follows_the_same_rules(repo, result):
    assert exported(repo, "f") == result.to_json()


def test_the_command_line_run_follows_the_rules(original_file):
    done = cli("run", original_file, "--json")
    assert done.returncode == 1  # the split node fails
    nodes = {node["id"]: node for node in json.loads(done.stdout)}
    outputs = {n: nodes[n]["outputs"][0]["value"] for n in nodes if nodes[n]["status"] == "success"}
    assert outputs == {
        "n7": 7,
        "linked": "7!",
        "typed": "hi!",
        "total": 2,
        "bare": 2,
        "other": {"x": 1},
        "whole": {"out": 1},
        "y": True,
        "n": False,
        "yes": True,
        "empty": False,
    }
    assert nodes["linked"]["inputs"][0]["type"] == "String"
    assert "func returned no value for output(s) 'r'" in nodes["split"]["error"]


@pytest.mark.parametrize(
    ("typed", "expected"), [("y", True), ("n", False), ("Yes", True), ("", False)]
)
def test_test_spec_reads_boolean_words(original_file, typed, expected):
    done = cli("test-spec", original_file, "flag", "--input", f"f={typed}", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["outputs"][0]["value"] is expected


def test_test_spec_of_a_single_output_not_named_out(original_file):
    done = cli("test-spec", original_file, "total", "--input", "a=4", "--json")
    assert json.loads(done.stdout)["outputs"] == [{"name": "total", "type": "Int", "value": 5}]


def test_each_test_of_a_spec_sees_a_fresh_module():
    source = "calls = []\ndef func():\n    calls.append(1)\n    return len(calls)\n"
    repo = loads_repository(json.dumps({"nodespec": {"calls": _spec("calls", [], source)}}))
    assert [run_spec(repo.specs["calls"], {}).outputs["out"] for _ in range(3)] == [1, 1, 1]


BARE = "def func(n):\n    return 1 if n <= 1 else n * func(n - 1)\n"


@pytest.mark.parametrize(
    "source",
    [
        "import math\ndef func(a):\n    return a\n",
        "def func(a=1):\n    return a\n",
        "def func(a: int):\n    return a\n",
        "@staticmethod\ndef func(a):\n    return a\n",
        '"""a docstring"""\ndef func(a):\n    return a\n',
        "calls = []\ndef func(a):\n    return a\n",
    ],
)
def test_only_a_source_that_does_nothing_but_def_func_is_not_run(source):
    assert func_code(source, "<x>")[1] is None
    assert func_code(BARE, "<x>")[1] is not None


@pytest.mark.parametrize("prefix", ["", "import math\n"])
def test_a_function_made_without_running_its_module_is_the_one_running_it_makes(prefix):
    """Without ``prefix`` the module is not run (its function is made directly); with it,
    it is. The node cannot tell the two apart."""
    assert call_node(prefix + BARE, "<x>", [5], ["out"]) == {"out": 120}  # finds itself
    looks = "def func():\n    return sorted(globals()), func.__module__, func.__qualname__\n"
    names, module, qualname = call_node(prefix + looks, "<x>", [], ["out"])["out"]
    assert {"__builtins__", "__name__", "func"} <= set(names)
    assert (module, qualname) == ("pyflow_node", "func")


def test_what_a_node_returns_keeps_its_module_alive():
    returned = call_node("def func():\n    return func\n", "<x>", [], ["out"])["out"]
    assert returned.__globals__["func"] is returned
    namespace = call_node("def func():\n    return globals()\n", "<x>", [], ["out"])["out"]
    assert namespace["func"].__globals__ is namespace
    counter = call_node(
        "count = [0]\ndef bump():\n    count[0] += 1\n    return count[0]\n"
        "def func():\n    return bump\n",
        "<x>",
        [],
        ["out"],
    )["out"]
    assert (counter(), counter()) == (1, 2)
