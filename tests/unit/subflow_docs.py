"""Small version-2 documents with subflows, written as files are, for the subflow tests.

``sub.scale`` computes ``x * k + 1`` (``k`` defaults to 3); ``main`` uses it twice on
``c = 1 + 1`` (``u1`` with the default, ``u2`` with ``k = 10``) and adds the two results in
its end node ``t``: 7 + 21 = 28. ``sub.twice`` nests two uses of ``sub.scale``.
"""

from __future__ import annotations

import copy
import json

from pyflow_desktop.repository import Repository, loads_repository


def float_spec(spec_id: str, func: str, inputs=("a", "b"), outputs=("out",)) -> dict:
    return {
        "id": spec_id,
        "title": spec_id.title(),
        "port": {
            "input": [{"name": name, "type": "Float", "order": i} for i, name in enumerate(inputs)],
            "output": [{"name": name, "type": "Float"} for name in outputs],
        },
        "func": func,
    }


def node(node_id: str, spec_id: str = "", subflow: str = "", **values) -> dict:
    item = {"id": node_id, "name": node_id}
    item.update({"subflow": subflow} if subflow else {"spec_id": spec_id})
    item["ports"] = [{"name": name, "value": value} for name, value in values.items()]
    return item


def links(*pairs: str) -> list[dict]:
    return [{"source": source, "target": target} for source, target in map(str.split, pairs)]


SPECS = {
    "mul": float_spec("mul", "def func(a, b):\n    return a * b\n"),
    "add": float_spec("add", "def func(a, b):\n    return a + b\n"),
}

SCALE = {
    "id": "sub.scale",
    "name": "Scale",
    "nodes": [node("m", "mul"), node("p", "add", b="1")],
    "links": links("m:out p:a"),
    "interface": {
        "input": [
            {"name": "x", "type": "Float", "to": ["m:a"]},
            {"name": "k", "type": "Float", "to": ["m:b"], "default": 3},
        ],
        "output": [{"name": "y", "type": "Float", "from": "p:out"}],
    },
}

MAIN = {
    "id": "main",
    "name": "Main",
    "nodes": [
        node("c", "add", a="1", b="1"),
        node("u1", subflow="sub.scale"),
        node("u2", subflow="sub.scale", k="10"),
        {**node("t", "add"), "is_end": 1},
    ],
    "links": links("c:out u1:x", "c:out u2:x", "u1:y t:a", "u2:y t:b"),
}

TWICE = {
    "id": "sub.twice",
    "name": "Twice",
    "nodes": [node("inner1", subflow="sub.scale"), node("inner2", subflow="sub.scale")],
    "links": links("inner1:y inner2:x"),
    "interface": {
        "input": [{"name": "x", "type": "Float", "to": ["inner1:x"]}],
        "output": [{"name": "y", "type": "Float", "from": "inner2:y"}],
    },
}

NESTED = {
    "id": "nested",
    "name": "Nested",
    "nodes": [node("w", subflow="sub.twice", x="2")],
    "links": [],
}


def document(*flows: dict, specs: dict | None = None) -> dict:
    """A version-2 file holding ``flows`` (default: sub.scale and main) and the specs."""
    return {
        "pyflow_desktop": {"format_version": 2},
        "flow": {flow["id"]: copy.deepcopy(flow) for flow in flows or (SCALE, MAIN)},
        "nodespec": copy.deepcopy(specs or SPECS),
    }


def load(doc: dict) -> Repository:
    return loads_repository(json.dumps(doc), "subflows.json")


def write(tmp_path, doc: dict, name: str = "subflows.json"):
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def outputs(result) -> dict[str, dict]:
    """Each planned node's outputs by name, by node id."""
    return {n["id"]: {o["name"]: o["value"] for o in n["outputs"]} for n in result.nodes}
