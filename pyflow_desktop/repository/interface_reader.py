"""Reads a flow's ``interface`` (format version 2): its input and output ports.

Only the shape is checked here; whether ``to`` and ``from`` name real inner ports is
``interface_check``'s part, once every flow of the file is read.
"""

from __future__ import annotations

import reprlib
from typing import Any

from .errors import DuplicateIdError, SchemaError
from .interface import ANY_TYPE, Interface, InterfaceInput, InterfaceOutput, PortRef
from .problems import Problems, extra_keys, read_port_type

_INPUT_KEYS = {"name", "type", "to", "default"}
_OUTPUT_KEYS = {"name", "type", "from"}


def read_interface(raw: Any, path: str, flow_id: str, problems: Problems) -> Interface | None:
    if not problems.expect(raw, dict, path, flow_id):
        return None
    inputs = [
        InterfaceInput(
            name,
            port_type,
            tuple(_refs(item.get("to"), f"{where}.to", name, problems)),
            item.get("default"),
            extra_keys(item, _INPUT_KEYS),
        )
        for name, port_type, item, where in _ports(raw, "input", path, problems)
    ]
    outputs = []
    for name, port_type, item, where in _ports(raw, "output", path, problems):
        source = _ref(item.get("from"), f"{where}.from", name, problems)
        if source is not None:
            outputs.append(InterfaceOutput(name, source, port_type, extra_keys(item, _OUTPUT_KEYS)))
    return Interface(tuple(inputs), tuple(outputs), extra_keys(raw, {"input", "output"}))


def _ports(raw: dict, key: str, path: str, problems: Problems):
    """``(name, type, item, path)`` of each well-formed port listed under ``key``."""
    items = raw.get(key, [])
    if not problems.expect(items, list, f"{path}.{key}"):
        return
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"{path}.{key}[{index}]"
        if not problems.expect(item, dict, where):
            continue
        name = item.get("name")
        if not isinstance(name, str) or not name:
            problems.add(SchemaError("a port needs a non-empty string name", path=f"{where}.name"))
            continue
        if name in seen:
            problems.add(
                DuplicateIdError(
                    f"the interface has two {key}s named {name!r}", path=f"{where}.name", ident=name
                )
            )
            continue
        seen.add(name)
        port_type = read_port_type(item, ANY_TYPE, where, name, problems)
        yield name, port_type, item, where


def _refs(raw: Any, path: str, name: str, problems: Problems) -> list[PortRef]:
    if not problems.expect(raw, list, path, name):
        return []
    refs = (_ref(item, f"{path}[{index}]", name, problems) for index, item in enumerate(raw))
    return [ref for ref in refs if ref is not None]


def _ref(raw: Any, path: str, name: str, problems: Problems) -> PortRef | None:
    if isinstance(raw, str) and ":" in raw.strip(":"):
        return PortRef.parse(raw)
    problems.add(
        SchemaError(
            f'interface port {name!r} needs a "node:port" string, got {reprlib.repr(raw)}',
            path=path,
            ident=name,
        )
    )
    return None
