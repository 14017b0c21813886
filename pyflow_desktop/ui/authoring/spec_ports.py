"""A nodespec's ports: kept in step with ``def func(...)``, and shown in an editable table.

``signature_params(source)`` reads the parameters of ``func`` with ``ast`` (nothing runs);
``follow_signature(ports, params)`` turns the current input ports into the ones the new
signature asks for — a kept name keeps its port, a parameter renamed in place keeps its
type and default, a new one gets a port, a removed one loses it — and numbers them in call
order. ``PortsTable`` shows ports (inputs: name, type, order, default, required; outputs:
name, type) and lets the user edit types and defaults; ``edited`` follows every change.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace
from typing import Any

from PySide6 import QtCore, QtWidgets

from ...repository import PORT_TYPES, Port
from ...repository.nodemaker import find_func, signature_ports
from ..value_text import default_text

NEW_PORT_TYPE = "Any"


@dataclass(frozen=True)
class Param:
    """One positional parameter of ``func``: its name, default as text and port type."""

    name: str
    default: Any = None
    type: str = NEW_PORT_TYPE


def signature_params(source: str) -> list[Param] | None:
    """The positional parameters of the top-level ``func`` in ``source``; ``None`` if unparsable.

    Ports come from ``repository.nodemaker.signature_ports`` (as ``import-py`` makes them);
    a parameter with no type to go by is ``Any`` here, for the user to choose.
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    func = find_func(tree)
    if func is None:
        return None
    return [
        Param(p.name, None if p.default is None else default_text(p.default), p.type)
        for p in signature_ports(func, untyped=NEW_PORT_TYPE)
    ]


def follow_signature(ports: list[Port], params: list[Param]) -> list[Port]:
    """The input ports for ``params``, reusing ``ports`` by name, else by position (a rename)."""
    by_name = {port.name: port for port in ports}
    wanted = {param.name for param in params}
    in_call_order = sorted(ports, key=lambda port: port.order)
    result = []
    for index, param in enumerate(params):
        port = by_name.get(param.name)
        if port is None and index < len(in_call_order):
            renamed = in_call_order[index]
            if renamed.name not in wanted:
                port = replace(renamed, name=param.name)
        if port is None:
            port = Port(param.name, param.type, default=param.default)
        result.append(replace(port, order=index, extra=dict(port.extra)))
    return result


class PortsTable(QtWidgets.QTableWidget):
    """Ports with a type combo per row; ``edited()`` after the user changes anything."""

    edited = QtCore.Signal()
    INPUT_COLUMNS = ("Name", "Type", "Order", "Default", "Required")
    OUTPUT_COLUMNS = ("Name", "Type")

    def __init__(self, inputs: bool, parent: QtWidgets.QWidget | None = None) -> None:
        columns = self.INPUT_COLUMNS if inputs else self.OUTPUT_COLUMNS
        super().__init__(0, len(columns), parent)
        self.inputs = inputs
        self._ports: list[Port] = []
        self._filling = False
        self.setHorizontalHeaderLabels(columns)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QtWidgets.QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(
            columns.index("Default" if inputs else "Name"), QtWidgets.QHeaderView.ResizeMode.Stretch
        )
        self.verticalHeader().setVisible(False)
        self.setWordWrap(False)
        self.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.setSelectionBehavior(QtWidgets.QAbstractItemView.SelectionBehavior.SelectRows)
        self.itemChanged.connect(self._item_changed)
        if inputs:
            self.setToolTip("Inputs follow the signature of func; edit their types and defaults.")

    def ports(self) -> list[Port]:
        return [replace(port, extra=dict(port.extra)) for port in self._ports]

    def set_ports(self, ports: list[Port]) -> None:
        """Show ``ports`` (copied), in call order for inputs."""
        self._ports = [replace(port, extra=dict(port.extra)) for port in ports]
        if self.inputs:
            self._ports.sort(key=lambda port: port.order)
        self._filling = True
        self.setRowCount(len(self._ports))
        for row, port in enumerate(self._ports):
            self._fill_row(row, port)
        self._filling = False

    def _fill_row(self, row: int, port: Port) -> None:
        fixed = QtCore.Qt.ItemFlag.ItemIsEnabled | QtCore.Qt.ItemFlag.ItemIsSelectable
        name = QtWidgets.QTableWidgetItem(port.name)
        if self.inputs:
            name.setFlags(fixed)
        self.setItem(row, 0, name)
        combo = QtWidgets.QComboBox(frame=False)
        combo.addItems(PORT_TYPES)
        if port.type not in PORT_TYPES:
            combo.addItem(port.type)
        combo.setCurrentText(port.type)
        combo.currentTextChanged.connect(lambda text, combo=combo: self._type_changed(combo, text))
        self.setCellWidget(row, 1, combo)
        if not self.inputs:
            return
        order = QtWidgets.QTableWidgetItem(str(port.order))
        order.setFlags(fixed)
        order.setToolTip("Call order: the parameter's position in def func(...)")
        self.setItem(row, 2, order)
        self.setItem(row, 3, QtWidgets.QTableWidgetItem(default_text(port.default)))
        required = QtWidgets.QTableWidgetItem()
        required.setFlags(fixed | QtCore.Qt.ItemFlag.ItemIsUserCheckable)
        required.setCheckState(
            QtCore.Qt.CheckState.Checked if port.required else QtCore.Qt.CheckState.Unchecked
        )
        self.setItem(row, 4, required)

    def type_combo(self, row: int) -> QtWidgets.QComboBox:
        return self.cellWidget(row, 1)

    def _type_changed(self, combo: QtWidgets.QComboBox, text: str) -> None:
        row = next(r for r in range(self.rowCount()) if self.cellWidget(r, 1) is combo)
        self._ports[row] = replace(self._ports[row], type=text, typed=True)
        self.edited.emit()

    def _item_changed(self, item: QtWidgets.QTableWidgetItem) -> None:
        if self._filling:
            return
        port = self._ports[item.row()]
        if item.column() == 0:
            port.name = item.text().strip()
        elif item.column() == 3:
            port.default = item.text() or None
        elif item.column() == 4:
            port.required = item.checkState() == QtCore.Qt.CheckState.Checked
        self.edited.emit()

    def add_port(self) -> None:
        """Add a port named ``out1``, ``out2``… (the first free name)."""
        names = {port.name for port in self._ports}
        name = next(f"out{n}" for n in range(1, len(names) + 2) if f"out{n}" not in names)
        self.set_ports([*self._ports, Port(name, NEW_PORT_TYPE, order=len(self._ports))])
        self.edited.emit()

    def remove_selected(self) -> None:
        rows = {index.row() for index in self.selectedIndexes()}
        if rows:
            self.set_ports([port for row, port in enumerate(self._ports) if row not in rows])
            self.edited.emit()
