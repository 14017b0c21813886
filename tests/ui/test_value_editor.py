"""Inline value editors: any whole number, full-precision floats, unset shown as unset."""

from __future__ import annotations

import pytest
from helpers import centre, click_scene, fresh_window, type_into
from PySide6 import QtCore, QtTest, QtWidgets

from pyflow_desktop.repository import NodeInstance, Port, load_repository, save_repository
from pyflow_desktop.ui.canvas.value_editor import ValueEditor

Checked = QtCore.Qt.CheckState


@pytest.fixture
def make_editor(qtbot):
    """A factory: ``make_editor(port_type, value, default=None)`` → (editor, sent values)."""
    view = QtWidgets.QGraphicsView()
    qtbot.addWidget(view)
    scene = QtWidgets.QGraphicsScene(view)
    view.setScene(scene)
    holder = scene.addRect(0, 0, 200, 40)

    def make(port_type: str, value, default=None):
        editor = ValueEditor(Port("x", port_type, default=default), value, holder)
        sent: list = []
        editor.on_edit = lambda port, new: sent.append(new)
        return editor, sent

    yield make


def finish(editor: ValueEditor, text: str | None = None) -> None:
    """Type ``text`` (``None``: just focus the field) and leave it."""
    if text is not None:
        editor.editor.setText(text)
    editor.editor.editingFinished.emit()


def test_an_int_beyond_32_bits_is_shown_and_kept(make_editor):
    editor, sent = make_editor("Int", "1700000000000")
    assert editor.editor.text() == "1700000000000"
    finish(editor)
    finish(editor, str(10**30))
    assert sent == [str(10**30)]


def test_a_file_with_a_huge_int_opens(qtbot, window, tmp_path):
    window.repo.flows["calc"].nodes["n1"].values["a"] = "1700000000000"
    save_repository(window.repo, tmp_path / "big.json", "native")
    assert window.files.open_path(str(tmp_path / "big.json"))
    assert (
        window.tabs.current()[0].flow_node("n1").item.editors["a"].editor.text() == "1700000000000"
    )


def test_int_editor_refuses_text_and_an_empty_field_clears(make_editor):
    editor, sent = make_editor("Int", "3")
    finish(editor, "abc")
    assert sent == [] and editor.editor.text() == "3"
    finish(editor, "-0012")
    finish(editor, "")
    assert sent == ["-12", None]


def test_float_keeps_full_precision_and_leaving_it_changes_nothing(make_editor):
    editor, sent = make_editor("Float", "0.123456")
    assert editor.editor.text() == "0.123456"
    finish(editor)
    finish(editor, "0.1234560")  # the same number
    assert sent == []
    finish(editor, "0.00001")
    finish(editor, "5e13")
    finish(editor, "1e")  # unfinished: the field goes back to the stored value
    assert sent == ["0.00001", "5e13"] and editor.editor.text() == "5e13"


def test_float_ten_stays_ten(make_editor):
    editor, sent = make_editor("Float", "10")
    finish(editor, "10.0")
    assert sent == [] and editor.editor.text() == "10.0"


def test_leaving_a_float_field_does_not_mark_the_document_modified(qtbot, window):
    flow = window.repo.flows["calc"]
    flow.nodes["n2"].values["b"] = "0.123456"
    canvas = window.tabs.open_flow("calc")
    field = canvas.flow_node("n2").item.editors["b"].editor
    field.setFocus()
    field.editingFinished.emit()
    assert flow.nodes["n2"].values["b"] == "0.123456" and window.undo_stack.isClean()


def test_unset_numbers_show_a_placeholder_and_store_nothing_on_focus_out(make_editor):
    editor, sent = make_editor("Int", None)
    assert editor.editor.text() == "" and editor.editor.placeholderText() == "—"
    finish(editor)
    assert sent == []
    with_default, _ = make_editor("Float", None, default=2.5)
    assert with_default.editor.text() == "" and with_default.editor.placeholderText() == "2.5"


def test_unset_boolean_is_partly_checked_and_a_click_sets_it(make_editor):
    editor, sent = make_editor("Boolean", None)
    box = editor.editor
    assert box.checkState() == Checked.PartiallyChecked
    for _ in range(3):
        box.click()  # what a mouse click does
    assert sent == ["true", "false", "true"]
    editor.show_value(None)  # an undo back to unset
    assert box.checkState() == Checked.PartiallyChecked and sent == ["true", "false", "true"]


def test_a_value_typed_then_clicked_away_from_is_committed(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "41")
    node = canvas.flow_node("n1").item
    click_scene(
        canvas, node.mapToScene(node.boundingRect().bottomRight()) + QtCore.QPointF(200, 200)
    )
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "41"
    assert win.undo_stack.canUndo()


def test_save_with_a_value_still_being_typed_saves_it(qtbot, repo, tmp_path):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    type_into(qtbot, canvas, "n1", "a", "41")
    assert win.files.save_to(tmp_path / "typed.json")
    assert load_repository(tmp_path / "typed.json").flows["calc"].nodes["n1"].values["a"] == "41"


def test_escape_gives_the_typing_up(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    field = type_into(qtbot, canvas, "n1", "a", "41")
    QtTest.QTest.keyClick(canvas.viewer().viewport(), QtCore.Qt.Key.Key_Escape)
    assert canvas.viewer().scene().focusItem() is None and field.text() == "2"
    assert win.repo.flows["calc"].nodes["n1"].values["a"] == "2" and not win.undo_stack.canUndo()


def test_a_boolean_on_the_canvas_toggles_with_a_click_without_a_widget(qtbot, repo):
    repo.flows["calc"].add_node(NodeInstance("n4", "logic.pick", x=0, y=250))
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    editor = canvas.flow_node("n4").item.editors["flag"]
    assert not editor.materialized
    canvas.set_view(centre(editor).x(), centre(editor).y(), 1.0)
    click_scene(canvas, centre(editor))
    assert win.repo.flows["calc"].nodes["n4"].values["flag"] == "true"
    click_scene(canvas, centre(editor))
    assert win.repo.flows["calc"].nodes["n4"].values["flag"] == "false"
    assert not editor.materialized  # painted only: no widget for a flow of many booleans
    win.undo_stack.undo()
    win.undo_stack.undo()
    assert win.repo.flows["calc"].nodes["n4"].values.get("flag") is None
