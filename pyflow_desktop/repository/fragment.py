"""Copied nodes as text: a fragment of a flow, for the system clipboard.

A fragment is a small repository document in our native format: one flow, ``clipboard``,
holding the copied nodes and the links among them, and the nodespecs and the flows (as
subflows) those nodes use, so a paste into another window, another running copy of the app
or another file brings them along. Its header says ``"fragment": true``. Reading one goes through the same reader as a
file, so text from anywhere gets the same checks; it never runs node code.
"""

from __future__ import annotations

import json

from .errors import MalformedFileError, RepositoryError
from .flow import Flow, Link, NodeInstance
from .merge import flow_part, with_subflows
from .nodespec import NodeSpec
from .reader import FORMAT_KEY, loads_repository
from .repository import Repository
from .writer import format_version, repository_to_dict

MIME_TYPE = "application/x-pyflow-fragment+json"
FLOW_ID = "clipboard"


def fragment_text(repo: Repository, flow: Flow, node_ids: list[str]) -> str:
    """The fragment holding ``node_ids`` of ``flow``, the links among them and their specs."""
    part = flow_part(flow, node_ids, FLOW_ID)
    holder = Repository()
    used = [node.subflow for node in part.nodes.values() if node.subflow in repo.flows]
    subflows = [repo.flows[flow_id] for flow_id in with_subflows(repo, used)]
    with holder.events.muted():
        for flow in [part, *subflows]:
            if flow.id not in holder.flows:
                holder.add_flow(flow)
        for spec_id in sorted({n.spec_id for f in holder.flows.values() for n in f.nodes.values()}):
            if spec_id in repo.specs:
                holder.add_spec(repo.specs[spec_id].copy())
    data = repository_to_dict(holder, "native")
    data[FORMAT_KEY] = {"format_version": format_version(holder), "fragment": True}
    return json.dumps(data, indent=1)


def parse_fragment(
    text: str,
) -> tuple[list[NodeInstance], list[Link], list[NodeSpec], list[Flow]]:
    """The nodes, links, specs and subflows (the flows its subflow nodes use) of a fragment;
    raises ``RepositoryError`` (saying what is wrong) for text that is not one."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    header = data.get(FORMAT_KEY) if isinstance(data, dict) else None
    if not (isinstance(header, dict) and header.get("fragment") is True):
        raise MalformedFileError(
            "the clipboard holds no PyFlow nodes (copy nodes on a canvas first)", path="$"
        )
    repo = loads_repository(text, "clipboard")  # the same checks as for a file
    flow = repo.flows.get(FLOW_ID)
    if flow is None:
        raise RepositoryError(f"the copied nodes are missing (no flow {FLOW_ID!r})", path="$.flow")
    subflows = [each for each in repo.flows.values() if each.id != FLOW_ID]
    return list(flow.nodes.values()), list(flow.links), list(repo.specs.values()), subflows
