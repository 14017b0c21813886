"""Reads repository files: the original PyFlow format and our native one.

The original wrote ``{"flow": {id: flow}, "nodespec": {id: spec}}`` with some quirks that we
accept exactly: domain values that are JSON-encoded strings, ``order`` as a string, a missing
``output`` meaning one output ``out``, CSS-pixel positions (``"160px"``) and tab-indented
sources. Our native file adds ``"pyflow_desktop": {"format_version": N}``.

``parse_repository`` collects every problem it meets instead of stopping at the first; it
never compiles or runs node code.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from .errors import (
    DuplicateIdError,
    DuplicateLinkError,
    MalformedFileError,
    NewerFormatError,
    RepositoryError,
    SchemaError,
)
from .flow import Flow, Link, NodeInstance
from .nodespec import NodeSpec, Port
from .port_types import DEFAULT_TYPE, PORT_TYPES
from .repository import Repository
from .validate import flow_path, flow_problems, spec_path

FORMAT_KEY = "pyflow_desktop"
FORMAT_VERSION = 1

_PORT_KEYS = {"name", "type", "order", "default", "required"}
_SPEC_KEYS = {"id", "title", "port", "func", "description"}
_NODE_KEYS = {"id", "spec_id", "name", "ports", "is_end", "ui"}
_FLOW_KEYS = {"id", "name", "nodes", "links"}
_INTEGER = re.compile(r"^\s*-?\d+\s*$")
_PIXELS = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*(?:px)?\s*$")


class _Problems:
    """Collects problems; ``expect`` checks a JSON type and records a SchemaError if wrong."""

    def __init__(self) -> None:
        self.found: list[RepositoryError] = []

    def add(self, error: RepositoryError) -> None:
        self.found.append(error)

    def expect(self, value: Any, kinds: type | tuple[type, ...], path: str, ident: str = ""):
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in _tuple(kinds)):
            return True
        wanted = " or ".join(_json_name(kind) for kind in _tuple(kinds))
        self.add(
            SchemaError(f"expected {wanted}, got {_json_name(type(value))}", path=path, ident=ident)
        )
        return False


def _tuple(kinds) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def _json_name(kind: type) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(kind, kind.__name__)


def decode_json(text: str, file: str | None = None) -> Any:
    """Parse JSON text, raising ``MalformedFileError`` with line and column."""
    if not text.strip():
        raise MalformedFileError("the file is empty", file=file)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedFileError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}", file=file
        ) from None
    except RecursionError:
        raise MalformedFileError("not readable: JSON nested too deeply", file=file) from None
    except ValueError as exc:  # e.g. a number too long for Python to read
        raise MalformedFileError(f"not readable: {exc}", file=file) from None


def parse_repository(data: Any) -> tuple[Repository, list[RepositoryError]]:
    """Build a repository from decoded JSON; returns it with every problem found."""
    problems = _Problems()
    repo = Repository()
    if not isinstance(data, dict):
        problems.add(
            SchemaError(f"expected an object at the top, got {_json_name(type(data))}", path="$")
        )
        return repo, problems.found
    if "flow" not in data and "nodespec" not in data:
        problems.add(
            MalformedFileError(
                'not a PyFlow repository: it has neither a "flow" nor a "nodespec" key', path="$"
            )
        )
        return repo, problems.found
    if FORMAT_KEY in data:
        _check_version(data[FORMAT_KEY], problems)
        if any(isinstance(p, NewerFormatError) for p in problems.found):
            return repo, problems.found
    repo.extra = {
        key: value for key, value in data.items() if key not in ("flow", "nodespec", FORMAT_KEY)
    }
    header = data.get(FORMAT_KEY)
    if isinstance(header, dict) and set(header) - {"format_version"}:  # keys of later versions
        repo.extra[FORMAT_KEY] = {k: v for k, v in header.items() if k != "format_version"}
    with repo.events.muted():
        for spec_id, raw in _domain(data, "nodespec", problems).items():
            spec = _read_spec(spec_id, raw, problems)
            if spec is not None:
                repo.add_spec(spec)
        for flow_id, raw in _domain(data, "flow", problems).items():
            flow = _read_flow(flow_id, raw, repo, problems)
            if flow is not None:
                repo.add_flow(flow)
    return repo, problems.found


def _check_version(header: Any, problems: _Problems) -> None:
    path = f"{FORMAT_KEY}.format_version"
    if not problems.expect(header, dict, FORMAT_KEY):
        return
    version = header.get("format_version")
    if not problems.expect(version, int, path):
        return
    if version > FORMAT_VERSION:
        problems.add(
            NewerFormatError(
                f"written by a newer PyFlow Desktop (format version {version}; this one reads up "
                f"to {FORMAT_VERSION}): update PyFlow Desktop to open it",
                path=path,
            )
        )


_UNREADABLE = object()


def _maybe_json(value: Any, path: str, problems: _Problems) -> Any:
    """The original sometimes stored a domain's values as JSON-encoded strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as exc:
            problems.add(
                SchemaError(f"a JSON-encoded string that does not parse: {exc.msg}", path=path)
            )
            return _UNREADABLE
    return value


