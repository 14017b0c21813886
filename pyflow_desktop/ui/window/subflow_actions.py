"""Subflows in the window: group a selection into one, open one, ungroup it, fork it, and
edit a flow's interface.

- **Group into subflow** (Ctrl+G) makes the selected nodes a new flow, used in their place
  by one subflow node linked as they were (``repository.group_nodes``).
- A subflow node double-clicked (or Enter) opens its flow in a tab whose breadcrumb leads
  back (``FlowTabs.open_subflow``); the boundary nodes "Inputs" and "Outputs" double-clicked
  open the interface dialog, where ports are renamed, typed, given defaults and removed.
- **Ungroup** (Ctrl+Shift+G) puts a subflow node's inner nodes back in its place;
  **Make local copy** forks its flow for that node alone.
- **Use as subflow** gives the flow in front an (empty) interface, so it shows "Inputs" and
  "Outputs" and appears in the Library under "Subflows"; **Stop using as subflow** takes the
  interface away, with the nodes that used it asked about first.

Every edit is one undo step.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6 import QtCore, QtWidgets

from ...repository import (
    PORT_TYPES,
    Flow,
    Interface,
    RepositoryError,
    group_nodes,
    local_copy,
    rewire_users,
    ungroup_node,
)
from ...repository.interface import ANY_TYPE
from ..canvas.boundary import is_boundary
from ..commands import FlowEditCommand, InterfaceCommand
from ..shortcuts import keys
from .flow_tabs import FlowTabs
from .shell import Shell, add_action

TYPES = [ANY_TYPE, *PORT_TYPES]


class SubflowActions(QtCore.QObject):
    """The subflow entries of the Edit menu and of a node's right-click menu."""

    def __init__(self, shell: Shell, tabs: FlowTabs) -> None:
        super().__init__(shell)
        self.shell, self.tabs = shell, tabs
        tabs.node_activated.connect(self.activate)

    def fill_menu(self, menu: QtWidgets.QMenu) -> None:
        add_action(menu, "&Group into subflow", self.group, keys("group"))
        add_action(menu, "U&ngroup subflow", self.ungroup, keys("ungroup"))
        add_action(menu, "Make &local copy of subflow", self.make_local_copy)
        add_action(menu, "Open su&bflow", self.open_selected)
        add_action(menu, "Use flow as sub&flow", self.use_as_subflow)
        add_action(menu, "Edit &interface…", self.edit_interface)

    def node_entries(self, menu: QtWidgets.QMenu, flow: Flow, node_id: str) -> None:
        """A subflow node's own entries in its right-click menu."""
        if flow.nodes[node_id].subflow is None:
            return
        add_action(menu, "Open su&bflow", lambda: self.tabs.open_subflow(flow.id, node_id))
        add_action(menu, "U&ngroup", lambda: self.ungroup([node_id]))
        add_action(menu, "Make &local copy", lambda: self.make_local_copy(node_id))

    # -- opening ------------------------------------------------------------------------

    def activate(self, flow_id: str, node_id: str) -> None:
        """A node was double-clicked (or Enter pressed on it)."""
        if is_boundary(node_id):
            self.edit_interface()
        elif self.shell.repo.flow(flow_id).nodes.get(node_id) is not None:
            self.tabs.open_subflow(flow_id, node_id)

    def open_selected(self) -> None:
        canvas, bridge = self.tabs.current()
        for node_id in canvas.selected_ids() if canvas is not None else ():
            if bridge.flow.nodes[node_id].subflow is not None:
                self.tabs.open_subflow(bridge.flow.id, node_id)
                return

    # -- group, ungroup, fork -----------------------------------------------------------

    def group(self) -> str | None:
        """Group the selected nodes of the flow in front; returns the new subflow node's id."""
        canvas, bridge = self.tabs.current()
        chosen = canvas.selected_ids() if canvas is not None else []
        if not chosen:
            self.shell.show_message("Select the nodes to group into a subflow first")
            return None
        repo, flow = self.shell.repo, bridge.flow
        names = {each.name for each in repo.flows.values()}
        number = 1
        while f"{flow.id}.sub_{number}" in repo.flows or f"Subflow {number}" in names:
            number += 1
        flow_id, name = f"{flow.id}.sub_{number}", f"Subflow {number}"
        edit = group_nodes(repo, flow, chosen, flow_id, name)
        text = f"Group {len(chosen)} node(s) into {name}"
        self.shell.undo_stack.push(FlowEditCommand(repo, edit, text))
        canvas.clear_selection()
        canvas.flow_node(edit.node.id).set_selected(True)
        self.shell.show_message(f"{text}: double-click it to open it")
        return edit.node.id

    def ungroup(self, node_ids: list[str] | None = None) -> None:
        """Put the inner nodes of the selected subflow nodes (or ``node_ids``) in their place."""
        canvas, bridge = self.tabs.current()
        if canvas is None:
            return
        flow = bridge.flow
        ids = [i for i in node_ids or canvas.selected_ids() if flow.nodes[i].subflow is not None]
        if not ids:
            self.shell.show_message("Select a subflow node to ungroup")
            return
        self.shell.undo_stack.beginMacro(f"Ungroup {len(ids)} subflow node(s)")
        try:
            for node_id in ids:
                edit = ungroup_node(self.shell.repo, flow, node_id)
                self.shell.undo_stack.push(FlowEditCommand(self.shell.repo, edit, "Ungroup"))
        except RepositoryError as error:  # a subflow missing or unsound: nothing to inline
            self.shell.show_message(f"Cannot ungroup: {error}")
        finally:
            self.shell.undo_stack.endMacro()

    def make_local_copy(self, node_id: str | None = None) -> None:
        """Fork the flow a subflow node uses, for that node alone."""
        canvas, bridge = self.tabs.current()
        if canvas is None:
            return
        flow = bridge.flow
        ids = [node_id] if node_id else canvas.selected_ids()
        ids = [i for i in ids if flow.nodes[i].subflow is not None]
        if len(ids) != 1:
            self.shell.show_message("Select one subflow node to make a local copy of its flow")
            return
        edit = local_copy(self.shell.repo, flow, ids[0])
        forked = edit.added_flows[0]
        text = f"Make {forked.name} for {ids[0]} alone"
        self.shell.undo_stack.push(FlowEditCommand(self.shell.repo, edit, text))
        self.shell.show_message(
            f"{ids[0]} now uses {forked.name} ({forked.id}); others keep theirs"
        )

    # -- the interface ------------------------------------------------------------------

    def use_as_subflow(self) -> None:
        """Give the flow in front an interface (empty), so other flows can use it."""
        _canvas, bridge = self.tabs.current()
        if bridge is None or bridge.flow.interface is not None:
            return
        flow = bridge.flow
        self.shell.undo_stack.push(
            InterfaceCommand(self.shell.repo, flow, Interface(), text=f"Use {flow.name} as subflow")
        )
        self.shell.show_message(
            f"{flow.name} can be used as a node: wire its inner ports to the + of Inputs and "
            "Outputs to give it ports"
        )

    def edit_interface(self) -> InterfaceDialog | None:
        """Open the interface dialog of the flow in front (non-modal; ``accepted`` edits)."""
        _canvas, bridge = self.tabs.current()
        if bridge is None or bridge.flow.interface is None:
            return None
        dialog = InterfaceDialog(bridge.flow, self.shell)
        dialog.accepted.connect(lambda: self.set_interface(bridge.flow, dialog))
        dialog.open()
        return dialog

    def set_interface(self, flow: Flow, dialog: InterfaceDialog) -> None:
        interface, inputs, outputs = dialog.result_interface()
        if interface == flow.interface:
            return
        users = rewire_users(self.shell.repo, flow.id, inputs, outputs)
        self.shell.undo_stack.push(InterfaceCommand(self.shell.repo, flow, interface, users))


