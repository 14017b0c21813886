"""The spec editor: code with ports that follow the signature, Test, undoable Save and Delete."""

from __future__ import annotations

import pytest
from helpers import fresh_window
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.engine import NodeOutcome
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository
from pyflow_desktop.ui.authoring.code_editor import CodeEditor
from pyflow_desktop.ui.authoring.new_spec_dialog import NEW_FUNC
from pyflow_desktop.ui.authoring.spec_editor import SpecEditorPanel
from pyflow_desktop.ui.authoring.spec_ports import follow_signature, signature_params
from pyflow_desktop.ui.run.settings import RunSettings
from pyflow_desktop.ui.run.spec_tester import SpecTester

Key = QtCore.Qt.Key


def small_repository() -> Repository:
    """``math.add`` (a, b → out) used twice in flow ``calc``, where n1:out feeds n2:a."""
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "math.add",
            "Add",
            [Port("a", "Int", 0, default="1"), Port("b", "Int", 1, default="2")],
            [Port("out", "Int")],
            "def func(a, b):\n    return a + b\n",
        )
    )
    flow = Flow("calc", "Calculation")
    flow.add_node(NodeInstance("n1", "math.add", values={"a": "2", "b": "3"}))
    flow.add_node(NodeInstance("n2", "math.add", values={"b": "10"}, x=300))
    flow.add_link(Link("n1", "out", "n2", "a"))
    repo.add_flow(flow)
    return repo


@pytest.fixture
def panel(qtbot):
    stack = QtGui.QUndoStack()
    widget = SpecEditorPanel(stack, SpecTester(RunSettings), lambda _specs: True)
    widget.stack = stack  # the test's handle on the undo stack the panel pushes to
    qtbot.addWidget(widget)
    widget.set_repository(small_repository())
    widget.resize(1000, 600)
    widget.show()
    return widget


def input_names(panel: SpecEditorPanel) -> list[str]:
    return [port.name for port in panel.inputs_table.ports()]


def run_test(qtbot, panel: SpecEditorPanel) -> object:
    with qtbot.waitSignal(panel.test_form.finished, timeout=5000) as blocker:
        qtbot.mouseClick(panel.test_form.test_button, QtCore.Qt.MouseButton.LeftButton)
    return blocker.args[0]


def test_write_a_spec_test_it_save_it_and_undo(qtbot, panel):
    assert panel.new_spec("demo.scale", "Scale")
    assert panel.repo.specs["demo.scale"].func == NEW_FUNC
    editor = panel.editor
    editor.selectAll()
    qtbot.keyClick(editor, Key.Key_Delete)
    qtbot.keyClicks(editor, "def func(x, factor):")
    qtbot.keyClick(editor, Key.Key_Return)
    qtbot.keyClicks(editor, "return x * factor")
    assert editor.toPlainText() == "def func(x, factor):\n    return x * factor"
    qtbot.waitUntil(lambda: input_names(panel) == ["x", "factor"], timeout=3000)

    panel.inputs_table.type_combo(0).setCurrentText("Float")
    panel.inputs_table.type_combo(1).setCurrentText("Int")
    x, factor = panel.test_form.editors["x"], panel.test_form.editors["factor"]
    assert x.validator() is not None and factor.validator() is not None  # numbers only
    qtbot.keyClicks(factor, "4x")
    assert factor.text() == "4", "the Int field refused the letter"
    x.setText("1.5")
    outcome = run_test(qtbot, panel)
    assert isinstance(outcome, NodeOutcome) and outcome.outputs == {"out": 6.0}
    assert "out (Any) = 6.0" in panel.test_form.result.toPlainText()

    assert panel.save()
    saved = panel.repo.specs["demo.scale"]
    assert saved.func == "def func(x, factor):\n    return x * factor"
    assert [(p.name, p.type, p.order) for p in saved.inputs] == [
        ("x", "Float", 0),
        ("factor", "Int", 1),
    ]
    panel.stack.undo()
    assert panel.repo.specs["demo.scale"].func == NEW_FUNC
    assert editor.toPlainText() == NEW_FUNC and input_names(panel) == []
    panel.stack.undo()
    assert "demo.scale" not in panel.repo.specs and panel.spec_id is None


