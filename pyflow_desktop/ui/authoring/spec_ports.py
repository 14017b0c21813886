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
from ...repository.nodespec import FUNC_NAME
from ..value_text import default_text

NEW_PORT_TYPE = "Any"
_ANNOTATION_TYPES = {
    "bool": "Boolean",
    "int": "Int",
    "float": "Float",
    "str": "String",
    "list": "List",
    "dict": "Json",
}


@dataclass(frozen=True)
class Param:
    """One positional parameter of ``func``: its name, literal default and annotated type."""

    name: str
    default: Any = None
    type: str = NEW_PORT_TYPE


def signature_params(source: str) -> list[Param] | None:
    """The positional parameters of the top-level ``func`` in ``source``; ``None`` if unparsable."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    func = next(
        (
            node
            for node in tree.body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == FUNC_NAME
        ),
        None,
    )
    if func is None:
        return None
    args = [*func.args.posonlyargs, *func.args.args]
    defaults = [None] * (len(args) - len(func.args.defaults)) + list(func.args.defaults)
    params = []
    for arg, default in zip(args, defaults):
        value = _literal(default)
        port_type = _annotation_type(arg.annotation)
        if port_type == NEW_PORT_TYPE and value is not None:  # `x=3` makes an Int port
            port_type = _ANNOTATION_TYPES.get(type(value).__name__, NEW_PORT_TYPE)
        params.append(Param(arg.arg, None if value is None else default_text(value), port_type))
    return params


def _literal(node: ast.expr | None) -> Any:
    """A default written as a literal (``None`` when there is none or it is not a literal)."""
    if node is None:
        return None
    try:
        return ast.literal_eval(node)  # parses literals only; never runs code
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _annotation_type(node: ast.expr | None) -> str:
    if isinstance(node, ast.Name):
        return _ANNOTATION_TYPES.get(node.id, NEW_PORT_TYPE)
    return NEW_PORT_TYPE


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
