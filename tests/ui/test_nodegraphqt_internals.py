"""NodeGraphQt is pinned, and reached beyond its public API only through ``ui/canvas/ngqt.py``.

``ngqt.INTERNALS`` lists every private name of NodeGraphQt's the canvas uses and every method
of it the canvas overrides. These tests fail on a NodeGraphQt other than the pinned one, and
when a name of that table is gone or changed its shape, naming the hooks to re-check.

The scan for private names reads the source of the package, the tests and the benches. It
finds imports of NodeGraphQt, and ``x._name`` where ``_name`` is one of NodeGraphQt's private
names: on ``self`` (or defined) in a class of ``pyflow_desktop.ui`` built on NodeGraphQt's, the
names of its NodeGraphQt bases; on anything else, the names of any NodeGraphQt class. It does
not see a name reached through ``getattr`` with a string, nor ``self._name`` in a class outside
``pyflow_desktop.ui`` built on NodeGraphQt's.
"""

from __future__ import annotations

import ast
import enum
import importlib
import importlib.metadata
import inspect
import pkgutil
import textwrap
import tomllib
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path

import pytest

from pyflow_desktop.ui.canvas import ngqt
from pyflow_desktop.ui.canvas.ngqt import INTERNALS, PINNED, Internal, PipeItem

ROOT = Path(__file__).resolve().parents[2]
NGQT = ROOT / "pyflow_desktop" / "ui" / "canvas" / "ngqt.py"
SCANNED = ("pyflow_desktop", "tests", "bench")


def hooks(rows: Iterable[Internal]) -> str:
    return "\n".join(
        f"  {row.owner.__name__}.{row.name or '(the class)'} {row.shape}: {row.hook} ({row.why})"
        for row in rows
    )


def test_the_installed_nodegraphqt_is_the_pinned_one():
    dependencies = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    pins = [d for d in dependencies if d.split("=")[0].strip().lower() == "nodegraphqt"]
    assert pins == [f"NodeGraphQt=={PINNED}"], "pyproject.toml must pin ngqt.PINNED exactly"
    installed = importlib.metadata.version("NodeGraphQt")
    assert installed == PINNED, (
        f"NodeGraphQt {installed} is installed; ui/canvas/ngqt.py holds for {PINNED}. Re-check "
        "each of these hooks against it, then change ngqt.PINNED and pyproject's pin:\n"
        + hooks(INTERNALS)
    )


# -- every name of the table keeps its shape ---------------------------------------------


def shape(row: Internal, instance: Callable[[type], object]) -> str:
    """What ``row`` names is now, in the words of ``Internal.shape``."""
    if not row.name:
        return "class" if inspect.isclass(row.owner) else "missing"
    found = inspect.getattr_static(row.owner, row.name, None)
    if isinstance(found, property):
        return "property"
    if callable(found):
        return str(inspect.signature(getattr(row.owner, row.name)))
    made = instance(row.owner)
    if not hasattr(made, row.name):
        return "missing"
    value = getattr(made, row.name)
    return f"dict[{', '.join(sorted(value))}]" if isinstance(value, dict) else type(value).__name__


def changed(rows: Iterable[Internal], instance: Callable[[type], object]) -> list[str]:
    return [
        f"{hooks([row])}\n    is now {now}"
        for row in rows
        if (now := shape(row, instance)) != row.shape
    ]


@pytest.fixture
def instance(qtbot) -> Iterator[Callable[[type], object]]:
    """One of NodeGraphQt's own objects of a class, as its ``__init__`` makes it."""
    made: dict[type, object] = {}

    def make(owner: type) -> object:
        if owner not in made:
            made[owner] = owner()
        return made[owner]

    yield make
    for thing in made.values():
        view = thing.viewer() if isinstance(thing, ngqt.NodeGraph) else thing
        if hasattr(view, "deleteLater"):
            view.deleteLater()


def test_every_internal_the_canvas_relies_on_keeps_its_shape(instance):
    problems = changed(INTERNALS, instance)
    assert not problems, (
        f"NodeGraphQt {importlib.metadata.version('NodeGraphQt')} changed what these hooks of "
        "ui/canvas/ngqt.py rely on: re-check them, then update INTERNALS\n" + "\n".join(problems)
    )


def test_a_changed_or_missing_internal_is_reported_with_its_hook(instance):
    moved = Internal(PipeItem, "_draw_direction_pointer", "(self, at)", "PipeItemBase", "arrow")
    gone = Internal(PipeItem, "_no_such_state", "bool", "PipeItemBase", "state")
    problems = changed([moved, gone], instance)
    assert [problem.splitlines()[-1].strip() for problem in problems] == [
        "is now (self)",
        "is now missing",
    ]
    assert all("PipeItemBase" in problem for problem in problems)


