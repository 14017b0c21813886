"""What an exported script runs: the planned nodes one after another, by the call convention.

An exported script carries this module's source, with that of ``engine.call_convention``
(how a node is called: the engine's own code), ``repository.func_source``, ``port_types``,
``link_types`` and ``engine.jsonable``, so it needs nothing but the standard library.
``run_plan(plan, sources)`` calls each planned node as the engine does; a failed node skips
its descendants; a (flattened) subflow node runs no code and hands on its inner outputs.
Its results have the run result's shape, and ``main`` prints them. Names here must not
clash with those of the modules it travels with.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from types import SimpleNamespace

# Left out of an exported script, which holds these modules' source itself:
from ..engine.call_convention import call_arguments, call_node, error_text
from ..engine.jsonable import to_jsonable


def node_inputs(node: dict) -> tuple[list, dict, dict]:
    """A planned node's inputs as ``call_arguments`` takes them: ports, links, values."""
    ports, links, values = [], {}, {}
    for port in node["inputs"]:
        default = port.get("default")
        ports.append(SimpleNamespace(name=port["name"], type=port["type"], default=default))
        if "link" in port:
            source, source_port = port["link"]
            links[port["name"]] = SimpleNamespace(source=source, source_port=source_port)
        elif "value" in port:
            values[port["name"]] = port["value"]
    return ports, links, values


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
        args, problem = call_arguments(*node_inputs(node), outputs)
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
            names = [name for name, _type in node["outputs"]]
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
                    source = sources[node["spec"]]
                    outputs[node["id"]] = call_node(source, f"<{node['spec']}>", args, names)
            except BaseException as exc:  # a node may raise anything, SystemExit included
                if isinstance(exc, KeyboardInterrupt):
                    raise
                error = error_text(exc)
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
