"""Nodespecs from the original PyFlow's nodemaker modules, read with ``ast`` — never run.

A nodemaker module holds ``spec = {...}`` (a literal dict with ``id``, ``title`` and any other
keys), optionally ``output_keys = [...]`` (the output names; missing or empty: one ``out``)
and ``def func(...)``. ``spec_from_module(source, name)`` turns one into a ``NodeSpec``:
its inputs are ``func``'s parameters in order (``signature_ports``), and its ``func`` is the
source from ``def func`` to the end of the file, as the original took it.

``signature_ports`` is also how the code editor turns a signature into ports, so a parameter
becomes the same port (name, literal default, type) everywhere.
"""

from __future__ import annotations

import ast
import json
from dataclasses import dataclass
from typing import Any

from .errors import RepositoryError
from .nodespec import FUNC_NAME, NodeSpec
from .problems import Problems
from .spec_reader import read_spec

ANNOTATION_TYPES = {
    "int": "Int",
    "float": "Float",
    "str": "String",
    "bool": "Boolean",
    "list": "List",
    "dict": "Json",
}
_NO_DEFAULT = object()


class NodemakerError(RepositoryError):
    """A file is not a nodemaker module (the message names the file, why and the line)."""


@dataclass(frozen=True)
class Param:
    """One positional parameter of ``func``: its name, literal default (or None) and type."""

    name: str
    default: Any = None
    type: str = "String"


def find_func(tree: ast.Module) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The last top-level ``def func`` of a parsed module (the one Python would keep)."""
    found = None
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == FUNC_NAME:
            found = node
    return found


def signature_ports(
    func: ast.FunctionDef | ast.AsyncFunctionDef, untyped: str = "String"
) -> list[Param]:
    """``func``'s positional parameters as ports, in call order.

    The type comes from the annotation (``int`` Int, ``float`` Float, ``str`` String, ``bool``
    Boolean, ``list`` List, ``dict`` Json), else from the literal default's type, else it is
    ``untyped``. A default that is not a literal (or is ``None``) gives no default.
    """
    args = [*func.args.posonlyargs, *func.args.args]
    defaults = [None] * (len(args) - len(func.args.defaults)) + list(func.args.defaults)
    params = []
    for arg, node in zip(args, defaults):
        default = _literal(node)
        port_type = _annotation_type(arg.annotation)
        if port_type is None and default is not _NO_DEFAULT and default is not None:
            port_type = ANNOTATION_TYPES.get(type(default).__name__)
        params.append(
            Param(
                arg.arg,
                None if default is _NO_DEFAULT else default,
                port_type or untyped,
            )
        )
    return params


def _literal(node: ast.expr | None) -> Any:
    """The JSON data a literal expression spells (a tuple becomes a list), else _NO_DEFAULT."""
    if node is None:
        return _NO_DEFAULT
    try:
        value = ast.literal_eval(node)  # parses literals only; never runs code
        return json.loads(json.dumps(value))  # bytes, sets, complex numbers are no JSON
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return _NO_DEFAULT


def _annotation_type(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Name):
        return ANNOTATION_TYPES.get(node.id)
    if isinstance(node, ast.Constant) and isinstance(node.value, str):  # "int"
        return ANNOTATION_TYPES.get(node.value)
    return None


def spec_from_module(source: str, name: str = "<module>") -> NodeSpec:
    """The nodespec a nodemaker module describes; ``NodemakerError`` when it is not one."""
    try:
        tree = ast.parse(source, name)
    except SyntaxError as exc:
        raise _error(name, f"syntax error: {exc.msg}", exc.lineno) from None
    except ValueError as exc:  # e.g. a NUL byte
        raise _error(name, f"not Python source: {exc}", None) from None
    spec_node = _assignment(tree, "spec")
    if spec_node is None:
        raise _error(name, "no `spec = {...}` at the top level", None)
    spec = _literal(spec_node.value)
    if not isinstance(spec, dict):
        raise _error(name, "`spec` is not a literal dict (of JSON data)", spec_node.lineno)
    spec_id = spec.get("id")
    if not isinstance(spec_id, str) or not spec_id.strip():
        raise _error(name, "`spec` has no string id", spec_node.lineno)
    outputs = _output_keys(tree, name)
    func = find_func(tree)
    if func is None:
        raise _error(name, f"no top-level `def {FUNC_NAME}(...)`", None)
    lines = source.splitlines(keepends=True)
    raw = {
        "title": spec_id,
        **{key: value for key, value in spec.items() if key not in ("port", "func")},
        "port": {
            "input": [
                {"name": p.name, "type": p.type, "order": order}
                | ({} if p.default is None else {"default": p.default})
                for order, p in enumerate(signature_ports(func))
            ]
        },
        "func": "".join(lines[func.lineno - 1 :]),
    }
    if outputs:
        raw["port"]["output"] = [{"name": output, "type": "String"} for output in outputs]
    problems = Problems()
    made = read_spec(spec_id, raw, problems)
    if problems.found or made is None:
        problem = problems.found[0] if problems.found else None
        raise _error(name, str(problem) if problem else "not a nodespec", spec_node.lineno)
    return made


def _assignment(tree: ast.Module, target: str) -> ast.Assign | None:
    """The last top-level ``target = ...`` of the module."""
    found = None
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == target for t in node.targets
        ):
            found = node
    return found


def _output_keys(tree: ast.Module, name: str) -> list[str]:
    node = _assignment(tree, "output_keys")
    if node is None:
        return []
    keys = _literal(node.value)
    if keys is None:
        return []
    if not isinstance(keys, (list, tuple)) or not all(isinstance(k, str) and k for k in keys):
        raise _error(name, "`output_keys` is not a literal list of names", node.lineno)
    if len(set(keys)) != len(keys):
        raise _error(name, "`output_keys` names an output twice", node.lineno)
    return list(keys)


def _error(name: str, why: str, line: int | None) -> NodemakerError:
    where = f"line {line}: " if line else ""
    return NodemakerError(f"{where}{why}", file=name)


def specs_from_files(paths: list[str]) -> list[NodeSpec]:
    """The nodespecs of nodemaker files, in order; the first bad file raises ``NodemakerError``."""
    specs = []
    for path in map(str, paths):
        try:
            with open(path, encoding="utf-8-sig") as handle:
                source = handle.read()
        except FileNotFoundError:
            raise _error(path, "no such file", None) from None
        except IsADirectoryError:
            raise _error(path, "is a folder, not a Python file", None) from None
        except UnicodeDecodeError as exc:
            raise _error(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})", None) from None
        except OSError as exc:
            raise _error(path, f"cannot read: {exc.strerror}", None) from None
        specs.append(spec_from_module(source, path))
    return specs
