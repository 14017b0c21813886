"""A flow as a standalone Python script that needs the standard library only.

``flow_script(repo, flow)`` plans the flow as a run would (its end nodes and their
ancestors, else every node) and writes a script holding: the engine's call convention
(``engine.call_convention``) with the compiling and conversion code it uses
(``repository.func_source``, ``port_types``, ``link_types``), ``engine.jsonable`` and
``export.runtime`` (their own source, relative imports left out), each planned spec's
``func`` source, and the plan as data. Subflows are flattened, as for a run: their inner
nodes are planned as ``OUTER/INNER``, and each subflow node hands on its inner outputs.
``python OUT.py`` prints each planned node's outputs (``--json``: the run result, as
``pyflow-desktop run --json`` prints it). ``write_script(text, path)`` saves it.
"""

from __future__ import annotations

import ast
import inspect
import json
import os
import pprint
from types import ModuleType
from typing import Any

from ..engine import call_convention, jsonable, plan_run
from ..engine.flatten import is_pass_through
from ..engine.plan import Plan, Targets
from ..repository import Flow, Repository, func_source, link_types, port_types
from ..repository.writer import write_atomically
from . import runtime

# In this order: each uses names of those before it.
CARRIED: tuple[ModuleType, ...] = (
    port_types,
    link_types,
    func_source,
    jsonable,
    call_convention,
    runtime,
)


def carried_source(module: ModuleType) -> str:
    """``module``'s source without ``from __future__`` and relative imports."""
    source = inspect.getsource(module)
    lines = source.splitlines(keepends=True)
    dropped: set[int] = set()
    for node in ast.parse(source).body:
        if isinstance(node, ast.ImportFrom) and (node.level or node.module == "__future__"):
            dropped.update(range(node.lineno - 1, node.end_lineno or node.lineno))
    return "".join(line for index, line in enumerate(lines) if index not in dropped).strip()


def source_literal(text: str) -> str:
    """``text`` as a readable triple-quoted literal (``repr`` when it cannot be one)."""
    quote = '"""' if '"""' not in text else "'''"
    controls = any(ord(c) < 32 and c not in "\n\t" for c in text)
    if quote in text or controls or "\x7f" in text:
        return repr(text)
    body = text.replace("\\", "\\\\")
    if body.endswith(quote[0]):
        body = body[:-1] + "\\" + quote[0]
    literal = f"{quote}\\\n{body}{quote}"
    try:
        if ast.literal_eval(literal) == text:
            return literal
    except (SyntaxError, ValueError):
        pass
    return repr(text)


def plan_data(plan: Plan) -> list[dict]:
    """The planned nodes as plain data, in plan order, for ``runtime.run_plan``."""
    nodes = []
    for node_id in plan.order:
        planned = plan.nodes[node_id]
        inputs = []
        for port in planned.inputs:
            item: dict[str, Any] = {"name": port.name, "type": port.type}
            if port.default is not None:
                item["default"] = port.default
            link = planned.links.get(port.name)
            if link is not None:
                item["link"] = [link.source, link.source_port]
            elif port.name in planned.values:
                item["value"] = planned.values[port.name]
            inputs.append(item)
        node = {
            "id": node_id,
            "name": planned.node.name,
            "spec": planned.spec.id,
            "inputs": inputs,
            "outputs": [[port.name, port.type] for port in planned.spec.outputs],
        }
        nodes.append({**node, "subflow": True} if is_pass_through(planned.node) else node)
    return nodes


def data_literal(data: object) -> str:
    """Plain data as a Python literal; JSON text when it holds what Python cannot spell."""
    text = pprint.pformat(data, width=96, sort_dicts=False)
    try:
        if ast.literal_eval(text) == data:
            return text
    except (SyntaxError, ValueError):
        pass
    return f"json.loads({json.dumps(json.dumps(data))})"


def flow_script(
    repo: Repository, flow: Flow | str, targets: Targets = None, origin: str = ""
) -> str:
    """The script for ``flow`` (``origin``: the file it came from, named in its docstring)."""
    plan = plan_run(repo, flow, targets)
    flow = plan.flow
    specs = {
        planned.spec.id: planned.spec
        for planned in plan.nodes.values()
        if not is_pass_through(planned.node)
    }
    parts = [
        "#!/usr/bin/env python3",
        f'"""Flow {flow.id} ({flow.name}){f", from {origin}" if origin else ""}, as a script.\n\n'
        "Written by PyFlow Desktop's export-python; needs the standard library only. It runs\n"
        f"the planned nodes ({len(plan)}) in order, as `pyflow-desktop run` would, and prints\n"
        "each node's outputs. Usage: python3 THIS.py [--json]\n"
        '"""',
        "from __future__ import annotations",
    ]
    for module in CARRIED:
        parts.append(f"# ---- from {module.__name__} " + "-" * 40)
        parts.append(carried_source(module))
    parts.append("# ---- the nodespecs' functions, by spec id " + "-" * 40)
    parts.append("SOURCES = {}")
    for spec_id, spec in specs.items():
        parts.append(f"# {spec.title}\nSOURCES[{spec_id!r}] = {source_literal(spec.func)}")
    parts.append("# ---- the planned nodes, in plan order " + "-" * 40)
    parts.append(f"PLAN = {data_literal(plan_data(plan))}")
    parts.append('if __name__ == "__main__":\n    sys.exit(main(PLAN, SOURCES, sys.argv[1:]))')
    return "\n\n\n".join(parts) + "\n"


def write_script(text: str, path: str | os.PathLike) -> None:
    """Write ``text`` to ``path`` atomically, executable like a script."""
    write_atomically(path, [text.encode("utf-8")], mode=0o777)
