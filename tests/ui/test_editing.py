"""Building a flow the way a user does: drop specs, connect ports (a converted link drawn
dashed, one without a conversion refused), type values, undo, save."""

from __future__ import annotations

from helpers import fresh_window
from PySide6 import QtCore, QtGui

from pyflow_desktop.repository import Link
from pyflow_desktop.ui.canvas.ngqt import PIPE_DASHED, PIPE_SOLID
from pyflow_desktop.ui.canvas.spec_search import SpecSearchBox
from pyflow_desktop.ui.window.main_window import MainWindow


def drop_spec(win, canvas, spec_id: str, x: float, y: float) -> str:
    """Drag ``spec_id`` from the Library and drop it on the canvas at (x, y)."""
    model = win.library.specs
    index = next(
        model.indexFromItem(item)
        for item in _leaves(model)
        if item.data(QtCore.Qt.ItemDataRole.UserRole + 1) == spec_id
    )
    mime = model.mimeData([index])
    before = set(canvas.model.nodes)
    canvas.viewer().data_dropped.emit(mime, QtCore.QPoint(int(x), int(y)))
    (new_id,) = set(canvas.model.nodes) - before
    return new_id


def _leaves(model):
    stack = [model.invisibleRootItem()]
    while stack:
        item = stack.pop()
        for row in range(item.rowCount()):
            child = item.child(row)
            stack.append(child)
            yield child


def drag_link(canvas, source: str, source_port: str, target: str, target_port: str) -> None:
    """What the viewer reports when the user drags a pipe from an output to an input."""
    out_view = canvas.flow_node(source).outputs()[source_port].view
    in_view = canvas.flow_node(target).inputs()[target_port].view
    disconnected = [(in_view, p) for p in in_view.connected_ports]
    canvas.viewer().connection_changed.emit(disconnected, [(out_view, in_view)])


def type_value(canvas, node_id: str, port: str, text: str) -> None:
    editor = canvas.flow_node(node_id).item.editors[port].editor
    if hasattr(editor, "setText"):
        editor.setText(text)
    else:
        editor.setValue(type(editor.value())(text))
    editor.editingFinished.emit()


def test_build_run_undo_save_reopen(qtbot, window, run_and_wait, tmp_path):
    window.tabs.new_flow()
    canvas, bridge = window.tabs.current()
    flow = bridge.flow
    first = drop_spec(window, canvas, "math.add", 0, 0)
    second = drop_spec(window, canvas, "math.mul", 320, 40)
    assert flow.nodes[second].x == 320 and canvas.flow_node(second).pos() == [320.0, 40.0]
    type_value(canvas, first, "a", "4")
    type_value(canvas, first, "b", "5")
    type_value(canvas, second, "b", "2.5")
    drag_link(canvas, first, "out", second, "a")
    assert flow.link_into(second, "a") == Link(first, "out", second, "a")
    assert not canvas.flow_node(second).item.editors["a"].isVisible()

    assert run_and_wait(window)
    assert canvas.flow_node(second).status_text().startswith("success")
    assert canvas.flow_node(second).preview("out") == "22.5"
    assert canvas.flow_node(first).preview("out") == "9"
    assert window.runs.progress.value() == 2

    window.undo_stack.undo()  # the link
    assert flow.link_into(second, "a") is None
    assert canvas.flow_node(second).inputs()["a"].connected_ports() == []
    assert canvas.flow_node(second).item.editors["a"].isVisible()
    window.undo_stack.undo()  # value b of the multiply
    assert "b" not in flow.nodes[second].values
    window.undo_stack.redo()
    window.undo_stack.redo()
    assert flow.link_into(second, "a") is not None
    assert flow.nodes[second].values["b"] == "2.5"
    assert window.isWindowModified()

    path = tmp_path / "built.json"
    assert window.files.save_to(path)
    assert not window.isWindowModified()
    reopened = MainWindow(ask_on_close=False)
    qtbot.addWidget(reopened)
    reopened.files.load(path)
    reopened.trust.trust(reopened.repo.specs.values())  # the user trusts the file they saved
    again = reopened.repo.flows[flow.id]
    assert {n.id: (n.spec_id, n.values, n.x, n.y) for n in again.nodes.values()} == {
        n.id: (n.spec_id, n.values, n.x, n.y) for n in flow.nodes.values()
    }
    assert again.links == flow.links
    reopened.tabs.open_flow(flow.id)
    assert run_and_wait(reopened)
    assert reopened.tabs.current()[0].flow_node(second).preview("out") == "22.5"


