"""Reads one nodespec of a repository file: its title, ports and function source."""

from __future__ import annotations

import re
from typing import Any

from .errors import DuplicateIdError, FuncSourceError, SchemaError
from .func_source import SourceTooComplexError, compile_source, syntax_message
from .nodespec import NodeSpec, Port
from .port_types import DEFAULT_TYPE
from .problems import UNREADABLE, Problems, check_id, extra_keys, maybe_json, read_port_type
from .validate import spec_path

_PORT_KEYS = {"name", "type", "order", "default", "required"}
_SPEC_KEYS = {"id", "title", "port", "func", "description"}
_INTEGER = re.compile(r"^\s*-?\d+\s*$")


def read_spec(spec_id: str, raw: Any, problems: Problems) -> NodeSpec | None:
    path = spec_path(spec_id)
    raw = maybe_json(raw, path, problems)
    if raw is UNREADABLE or not problems.expect(raw, dict, path, spec_id):
        return None
    check_id(raw, spec_id, path, problems)
    func = raw.get("func")
    if func is None:
        problems.add(
            SchemaError(f"nodespec {spec_id!r} has no func", path=f"{path}.func", ident=spec_id)
        )
        return None
    if not problems.expect(func, str, f"{path}.func", spec_id):
        return None
    _refuse_uncompilable(func, f"{path}.func", spec_id, problems)
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
    port_extra = extra_keys(port, {"input", "output"})
    extra = extra_keys(raw, _SPEC_KEYS)
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


def _refuse_uncompilable(func: str, path: str, spec_id: str, problems: Problems) -> None:
    """A source beyond Python's compiler limits is a hostile file, not a typo to fix in the
    editor: refused on load (compiled only, never run). Ordinary syntax errors are left to
    ``check_file`` and to runs."""
    try:
        compile_source(func)
    except SourceTooComplexError as exc:
        problems.add(FuncSourceError(syntax_message(exc), path=path, ident=spec_id))
    except SyntaxError:
        pass


def _read_ports(raw: Any, path: str, spec_id: str, problems: Problems, is_input: bool):
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
        kind = read_port_type(item, DEFAULT_TYPE, where, name, problems)
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
                type=kind,
                order=order if is_input else index,
                default=item.get("default"),
                required=bool(required),
                # an output's "order" means nothing to us: keep it as an unknown key
                extra=extra_keys(item, _PORT_KEYS if is_input else _PORT_KEYS - {"order"}),
                typed="type" in item,
            )
        )
    return ports


def _read_order(value: Any, path: str, name: str, problems: Problems) -> int:
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