class InterfaceDialog(QtWidgets.QDialog):
    """The ports of a flow's interface in two tables: inputs (name, type, default) and outputs
    (name, type). Ports are renamed, typed and removed here; wiring a "+" adds them."""

    def __init__(self, flow: Flow, parent: QtWidgets.QWidget) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Interface of {flow.name}")
        self.flow = flow
        interface = flow.interface
        self.inputs = self._table(
            ["Name", "Type", "Default"],
            [
                (p.name, p.type, "" if p.default is None else str(p.default))
                for p in interface.inputs
            ],
            [p.name for p in interface.inputs],
        )
        self.outputs = self._table(
            ["Name", "Type"],
            [(p.name, p.type) for p in interface.outputs],
            [p.name for p in interface.outputs],
        )
        self.problem = QtWidgets.QLabel(styleSheet="color: #e06060")
        buttons = QtWidgets.QDialogButtonBox(
            QtWidgets.QDialogButtonBox.StandardButton.Ok
            | QtWidgets.QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        hint = QtWidgets.QLabel(
            "To add a port, wire an inner port to the + of Inputs or Outputs on the canvas. "
            "Renaming or removing a port keeps the nodes that use this flow wired."
        )
        hint.setWordWrap(True)
        layout = QtWidgets.QVBoxLayout(self)
        for title, table in (("Inputs", self.inputs), ("Outputs", self.outputs)):
            layout.addWidget(QtWidgets.QLabel(f"<b>{title}</b>"))
            layout.addWidget(table)
            remove = QtWidgets.QPushButton(f"Remove selected {title.lower()[:-1]}")
            remove.clicked.connect(lambda _c=False, t=table: self._remove_rows(t))
            layout.addWidget(remove, alignment=QtCore.Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(hint)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.resize(460, 420)

    def _table(self, headers: list[str], rows: list[tuple], names: list[str]):
        table = QtWidgets.QTableWidget(len(rows), len(headers))
        table.setHorizontalHeaderLabels(headers)
        table.horizontalHeader().setStretchLastSection(True)
        table.verticalHeader().hide()
        for row, values in enumerate(rows):
            name = QtWidgets.QTableWidgetItem(values[0])
            name.setData(QtCore.Qt.ItemDataRole.UserRole, names[row])  # the name it had
            table.setItem(row, 0, name)
            kind = QtWidgets.QComboBox()
            kind.addItems(TYPES if values[1] in TYPES else [values[1], *TYPES])
            kind.setCurrentText(values[1])
            table.setCellWidget(row, 1, kind)
            for column, value in enumerate(values[2:], start=2):
                table.setItem(row, column, QtWidgets.QTableWidgetItem(value))
        return table

    @staticmethod
    def _remove_rows(table: QtWidgets.QTableWidget) -> None:
        for row in sorted({index.row() for index in table.selectedIndexes()}, reverse=True):
            table.removeRow(row)

    def _rows(self, table: QtWidgets.QTableWidget) -> list[tuple[str, str, str, str]]:
        """(old name, new name, type, default text) per row."""
        rows = []
        for row in range(table.rowCount()):
            name = table.item(row, 0)
            default = table.item(row, 2) if table.columnCount() > 2 else None
            rows.append(
                (
                    name.data(QtCore.Qt.ItemDataRole.UserRole),
                    name.text().strip(),
                    table.cellWidget(row, 1).currentText(),
                    default.text() if default is not None else "",
                )
            )
        return rows

    def _accept(self) -> None:
        for title, table in (("input", self.inputs), ("output", self.outputs)):
            names = [new for _old, new, _type, _default in self._rows(table)]
            if "" in names:
                self.problem.setText(f"Every {title} needs a name")
                return
            twice = sorted({name for name in names if names.count(name) > 1})
            if twice:
                self.problem.setText(f"Two {title}s are named {twice[0]!r}")
                return
        self.accept()

    def result_interface(self) -> tuple[Interface, dict[str, str | None], dict[str, str | None]]:
        """The interface the dialog shows, and for each old input and output name its new
        name (``None``: removed)."""
        interface = self.flow.interface
        renamed: list[dict[str, str | None]] = []
        ports: list[list] = []
        for table, old_ports in (
            (self.inputs, interface.inputs),
            (self.outputs, interface.outputs),
        ):
            by_name = {port.name: port for port in old_ports}
            names: dict[str, str | None] = dict.fromkeys(by_name)
            kept = []
            for old, new, kind, default in self._rows(table):
                names[old] = new
                port = by_name[old]
                changes = {"name": new, "type": kind}
                if table is self.inputs:
                    changes["default"] = default or None
                kept.append(replace(port, **changes))
            renamed.append({old: new for old, new in names.items() if new != old})
            ports.append(kept)
        new = Interface(tuple(ports[0]), tuple(ports[1]), interface.extra)
        return new, renamed[0], renamed[1]
