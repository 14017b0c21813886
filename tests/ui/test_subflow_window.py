"""Subflows in the window: group a selection, open it, edit its interface on the canvas and in
the dialog, ungroup, fork, add from the Library and the Tab search, delete with a question."""

from __future__ import annotations

from helpers import settle
from PySide6 import QtCore, QtWidgets

from pyflow_desktop.repository import Link, NodeInstance, NodeSpec, Port, load_repository
from pyflow_desktop.ui.canvas.boundary import INPUTS_ID, NEW_PORT, OUTPUTS_ID
from pyflow_desktop.ui.canvas.node_edits import SUBFLOW_KEY

Key = QtCore.Qt.Key


def chain(window):
    """The "calc" flow with a third node: n1 (add) → n2 (mul) → n3 (add), n3 the end."""
    flow = window.repo.flows["calc"]
    flow.set_end("n2", False)
    flow.add_node(NodeInstance("n3", "math.add", values={"b": "1"}, x=600, y=0, is_end=True))
    flow.add_link(Link("n2", "out", "n3", "a"))
    canvas = window.tabs.open_flow("calc")
    return flow, canvas


def mouse_link(qtbot, canvas, out_port, in_port) -> None:
    """Drag a link with the mouse from an output port to an input port."""
    canvas.frame_all()
    viewer = canvas.viewer()
    start = viewer.mapFromScene(out_port.view.sceneBoundingRect().center())
    end = viewer.mapFromScene(in_port.view.sceneBoundingRect().center())
    viewport = viewer.viewport()
    qtbot.mouseMove(viewport, start)
    qtbot.mousePress(viewport, QtCore.Qt.MouseButton.LeftButton, pos=start)
    for step in range(1, 6):
        qtbot.mouseMove(viewport, start + (end - start) * step / 5)
    qtbot.mouseRelease(viewport, QtCore.Qt.MouseButton.LeftButton, pos=end)


def select(canvas, *node_ids):
    canvas.clear_selection()
    for node_id in node_ids:
        canvas.flow_node(node_id).set_selected(True)


def test_group_replaces_the_selection_by_one_linked_node_and_computes_the_same(
    qtbot, window, run_and_wait, tmp_path
):
    flow, canvas = chain(window)
    assert run_and_wait(window)
    before = canvas.flow_node("n3").preview("out")
    select(canvas, "n1", "n2")
    qtbot.keyClick(canvas.viewer(), Key.Key_G, QtCore.Qt.KeyboardModifier.ControlModifier)
    (node_id,) = [i for i, n in flow.nodes.items() if n.subflow is not None]
    inner = window.repo.flows[flow.nodes[node_id].subflow]
    assert set(flow.nodes) == {node_id, "n3"}
    assert set(inner.nodes) == {"n1", "n2"}
    assert flow.link_into("n3", "a").source == node_id
    assert canvas.selected_ids() == [node_id]
    assert canvas.flow_node(node_id).item.name.startswith("⊞")
    assert run_and_wait(window)
    assert canvas.flow_node("n3").preview("out") == before == "51"
    window.undo_stack.undo()
    assert set(flow.nodes) == {"n1", "n2", "n3"} and inner.id not in window.repo.flows
    window.undo_stack.redo()
    assert window.files.save_to(tmp_path / "grouped.json")
    again = load_repository(tmp_path / "grouped.json")
    assert again.flows["calc"].nodes[node_id].subflow == inner.id


