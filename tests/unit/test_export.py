"""``pyflow-desktop export-python``: a flow as a standard-library-only script."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest
from flows import add_nodes, basic_repo, cli, link, spec
from hypothesis import given
from hypothesis import strategies as st

from pyflow_desktop.export.script import CARRIED, flow_script, source_literal
from pyflow_desktop.repository import Flow, load_repository, save_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path

LIBRARY = resource_path(BUILTIN_LIBRARY)
EXAMPLES = sorted(load_repository(LIBRARY).flows)
NO_PYFLOW = (
    "import runpy, sys; sys.modules['pyflow_desktop'] = None; path = sys.argv[1]; "
    "sys.argv = sys.argv[1:]; runpy.run_path(path, run_name='__main__')"
)


def script_run(path, *args) -> subprocess.CompletedProcess:
    """``python -I OUT.py``, with pyflow_desktop made unimportable to prove it is not used."""
    return subprocess.run(
        [sys.executable, "-I", "-c", NO_PYFLOW, str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=path.parent,
    )


def export_and_compare(tmp_path, file, flow_id):
    out = tmp_path / f"{flow_id}.py"
    done = cli("export-python", file, "--flow", flow_id, "-o", out)
    assert done.returncode == 0, done.stderr
    run = cli("run", file, "--flow", flow_id, "--json")
    script = script_run(out, "--json")
    assert script.returncode == run.returncode, script.stderr
    assert json.loads(script.stdout) == json.loads(run.stdout)
    plain = script_run(out)
    lines = [
        f"{node['id']}.{o['name']} = {json.dumps(o['value'])}"
        if node["status"] == "success"
        else f"{node['id']}: {node['status']}: {node['error']}"
        for node in json.loads(run.stdout)
        for o in (node["outputs"] if node["status"] == "success" else [None])
    ]
    assert plain.stdout.splitlines() == lines
    return out


@pytest.mark.parametrize("flow_id", EXAMPLES)
def test_the_script_of_every_example_prints_what_run_gives(tmp_path, flow_id):
    out = export_and_compare(tmp_path, LIBRARY, flow_id)
    imported = set()
    for node in ast.walk(ast.parse(out.read_text())):
        if isinstance(node, ast.Import):
            imported.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            imported.add(node.module.split(".")[0])
    assert imported <= sys.stdlib_module_names, imported - sys.stdlib_module_names


def test_failures_skips_conversions_and_odd_sources_match_the_engine(tmp_path):
    repo = basic_repo()
    for item in (
        spec("broken", "def func(:\n    pass\n"),
        spec("nofunc", "def other():\n    return 1\n"),
        spec("pair", "def func():\n    return {'x': 1, 'y': 'two'}\n", outputs=["x", "y"]),
        spec("badpair", "def func():\n    return [1]\n", outputs=["x", "y"]),
        spec("tabs", "def func(a):\n\tif a:\n\t\treturn 1\n        return 0\n", ["a"]),
        spec("half", "def func():\n    return 2.5\n"),
        spec("nothing", "def func():\n    return None\n"),
        spec("text", "def func(s: str):\n    print('said', s)\n    return s\n", ["s:String"]),
        spec("exit", "import sys\ndef func():\n    sys.exit(3)\n"),
    ):
        repo.add_spec(item)
    repo.specs["add"].inputs[1].default = "100"
    flow = Flow("odd")
    add_nodes(
        flow,
        ("b", "broken", {}),
        ("n", "nofunc", {}),
        ("p", "pair", {}),
        ("bp", "badpair", {}),
        ("t", "tabs", {"a": ""}),
        ("h", "half", {}),
        ("toint", "const", {}),
        ("none", "nothing", {}),
        ("dflt", "add", {"a": "1"}),
        ("str", "text", {}),
        ("boom", "boom", {"a": "x"}),
        ("skip1", "add", {"b": "1"}),
        ("skip2", "add", {"b": "1"}),
        ("gen", "count", {"n": "4"}),
        ("bad", "const", {"v": "abc"}),
        ("exit", "exit", {}),
    )
    for source, target in (
        ("h:out", "toint:v"),  # 2.5 into Int: fails, no truncation
        ("none:out", "dflt:b"),  # None: the default 100
        ("p:x", "str:s"),  # 1 into String: "1"
        ("boom:out", "skip1:a"),
        ("skip1:out", "skip2:a"),
    ):
        link(flow, source, target)
    repo.add_flow(flow)
    path = tmp_path / "odd.json"
    save_repository(repo, path)
    out = export_and_compare(tmp_path, path, "odd")
    result = {n["id"]: n for n in json.loads(script_run(out, "--json").stdout)}
    assert result["dflt"]["outputs"][0]["value"] == 101
    assert result["str"]["outputs"][0]["value"] == "1"
    assert result["gen"]["outputs"][0]["value"] == 3
    assert result["skip2"]["status"] == "skip" and "'boom'" in result["skip2"]["error"]
    assert "said 1" in script_run(out).stderr  # what nodes print goes to stderr


def test_the_script_honours_end_nodes(tmp_path):
    out = tmp_path / "failure.py"
    assert cli("export-python", LIBRARY, "--flow", "examples.failure", "-o", out).returncode == 0
    result = json.loads(script_run(out, "--json").stdout)
    assert [(n["id"], n["status"]) for n in result] == [("n4", "success"), ("n5", "success")]


def test_bad_requests_exit_2_with_one_line(tmp_path):
    for args in (
        ("export-python", LIBRARY, "-o", tmp_path / "x.py"),  # several flows, no --flow
        ("export-python", LIBRARY, "--flow", "nope", "-o", tmp_path / "x.py"),
        ("export-python", LIBRARY, "--flow", "examples.math", "-o", tmp_path),
        ("export-python", tmp_path / "missing.json", "--flow", "f", "-o", tmp_path / "x.py"),
    ):
        done = cli(*args)
        assert done.returncode == 2, args
        assert done.stderr.startswith("error:") and len(done.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "x.py").exists()


def test_the_carried_modules_define_no_name_twice():
    seen: dict[str, str] = {}
    for module in CARRIED:
        for node in ast.parse(Path(module.__file__).read_text()).body:
            names = []
            if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names = [node.name]
            elif isinstance(node, ast.Assign):
                names = [t.id for t in node.targets if isinstance(t, ast.Name)]
            for name in names:
                assert seen.setdefault(name, module.__name__) == module.__name__, name


@given(st.text())
def test_a_source_literal_spells_its_text(text):
    assert ast.literal_eval(source_literal(text)) == text


def test_plain_sources_stay_readable():
    source = 'def func(a):\n    return "x\\n" + a\n'
    assert source_literal(source) == '"""\\\ndef func(a):\n    return "x\\\\n" + a\n"""'
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("c", "const", {"v": "1"}))
    repo.add_flow(flow)
    assert "def func(v):\n    return v\n" in flow_script(repo, "f")
