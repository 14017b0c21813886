"""What an exported script runs: the engine's call convention, one node after another.

An exported script carries this module's source (with ``repository.port_types``,
``repository.link_types`` and ``engine.jsonable``), so it needs nothing but the standard
library. ``run_plan(plan, sources)`` mirrors the engine node by node: inputs by port order
(a link, else a manual value, else the default, else ``None``), each converted by its port
type as ``engine.scheduler`` converts it; a single output takes the return value, several a
returned dict; a generator's last value is its output; a failed node skips its descendants;
a (flattened) subflow node runs no code and hands on its inner outputs.
Its results have the run result's shape, and ``main`` prints them. Names here must not clash
with the three modules it travels with.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import re
import sys
from typing import Any

# Left out of an exported script, which holds these modules' source itself:
from ..engine.jsonable import to_jsonable
from ..repository.link_types import convert_linked
from ..repository.port_types import ConversionError, convert_value

RUN_FUNC_NAME = "func"
_TABS = re.compile(r"^[ \t]+", re.MULTILINE)


def load_func(source: str, label: str) -> Any:
    """Run a nodespec's source on its own and return its ``func`` (as the engine does)."""
    filename = f"<{label}>"
    try:
        try:
            code = compile(source, filename, "exec", dont_inherit=True)
        except (TabError, IndentationError) as first:  # Python 2 tabs: 8 columns
            expanded = _TABS.sub(lambda match: match.group(0).expandtabs(8), source)
            try:
                code = compile(expanded, filename, "exec", dont_inherit=True)
            except SyntaxError:
                raise first from None
    except SyntaxError as exc:
        raise FuncSourceProblem(f"syntax error in func, line {exc.lineno}: {exc.msg}") from exc
    namespace: dict[str, Any] = {"__name__": "pyflow_node"}
    exec(code, namespace)  # noqa: S102 — the flow's own node code, as a run executes it
    func = namespace.get(RUN_FUNC_NAME)
    if not callable(func):
        raise FuncSourceProblem(f"the source does not define a function named {RUN_FUNC_NAME!r}")
    return func


class FuncSourceProblem(Exception):
    """The func source does not compile or does not define ``func``."""


def node_arguments(node: dict, outputs: dict) -> tuple[list, str | None]:
    """The node's positional arguments and its first conversion problem (the scheduler's)."""
    args: list = []
    problem = None
    for port in node["inputs"]:
        link = port.get("link")
        value = None
        if link is not None:
            value = outputs.get(link[0], {}).get(link[1])
        if value is not None and not port["typed"]:
            args.append(value)
        elif value is not None:
            try:
                args.append(convert_linked(value, port["type"]))
            except ConversionError as exc:
                args.append(value)
                problem = problem or f"input {port['name']!r} {exc} (from {link[0]}:{link[1]})"
        else:
            raw = (
                port.get("default") if link is not None else port.get("value", port.get("default"))
            )
            try:
                args.append(convert_value(raw, port["type"]))
            except ConversionError as exc:
                args.append(raw)
                problem = problem or f"input {port['name']!r}: {exc}"
    return args, problem


def call_node(node: dict, source: str, args: list) -> dict:
    """Call the node's function; its outputs by name, or raises what the node raised."""
    result = load_func(source, node["spec"])(*args)
    if inspect.isgenerator(result):
        last = None
        for value in result:
            last = value
        result = last
    names = [name for name, _type in node["outputs"]]
    if not names:
        return {}
    if len(names) == 1:
        return {names[0]: result}
    if not isinstance(result, dict):
        raise TypeError(
            f"func must return a dict with keys {', '.join(map(repr, names))} "
            f"(one per output), not {type(result).__name__}"
        )
    missing = [name for name in names if name not in result]
    if missing:
        raise KeyError(f"func returned no value for output(s) {', '.join(map(repr, missing))}")
    return {name: result[name] for name in names}


def run_plan(plan: list, sources: dict) -> list:
    """Run the planned nodes in order; one result per node (id, name, inputs, outputs...)."""
    outputs: dict = {}
    status: dict = {}
    failed_origin: dict = {}
    results = []
    for node in plan:
        error = None
        upstream = [port["link"][0] for port in node["inputs"] if port.get("link")]
        origin = next((failed_origin[u] for u in upstream if u in failed_origin), None)
        args, problem = node_arguments(node, outputs)
        if origin is not None:
            name = next(n["name"] for n in plan if n["id"] == origin)
            error = f"skipped: upstream node {origin!r}{f' ({name})' if name else ''} failed"
            status[node["id"]] = "skip"
        elif problem:
            error = problem
        elif node.get("subflow"):
            outputs[node["id"]] = dict(zip((name for name, _type in node["outputs"]), args))
        else:
            out, err = io.StringIO(), io.StringIO()
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    outputs[node["id"]] = call_node(node, sources[node["spec"]], args)
            except BaseException as exc:  # a node may raise anything, SystemExit included
                if isinstance(exc, KeyboardInterrupt):
                    raise
                text = str(exc)
                plain = isinstance(exc, FuncSourceProblem) or not text
                error = text if isinstance(exc, FuncSourceProblem) else type(exc).__name__
                error = error if plain else f"{type(exc).__name__}: {text}"
            finally:
                sys.stderr.write(out.getvalue() + err.getvalue())  # what the node printed
        if node["id"] not in status:
            status[node["id"]] = "fail" if error else "success"
        if error:
            failed_origin[node["id"]] = failed_origin.get(origin, origin) or node["id"]
        produced = outputs.get(node["id"], {})
        results.append(
            {
                "id": node["id"],
                "name": node["name"],
                "inputs": [
                    {"name": p["name"], "type": p["type"], "value": v}
                    for p, v in zip(node["inputs"], args)
                    if not node.get("subflow")
                ],
                "outputs": [
                    {"name": name, "type": kind, "value": produced.get(name)}
                    for name, kind in node["outputs"]
                ],
                "status": status[node["id"]],
                "error": error,
            }
        )
    return results


def main(plan: list, sources: dict, argv: list) -> int:
    """Run and print each planned node's outputs (``--json``: the run result); 1 if any failed."""
    results = to_jsonable(run_plan(plan, sources))
    if "--json" in argv:
        print(json.dumps(results, indent=2))
    else:
        for node in results:
            if node["status"] == "success":
                for output in node["outputs"]:
                    print(f"{node['id']}.{output['name']} = {json.dumps(output['value'])}")
            else:
                print(f"{node['id']}: {node['status']}: {node['error']}")
    return 0 if all(node["status"] == "success" for node in results) else 1
