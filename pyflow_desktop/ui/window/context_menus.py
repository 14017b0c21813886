"""Right-click menus on the canvas: what applies to a node, a link or the empty canvas.

Each entry calls the same action as the window's menus (the Edit and Run menus, the Code
panel, the viewers), so a right-click is only a nearer way to them. A node right-clicked
outside the selection becomes the selection first, as in every editor.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtWidgets

from ...repository import Flow, Link
from ..value_text import node_title
from .edit_actions import EditActions
from .flow_tabs import FlowTabs
from .panels import Panels
from .run_actions import RunActions
from .shell import Shell, add_action


class CanvasMenus(QtCore.QObject):
    """Pops up the menu that fits what was right-clicked; ``last`` is the menu shown last."""

    def __init__(
        self,
        shell: Shell,
        tabs: FlowTabs,
        edits: EditActions,
        runs: RunActions,
        panels: Panels,
        *,
        subflow_entries: Callable[[QtWidgets.QMenu, Flow, str], None],
        library_entries: Callable[[QtWidgets.QMenu, str], None],
    ) -> None:
        """``subflow_entries(menu, flow, node_id)`` adds a subflow node's own entries, and
        ``library_entries(menu, spec_id)`` those about the library's version of a spec."""
        super().__init__(shell)
        self.shell, self.tabs, self.edits, self.runs, self.panels = shell, tabs, edits, runs, panels
        self.subflow_entries, self.library_entries = subflow_entries, library_entries
        self.last: QtWidgets.QMenu | None = None
        tabs.context_requested.connect(self.show_menu)

    def show_menu(self, target, scene_pos: QtCore.QPointF, global_pos: QtCore.QPoint) -> None:
        menu = self.menu_for(target, scene_pos)
        if menu is not None:
            self.last = menu
            menu.popup(global_pos)

    def menu_for(self, target, scene_pos: QtCore.QPointF) -> QtWidgets.QMenu | None:
        """The menu for a node id, a ``Link`` or ``None`` (the canvas) at ``scene_pos``."""
        canvas, bridge = self.tabs.current()
        if canvas is None:
            return None
        menu = QtWidgets.QMenu(self.shell)
        menu.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        if isinstance(target, Link):
            add_action(menu, "&Delete link", lambda: bridge.delete_link(target))
        elif isinstance(target, str):
            self._node_entries(menu, canvas, bridge, target)
        else:
            add_action(menu, "&Add node…", lambda: self.tabs.search_spec(scene_pos))
            add_action(menu, "&Paste here", lambda: self.edits.paste(at=scene_pos))
            add_action(menu, "Select &all", self.edits.select_all)
            add_action(menu, "&Frame all", self.edits.frame_all)
        return menu

    def _node_entries(self, menu: QtWidgets.QMenu, canvas, bridge, node_id: str) -> None:
        if node_id not in canvas.selected_ids():
            canvas.select_only([node_id])  # the Inspector and the Code panel follow, as a click
        node = bridge.flow.nodes.get(node_id)
        if node is None:  # a boundary node ("Inputs", "Outputs")
            add_action(
                menu,
                "Edit &interface…",
                lambda: self.tabs.node_activated.emit(bridge.flow.id, node_id),
            )
            return
        self.subflow_entries(menu, bridge.flow, node_id)
        spec = self.shell.repo.specs.get(node.spec_id)
        if spec is not None:
            add_action(menu, "Edit node&spec", lambda: self.panels.edit_spec(spec.id))
            self.library_entries(menu, spec.id)
            viewers = menu.addMenu("Open &viewer") if len(spec.outputs) > 1 else menu
            for port in spec.outputs:
                text = port.name if viewers is not menu else "Open &viewer"
                add_action(
                    viewers,
                    text,
                    lambda port=port.name: self.panels.viewers.open_viewer(
                        node_id, port, bridge.flow.id
                    ),
                )
        add_action(menu, "&Run to here", lambda: self.runs.run_current([node_id]))
        end = "Unmark as end node" if node.is_end else "Mark as &end node"
        add_action(menu, end, self.edits.toggle_end)
        menu.addSeparator()
        add_action(menu, "Re&name…", lambda: self._rename(bridge, node_id))
        add_action(menu, "D&uplicate", self.edits.duplicate)
        add_action(menu, "&Copy", self.edits.copy)
        add_action(menu, "Cu&t", self.edits.cut)
        add_action(menu, "&Delete", self.edits.delete_selected)

    def _rename(self, bridge, node_id: str) -> None:
        name, ok = QtWidgets.QInputDialog.getText(
            self.shell,
            "Rename node",
            "Name:",
            text=node_title(self.shell.repo, bridge.flow, node_id),
        )
        if ok:
            bridge.rename_node(node_id, name)