def test_new_and_duplicate_take_a_free_dotted_id_only(qtbot, panel, monkeypatch):
    with qtbot.waitSignal(panel.message) as blocker:
        assert not panel.new_spec("math.add", "Clash")
    assert "already a nodespec 'math.add'" in blocker.args[0]
    assert not panel.new_spec("nodots", "No dots")
    monkeypatch.setattr(QtWidgets.QInputDialog, "getText", lambda *a, **k: ("math.add", True))
    panel.show_spec("math.add")
    assert not panel.duplicate()
    monkeypatch.setattr(QtWidgets.QInputDialog, "getText", lambda *a, **k: ("math.add2", True))
    assert panel.duplicate()
    copy = panel.repo.specs["math.add2"]
    assert copy.title == "Add (copy)" and copy.func == panel.repo.specs["math.add"].func
    assert panel.spec_id == "math.add2"


def test_renaming_a_linked_port_drops_the_link_with_a_message(qtbot, panel):
    panel.show_spec("math.add")
    panel.editor.setPlainText("def func(x, b):\n    return x + b\n")
    panel.editor.check_now()
    assert [(p.name, p.type, p.default) for p in panel.inputs_table.ports()] == [
        ("x", "Int", "1"),
        ("b", "Int", "2"),
    ]
    with qtbot.waitSignal(panel.message) as blocker:
        assert panel.save()
    assert "n1:out → n2:a" in blocker.args[0] and "value of n1.a" in blocker.args[0]
    flow = panel.repo.flows["calc"]
    assert flow.links == [] and panel.repo.specs["math.add"].input("x") is not None
    assert flow.nodes["n1"].values == {"b": "3"}, "no value is left on a port that is gone"
    panel.stack.undo()
    assert flow.links == [Link("n1", "out", "n2", "a")]
    assert flow.nodes["n1"].values == {"a": "2", "b": "3"}
    assert panel.repo.specs["math.add"].input("a") is not None


def test_deleting_a_used_spec_asks_first_and_names_the_flows(panel, monkeypatch):
    asked = []

    def answer(reply):
        def question(parent, title, text, *args):
            asked.append(text)
            return reply

        return question

    panel.show_spec("math.add")
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", answer(QtWidgets.QMessageBox.No))
    assert not panel.delete()
    assert "Calculation (calc)" in asked[0] and "2 node(s)" in asked[0]
    assert "math.add" in panel.repo.specs
    monkeypatch.setattr(QtWidgets.QMessageBox, "question", answer(QtWidgets.QMessageBox.Yes))
    assert panel.delete()
    assert "math.add" not in panel.repo.specs and panel.repo.flows["calc"].nodes == {}
    panel.stack.undo()
    flow = panel.repo.flows["calc"]
    assert "math.add" in panel.repo.specs and set(flow.nodes) == {"n1", "n2"}
    assert flow.links == [Link("n1", "out", "n2", "a")]


def test_a_syntax_error_marks_its_line_as_you_type(qtbot, panel):
    panel.show_spec("math.add")
    editor = panel.editor
    editor.moveCursor(QtGui.QTextCursor.MoveOperation.End)
    with qtbot.waitSignal(editor.problem_changed, timeout=3000) as blocker:
        qtbot.keyClicks(editor, "    x = (1 +")
    assert blocker.args[0].startswith("line 3:")
    assert editor.marked_lines() == [3] and "line 3" in panel.problem_label.text()
    assert not panel.save()


def test_a_runtime_error_shows_its_traceback_and_marks_its_line(qtbot, panel):
    panel.show_spec("math.add")
    panel.editor.setPlainText("def func(a, b):\n    c = a + b\n    raise ValueError('boom')\n")
    outcome = run_test(qtbot, panel)
    assert outcome.error == "ValueError: boom" and outcome.error_line == 3
    assert panel.editor.marked_lines() == [3]
    text = panel.test_form.result.toPlainText()
    assert "Error (line 3): ValueError: boom" in text and "Traceback" in text


def test_the_test_form_has_one_typed_widget_per_input(qtbot, panel):
    panel.show_spec("math.add")
    panel.editor.setPlainText("def func(a, b, flag, text):\n    return [a, b, flag, text]\n")
    panel.editor.check_now()
    for row, port_type in enumerate(("Int", "Float", "Boolean", "String")):
        panel.inputs_table.type_combo(row).setCurrentText(port_type)
    editors = panel.test_form.editors
    assert editors["a"].text() == "1" and editors["a"].validator() is not None
    assert editors["b"].text() == "2" and editors["b"].validator() is not None
    assert isinstance(editors["flag"], QtWidgets.QCheckBox)
    assert isinstance(editors["text"], QtWidgets.QLineEdit)
    editors["flag"].setChecked(True)
    editors["text"].setText("hi")
    panel.editor.setFocus()
    with qtbot.waitSignal(panel.test_form.finished, timeout=5000) as blocker:
        qtbot.keyClick(panel.editor, Key.Key_Return, QtCore.Qt.KeyboardModifier.ControlModifier)
    assert blocker.args[0].outputs == {"out": [1, 2.0, True, "hi"]}