def _domain(data: dict, key: str, problems: _Problems) -> dict[str, Any]:
    raw = _maybe_json(data.get(key, {}), key, problems)
    if raw is _UNREADABLE or not problems.expect(raw, dict, key):
        return {}
    return raw


def _extra(raw: dict, known: set[str]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if key not in known}


def _check_id(raw: dict, key: str, path: str, problems: _Problems) -> None:
    if "id" in raw and raw["id"] != key:
        problems.add(
            SchemaError(
                f"id {raw['id']!r} differs from its key {key!r}", path=f"{path}.id", ident=key
            )
        )


def _read_spec(spec_id: str, raw: Any, problems: _Problems) -> NodeSpec | None:
    path = spec_path(spec_id)
    raw = _maybe_json(raw, path, problems)
    if raw is _UNREADABLE or not problems.expect(raw, dict, path, spec_id):
        return None
    _check_id(raw, spec_id, path, problems)
    func = raw.get("func")
    if func is None:
        problems.add(
            SchemaError(f"nodespec {spec_id!r} has no func", path=f"{path}.func", ident=spec_id)
        )
        return None
    if not problems.expect(func, str, f"{path}.func", spec_id):
        return None
    title = raw.get("title", spec_id)
    if not problems.expect(title, str, f"{path}.title", spec_id):
        title = spec_id
    port = raw.get("port", {})
    if not problems.expect(port, dict, f"{path}.port", spec_id):
        port = {}
    inputs = _read_ports(port.get("input", []), f"{path}.port.input", spec_id, problems, True)
    explicit = "output" in port
    outputs = (
        _read_ports(port["output"], f"{path}.port.output", spec_id, problems, False)
        if explicit
        else [Port("out")]
    )
    description = raw.get("description", "")
    if not isinstance(description, str):
        problems.expect(description, str, f"{path}.description", spec_id)
        description = ""
    port_extra = _extra(port, {"input", "output"})
    extra = _extra(raw, _SPEC_KEYS)
    if port_extra:
        extra["port"] = port_extra
    return NodeSpec(
        id=spec_id,
        title=title,
        inputs=inputs,
        outputs=outputs,
        func=func,
        description=description,
        extra=extra,
        explicit_outputs=explicit,
    )


