"""A repository in the original PyFlow format, written by these tests, with the quirks of the
original's own files (``../shared/fixtures/original-pyflow``, which the tests read when they
are there): what those files exercise is checked on this one everywhere.

Its quirks: no ``pyflow_desktop`` header; functions indented with tabs, one of them Python 2
(``check`` reports it; no flow uses it); ports without a type (String) beside typed ones,
``order`` as numbers, an input ``default`` holding a line break; a spec without ``output``
(one output, ``out``) and one with several outputs, one of them untyped; node positions in
CSS pixels, a node without ``ui``, ``is_end`` as ``1`` or ``true``, values as strings, links
as ``"node:port"``.

Its flows, each with one end node: ``own.sample.math`` computes (1 + 2) * (4 + -1) = 9 in
node ``mul``; ``own.sample.error`` runs ``first``, fails in ``boom`` and skips ``last``;
``own.sample.lines`` splits two lines in ``l1``, which has no position.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

OWN = "own-original-style.json"  # the name it is written under, beside ../shared's names


def _spec(spec_id: str, inputs: list[dict], func: str, outputs: list[dict] | None = None):
    port: dict = {"input": inputs}
    if outputs is not None:
        port["output"] = outputs
    return {"id": spec_id, "title": spec_id.rsplit(".", 1)[-1], "port": port, "func": func}


def _typed(*names: str, kind: str) -> list[dict]:
    return [{"name": name, "type": kind, "order": order} for order, name in enumerate(names)]


def _node(node_id: str, spec_id: str, x: int | None, y: int | None, **values: str) -> dict:
    node = {"id": node_id, "spec_id": spec_id, "name": node_id}
    node["ports"] = [{"name": name, "value": value} for name, value in values.items()]
    if x is not None:
        node["ui"] = {"x": f"{x}px", "y": f"{y}px"}
    return node


SPECS = {
    "own.math.add": _spec(
        "own.math.add",
        _typed("a", "b", kind="Int"),
        "def func(a, b):\n\t# tabs, as the original's functions are indented\n\treturn a + b\n",
        [{"name": "out", "type": "Int"}],
    ),
    "own.math.multiply": _spec(
        "own.math.multiply",
        _typed("a", "b", kind="Int"),
        "def func(a, b):\n\treturn a * b\n",
        [{"name": "out", "type": "Int"}],
    ),
    "own.text.append": _spec(
        "own.text.append",
        [{"name": "a", "order": 0}, {"name": "b", "order": 1}],
        "def func(a, b):\n\treturn a + b\n",
    ),
    "own.text.error": _spec(
        "own.text.error",
        [{"name": "a", "order": 0}],
        "def func(a):\n\traise ValueError('no ' + a)\n",
    ),
    "own.text.shout": _spec(
        "own.text.shout", [{"name": "t", "order": 0}], "def func(t):\n    return t.upper()\n"
    ),
    "own.text.lines": _spec(
        "own.text.lines",
        [{"name": "text", "order": 0}, {"name": "breaker", "order": 1, "default": "\n"}],
        "def func(text, breaker):\n    return text.split(breaker)\n",
        [{"name": "out", "type": "List"}],
    ),
    "own.text.split": _spec(
        "own.text.split",
        _typed("source", "delimiter", kind="String"),
        "def func(source, delimiter):\n"
        "    head, _, tail = source.partition(delimiter)\n"
        "    return {'head': head, 'tail': tail}\n",
        [{"name": "head"}, {"name": "tail", "type": "String"}],
    ),
    "own.py2.echo": _spec(
        "own.py2.echo", [{"name": "a", "order": 0}], "def func(a):\n\tprint a\n\treturn a\n"
    ),
}

FLOWS = {
    "own.sample.math": {
        "id": "own.sample.math",
        "name": "Math",
        "nodes": [
            _node("add1", "own.math.add", 160, 69, a="1", b="2"),
            _node("add2", "own.math.add", 163, 213, a="4", b="-1"),
            {**_node("mul", "own.math.multiply", 450, 160), "is_end": 1},
        ],
        "links": [
            {"source": "add1:out", "target": "mul:a"},
            {"source": "add2:out", "target": "mul:b"},
        ],
    },
    "own.sample.error": {
        "id": "own.sample.error",
        "name": "Error",
        "nodes": [
            _node("first", "own.text.append", 77, 48, a="ab", b="cd"),
            _node("boom", "own.text.error", 312, 118),
            {**_node("last", "own.text.append", 553, 206, b="ef"), "is_end": True},
        ],
        "links": [
            {"source": "first:out", "target": "boom:a"},
            {"source": "boom:out", "target": "last:a"},
        ],
    },
    "own.sample.lines": {
        "id": "own.sample.lines",
        "name": "Lines",
        "nodes": [{**_node("l1", "own.text.lines", None, None, text="one\ntwo"), "is_end": 1}],
        "links": [],
    },
}

# What the tests of every original file check, for this one.
COUNTS = (len(SPECS), len(FLOWS))  # nodespecs, flows
PYTHON2 = ["own.py2.echo"]  # what ``check`` reports
END_NODES = {"own.sample.math": ["mul"], "own.sample.error": ["last"], "own.sample.lines": ["l1"]}


def write_original_style(folder: Path) -> Path:
    """The repository, written into ``folder`` as the original wrote its files."""
    path = folder / OWN
    path.write_text(json.dumps({"flow": FLOWS, "nodespec": SPECS}, indent=2), encoding="utf-8")
    return path


def original_file(request: pytest.FixtureRequest, folder: Path, name: str) -> Path:
    """The file ``name``: ours, written into ``folder``, or one of ../shared's original files
    (the test is skipped where they are absent)."""
    if name == OWN:
        return write_original_style(folder)
    path = request.getfixturevalue("original_fixtures") / name
    if not path.is_file():
        pytest.skip(f"{name} is not among the original PyFlow fixtures")
    return path
