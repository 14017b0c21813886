"""The interface of a flow used as a node (a subflow), from format version 2 on.

In a file: ``{"input": [{"name", "type", "to": ["node:port", ...], "default"?}],
"output": [{"name", "type", "from": "node:port"}]}``. Each input feeds one or more inner
input ports; each output comes from one inner output port. A node that uses the flow
(``NodeInstance.subflow``) has the interface's ports: ``Interface.node_spec`` describes them
as a NodeSpec, so values, links and the canvas treat such a node like any other.

Values are immutable: an edit builds a new ``Interface`` and hands it to
``Flow.set_interface``, which keeps the old one for undo.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .nodespec import NodeSpec, Port

ANY_TYPE = "Any"


@dataclass(frozen=True)
class PortRef:
    """A port of an inner node, ``"node:port"`` in a file."""

    node: str
    port: str

    @classmethod
    def parse(cls, text: str) -> PortRef:
        node, _, port = text.rpartition(":")
        return cls(node, port)

    @property
    def ref(self) -> str:
        return f"{self.node}:{self.port}"


@dataclass(frozen=True)
class InterfaceInput:
    """An input of the subflow node, feeding the inner input ports ``to``."""

    name: str
    type: str = ANY_TYPE
    to: tuple[PortRef, ...] = ()
    default: Any = None
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class InterfaceOutput:
    """An output of the subflow node: the value of the inner output port ``source``."""

    name: str
    source: PortRef
    type: str = ANY_TYPE
    extra: dict[str, Any] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Interface:
    """The ports a flow shows when it is used as a node."""

    inputs: tuple[InterfaceInput, ...] = ()
    outputs: tuple[InterfaceOutput, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def input(self, name: str) -> InterfaceInput | None:
        return next((port for port in self.inputs if port.name == name), None)

    def output(self, name: str) -> InterfaceOutput | None:
        return next((port for port in self.outputs if port.name == name), None)

    def node_spec(self, flow_id: str, title: str) -> NodeSpec:
        """The subflow node's face: the interface's ports as a NodeSpec without code."""
        return NodeSpec(
            id=flow_id,
            title=title,
            inputs=[
                Port(port.name, port.type, order, port.default)
                for order, port in enumerate(self.inputs)
            ],
            outputs=[Port(port.name, port.type, order) for order, port in enumerate(self.outputs)],
            func="",
        )