def _read_ports(raw: Any, path: str, spec_id: str, problems: _Problems, is_input: bool):
    if not problems.expect(raw, list, path, spec_id):
        return []
    ports: list[Port] = []
    seen: set[str] = set()
    for index, item in enumerate(raw):
        where = f"{path}[{index}]"
        if not problems.expect(item, dict, where, spec_id):
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            problems.add(
                SchemaError(
                    "a port needs a non-empty string name", path=f"{where}.name", ident=spec_id
                )
            )
            continue
        if name in seen:
            problems.add(
                DuplicateIdError(
                    f"nodespec {spec_id!r} has two ports named {name!r}",
                    path=f"{where}.name",
                    ident=name,
                )
            )
            continue
        seen.add(name)
        port_type = item.get("type", DEFAULT_TYPE)
        if port_type not in PORT_TYPES:
            problems.add(
                SchemaError(
                    f"port {name!r} has unknown type {port_type!r} (known: {', '.join(PORT_TYPES)})",
                    path=f"{where}.type",
                    ident=name,
                )
            )
            port_type = DEFAULT_TYPE
        order = (
            _read_order(item.get("order", index), f"{where}.order", name, problems)
            if is_input
            else index
        )
        required = item.get("required", False)
        if not isinstance(required, (bool, int)):
            problems.expect(required, bool, f"{where}.required", name)
            required = False
        ports.append(
            Port(
                name=name,
                type=port_type,
                order=order if is_input else index,
                default=item.get("default"),
                required=bool(required),
                # an output's "order" means nothing to us: keep it as an unknown key
                extra=_extra(item, _PORT_KEYS if is_input else _PORT_KEYS - {"order"}),
                typed="type" in item,
            )
        )
    return ports


def _read_order(value: Any, path: str, name: str, problems: _Problems) -> int:
    if isinstance(value, str) and _INTEGER.match(value) and len(value) < 20:
        return int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    problems.add(
        SchemaError(
            f"port {name!r} has order {value!r}; expected an integer", path=path, ident=name
        )
    )
    return 0


def _read_pixels(value: Any, path: str, problems: _Problems) -> float:
    if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    if isinstance(value, str):
        match = _PIXELS.match(value)
        if match and math.isfinite(float(match.group(1))):
            return float(match.group(1))
    problems.add(SchemaError(f"position {value!r} is not a number of pixels", path=path))
    return 0.0


def _read_flow(flow_id: str, raw: Any, repo: Repository, problems: _Problems) -> Flow | None:
    path = flow_path(flow_id)
    raw = _maybe_json(raw, path, problems)
    if raw is _UNREADABLE or not problems.expect(raw, dict, path, flow_id):
        return None
    _check_id(raw, flow_id, path, problems)
    name = raw.get("name", flow_id)
    if not problems.expect(name, str, f"{path}.name", flow_id):
        name = flow_id
    flow = Flow(flow_id, name, extra=_extra(raw, _FLOW_KEYS))
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
            extra = _extra(item, {"source", "target"})
            if extra:
                flow.link_extra[key] = extra
    problems.found.extend(flow_problems(flow, repo.specs, node_index, link_index))
    return flow


def _read_node(raw: Any, path: str, problems: _Problems) -> NodeInstance | None:
    if not problems.expect(raw, dict, path):
        return None
    node_id, spec_id = raw.get("id"), raw.get("spec_id")
    if not isinstance(node_id, str) or not node_id:
        problems.add(SchemaError("a node needs a non-empty string id", path=f"{path}.id"))
        return None
    if not isinstance(spec_id, str) or not spec_id:
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
        is_end=bool(raw.get("is_end", False)),
        extra=_extra(raw, _NODE_KEYS),
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
            extra = _extra(item, {"name", "value"})
            if extra:
                node.value_extra[port] = extra
    ui = raw.get("ui", {})
    if problems.expect(ui, dict, f"{path}.ui", node_id):
        if "x" in ui:
            node.x = _read_pixels(ui["x"], f"{path}.ui.x", problems)
        if "y" in ui:
            node.y = _read_pixels(ui["y"], f"{path}.ui.y", problems)
        node.ui_extra = _extra(ui, {"x", "y"})
    return node


def _read_link(raw: Any, path: str, problems: _Problems) -> Link | None:
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
