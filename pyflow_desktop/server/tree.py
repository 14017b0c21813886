"""``GET /nodestree``: the nodespecs as the original's tree, split on the dots of their ids."""

from __future__ import annotations

from typing import Any


def nodes_tree(specs: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """``[{id, title, children, value?}]``: one item per id part; a spec's item has ``value``.

    ``math.add`` and ``math.sub`` give one item ``math`` with children ``add`` and ``sub``,
    each holding its spec as ``value``; ids and titles of items are the parts themselves.
    """
    tree: list[dict[str, Any]] = []
    for spec_id, spec in specs.items():
        level = tree
        item: dict[str, Any] = {}
        for part in spec_id.split("."):
            found = next((child for child in level if child["id"] == part), None)
            if found is None:
                found = {"id": part, "title": part, "children": []}
                level.append(found)
            item, level = found, found["children"]
        item["value"] = spec
    return tree
