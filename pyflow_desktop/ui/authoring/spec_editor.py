"""SpecEditorPanel: edit one nodespec — its title, code, ports — test it, save it undoably.

The input ports follow ``def func(...)`` as you type (see ``spec_ports``); types, defaults and
outputs are edited in the tables. Save pushes one ``SaveSpecCommand`` on the shared undo stack
(links and typed-in values on ports that no longer exist are dropped in the same command,
and ``message`` says which). The panel redraws from the repository's ``spec_*`` events, so
undo, redo and edits made elsewhere show here too.

State: ``repo`` (watched through its events), ``spec_id`` (the spec shown, or ``None``).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import ModelEvent, NodeSpec, Port, Repository, func_problem
from ..shortcuts import keys
from .code_editor import CodeEditor
from .new_spec_dialog import NEW_FUNC, NEW_GROUP, NewSpecDialog, id_problem
from .spec_commands import RemoveSpecCommand, SaveSpecCommand, describe_drops
from .spec_ports import PortsTable, follow_signature, signature_params
from .spec_test_form import SpecTestForm, Tester

Button = QtWidgets.QMessageBox.StandardButton


def _column(title: str, *parts: QtWidgets.QWidget | QtWidgets.QLayout) -> QtWidgets.QWidget:
    """A titled column of widgets and layouts; the first part takes the spare height."""
    column = QtWidgets.QWidget()
    layout = QtWidgets.QVBoxLayout(column)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.addWidget(QtWidgets.QLabel(f"<b>{title}</b>"))
    for index, part in enumerate(parts):
        if isinstance(part, QtWidgets.QLayout):
            layout.addLayout(part)
        else:
            layout.addWidget(part, 1 if index == 0 else 0)
    return column


class SpecEditorPanel(QtWidgets.QWidget):
    """The selected spec's editor; ``message(str)`` reports what a save or a delete did."""

    message = QtCore.Signal(str)

    def __init__(
        self,
        undo_stack: QtGui.QUndoStack,
        tester: Tester,
        allow: Callable[[list[NodeSpec]], bool],
        parent: QtWidgets.QWidget | None = None,
    ) -> None:
        """``tester`` runs Tests; ``allow(specs)`` says whether their code may run (the
        window asks about code from outside)."""
        super().__init__(parent)
        self.undo_stack = undo_stack
        self.allow = allow
        self.repo: Repository | None = None
        self.spec_id: str | None = None
        self._loading = False
        self._signature: list | None = None
        self._build(tester)
        self.show_spec(None)

    def _build(self, tester: Tester) -> None:
        bar = QtWidgets.QToolBar()
        self.actions_by_name: dict[str, QtGui.QAction] = {}
        for name, slot, tip in (
            ("New", self.new_spec, "Create a nodespec"),
            ("Duplicate", self.duplicate, "Copy this nodespec under a new id"),
            ("Delete", self.delete, "Delete this nodespec"),
            ("Save", self.save, "Apply the changes to the repository (undoable)"),
            ("Revert", self.revert, "Forget the changes"),
        ):
            action = bar.addAction(name)
            action.setToolTip(tip)
            action.triggered.connect(lambda _checked=False, slot=slot: slot())
            self.actions_by_name[name] = action
        self.id_edit = QtWidgets.QLineEdit(readOnly=True)
        self.title_edit = QtWidgets.QLineEdit()
        self.description_edit = QtWidgets.QLineEdit()
        header = QtWidgets.QHBoxLayout()
        for widget, stretch in (
            (bar, 0),
            (QtWidgets.QLabel("Id"), 0),
            (self.id_edit, 1),
            (QtWidgets.QLabel("Title"), 0),
            (self.title_edit, 2),
        ):
            header.addWidget(widget, stretch)
        about = QtWidgets.QHBoxLayout()
        about.addWidget(QtWidgets.QLabel("Description"))
        about.addWidget(self.description_edit, 1)
        self.editor = CodeEditor()
        self.problem_label = QtWidgets.QLabel(wordWrap=True)
        self.problem_label.setStyleSheet("color: #d03030;")
        self.problem_label.hide()
        code = _column("Code", self.editor, self.problem_label)
        self.inputs_table = PortsTable(inputs=True)
        self.outputs_table = PortsTable(inputs=False)
        self.outputs_table.setMaximumHeight(90)
        output_buttons = QtWidgets.QHBoxLayout()
        output_buttons.addWidget(QtWidgets.QLabel("<b>Outputs</b>"), 1)
        for text, tip, slot in (
            ("+", "Add an output", self.outputs_table.add_port),
            ("−", "Remove the selected outputs", self.outputs_table.remove_selected),
        ):
            button = QtWidgets.QToolButton(text=text, toolTip=tip, autoRaise=True)
            button.clicked.connect(slot)
            output_buttons.addWidget(button)
        ports = _column(
            "Inputs (follow def func)", self.inputs_table, output_buttons, self.outputs_table
        )
        self.test_form = SpecTestForm(tester)
        self.body = QtWidgets.QSplitter(QtCore.Qt.Orientation.Horizontal)
        for column, stretch in ((code, 5), (ports, 3), (_column("Test", self.test_form), 3)):
            self.body.addWidget(column)
            self.body.setStretchFactor(self.body.count() - 1, stretch)
        layout = QtWidgets.QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(about)
        layout.addWidget(self.body, 1)
        for widget in (self.title_edit, self.description_edit):
            widget.textEdited.connect(self._changed)
        self.editor.textChanged.connect(self._changed)
        self.editor.problem_changed.connect(self._show_problem)
        self.editor.checked.connect(self._follow_signature)
        self.inputs_table.edited.connect(self._inputs_edited)
        self.outputs_table.edited.connect(self._changed)
        self.test_form.test_requested.connect(self.test)
        run_test = QtGui.QShortcut(self)
        run_test.setKeys(keys("test"))
        run_test.activated.connect(self.test)
        run_test.setContext(QtCore.Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.test_form.finished.connect(self._tested)

    # -- the repository and the spec shown ------------------------------------------------------

    def set_repository(self, repo: Repository | None) -> None:
        """Edit the specs of ``repo`` (shows none until ``show_spec``)."""
        for model, method in ((self.repo, "disconnect"), (repo, "connect")):
            for event in (ModelEvent.SPEC_ADDED, ModelEvent.SPEC_CHANGED, ModelEvent.SPEC_REMOVED):
                if model is not None:
                    getattr(model.events, method)(event, self._spec_event)
        self.repo = repo
        self.show_spec(None)

    def _spec_event(self, spec: NodeSpec, old: NodeSpec | None = None) -> None:
        if spec.id != self.spec_id:
            return
        if spec.id not in self.repo.specs:
            self.show_spec(None)
        elif self.edited_spec() != self.repo.specs[spec.id]:
            self.show_spec(spec.id)
        else:
            self._changed()

    def show_spec(self, spec_id: str | None) -> None:
        """Load the saved version of ``spec_id`` (``None`` or unknown: an empty, disabled panel)."""
        spec = self.repo.specs.get(spec_id) if self.repo is not None and spec_id else None
        same = spec is not None and spec.id == self.spec_id  # shown again (saved, reverted)
        self.spec_id = spec.id if spec else None
        self._loading = True
        self.id_edit.setText(spec.id if spec else "")
        self.title_edit.setText(spec.title if spec else "")
        self.description_edit.setText(spec.description if spec else "")
        if not (same and self.editor.toPlainText() == spec.func):  # as shown: keep its marks
            self.editor.set_source(spec.func if spec else "")
        self._signature = signature_params(spec.func) if spec else None
        self.inputs_table.set_ports(spec.inputs if spec else [])
        self.outputs_table.set_ports(spec.outputs if spec else [])
        self.test_form.set_ports(spec.inputs if spec else [], keep=same)
        self.test_form.result.clear()
        self._loading = False
        for widget in (self.title_edit, self.description_edit, self.editor, self.body):
            widget.setEnabled(spec is not None)
        self.actions_by_name["New"].setEnabled(self.repo is not None)
        self.actions_by_name["Duplicate"].setEnabled(spec is not None)
        self.actions_by_name["Delete"].setEnabled(spec is not None)
        self._changed()

    def edited_spec(self) -> NodeSpec | None:
        """The spec as the widgets show it (unsaved edits included)."""
        if self.spec_id is None:
            return None
        saved = self.repo.specs[self.spec_id]
        outputs = self.outputs_table.ports()
        same_outputs = outputs == saved.outputs
        return saved.copy(
            title=self.title_edit.text(),
            description=self.description_edit.text(),
            func=self.editor.toPlainText(),
            inputs=self.inputs_table.ports(),
            outputs=outputs,
            explicit_outputs=saved.explicit_outputs if same_outputs else True,
        )

    def is_modified(self) -> bool:
        return self.spec_id is not None and self.edited_spec() != self.repo.specs[self.spec_id]

    def _changed(self) -> None:
        if self._loading:
            return
        modified = self.is_modified()
        self.actions_by_name["Save"].setEnabled(modified)
        self.actions_by_name["Revert"].setEnabled(modified)

    def _show_problem(self, problem: str) -> None:
        problem = problem if self.spec_id is not None else ""  # nothing shown, nothing wrong
        self.problem_label.setText(problem)
        self.problem_label.setVisible(bool(problem))

    def _follow_signature(self, _problem: str) -> None:
        params = signature_params(self.editor.toPlainText())
        if params is None or params == self._signature or self._loading:
            return
        self._signature = params
        current = self.inputs_table.ports()
        ports = follow_signature(current, params)
        if ports != current:
            self.inputs_table.set_ports(ports)
            self._inputs_edited()

    def _inputs_edited(self) -> None:
        self.test_form.set_ports(self.inputs_table.ports())
        self._changed()

    # -- actions --------------------------------------------------------------------------------

    def save(self) -> bool:
        """Apply the edits as one undoable command; False when there is nothing valid to save."""
        spec = self.edited_spec()
        if spec is None or not self.is_modified():
            return False
        problem = self.editor.check_now()
        if problem:
            self.message.emit(f"Cannot save {spec.id}: {problem}")
            return False
        names = [port.name for port in spec.outputs]
        if any(not name for name in names) or len(set(names)) != len(names):
            self.message.emit(f"Cannot save {spec.id}: output names must be unique and not empty")
            return False
        command = SaveSpecCommand(self.repo, spec)
        self.undo_stack.push(command)
        if command.dropped or command.cleared:
            self.message.emit(
                f"Saved {spec.id}; dropped what used ports that no longer exist: "
                f"{describe_drops(command)}"
            )
        else:
            self.message.emit(f"Saved {spec.id}")
        return True

    def revert(self) -> None:
        self.show_spec(self.spec_id)

    def new_spec(
        self, spec_id: str | None = None, title: str | None = None, func: str = NEW_FUNC
    ) -> bool:
        """Create a spec, its inputs following ``def func(...)``, and show it (undoable).

        Without ``spec_id`` the New dialog asks for the id, the title and the code; with it
        (a scripted call) nothing is asked, and a taken or undotted id is refused.
        """
        if spec_id is None:
            group = self.spec_id.rpartition(".")[0] if self.spec_id else NEW_GROUP
            dialog = NewSpecDialog(self.repo.specs, group, title or "", self)
            if dialog.exec() != QtWidgets.QDialog.DialogCode.Accepted:
                return False
            spec_id, title, func = dialog.values()
        spec_id = spec_id.strip()
        problem = id_problem(spec_id, self.repo.specs) or func_problem(func)
        if problem:
            self.message.emit(problem)
            return False
        inputs = follow_signature([], signature_params(func) or [])
        spec = NodeSpec(spec_id, title or spec_id, inputs, [Port("out", "Any")], func)
        self.undo_stack.push(SaveSpecCommand(self.repo, spec))
        self.show_spec(spec_id)
        return True

    def duplicate(self, spec_id: str | None = None) -> bool:
        """Copy the shown spec (with unsaved edits) under a new id and show the copy."""
        source = self.edited_spec()
        if source is None:
            return False
        if spec_id is None:
            spec_id, ok = QtWidgets.QInputDialog.getText(
                self,
                "Duplicate nodespec",
                "Id (dotted, like group.name):",
                text=f"{source.id}_copy",
            )
            if not ok:
                return False
        spec_id = spec_id.strip()
        problem = id_problem(spec_id, self.repo.specs)
        if problem:
            self.message.emit(problem)
            return False
        self.undo_stack.push(
            SaveSpecCommand(self.repo, source.copy(id=spec_id, title=f"{source.title} (copy)"))
        )
        self.show_spec(spec_id)
        return True

    def delete(self) -> bool:
        """Delete the shown spec; when flows use it, ask first, naming them."""
        if self.spec_id is None:
            return False
        spec_id = self.spec_id
        flows = self.repo.flows_using(spec_id)
        if flows:
            nodes = sum(node.spec_id == spec_id for flow in flows for node in flow.nodes.values())
            names = ", ".join(f"{flow.name} ({flow.id})" for flow in flows)
            answer = QtWidgets.QMessageBox.question(
                self,
                "Delete nodespec",
                f"{spec_id} is used by {len(flows)} flow(s): {names}.\n\n"
                f"Delete it and the {nodes} node(s) built from it?",
                Button.Yes | Button.No,
                Button.No,
            )
            if answer != Button.Yes:
                return False
        self.undo_stack.push(RemoveSpecCommand(self.repo, spec_id))
        self.message.emit(f"Deleted {spec_id}")
        return True

    def test(self) -> None:
        """Run the edited (unsaved) function once with the Test form's values."""
        spec = self.edited_spec()
        if spec is not None and self.allow([spec]):
            self.editor.mark_error_line(None)
            self.test_form.start(spec)

    def _tested(self, result: object) -> None:
        line = getattr(result, "error_line", None)
        tested = self.test_form.spec
        if line is not None and tested is not None and tested.id == self.spec_id:
            self.editor.mark_error_line(line)