def test_a_value_that_does_not_fit_its_port_is_reported_not_run(qtbot, panel):
    panel.show_spec("math.add")
    panel.inputs_table.type_combo(0).setCurrentText("List")
    panel.inputs_table.type_combo(0).setCurrentText("Json")
    panel.test_form.editors["a"].setText("{not json")
    result = run_test(qtbot, panel)
    assert isinstance(result, str) and "input 'a'" in result
    assert panel.test_form.result.toPlainText().startswith("Cannot test:")


def test_editor_highlights_with_pygments_and_indents(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_source('def func(a):\n    s = """one\ntwo"""\n    return a  # done\n')
    editor.highlighter.rehighlight()
    first = editor.document().findBlockByNumber(0).layout().formats()
    keyword = next(r for r in first if r.start == 0)
    assert keyword.length == 3 and keyword.format.fontWeight() == QtGui.QFont.Weight.Bold
    inside_string = editor.document().findBlockByNumber(2).layout().formats()
    assert inside_string and inside_string[0].start == 0 and inside_string[0].length == 6
    editor.moveCursor(QtGui.QTextCursor.MoveOperation.End)
    qtbot.keyClick(editor, Key.Key_Tab)
    assert editor.toPlainText().endswith("\n    ")


def test_opening_a_triple_quote_recolours_the_lines_below(qtbot):
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.set_source("def func(a):\n    x = 1\n    return a\n")
    below = editor.document().findBlockByNumber(2)
    before = [(r.start, r.length) for r in below.layout().formats()]
    cursor = QtGui.QTextCursor(editor.document().findBlockByNumber(1))
    cursor.insertText('    s = """')
    assert [(r.start, r.length) for r in below.layout().formats()] == [(0, len(below.text()))]
    editor.undo()
    assert [(r.start, r.length) for r in below.layout().formats()] == before


def test_ports_follow_the_signature_by_name_then_position():
    ports = [Port("a", "Int", 0, default="1"), Port("b", "Float", 1, default="2.5")]

    def follow(source):
        params = signature_params(source)
        return [(p.name, p.type, p.order, p.default) for p in follow_signature(ports, params)]

    assert follow("def func(a, b, c=3, d: bool = True): pass") == [
        ("a", "Int", 0, "1"),
        ("b", "Float", 1, "2.5"),
        ("c", "Int", 2, "3"),  # typed by its default
        ("d", "Boolean", 3, "true"),
    ]
    assert follow("def func(x, b): pass") == [("x", "Int", 0, "1"), ("b", "Float", 1, "2.5")]
    assert follow("def func(b): pass") == [("b", "Float", 0, "2.5")]
    assert follow("def func(b, a): pass") == [("b", "Float", 0, "2.5"), ("a", "Int", 1, "1")]
    assert signature_params("def func(a:") is None
    assert signature_params("def other(a): pass") is None


def test_the_test_form_takes_whole_numbers_of_any_size(qtbot, panel):
    panel.show_spec("math.add")
    panel.test_form.editors["a"].setText("1700000000000")
    panel.test_form.editors["b"].setText("-1")
    outcome = run_test(qtbot, panel)
    assert outcome.outputs == {"out": 1_699_999_999_999}


def test_the_test_form_starts_from_the_new_specs_defaults(qtbot, repo):
    repo.specs["math.mul"].inputs[1].default = "4"
    win = fresh_window(qtbot, repo)
    editor = win.panels.spec_editor
    editor.show_spec("math.add")
    editor.test_form.editors["a"].setText("99")
    editor.show_spec("math.mul")
    assert editor.test_form.editors["a"].text() == ""
    assert editor.test_form.editors["b"].text() == "4"
    editor.test_form.editors["b"].setText("8")
    editor.show_spec("math.mul")  # the same spec shown again keeps what was typed
    assert editor.test_form.editors["b"].text() == "8"