def test_second_link_into_an_input_replaces_the_first(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    flow = window.repo.flows["calc"]
    other = drop_spec(window, canvas, "math.add", 0, 200)
    drag_link(canvas, other, "out", "n2", "a")
    assert flow.link_into("n2", "a").source == other
    assert [p.node().id for p in canvas.flow_node("n2").inputs()["a"].connected_ports()] == [other]
    window.undo_stack.undo()
    assert flow.link_into("n2", "a").source == "n1"
    assert [p.node().id for p in canvas.flow_node("n2").inputs()["a"].connected_ports()] == ["n1"]


def test_disconnect_move_delete_and_paste_are_undoable(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    flow = window.repo.flows["calc"]
    in_view = canvas.flow_node("n2").inputs()["a"].view
    out_view = canvas.flow_node("n1").outputs()["out"].view
    canvas.viewer().connection_changed.emit([(in_view, out_view)], [])
    assert flow.links == []
    window.undo_stack.undo()
    assert len(flow.links) == 1

    item = canvas.flow_node("n1").view
    item.xy_pos = [50.0, 60.0]
    canvas.viewer().moved_nodes.emit({item: [0.0, 0.0]})
    assert (flow.nodes["n1"].x, flow.nodes["n1"].y) == (50.0, 60.0)
    window.undo_stack.undo()
    assert (flow.nodes["n1"].x, flow.nodes["n1"].y) == (0.0, 0.0)
    assert canvas.flow_node("n1").pos() == [0.0, 0.0]

    canvas.flow_node("n1").set_selected(True)
    canvas.flow_node("n2").set_selected(True)
    window.edits.copy()
    window.edits.paste()
    assert len(flow.nodes) == 4 and len(flow.links) == 2
    window.undo_stack.undo()  # the pasted nodes were the selection: none is now
    assert canvas.selected_ids() == []
    canvas.flow_node("n1").set_selected(True)
    canvas.flow_node("n2").set_selected(True)
    window.edits.delete_selected()
    assert flow.nodes == {} and canvas.flow_nodes() == []
    window.undo_stack.undo()
    assert set(flow.nodes) == {"n1", "n2"} and len(flow.links) == 1
    assert canvas.flow_node("n2").inputs()["a"].connected_ports()


def test_typed_inline_editors(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    _, bridge = window.tabs.current()
    node_id = bridge.create_node("logic.pick", 0, 300)
    editor = canvas.flow_node(node_id).item.editors["flag"].editor
    editor.setChecked(True)
    assert window.repo.flows["calc"].nodes[node_id].values["flag"] == "true"
    join = bridge.create_node("text.join", 0, 400)
    type_value(canvas, join, "a", "abc")
    assert window.repo.flows["calc"].nodes[join].values["a"] == "abc"
    type_value(canvas, join, "a", "")
    assert "a" not in window.repo.flows["calc"].nodes[join].values
    assert canvas.flow_node("n1").item.editors["a"].editor.validator() is not None
    float_editor = canvas.flow_node("n2").item.editors["b"].editor
    assert isinstance(float_editor.validator(), QtGui.QRegularExpressionValidator)
    assert float_editor.text() == "10"


def test_failed_node_and_skip_are_shown(qtbot, window, run_and_wait):
    canvas = window.tabs.open_flow("broken")
    assert not run_and_wait(window)
    assert canvas.flow_node("f1").status_text().startswith("fail")
    assert "boom" in canvas.flow_node("f1").status_text()
    # Messages name nodes as the user knows them (here the spec's title), the id in the tip.
    assert canvas.flow_node("f2").status_text() == "skip · 'Fail' failed"
    assert "'Fail' (f1)" in canvas.flow_node("f2").view.toolTip()
    assert "boom" in window.log.toPlainText()
    assert "Add: skipped — 'Fail' failed" in window.log.toPlainText()


def test_end_node_mark_and_run_to_selected(qtbot, window, run_and_wait):
    canvas = window.tabs.open_flow("calc")
    canvas.flow_node("n1").set_selected(True)
    assert run_and_wait(window, canvas.selected_ids())
    assert canvas.flow_node("n1").status_text().startswith("success")
    assert canvas.flow_node("n2").status_text() == ""
    window.edits.toggle_end()
    assert window.repo.flows["calc"].nodes["n1"].is_end
    assert canvas.flow_node("n1").name().startswith("■")
    window.undo_stack.undo()
    assert not window.repo.flows["calc"].nodes["n1"].is_end


def test_library_filter_tab_search_and_flow_actions(qtbot, window):
    window.library.filter.setText("multi")
    proxy = window.library.proxy
    left = [proxy.index(row, 0) for row in range(proxy.rowCount())]  # the sections left
    assert [index.data() for index in left] == ["In this file", "Built-in"]
    assert [proxy.index(0, 0, index).data() for index in left] == ["math", "math"]
    canvas = window.tabs.open_flow("calc")
    _, bridge = window.tabs.current()
    canvas.search_requested.emit(QtCore.QPointF(10, 500))
    (box,) = window.findChildren(SpecSearchBox)
    qtbot.keyClicks(box.field, "Multiply")
    qtbot.keyClick(box.field, QtCore.Qt.Key.Key_Return)
    assert [n.spec_id for n in bridge.flow.nodes.values()].count("math.mul") == 2
    window.tabs.new_flow()
    assert "flow_3" in window.repo.flows and "flow_3" in window.tabs.canvases
    window.tabs.delete_flow("flow_3")
    assert "flow_3" not in window.tabs.canvases
    window.undo_stack.undo()
    assert "flow_3" in window.repo.flows


def test_nodegraphqt_port_api_edits_reach_the_model(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    flow = window.repo.flows["calc"]
    other = drop_spec(window, canvas, "math.add", 0, 200)
    out_port = canvas.flow_node(other).outputs()["out"]
    out_port.connect_to(canvas.flow_node("n2").inputs()["b"])
    assert flow.link_into("n2", "b") == Link(other, "out", "n2", "b")
    assert not canvas.flow_node("n2").item.editors["b"].isVisible()
    window.undo_stack.undo()
    assert flow.link_into("n2", "b") is None
    assert canvas.flow_node("n2").inputs()["b"].connected_ports() == []
    canvas.flow_node("n1").outputs()["out"].disconnect_from(canvas.flow_node("n2").inputs()["a"])
    assert flow.links == []
    canvas.delete_nodes([canvas.flow_node(other)])
    assert other not in flow.nodes
    window.undo_stack.undo()
    assert other in flow.nodes and canvas.flow_node(other) is not None


def test_a_link_between_types_without_a_conversion_is_refused_with_a_message(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    flow = window.repo.flows["calc"]
    pick = drop_spec(window, canvas, "logic.pick", 0, 200)
    drag_link(canvas, "n2", "out", pick, "flag")  # Float into Boolean: no conversion, refused
    assert flow.link_into(pick, "flag") is None
    assert canvas.flow_node(pick).inputs()["flag"].connected_ports() == []
    assert "Float" in window.statusBar().currentMessage()
    assert "Boolean" in window.log.toPlainText().splitlines()[-1]
    joiner = drop_spec(window, canvas, "text.join", 0, 400)
    drag_link(canvas, "n1", "out", joiner, "a")  # Int into String: converted, so accepted
    assert flow.link_into(joiner, "a").source == "n1"
    drag_link(canvas, joiner, "out", "n2", "a")  # String into Float: converted, replaces
    assert flow.link_into("n2", "a").source == joiner
    adder = drop_spec(window, canvas, "math.add", 0, 600)
    drag_link(canvas, adder, "out", "n2", "b")  # Int into Float: allowed
    assert flow.link_into("n2", "b").source == adder


def test_paste_into_another_repository_brings_the_specs_along(qtbot, window):
    from pyflow_desktop.repository import Repository

    canvas = window.tabs.open_flow("calc")
    canvas.flow_node("n1").set_selected(True)
    canvas.flow_node("n2").set_selected(True)
    window.edits.copy()
    window.set_repository(Repository(), None)
    window.tabs.new_flow()
    window.edits.paste()
    canvas, bridge = window.tabs.current()
    assert {"math.add", "math.mul"} <= set(window.repo.specs)
    assert len(bridge.flow.nodes) == 2 and len(bridge.flow.links) == 1
    assert all(list(node.inputs()) for node in canvas.flow_nodes()), "real ports, not unknown"
    assert "math.add" in window.statusBar().currentMessage()
    window.undo_stack.undo()
    assert not bridge.flow.nodes and "math.add" not in window.repo.specs


def _pipe(canvas, target: str, port: str):
    (pipe,) = canvas.flow_node(target).inputs()[port].view.connected_pipes
    return pipe


def test_converted_links_are_dashed_and_links_without_a_conversion_refused(qtbot, repo):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    bridge = win.tabs.current()[1]
    assert _pipe(canvas, "n2", "a").style == PIPE_DASHED  # Int into Float: converted
    join = bridge.create_node("text.join", 600, 0)
    bridge.connect_ports("n1", "out", join, "a")  # Int into String: converted on the way
    assert bridge.flow.link_into(join, "a") is not None
    assert _pipe(canvas, join, "a").style == PIPE_DASHED
    assert "Int → String: converted" in _pipe(canvas, join, "a").toolTip()
    second = bridge.create_node("text.join", 900, 0)
    bridge.connect_ports(join, "out", second, "b")  # String into String: as it is
    assert _pipe(canvas, second, "b").style == PIPE_SOLID
    pick = bridge.create_node("logic.pick", 600, 300)
    bridge.connect_ports("n2", "out", pick, "flag")  # Float into Boolean: no conversion
    assert bridge.flow.link_into(pick, "flag") is None
    assert "no conversion from Float to Boolean" in win.statusBar().currentMessage()
    while bridge.flow.link_into(join, "a") is not None:  # undo back to before that link
        win.undo_stack.undo()
    win.undo_stack.redo()  # and it comes back drawn dashed
    assert _pipe(canvas, join, "a").style == PIPE_DASHED
