"""Flow: node instances and the links between them, with past-tense model events.

Model methods are the only mutators. Each emits one event on ``flow.events``:
``node_added(node)``, ``node_removed(node)``, ``node_moved(node)``, ``node_changed(node)``,
``value_changed(node, port, value)``, ``link_added(link)``, ``link_removed(link)``,
``flow_renamed(flow)``, ``interface_changed(flow, old)``.

A node is built from a nodespec (``spec_id``) or, in format version 2, from another flow
used as a node (``subflow``: that flow's id; ``spec_id`` is then empty). A flow that declares
an ``interface`` (``interface.py``) can be used that way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .events import ModelEvent, Observable
from .interface import Interface

_NO_VALUE = object()


def marks_end(value: Any) -> bool:
    """Whether a file's ``is_end`` value marks an end node: ``1``, ``true``, ``"1"``, ``"true"``."""
    if isinstance(value, str):
        return value.strip().lower() in ("1", "true")
    if isinstance(value, bool):
        return value
    return isinstance(value, (int, float)) and value == 1


@dataclass(frozen=True)
class Link:
    """An edge from ``source`` node's output port to ``target`` node's input port."""

    source: str
    source_port: str
    target: str
    target_port: str

    @classmethod
    def parse(cls, source: str, target: str) -> Link:
        """Build a link from the original's ``"nodeId:port"`` strings."""
        source_node, _, source_port = source.rpartition(":")
        target_node, _, target_port = target.rpartition(":")
        return cls(source_node, source_port, target_node, target_port)

    @property
    def source_ref(self) -> str:
        return f"{self.source}:{self.source_port}"

    @property
    def target_ref(self) -> str:
        return f"{self.target}:{self.target_port}"


@dataclass
class NodeInstance:
    """One use of a NodeSpec (or, with ``subflow``, of a flow) in a flow, with manual input
    values and a canvas position.

    ``end_mark`` is the file's own ``is_end`` value when it is not the usual ``1`` (``"1"``,
    ``0``, ``"true"``...); it is written back while it still says what ``is_end`` says, so a
    round trip keeps the file's spelling.
    """

    id: str
    spec_id: str
    name: str = ""
    values: dict[str, Any] = field(default_factory=dict)
    is_end: bool = False
    x: float = 0.0
    y: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)
    ui_extra: dict[str, Any] = field(default_factory=dict)
    value_extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    end_mark: Any = None
    subflow: str | None = None

    def title(self, spec_title: str = "") -> str:
        """How the user knows this node: its name, else its spec's title, else its id."""
        return self.name or spec_title or self.id


class Flow:
    """A DAG of node instances. Links are keyed by their target input (one link per input)."""

    def __init__(
        self,
        id: str,
        name: str = "",
        extra: dict[str, Any] | None = None,
        interface: Interface | None = None,
    ):
        self.id = id
        self.name = name or id
        self.extra: dict[str, Any] = extra or {}
        self.interface = interface  # set: the flow can be used as a node (a subflow)
        self.nodes: dict[str, NodeInstance] = {}
        self._links: dict[tuple[str, str], Link] = {}
        self.link_extra: dict[tuple[str, str], dict[str, Any]] = {}
        self.events = Observable()

    def __repr__(self) -> str:
        return f"Flow({self.id!r}, nodes={len(self.nodes)}, links={len(self._links)})"

    @property
    def links(self) -> list[Link]:
        return list(self._links.values())

    def has_subflow_parts(self) -> bool:
        """Whether the flow declares an interface or has a node that uses a flow."""
        return self.interface is not None or any(
            node.subflow is not None for node in self.nodes.values()
        )

    def link_into(self, node_id: str, port: str) -> Link | None:
        """The link feeding ``node_id``'s input ``port``, if any."""
        return self._links.get((node_id, port))

    def links_of(self, node_id: str) -> list[Link]:
        """Every link touching ``node_id`` (in or out)."""
        return [link for link in self._links.values() if node_id in (link.source, link.target)]

    # -- mutators -----------------------------------------------------------------------

    def add_node(self, node: NodeInstance) -> NodeInstance:
        if node.id in self.nodes:
            raise ValueError(f"flow {self.id!r} already has a node {node.id!r}")
        self.nodes[node.id] = node
        self.events.emit(ModelEvent.NODE_ADDED, node=node)
        return node

    def remove_node(self, node_id: str) -> tuple[NodeInstance, list[Link]]:
        """Remove a node and its links; returns both so an undo can put them back."""
        removed_links = self.links_of(node_id)
        for link in removed_links:
            self.remove_link(link)
        node = self.nodes.pop(node_id)
        self.events.emit(ModelEvent.NODE_REMOVED, node=node)
        return node, removed_links

    def add_link(self, link: Link) -> Link | None:
        """Add ``link``; a link already feeding that input is replaced and returned."""
        replaced = self._links.get((link.target, link.target_port))
        if replaced is not None:
            self.remove_link(replaced)
        self._links[(link.target, link.target_port)] = link
        self.events.emit(ModelEvent.LINK_ADDED, link=link)
        return replaced

    def remove_link(self, link: Link) -> None:
        key = (link.target, link.target_port)
        if self._links.get(key) != link:
            raise KeyError(f"flow {self.id!r} has no link {link.source_ref} -> {link.target_ref}")
        del self._links[key]
        self.link_extra.pop(key, None)
        self.events.emit(ModelEvent.LINK_REMOVED, link=link)

    def set_value(self, node_id: str, port: str, value: Any = _NO_VALUE) -> None:
        """Set a manual input value; leaving ``value`` out clears it."""
        node = self.nodes[node_id]
        if value is _NO_VALUE:
            node.values.pop(port, None)
            value = None
        else:
            node.values[port] = value
        self.events.emit(ModelEvent.VALUE_CHANGED, node=node, port=port, value=value)

    def move_node(self, node_id: str, x: float, y: float) -> None:
        node = self.nodes[node_id]
        node.x, node.y = x, y
        self.events.emit(ModelEvent.NODE_MOVED, node=node)

    def set_end(self, node_id: str, is_end: bool) -> None:
        node = self.nodes[node_id]
        node.is_end = is_end
        self.events.emit(ModelEvent.NODE_CHANGED, node=node)

    def rename_node(self, node_id: str, name: str) -> None:
        node = self.nodes[node_id]
        node.name = name
        self.events.emit(ModelEvent.NODE_CHANGED, node=node)

    def rename(self, name: str) -> None:
        self.name = name
        self.events.emit(ModelEvent.FLOW_RENAMED, flow=self)

    def set_interface(self, interface: Interface | None) -> Interface | None:
        """Declare (or with ``None``, withdraw) the interface; returns the old one (for undo)."""
        old, self.interface = self.interface, interface
        self.events.emit(ModelEvent.INTERFACE_CHANGED, flow=self, old=old)
        return old
