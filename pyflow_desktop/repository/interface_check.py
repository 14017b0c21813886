"""Checks a flow's interface against its own nodes: every ``to`` names an inner input port
and every ``from`` an inner output port that exist, and each inner input port has one feed
(one interface input, or a link, never two)."""

from __future__ import annotations

from collections.abc import Mapping

from .errors import RepositoryError, SubflowError
from .flow import Flow
from .interface import PortRef
from .nodespec import NodeSpec


def interface_problems(
    flow: Flow, faces: Mapping[str, NodeSpec | None], base: str
) -> list[RepositoryError]:
    """Every problem of ``flow.interface``; ``faces`` holds each node's spec (``None`` for a
    node whose own problem was reported), ``base`` the interface's JSON path."""
    interface = flow.interface
    assert interface is not None, "only a flow with an interface is checked here"
    problems: list[RepositoryError] = []
    feeds: dict[PortRef, str] = {}  # inner input port → the interface input feeding it
    for index, port in enumerate(interface.inputs):
        for position, target in enumerate(port.to):
            where = f"{base}.input[{index}].to[{position}]"
            problem = _missing(flow, faces, target, "input", f"interface input {port.name!r}")
            if problem:
                problems.append(SubflowError(problem, path=where, ident=target.node))
                continue
            link = flow.link_into(target.node, target.port)
            other = feeds.setdefault(target, port.name)
            if port.to.index(target) != position:
                problem = f"interface input {port.name!r} lists {target.ref!r} twice"
            elif other != port.name:
                problem = f"interface inputs {other!r} and {port.name!r} both feed {target.ref!r}"
            elif link is not None:
                problem = (
                    f"interface input {port.name!r} feeds {target.ref!r}, which the link from "
                    f"{link.source_ref!r} feeds too"
                )
            else:
                continue
            problems.append(
                SubflowError(
                    f"{problem}; an input port takes one feed", path=where, ident=target.ref
                )
            )
    for index, output in enumerate(interface.outputs):
        what = f"interface output {output.name!r}"
        problem = _missing(flow, faces, output.source, "output", what)
        if problem:
            where = f"{base}.output[{index}].from"
            problems.append(SubflowError(problem, path=where, ident=output.source.node))
    return problems


def _missing(flow, faces, ref: PortRef, kind: str, what: str) -> str | None:
    """Why ``ref`` is not an inner ``kind`` port of ``flow``, or ``None`` when it is one (or
    when its node's spec is unknown: that is reported on the node)."""
    verb = "feeds" if kind == "input" else "comes from"
    if ref.node not in flow.nodes:
        return f"{what} {verb} {ref.ref!r}, but the flow has no node {ref.node!r}"
    spec = faces.get(ref.node)
    if spec is None:
        return None
    found = spec.input(ref.port) if kind == "input" else spec.output(ref.port)
    if found is None:
        return f"{what} {verb} {ref.ref!r}, but node {ref.node!r} has no {kind} port {ref.port!r}"
    return None
