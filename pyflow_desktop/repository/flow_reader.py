"""Reads one flow of a repository file: its nodes (values, end mark, position), links and
interface.

``read_flow`` reads and checks a flow against the repository it joins; a whole file is read
in two steps (``read_flow_parts``, then ``flow_problems`` once every flow is there), so a
node may use a flow that comes later in the file as its subflow.
"""

from __future__ import annotations

import math
import re
import reprlib
from typing import Any, NamedTuple

from .errors import DuplicateIdError, DuplicateLinkError, SchemaError
from .flow import Flow, Link, NodeInstance, marks_end
from .interface_reader import read_interface
from .problems import UNREADABLE, Problems, check_id, extra_keys, maybe_json
from .repository import Repository
from .validate import flow_path, flow_problems

_NODE_KEYS = {"id", "spec_id", "subflow", "name", "ports", "is_end", "ui"}
_FLOW_KEYS = {"id", "name", "nodes", "links", "interface"}
_PIXELS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:px)?\s*$")


def _read_pixels(value: Any, path: str, problems: Problems) -> float:
    number = math.nan
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value) if abs(value) < 1e300 else math.inf  # a 400-digit int overflows
    elif isinstance(value, str) and (match := _PIXELS.match(value)):
        number = float(match.group(1))
    if math.isfinite(number):
        return number
    problems.add(
        SchemaError(f"position {reprlib.repr(value)} is not a number of pixels", path=path)
    )
    return 0.0


class FlowParts(NamedTuple):
    """A flow as read, with each node's and link's position in the file (for messages)."""

    flow: Flow
    node_index: dict[str, int]
    link_index: dict[tuple[str, str], int]


def read_flow(flow_id: str, raw: Any, repo: Repository, problems: Problems) -> Flow | None:
    """Read a flow and check it against ``repo``'s specs and flows."""
    parts = read_flow_parts(flow_id, raw, problems)
    if parts is None:
        return None
    flow, node_index, link_index = parts
    problems.found.extend(flow_problems(flow, repo.specs, node_index, link_index, flows=repo.flows))
    return flow


def read_flow_parts(flow_id: str, raw: Any, problems: Problems) -> FlowParts | None:
    """Read a flow's structure, unchecked against specs and other flows."""
    path = flow_path(flow_id)
    raw = maybe_json(raw, path, problems)
    if raw is UNREADABLE or not problems.expect(raw, dict, path, flow_id):
        return None
    check_id(raw, flow_id, path, problems)
    name = raw.get("name", flow_id)
    if not problems.expect(name, str, f"{path}.name", flow_id):
        name = flow_id
    flow = Flow(flow_id, name, extra=extra_keys(raw, _FLOW_KEYS))
    if "interface" in raw:
        flow.interface = read_interface(raw["interface"], f"{path}.interface", flow_id, problems)
    node_index: dict[str, int] = {}
    nodes = raw.get("nodes", [])
    if problems.expect(nodes, list, f"{path}.nodes", flow_id):
        for index, item in enumerate(nodes):
            node = _read_node(item, f"{path}.nodes[{index}]", problems)
            if node is None:
                continue
            if node.id in flow.nodes:
                problems.add(
                    DuplicateIdError(
                        f"two nodes share the id {node.id!r}",
                        path=f"{path}.nodes[{index}].id",
                        ident=node.id,
                    )
                )
                continue
            node_index[node.id] = index
            flow.add_node(node)
    link_index: dict[tuple[str, str], int] = {}
    links = raw.get("links", [])
    if problems.expect(links, list, f"{path}.links", flow_id):
        for index, item in enumerate(links):
            link = _read_link(item, f"{path}.links[{index}]", problems)
            if link is None:
                continue
            key = (link.target, link.target_port)
            if key in link_index:
                problems.add(
                    DuplicateLinkError(
                        f"two links feed input {link.target_ref!r} (links[{link_index[key]}] and "
                        f"links[{index}]); an input takes one link",
                        path=f"{path}.links[{index}].target",
                        ident=link.target_ref,
                    )
                )
                continue
            link_index[key] = index
            flow.add_link(link)
            extra = extra_keys(item, {"source", "target"})
            if extra:
                flow.link_extra[key] = extra
    return FlowParts(flow, node_index, link_index)


def _read_node(raw: Any, path: str, problems: Problems) -> NodeInstance | None:
    if not problems.expect(raw, dict, path):
        return None
    node_id, spec_id, subflow = raw.get("id"), raw.get("spec_id"), raw.get("subflow")
    if not isinstance(node_id, str) or not node_id:
        problems.add(SchemaError("a node needs a non-empty string id", path=f"{path}.id"))
        return None
    if "subflow" in raw:
        if "spec_id" in raw or not isinstance(subflow, str) or not subflow:
            problems.add(
                SchemaError(
                    f"node {node_id!r} needs either a spec_id or a subflow (a flow id string)",
                    path=f"{path}.subflow",
                    ident=node_id,
                )
            )
            return None
        spec_id = ""
    elif not isinstance(spec_id, str) or not spec_id:
        problems.add(
            SchemaError(
                f"node {node_id!r} needs a string spec_id", path=f"{path}.spec_id", ident=node_id
            )
        )
        return None
    name = raw.get("name", "")
    if not problems.expect(name, str, f"{path}.name", node_id):
        name = ""
    node = NodeInstance(
        id=node_id,
        spec_id=spec_id,
        name=name,
        is_end=marks_end(raw.get("is_end")),
        extra=extra_keys(raw, _NODE_KEYS),
        end_mark=_end_mark(raw.get("is_end")),
        subflow=subflow if "subflow" in raw else None,
    )
    ports = raw.get("ports", [])
    if problems.expect(ports, list, f"{path}.ports", node_id):
        for index, item in enumerate(ports):
            where = f"{path}.ports[{index}]"
            if not problems.expect(item, dict, where, node_id):
                continue
            port = item.get("name")
            if not isinstance(port, str):
                problems.add(
                    SchemaError(
                        f"node {node_id!r} has a port value without a name",
                        path=f"{where}.name",
                        ident=node_id,
                    )
                )
                continue
            node.values[port] = item.get("value")
            extra = extra_keys(item, {"name", "value"})
            if extra:
                node.value_extra[port] = extra
    ui = raw.get("ui", {})
    if problems.expect(ui, dict, f"{path}.ui", node_id):
        if "x" in ui:
            node.x = _read_pixels(ui["x"], f"{path}.ui.x", problems)
        if "y" in ui:
            node.y = _read_pixels(ui["y"], f"{path}.ui.y", problems)
        node.ui_extra = extra_keys(ui, {"x", "y"})
    return node


def _end_mark(value: Any) -> Any:
    """The file's spelling of ``is_end`` when it is not the one the writer uses (1 or none)."""
    return None if value is None or (type(value) is int and value == 1) else value


def _read_link(raw: Any, path: str, problems: Problems) -> Link | None:
    if not problems.expect(raw, dict, path):
        return None
    ends = []
    for end in ("source", "target"):
        value = raw.get(end)
        if not isinstance(value, str) or ":" not in value.strip(":"):
            problems.add(
                SchemaError(
                    f'link {end} must be a "nodeId:port" string, got {value!r}',
                    path=f"{path}.{end}",
                )
            )
            return None
        ends.append(value)
    return Link.parse(*ends)
