"""Built-in nodes run as a flow would run them: one node (or a small chain) of the shipped
specs in a repository of its own, through ``run_flow``."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

from pyflow_desktop.engine import RunResult, run_flow
from pyflow_desktop.library import read_builtin
from pyflow_desktop.repository import Flow, Link, NodeInstance, Repository, save_repository

BUILTIN = {spec.id: spec for spec, _file in read_builtin().specs}


def chain(*nodes: tuple[str, str, dict[str, Any]], links: tuple[tuple[str, str], ...] = ()):
    """A repository holding the built-in specs of ``nodes`` (id, spec id, manual values) in
    a flow ``f`` linked by ``links`` (``("n1:out", "n2:rows")``)."""
    repo = Repository()
    flow = Flow("f", "f")
    for node_id, spec_id, values in nodes:
        if spec_id not in repo.specs:
            repo.add_spec(BUILTIN[spec_id])
        flow.add_node(NodeInstance(node_id, spec_id, name=node_id, values=dict(values)))
    for source, target in links:
        flow.add_link(Link.parse(source, target))
    repo.add_flow(flow)
    return repo


def run_chain(*nodes, links=(), **options) -> RunResult:
    """Run every node of ``chain(*nodes, links=links)``."""
    return run_flow(chain(*nodes, links=links), "f", targets="all", **options)


def run_node(spec_id: str, executor: str = "thread", **values: Any) -> dict[str, Any]:
    """The row of one node of ``spec_id`` run on ``values`` (others take their defaults):
    ``{"status", "error", "outputs": {name: value}}``."""
    row = run_chain(("n", spec_id, values), executor=executor).node("n")
    return {
        "status": row["status"],
        "error": row["error"],
        "outputs": {output["name"]: output["value"] for output in row["outputs"]},
    }


def output(spec_id: str, port: str = "out", **values: Any) -> Any:
    """The value of output ``port`` of ``spec_id`` run on ``values``; the run must succeed."""
    row = run_node(spec_id, **values)
    assert row["status"] == "success", row["error"]
    return row["outputs"][port]


def failure(spec_id: str, **values: Any) -> str:
    """The error of ``spec_id`` run on ``values``; the run must fail."""
    row = run_node(spec_id, **values)
    assert row["status"] == "fail", row["outputs"]
    return row["error"]


def func_def(source: str) -> ast.FunctionDef:
    """The one top-level ``def func`` of a spec's source."""
    tree = ast.parse(source)
    matches = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "func"]
    assert len(matches) == 1, "the source must define exactly one top-level func"
    return matches[0]


def imported_modules(source: str) -> set[str]:
    """The top-level modules a spec's source imports; it must never call eval or exec."""
    modules = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            modules.add((node.module or "").split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") in ("eval", "exec"):
            raise AssertionError(f"the source calls {node.func.id}")
    return modules


WITHOUT = """
import sys
sys.modules[sys.argv[1]] = None  # as if it were not installed: importing it fails
from pyflow_desktop.cli import main
sys.exit(main(["run", sys.argv[2], "--all", "--json"]))
"""


def run_without(module: str, repo: Repository, path: Path) -> subprocess.CompletedProcess:
    """``run --all --json`` of ``repo``, saved at ``path``, in a process where ``module``
    cannot be imported."""
    save_repository(repo, path, "native")
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, module, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
