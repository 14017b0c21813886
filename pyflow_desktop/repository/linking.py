"""Which nodespecs a link dragged from a port can go to (the canvas offers them as new nodes).

Kept apart from ``link_types``, whose source an exported script carries: this module knows
nodespecs, that one only types.
"""

from __future__ import annotations

from collections.abc import Iterable

from .link_types import link_conversion
from .nodespec import NodeSpec, Port


def link_partners(specs: Iterable[NodeSpec], own: Port, is_output: bool) -> dict[str, str]:
    """The specs with a port a link from ``own`` can join (an input of theirs when ``own`` is
    an output, else an output), each with that port: one of ``own``'s own type first, else the
    first that converts (an untyped port is a String)."""
    partners = {}
    for spec in specs:
        ports = spec.ordered_inputs() if is_output else spec.outputs
        fits = [
            port
            for port in ports
            if link_conversion(*((own.type, port.type) if is_output else (port.type, own.type)))
        ]
        if fits:
            partners[spec.id] = ([port for port in fits if port.type == own.type] or fits)[0].name
    return partners
