"""NewSpecDialog: a new nodespec's title, id and first code, in one dialog.

The id is checked as it is typed (``id_problem``: a dotted id like ``group.name`` that no
spec has yet), the code as the code editor checks it; OK stays disabled, with the reason
shown, until both are valid. Until the id is typed into, it follows the title: ``Scale
values`` in the group ``math`` suggests ``math.scale_values``.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from PySide6 import QtWidgets

from .code_editor import CodeEditor

SPEC_ID = re.compile(r"^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*)+$")
NEW_FUNC = "def func():\n    return None\n"
NEW_GROUP = "user"


def id_problem(spec_id: str, taken: Collection[str]) -> str | None:
    """Why ``spec_id`` cannot name a new spec, or ``None``."""
    if not SPEC_ID.match(spec_id):
        return f"{spec_id!r} is not a dotted id like group.name"
    if spec_id in taken:
        return f"There is already a nodespec {spec_id!r}"
    return None


def suggested_id(group: str, title: str) -> str:
    """``group.`` and the title in snake case (``Scale values`` → ``group.scale_values``)."""
    name = re.sub(r"\W+", "_", title.strip().lower()).strip("_")
    if name[:1].isdigit():
        name = f"_{name}"
    return f"{group}.{name}"


class NewSpecDialog(QtWidgets.QDialog):
    """Asks for a spec that ``taken`` has no id of; ``values()`` after it is accepted."""

    def __init__(
        self,
        taken: Collection[str],
        group: str = NEW_GROUP,
        title: str = "",
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New nodespec")
        self.taken = taken
        self.group = group
        self.title_edit = QtWidgets.QLineEdit(title, placeholderText="What the node is called")
        self.id_edit = QtWidgets.QLineEdit(suggested_id(group, title))
        self.id_edit.setPlaceholderText("group.name")
        self.id_edit.setToolTip("A dotted id like group.name; the Library groups by its dots")
        self.editor = CodeEditor()
        self.editor.set_source(NEW_FUNC)
        self.editor.setMinimumSize(420, 160)
        self.reason = QtWidgets.QLabel(wordWrap=True)
        self.reason.setStyleSheet("color: #d03030;")
        buttons = QtWidgets.QDialogButtonBox.StandardButton
        self.buttons = QtWidgets.QDialogButtonBox(buttons.Ok | buttons.Cancel)
        self.ok_button = self.buttons.button(buttons.Ok)
        form = QtWidgets.QFormLayout(self)
        form.addRow("Title", self.title_edit)
        form.addRow("Id", self.id_edit)
        form.addRow("Code", self.editor)
        form.addRow(self.reason)
        form.addRow(self.buttons)
        self._id_typed = False
        self.title_edit.textEdited.connect(self._title_edited)
        self.id_edit.textEdited.connect(self._id_edited)
        self.editor.checked.connect(self._validate)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._validate()

    def values(self) -> tuple[str, str, str]:
        """The id, the title and the code, as typed."""
        return (
            self.id_edit.text().strip(),
            self.title_edit.text().strip(),
            self.editor.toPlainText(),
        )

    def problem(self) -> str | None:
        """Why OK is disabled (the id's problem first), or ``None``."""
        code = self.editor.problem
        return id_problem(self.values()[0], self.taken) or (f"Code: {code}" if code else None)

    def _title_edited(self, title: str) -> None:
        if not self._id_typed:
            self.id_edit.setText(suggested_id(self.group, title))
        self._validate()

    def _id_edited(self, _text: str) -> None:
        self._id_typed = True
        self._validate()

    def _validate(self, *_checked: str) -> None:
        problem = self.problem()
        self.reason.setText(problem or "")
        self.ok_button.setEnabled(problem is None)

    def accept(self) -> None:
        self.editor.check_now()  # the last keys may not be checked yet
        if self.problem() is None:
            super().accept()
