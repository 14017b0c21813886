"""``pyflow-desktop import-py``: nodemaker modules read with ast, never run."""

from __future__ import annotations

import ast
import json

import pytest
from flows import add_nodes, basic_repo, cli

from pyflow_desktop.repository import Flow, load_repository, save_repository
from pyflow_desktop.repository.nodemaker import (
    NodemakerError,
    signature_ports,
    spec_from_module,
)
from pyflow_desktop.repository.writer import spec_to_dict

SPLIT = '''"""A nodemaker module as the original shipped them."""
spec = {"id": "pyflow.transform.split", "title": "split", "description": "Split once"}
output_keys = ["a", "b"]


def func(source, delimiter=","):
    result = source.split(delimiter, 1)
    return {"a": result[0], "b": result[1] if len(result) > 1 else ""}
'''


@pytest.fixture
def repo_file(tmp_path):
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("s", "shout", {"t": "hi"}))
    repo.add_flow(flow)
    path = tmp_path / "repo.json"
    save_repository(repo, path, "original")
    return path


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_import_adds_the_specs_saves_and_prints_each_id(tmp_path, repo_file):
    split = write(tmp_path, "split.py", SPLIT)
    plain = write(
        tmp_path, "plain.py", 'spec = {"id": "x.plain", "title": "P"}\ndef func(a):\n  return a\n'
    )
    done = cli("import-py", repo_file, split, plain)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["pyflow.transform.split", "x.plain"]
    raw = json.loads(repo_file.read_text())
    assert "pyflow_desktop" not in raw, "an original file stays in the original format"
    spec = raw["nodespec"]["pyflow.transform.split"]
    assert spec["title"] == "split" and spec["description"] == "Split once"
    assert spec["port"]["input"] == [
        {"name": "source", "type": "String", "order": 0},
        {"name": "delimiter", "type": "String", "order": 1, "default": ","},
    ]
    assert [p["name"] for p in spec["port"]["output"]] == ["a", "b"]
    assert spec["func"] == SPLIT[SPLIT.index("def func") :]
    assert "output" not in raw["nodespec"]["x.plain"]["port"]  # one output `out`
    assert load_repository(repo_file).specs["x.plain"].outputs[0].name == "out"
    assert (tmp_path / "repo.json.bak").exists()


def test_a_spec_of_the_same_id_is_replaced(tmp_path, repo_file):
    source = 'spec = {"id": "const", "title": "New const"}\ndef func(v: int = 4):\n  return v\n'
    assert cli("import-py", repo_file, write(tmp_path, "c.py", source)).returncode == 0
    spec = load_repository(repo_file).specs["const"]
    assert spec.title == "New const" and spec.inputs[0].default == 4


def test_the_module_is_never_run(tmp_path, repo_file):
    marker = tmp_path / "ran"
    source = (
        f"open({str(marker)!r}, 'w').write('ran')\nimport sys\nsys.exit(5)\n"
        'spec = {"id": "x.safe", "title": "Safe"}\ndef func():\n  return 1\n'
    )
    done = cli("import-py", repo_file, write(tmp_path, "evil.py", source))
    assert done.returncode == 0, done.stderr
    assert not marker.exists()


BAD = [
    ("syntax.py", 'spec = {"id": "x"\ndef func(): pass\n', "line 1", "syntax error"),
    ("nospec.py", "def func(): pass\n", "", "no `spec"),
    ("call.py", 'x = 1\nspec = dict(id="x")\ndef func(): pass\n', "line 2", "literal dict"),
    ("noid.py", 'spec = {"title": "T"}\ndef func(): pass\n', "line 1", "no string id"),
    ("nofunc.py", 'spec = {"id": "x"}\ndef other(): pass\n', "", "def func"),
    (
        "outputs.py",
        'spec = {"id": "x"}\n\noutput_keys = names()\ndef func(): pass\n',
        "line 3",
        "output_keys",
    ),
    # replacing `shout` without its port `t` would break flow f, which sets a value for it
    ("breaks.py", 'spec = {"id": "shout"}\ndef func(x): pass\n', "", "break a flow"),
]


@pytest.mark.parametrize(("name", "source", "line", "why"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_file_exits_2_naming_file_why_and_line_and_leaves_repo_untouched(
    tmp_path, repo_file, name, source, line, why
):
    before = repo_file.read_bytes()
    good = write(tmp_path, "good.py", 'spec = {"id": "x.good"}\ndef func(): pass\n')
    done = cli("import-py", repo_file, good, write(tmp_path, name, source))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and len(done.stderr.strip().splitlines()) == 1
    assert why in done.stderr and line in done.stderr
    if name != "breaks.py":
        assert name in done.stderr
    assert done.stdout == ""
    assert repo_file.read_bytes() == before
    assert not (tmp_path / "repo.json.bak").exists()


def test_a_missing_repo_or_pyfile_exits_2(tmp_path, repo_file):
    assert cli("import-py", tmp_path / "none.json", write(tmp_path, "a.py", SPLIT)).returncode == 2
    done = cli("import-py", repo_file, tmp_path / "missing.py")
    assert done.returncode == 2 and "missing.py: no such file" in done.stderr


def ports(signature: str, untyped: str = "String"):
    func = ast.parse(signature + ": pass").body[0]
    return [(p.name, p.type, p.default) for p in signature_ports(func, untyped)]


def test_types_come_from_the_annotation_else_the_default_else_string():
    assert ports("def func(a, b: int, c=2.5, d: str = 3, e=True, f=[1], g={'k': 1}, h=None)") == [
        ("a", "String", None),
        ("b", "Int", None),
        ("c", "Float", 2.5),
        ("d", "String", 3),
        ("e", "Boolean", True),
        ("f", "List", [1]),
        ("g", "Json", {"k": 1}),
        ("h", "String", None),
    ]
    assert ports("def func(a: bool, b: list, c: dict, d: float, e=len)", "Any") == [
        ("a", "Boolean", None),
        ("b", "List", None),
        ("c", "Json", None),
        ("d", "Float", None),
        ("e", "Any", None),  # not a literal: no default, and nothing to type it by
    ]


def test_the_originals_nodemaker_output_is_reproduced(original_fixtures):
    """Modules rebuilt from what the original nodemaker made give the same nodespecs."""
    made = json.loads((original_fixtures / "node_specs_via_nodemaker.json").read_text())
    for spec_id, want in made["nodespec"].items():
        outputs = [port["name"] for port in want["port"].get("output", [])]
        module = (
            f"spec = {json.dumps({'id': spec_id, 'title': want['title']})}\n"
            + (f"output_keys = {outputs!r}\n" if outputs else "")
            + "\n"
            + want["func"]
        )
        got = spec_to_dict(spec_from_module(module, f"{spec_id}.py"))
        assert got == want, spec_id


def test_errors_are_repository_errors_with_the_file_name():
    with pytest.raises(NodemakerError, match=r"^m\.py: line 2: `spec` is not a literal dict"):
        spec_from_module("import os\nspec = {'id': os.name}\ndef func(): pass\n", "m.py")