# -- nothing else reaches NodeGraphQt's private names -----------------------------------


def _self_names(cls: type) -> set[str]:
    """The private names NodeGraphQt's class ``cls`` defines, or uses on ``self``."""
    names = {name for name in vars(cls) if _private(name)}
    for node in ast.walk(ast.parse(textwrap.dedent(inspect.getsource(cls)))):
        if isinstance(node, ast.Attribute) and _on_self(node) and _private(node.attr):
            names.add(node.attr)
    return names


@cache
def _names_of_bases(cls: type) -> frozenset[str]:
    """The private names of the NodeGraphQt classes ``cls`` is built on."""
    bases = [base for base in cls.__mro__ if base.__module__.startswith("NodeGraphQt.")]
    return frozenset().union(*map(_self_names, bases))


@cache
def _every_private_name() -> frozenset[str]:
    names: set[str] = set()
    package = importlib.import_module("NodeGraphQt")  # imported by ngqt already
    for info in pkgutil.walk_packages(package.__path__, "NodeGraphQt."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ == info.name and not issubclass(cls, enum.Enum):
                names |= _self_names(cls)
    return frozenset(names)


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def _on_self(node: ast.Attribute) -> bool:
    return isinstance(node.value, ast.Name) and node.value.id == "self"


def _defined(statement: ast.stmt) -> list[str]:
    """The names a statement of a class body defines."""
    if isinstance(statement, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
        return [statement.name]
    targets = getattr(statement, "targets", None) or [getattr(statement, "target", None)]
    return [target.id for target in targets if isinstance(target, ast.Name)]


def private_uses(tree: ast.Module, classes: dict[str, type]) -> list[tuple[int, str]]:
    """(line, what) for each import of NodeGraphQt in ``tree`` and each use of one of its
    private names; ``classes``: the module's classes by name, as imported."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, own: frozenset[str]) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                cls = classes.get(child.name)
                names = _names_of_bases(cls) if inspect.isclass(cls) else frozenset()
                for item in child.body:
                    for defined in _defined(item):
                        if defined in names:
                            found.append((item.lineno, f"{child.name}.{defined} overrides it"))
                visit(child, names)
                continue
            if isinstance(child, ast.Import | ast.ImportFrom):
                modules = [a.name for a in child.names] if isinstance(child, ast.Import) else []
                modules.append(getattr(child, "module", None) or "")
                if any(m.split(".")[0] == "NodeGraphQt" for m in modules):
                    found.append((child.lineno, "imports NodeGraphQt"))
            if isinstance(child, ast.Attribute) and _private(child.attr):
                names = own if _on_self(child) else _every_private_name()
                if child.attr in names:
                    found.append((child.lineno, ast.unparse(child)))
            visit(child, own)

    visit(tree, frozenset())
    return found


def _module_classes(path: Path) -> dict[str, type]:
    """The classes of a module of ``pyflow_desktop.ui``, imported; elsewhere none."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[:2] != ("pyflow_desktop", "ui"):
        return {}
    name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
    module = importlib.import_module(name)
    return {key: value for key, value in vars(module).items() if inspect.isclass(value)}


def test_only_ngqt_imports_nodegraphqt_or_touches_its_private_names():
    found = []
    for folder in SCANNED:
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == NGQT or "__pycache__" in path.parts:
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for line, what in private_uses(tree, _module_classes(path)):
                found.append(f"{path.relative_to(ROOT)}:{line}: {what}")
    assert not found, (
        "NodeGraphQt's internals are reached only through ui/canvas/ngqt.py: add a hook there "
        "(and a line in INTERNALS), or rename an attribute of ours that shares a private "
        "name of NodeGraphQt's:\n" + "\n".join(found)
    )


PLANTED = """
from NodeGraphQt.qgraphics.pipe import PipeItem
from pyflow_desktop.ui.canvas.ngqt import PipeItemBase


class Planted(PipeItemBase):
    _carried = False  # ours: NodeGraphQt has no such name
    _highlight = True

    def _draw_direction_pointer(self):
        return self._active or self._carried


def reach(node):
    node._graph = None
"""


def test_the_scan_finds_an_import_an_override_and_private_state():
    namespace: dict = {}
    exec(compile(PLANTED, "planted", "exec"), namespace)  # our own text, to get its classes
    classes = {key: value for key, value in namespace.items() if inspect.isclass(value)}
    found = private_uses(ast.parse(PLANTED), classes)
    assert found == [
        (2, "imports NodeGraphQt"),
        (8, "Planted._highlight overrides it"),
        (10, "Planted._draw_direction_pointer overrides it"),
        (11, "self._active"),
        (15, "node._graph"),
    ]
