"""The questions the window asks: how to treat clashing ids on import, which flows to export
(each ``None`` when the user cancels), whether to go on with something that needs consent
(``confirm``)."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ...repository import Repository

POLICIES = (("Replace", "replace"), ("Keep both", "rename"), ("Skip", "skip"))


def confirm(parent: QtWidgets.QWidget, title: str, text: str, go: str) -> bool:
    """A warning with a ``go`` button and Cancel (the default); True when ``go`` is clicked."""
    box = QtWidgets.QMessageBox(QtWidgets.QMessageBox.Icon.Warning, title, text, parent=parent)
    chosen = box.addButton(go, QtWidgets.QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is chosen


def ask_import_policy(parent: QtWidgets.QWidget, clashing: list[str]) -> str | None:
    """Replace, keep both (rename the imported ones) or skip ids that already exist."""
    box = QtWidgets.QMessageBox(
        QtWidgets.QMessageBox.Icon.Question,
        "Import",
        "These ids already exist:\n" + "\n".join(clashing[:20]),
        parent=parent,
    )
    buttons = {
        box.addButton(text, QtWidgets.QMessageBox.ButtonRole.AcceptRole): policy
        for text, policy in POLICIES
    }
    box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
    box.exec()
    return buttons.get(box.clickedButton())


def ask_export_flows(
    parent: QtWidgets.QWidget, repo: Repository, checked: set[str]
) -> list[str] | None:
    """The flows to export, chosen in a check list (``checked`` start ticked)."""
    dialog = QtWidgets.QDialog(parent)
    dialog.setWindowTitle("Export flows")
    flows = QtWidgets.QListWidget()
    for flow_id in repo.flows:
        item = QtWidgets.QListWidgetItem(flow_id)
        state = (
            QtCore.Qt.CheckState.Checked if flow_id in checked else QtCore.Qt.CheckState.Unchecked
        )
        item.setCheckState(state)
        flows.addItem(item)
    buttons = QtWidgets.QDialogButtonBox(
        QtWidgets.QDialogButtonBox.StandardButton.Ok
        | QtWidgets.QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QtWidgets.QVBoxLayout(dialog)
    layout.addWidget(flows)
    layout.addWidget(buttons)
    if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
        return None
    return [
        flows.item(row).text()
        for row in range(flows.count())
        if flows.item(row).checkState() == QtCore.Qt.CheckState.Checked
    ]