def test_double_click_or_enter_opens_the_subflow_with_a_breadcrumb_back(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    inner_id = flow.nodes[node_id].subflow
    select(canvas, node_id)
    canvas.viewer().setFocus()
    qtbot.keyClick(canvas.viewer(), Key.Key_Return)
    assert window.tabs.current()[1].flow.id == inner_id
    crumb = window.tabs.breadcrumbs[inner_id]
    assert crumb.isVisible() and crumb.trail_text() == f"Calculation › {flow.nodes[node_id].name}"
    crumb.linkActivated.emit("calc")
    assert window.tabs.current()[1].flow.id == "calc"
    window.tabs.close_flow(inner_id)
    canvas.node_double_clicked.emit(canvas.flow_node(node_id))
    assert window.tabs.current()[1].flow.id == inner_id


def test_the_subflow_tab_shows_its_interface_as_inputs_and_outputs_nodes(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    inner = window.repo.flows[flow.nodes[node_id].subflow]
    inner_canvas = window.tabs.open_subflow("calc", node_id)
    inputs, outputs = inner_canvas.flow_node(INPUTS_ID), inner_canvas.flow_node(OUTPUTS_ID)
    assert list(inputs.outputs()) == [NEW_PORT]  # n1's inputs have values, none is linked
    assert list(outputs.inputs()) == [*(p.name for p in inner.interface.outputs), NEW_PORT]
    # Wire n1's "a" from the + of Inputs: the interface gains an input "a" feeding it.
    mouse_link(
        qtbot, inner_canvas, inputs.outputs()[NEW_PORT], inner_canvas.flow_node("n1").inputs()["a"]
    )
    assert [p.name for p in inner.interface.inputs] == ["a"]
    assert [t.ref for t in inner.interface.inputs[0].to] == ["n1:a"]
    assert inner.interface.inputs[0].default == "2"  # the value n1:a had
    assert "a" in window.tabs.canvases["calc"][0].flow_node(node_id).inputs()
    assert list(inner_canvas.flow_node(INPUTS_ID).outputs()) == ["a", NEW_PORT]
    assert "a" in inner_canvas.flow_node("n1").item.connected  # fed: no inline editor
    window.undo_stack.undo()
    assert inner.interface.inputs == ()
    assert "a" not in window.tabs.canvases["calc"][0].flow_node(node_id).inputs()


def test_a_new_input_computes_from_the_value_given_outside(qtbot, window, run_and_wait):
    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    inner = window.repo.flows[flow.nodes[node_id].subflow]
    inner_canvas = window.tabs.open_subflow("calc", node_id)
    inputs = inner_canvas.flow_node(INPUTS_ID)
    inputs.outputs()[NEW_PORT].connect_to(inner_canvas.flow_node("n2").inputs()["b"])
    (port,) = inner.interface.inputs
    window.tabs.open_flow("calc")
    editor = canvas.flow_node(node_id).item.editors[port.name]
    editor.on_edit(port.name, "100")  # typed into the subflow node's inline field
    assert run_and_wait(window)
    assert canvas.flow_node("n3").preview("out") == "501"  # (2 + 3) * 100 + 1


def test_renaming_and_removing_ports_in_the_dialog_keeps_the_users_wired(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    inner = window.repo.flows[flow.nodes[node_id].subflow]
    old = inner.interface.outputs[0].name
    window.tabs.open_subflow("calc", node_id)
    dialog = window.subflows.edit_interface()
    dialog.outputs.item(0, 0).setText("product")
    dialog.outputs.cellWidget(0, 1).setCurrentText("Float")
    dialog.findChildren(QtWidgets.QDialogButtonBox)[0].button(
        QtWidgets.QDialogButtonBox.StandardButton.Ok
    ).click()
    assert [(p.name, p.type) for p in inner.interface.outputs] == [("product", "Float")]
    assert flow.link_into("n3", "a") == Link(node_id, "product", "n3", "a")
    window.undo_stack.undo()
    assert inner.interface.outputs[0].name == old
    assert flow.link_into("n3", "a") == Link(node_id, old, "n3", "a")


def test_the_dialog_refuses_two_ports_of_one_name(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n1")
    node_id = window.subflows.group()
    inner_canvas = window.tabs.open_subflow("calc", node_id)
    inner = window.tabs.current()[1].flow
    out = inner_canvas.flow_node(OUTPUTS_ID).inputs()[NEW_PORT]
    inner_canvas.flow_node("n1").outputs()["out"].connect_to(out)
    assert len(inner.interface.outputs) == 2
    dialog = window.subflows.edit_interface()
    dialog.outputs.item(1, 0).setText(dialog.outputs.item(0, 0).text())
    dialog._accept()
    assert dialog.problem.text().startswith("Two outputs are named")
    assert len({p.name for p in inner.interface.outputs}) == 2


def test_ungroup_inlines_the_subflow_and_computes_the_same(qtbot, window, run_and_wait):
    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    select(canvas, node_id)
    qtbot.keyClick(
        canvas.viewer(),
        Key.Key_G,
        QtCore.Qt.KeyboardModifier.ControlModifier | QtCore.Qt.KeyboardModifier.ShiftModifier,
    )
    assert set(flow.nodes) == {f"{node_id}/n1", f"{node_id}/n2", "n3"}
    assert run_and_wait(window)
    assert canvas.flow_node("n3").preview("out") == "51"
    window.undo_stack.undo()
    assert set(flow.nodes) == {node_id, "n3"}


def two_uses(window):
    """``chain`` with n1 grouped into a subflow, and a second use of that flow from the
    Library, feeding nothing yet: (flow, canvas, first use, second use, the used flow's id)."""
    flow, canvas = chain(window)
    select(canvas, "n1")
    first = window.subflows.group()
    used = flow.nodes[first].subflow
    window.tabs.add_spec_at_centre(SUBFLOW_KEY + used)
    second = next(i for i, n in flow.nodes.items() if n.subflow and i != first)
    return flow, canvas, first, second, used


def test_editing_the_definition_once_changes_every_use(qtbot, window, run_and_wait):
    flow, canvas, first, second, inner_id = two_uses(window)
    assert flow.nodes[second].subflow == inner_id
    settle(qtbot)  # the canvas has looked at its new node (a plan with subflows is not kept)
    window.repo.flows[inner_id].set_value("n1", "b", "30")  # 2 + 30 in the one definition
    assert run_and_wait(window)
    out = window.repo.flows[inner_id].interface.outputs[0].name
    assert canvas.flow_node(first).preview(out) == canvas.flow_node(second).preview(out) == "32"


def test_make_local_copy_forks_the_definition_for_one_node(qtbot, window):
    flow, _canvas, first, second, shared = two_uses(window)
    window.subflows.make_local_copy(second)
    forked = flow.nodes[second].subflow
    assert forked != shared and flow.nodes[first].subflow == shared
    window.repo.flows[forked].set_value("n1", "b", "7")
    assert window.repo.flows[shared].nodes["n1"].values["b"] == "3"
    window.undo_stack.undo()
    assert flow.nodes[second].subflow == shared and forked not in window.repo.flows


def test_library_and_tab_search_list_the_subflows(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    inner_id = flow.nodes[node_id].subflow
    model = window.library.specs
    folder = model.findItems("Subflows", QtCore.Qt.MatchFlag.MatchRecursive)[0]
    keys = [
        folder.child(row).data(QtCore.Qt.ItemDataRole.UserRole + 1)
        for row in range(folder.rowCount())
    ]
    assert keys == [SUBFLOW_KEY + inner_id]
    box = window.tabs.search_spec(QtCore.QPointF(0, 900))
    qtbot.keyClicks(box.field, "subflow")
    assert box.offered() == [SUBFLOW_KEY + inner_id]
    qtbot.keyClick(box.field, Key.Key_Return)
    users = [n for n in flow.nodes.values() if n.subflow == inner_id]
    assert len(users) == 2 and users[1].y == 900


def test_a_subflow_cannot_be_placed_inside_itself(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n1")
    node_id = window.subflows.group()
    inner_id = flow.nodes[node_id].subflow
    window.tabs.open_subflow("calc", node_id)
    messages = []
    window.tabs.current()[1].message.connect(messages.append)
    window.tabs.add_spec_at_centre(SUBFLOW_KEY + inner_id)
    assert len(window.repo.flows[inner_id].nodes) == 1
    assert "cannot use itself" in messages[0]


def test_deleting_a_used_flow_asks_first_and_names_its_users(qtbot, window, monkeypatch):
    flow, canvas = chain(window)
    select(canvas, "n1")
    node_id = window.subflows.group()
    inner_id = flow.nodes[node_id].subflow
    asked = []

    def answer(parent, title, text, *args):
        asked.append(text)
        return QtWidgets.QMessageBox.StandardButton.No

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", answer)
    assert not window.tabs.delete_flow(inner_id)
    assert inner_id in window.repo.flows and "Calculation" in asked[0]
    monkeypatch.setattr(
        QtWidgets.QMessageBox, "question", lambda *a: QtWidgets.QMessageBox.StandardButton.Yes
    )
    assert window.tabs.delete_flow(inner_id)
    assert inner_id not in window.repo.flows
    assert "missing flow" in canvas.flow_node(node_id).item.name
    window.undo_stack.undo()
    assert "missing" not in canvas.flow_node(node_id).item.name


def test_copy_and_paste_a_subflow_node_into_another_file(qtbot, window, repo_file):
    from pyflow_desktop.ui.window.main_window import MainWindow

    flow, canvas = chain(window)
    select(canvas, "n1", "n2")
    node_id = window.subflows.group()
    inner_id = flow.nodes[node_id].subflow
    select(canvas, node_id)
    window.edits.copy()
    other = MainWindow(ask_on_close=False)
    qtbot.addWidget(other)
    fresh = load_repository(repo_file)
    other.set_repository(fresh, None)
    other.tabs.open_flow("broken")
    other.edits.paste()
    pasted = [n for n in fresh.flows["broken"].nodes.values() if n.subflow]
    assert [n.subflow for n in pasted] == [inner_id]
    assert set(fresh.flows[inner_id].nodes) == {"n1", "n2"}


def test_unwiring_an_output_removes_it_and_a_link_into_a_fed_port_takes_its_place(qtbot, window):
    flow, canvas = chain(window)
    select(canvas, "n2")
    node_id = window.subflows.group()
    inner = window.repo.flows[flow.nodes[node_id].subflow]
    (feed,) = inner.interface.inputs  # n1 → n2:a crossed the border
    inner_canvas = window.tabs.open_subflow("calc", node_id)
    # A second output, from the + of Outputs, then unwired again: it goes, with its users.
    n2_out = inner_canvas.flow_node("n2").outputs()["out"]
    n2_out.connect_to(inner_canvas.flow_node(OUTPUTS_ID).inputs()[NEW_PORT])
    second = inner.interface.outputs[1].name
    assert second in canvas.flow_node(node_id).outputs()
    n2_out.disconnect_from(inner_canvas.flow_node(OUTPUTS_ID).inputs()[second])
    assert [p.name for p in inner.interface.outputs] == [inner.interface.outputs[0].name]
    # A spec node's output linked into n2:a, which the interface input fed: the link wins.
    window.tabs.add_spec_at_centre("math.add")
    (added,) = [i for i in inner.nodes if i != "n2"]
    inner.move_node(added, -300, 300)
    mouse_link(
        qtbot,
        inner_canvas,
        inner_canvas.flow_node(added).outputs()["out"],
        inner_canvas.flow_node("n2").inputs()["a"],
    )
    assert inner.link_into("n2", "a").source == added
    assert inner.interface.input(feed.name).to == ()
    window.undo_stack.undo()
    assert inner.link_into("n2", "a") is None
    assert [t.ref for t in inner.interface.input(feed.name).to] == ["n2:a"]


def test_a_running_subflow_node_counts_its_inner_nodes_and_the_inspector_lists_them(qtbot, window):
    flow, canvas = chain(window)
    window.repo.add_spec(
        NodeSpec(
            "slow.add",
            "Slow add",
            [Port("a", "Int", 0), Port("b", "Int", 1)],
            [Port("out", "Int")],
            "import time\n\ndef func(a, b):\n    time.sleep(1.5)\n    return a + b\n",
        )
    )
    flow.add_node(NodeInstance("n4", "slow.add", values={"b": "2"}, x=300, y=200))
    flow.add_link(Link("n1", "out", "n4", "a"))
    flow.add_link(Link("n4", "out", "n3", "b"))
    select(canvas, "n1", "n4")
    node_id = window.subflows.group()
    select(canvas, node_id)
    window.tabs.selection_changed.emit("calc", [node_id])
    inspector = window.panels.inspector
    assert inspector.inside.isVisible() and inspector.inside.rowCount() == 2
    assert inspector.inside.item(0, 1).text() == "pending"
    footer = canvas.flow_node(node_id).status_text
    with qtbot.waitSignal(window.runs.run_done, timeout=20_000):
        assert window.runs.run_current("all")
        qtbot.waitUntil(lambda: "1 of 2 inside" in footer(), timeout=10_000)
        assert [inspector.inside.item(r, 1).text() for r in (0, 1)] == ["success", "running"]
    assert footer().startswith("success") and footer().endswith("2 inside")
    assert [inspector.inside.item(r, 1).text() for r in (0, 1)] == ["success", "success"]
    assert inspector.inside.item(1, 0).text() == f"{node_id}/n4"
