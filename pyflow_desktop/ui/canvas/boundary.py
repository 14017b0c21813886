"""The boundary nodes of a flow with an interface: "Inputs" and "Outputs" on its canvas.

"Inputs" has an output port per interface input, wired to the inner ports it feeds;
"Outputs" has an input port per interface output, wired from the inner port giving it. Each
also has a ``NEW_PORT`` ("+"): wiring it adds a port named and typed after the inner port at
the other end (a new input's default is the value that port was given). These nodes are not in the model: ``edited_interface`` turns a gesture on
them into the interface it asks for, which an ``InterfaceCommand`` then sets.

An output needs a source: unwiring one (without wiring it again in the same gesture) takes
the output away. An input may feed nothing for a while; it stays, and the users keep its
links and value.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from PySide6 import QtCore
from PySide6.QtGui import QUndoCommand

from ...repository import (
    Flow,
    Interface,
    InterfaceInput,
    InterfaceOutput,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    PortRef,
    Repository,
    rewire_users,
)
from ...repository.interface import ANY_TYPE
from ...repository.merge import free_id
from ..commands import ChangeLinksCommand, InterfaceCommand
from .flow_node import FlowNode

INPUTS_ID = "@inputs"
OUTPUTS_ID = "@outputs"
NEW_PORT = "+"
GAP = 120.0  # between the boundary nodes and the flow's own nodes


def is_boundary(node_id: str) -> bool:
    return node_id in (INPUTS_ID, OUTPUTS_ID)


def boundary_nodes(interface: Interface) -> list[tuple[NodeSpec, NodeInstance]]:
    """The faces and instances of "Inputs" and "Outputs" (placed by the canvas)."""
    new = Port(NEW_PORT, ANY_TYPE, typed=False)
    inputs = NodeSpec(
        INPUTS_ID,
        "Inputs",
        [],
        [*(Port(p.name, p.type, i) for i, p in enumerate(interface.inputs)), new],
        "",
    )
    outputs = NodeSpec(
        OUTPUTS_ID,
        "Outputs",
        [*(Port(p.name, p.type, i, typed=False) for i, p in enumerate(interface.outputs)), new],
        [],
        "",
    )
    return [
        (inputs, NodeInstance(INPUTS_ID, "", name="Inputs")),
        (outputs, NodeInstance(OUTPUTS_ID, "", name="Outputs")),
    ]


def boundary_canvas_nodes(interface: Interface, bounds: QtCore.QRectF) -> list[FlowNode]:
    """The "Inputs" and "Outputs" canvas nodes, left and right of ``bounds`` (the flow's own
    nodes), not selectable (they are not in the model: nothing to copy, move or delete)."""
    made = []
    for spec, node in boundary_nodes(interface):
        canvas_node = FlowNode.create(spec, node, [port.name for port in spec.inputs])
        item = canvas_node.item
        item.setFlag(item.GraphicsItemFlag.ItemIsSelectable, False)
        item.setToolTip(
            "Wire a port to edit the interface; + adds one. Double-click to rename, type or "
            "remove ports"
        )
        made.append(canvas_node)
    inputs, outputs = made
    empty = bounds.isNull()
    middle = 0.0 if empty else bounds.center().y()
    left, right = (0.0, 300.0) if empty else (bounds.left(), bounds.right())
    for canvas_node, x in (
        (inputs, left - GAP - inputs.view.boundingRect().width()),
        (outputs, right + GAP),
    ):
        y = middle - canvas_node.view.boundingRect().height() / 2
        canvas_node.model.pos = [x, y]
        canvas_node.view.xy_pos = [x, y]
    return made


def boundary_links(interface: Interface) -> list[Link]:
    """The wires the boundary nodes show: each input to what it feeds, each output from
    what gives it."""
    links = [
        Link(INPUTS_ID, port.name, target.node, target.port)
        for port in interface.inputs
        for target in port.to
    ]
    links += [
        Link(port.source.node, port.source.port, OUTPUTS_ID, port.name)
        for port in interface.outputs
    ]
    return links


@dataclass
class InterfaceEdit:
    """What a gesture on the boundary nodes asks for: the new ``interface``, the flow's own
    ``displaced`` links (into inner ports an input now feeds), ``removed_outputs`` (outputs
    left without a source: their users' links go) and ``refused`` (why nothing is done)."""

    interface: Interface
    displaced: list[Link]
    removed_outputs: list[str]
    refused: str = ""


def edited_interface(
    repo: Repository, flow: Flow, removed: list[Link], added: list[Link]
) -> InterfaceEdit:
    """The interface ``flow`` gets when the canvas gesture ``removed`` and ``added`` these
    links, some of them to or from a boundary node (the others are the flow's own)."""
    interface = flow.interface or Interface()
    originals = {port.name: port for port in interface.outputs}
    inputs = {port.name: port for port in interface.inputs}
    outputs: dict[str, InterfaceOutput | None] = {port.name: port for port in interface.outputs}
    displaced: list[Link] = []
    for link in removed:
        if link.source == INPUTS_ID and link.source_port in inputs:
            gone = PortRef(link.target, link.target_port)
            port = inputs[link.source_port]
            inputs[port.name] = replace(port, to=tuple(t for t in port.to if t != gone))
        elif link.target == OUTPUTS_ID and link.target_port in outputs:
            outputs[link.target_port] = None  # unless the same gesture gives it a source
    for link in added:
        if link.source == INPUTS_ID and link.target == OUTPUTS_ID:
            return InterfaceEdit(
                interface, [], [], "an interface input cannot be an output as it is"
            )
        if link.source == INPUTS_ID:
            target = PortRef(link.target, link.target_port)
            name = link.source_port
            if name == NEW_PORT:
                name = free_id(link.target_port, set(inputs))
                inner = flow.nodes.get(target.node)  # what it was given is the default
                default = inner.values.get(target.port) if inner is not None else None
                inputs[name] = InterfaceInput(name, _type(repo, flow, target, True), (), default)
            for other in inputs.values():  # an inner port takes one feed
                if target in other.to and other.name != name:
                    inputs[other.name] = replace(
                        other, to=tuple(t for t in other.to if t != target)
                    )
            port = inputs[name]
            if target not in port.to:
                inputs[name] = replace(port, to=(*port.to, target))
            own = flow.link_into(target.node, target.port)
            if own is not None:
                displaced.append(own)
        elif link.target == OUTPUTS_ID:
            source = PortRef(link.source, link.source_port)
            name = link.target_port
            if name == NEW_PORT:
                name = free_id(link.source_port, set(outputs))
                outputs[name] = InterfaceOutput(name, source, _type(repo, flow, source, False))
            elif name in originals:
                outputs[name] = replace(originals[name], source=source)
    kept = tuple(port for port in outputs.values() if port is not None)
    return InterfaceEdit(
        Interface(tuple(inputs.values()), kept, interface.extra),
        displaced,
        [name for name, port in outputs.items() if port is None],
    )


def gesture_commands(
    repo: Repository, flow: Flow, removed: list[Link], added: list[Link]
) -> tuple[str, list[QUndoCommand]]:
    """The commands that carry out a canvas gesture touching a boundary node: the flow's own
    links it changed, then the new interface (with the users of a removed output rewired).
    No commands when it changes nothing or is refused (then with why)."""
    edit = edited_interface(repo, flow, removed, added)
    if edit.refused or edit.interface == flow.interface:
        return edit.refused, []
    own_removed, own_added = (
        [ln for ln in links if not (is_boundary(ln.source) or is_boundary(ln.target))]
        for links in (removed, added)
    )
    users = rewire_users(repo, flow.id, {}, dict.fromkeys(edit.removed_outputs))
    displaced = [link for link in edit.displaced if link not in own_removed]
    commands: list[QUndoCommand] = []
    if own_removed or own_added:
        commands.append(ChangeLinksCommand(flow, own_removed, own_added))
    commands.append(InterfaceCommand(repo, flow, edit.interface, users, displaced))
    return "", commands


def without_feeds(interface: Interface, targets: list[PortRef]) -> Interface:
    """``interface`` with none of its inputs feeding ``targets`` (a link now feeds them)."""
    inputs = tuple(
        replace(port, to=tuple(t for t in port.to if t not in targets)) for port in interface.inputs
    )
    return Interface(inputs, interface.outputs, interface.extra)


def _type(repo: Repository, flow: Flow, ref: PortRef, is_input: bool) -> str:
    node = flow.nodes.get(ref.node)
    spec = repo.node_spec(node) if node is not None else None
    port = None if spec is None else (spec.input(ref.port) if is_input else spec.output(ref.port))
    return port.type if port is not None and port.typed else ANY_TYPE
