"""The authoring panels inside the real window: select a node, edit its spec, see the canvas
follow; open viewers from the canvas and the inspector; they follow re-runs and close with
their flow."""

from __future__ import annotations

from helpers import library_index, select
from PySide6 import QtCore

from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port

Key = QtCore.Qt.Key



def test_selecting_a_node_shows_it_and_its_spec_and_saving_the_spec_redraws_it(
    qtbot, window, run_and_wait
):
    original = window.repo.specs["math.add"].func
    canvas = window.tabs.open_flow("calc")
    panels = window.panels
    select(qtbot, canvas, "n1")
    qtbot.waitUntil(lambda: panels.spec_editor.spec_id == "math.add", timeout=3000)
    assert panels.inspector.node_id == "n1"
    assert list(canvas.flow_node("n1").inputs()) == ["a", "b"]

    editor = panels.spec_editor.editor
    editor.selectAll()
    qtbot.keyClick(editor, Key.Key_Delete)
    qtbot.keyClicks(editor, "def func(a, b, c):")
    qtbot.keyClick(editor, Key.Key_Return)
    qtbot.keyClicks(editor, "return a + b + (c or 0)")
    qtbot.waitUntil(
        lambda: [p.name for p in panels.spec_editor.inputs_table.ports()] == ["a", "b", "c"],
        timeout=3000,
    )
    panels.spec_editor.inputs_table.type_combo(2).setCurrentText("Int")
    assert panels.spec_editor.save()
    assert list(canvas.flow_node("n1").inputs()) == ["a", "b", "c"], "the canvas followed"
    bridge = window.tabs.current()[1]
    bridge.set_value("n1", "c", "100")
    assert run_and_wait(window)
    assert canvas.flow_node("n1").preview("out") == "105"
    assert window.repo.flows["calc"].link_into("n2", "a") is not None

    window.undo_stack.undo()  # the value
    window.undo_stack.undo()  # the spec
    assert list(canvas.flow_node("n1").inputs()) == ["a", "b"]
    assert window.repo.specs["math.add"].func == original


def test_library_selection_shows_the_spec_in_the_code_panel(qtbot, window):
    window.library.tree.setCurrentIndex(library_index(window, "text.join"))
    assert window.panels.spec_editor.spec_id == "text.join"
    assert "f'{a}{b}'" in window.panels.spec_editor.editor.toPlainText()


def test_viewers_open_from_the_canvas_follow_reruns_and_close_with_the_flow(
    qtbot, window, run_and_wait
):
    window.repo.add_spec(
        NodeSpec(
            "seq.ramp",
            "Ramp",
            [Port("n", "Int", 0)],
            [Port("out", "FloatArray")],
            "def func(n):\n    return [i * 0.5 for i in range(n)]\n",
        )
    )
    window.repo.add_spec(
        NodeSpec(
            "seq.count",
            "Count",
            [Port("n", "Int", 0)],
            [Port("out", "Int")],
            "import time\ndef func(n):\n    for i in range(n):\n"
            "        time.sleep(0.02)\n        yield i\n",
        )
    )
    flow = Flow("plots")
    flow.add_node(NodeInstance("ramp", "seq.ramp", values={"n": "8"}))
    flow.add_node(NodeInstance("count", "seq.count", values={"n": "10"}, y=200))
    flow.add_node(NodeInstance("sum", "math.add", values={"b": "1"}, x=300, y=200))
    flow.add_link(Link("count", "out", "sum", "a"))
    window.repo.add_flow(flow)
    canvas = window.tabs.open_flow("plots")
    assert run_and_wait(window)

    label = canvas.flow_node("ramp").item.previews["out"]
    label.on_activate()  # what double-clicking the preview does
    ramp_view = window.panels.viewers.viewers[("plots", "ramp", "out")]
    assert ramp_view.kind == "plot"
    assert list(ramp_view.viewer.curve.getData()[1]) == [i * 0.5 for i in range(8)]

    select(qtbot, canvas, "count")
    qtbot.waitUntil(lambda: window.panels.inspector.node_id == "count", timeout=3000)
    window.panels.inspector.open_viewer.emit("count", "out")
    count_view = window.panels.viewers.viewers[("plots", "count", "out")]
    window.tabs.current()[1].set_value("count", "n", "25")
    sizes = []
    with qtbot.waitSignal(window.runs.run_done, timeout=20_000):
        assert window.runs.run_current()
        qtbot.waitUntil(
            lambda: (
                count_view.kind == "plot"
                and sizes.append(count_view.viewer.point_count())
                or len(set(sizes)) >= 3
            ),
            timeout=10_000,
        )
    assert sizes == sorted(sizes), "the streamed plot grew point by point"
    assert list(count_view.viewer.curve.getData()[1]) == list(range(25))

    window.tabs.close_flow("plots")
    assert not any(key[0] == "plots" for key in window.panels.viewers.viewers)


def test_a_watched_node_runs_before_the_others(qtbot, window, run_and_wait):
    from pyflow_desktop.engine import NodeStarted
    from pyflow_desktop.ui.run.settings import RunSettings

    flow = Flow("many")
    for index in range(4):
        flow.add_node(NodeInstance(f"x{index}", "math.add", values={"a": "1", "b": "1"}))
    flow.add_node(NodeInstance("w0", "math.add", values={"a": "1", "b": "1"}))
    flow.add_node(NodeInstance("watched", "math.add", values={"b": "1"}, x=300))
    flow.add_link(Link("w0", "out", "watched", "a"))
    window.repo.add_flow(flow)
    window.tabs.open_flow("many")
    window.panels.viewers.open_viewer("watched", "out", "many")
    window.runs.runner.settings = RunSettings(workers=1, cache=False)
    started = []
    window.runs.runner.batch_ready.connect(
        lambda events: started.extend(e.node for e in events if isinstance(e, NodeStarted))
    )
    assert run_and_wait(window)
    assert started[:2] == ["w0", "watched"]
    assert window.panels.viewers.viewers[("many", "watched", "out")].value == 3


def test_unsaved_code_edits_are_asked_about_not_lost(qtbot, window, monkeypatch):
    from PySide6 import QtWidgets

    button = QtWidgets.QMessageBox.StandardButton
    editor = window.panels.spec_editor
    editor.show_spec("math.add")
    editor.editor.setPlainText("def func(a, b):\n    return a - b\n")
    asked, answers = [], []

    def question(parent, title, text, buttons):
        asked.append(title)
        return answers.pop(0)

    monkeypatch.setattr(QtWidgets.QMessageBox, "question", question)
    answers[:] = [button.Cancel]
    window.panels._spec_selected("text.join")  # another spec picked in the Library
    assert asked == ["Unsaved code"]
    assert editor.spec_id == "math.add" and "a - b" in editor.editor.toPlainText()

    window.ask_on_close = True
    answers[:] = [button.Save, button.Discard]  # save the code; then leave the file unsaved
    assert window.files.maybe_save()
    assert asked == ["Unsaved code", "Unsaved code", "Unsaved changes"]
    assert window.repo.specs["math.add"].func == "def func(a, b):\n    return a - b\n"
    window.ask_on_close = False


def test_defaults_in_the_signature_give_typed_ports(qtbot, window, run_and_wait):
    panels = window.panels
    assert panels.spec_editor.new_spec("demo.scale", "Scale")
    panels.spec_editor.editor.setPlainText("def func(x=3, factor=2.5):\n    return x * factor\n")
    panels.spec_editor.editor.check_now()
    assert [(p.name, p.type, p.default) for p in panels.spec_editor.inputs_table.ports()] == [
        ("x", "Int", "3"),
        ("factor", "Float", "2.5"),
    ]
    assert panels.spec_editor.save()
    flow = Flow("scaled")
    flow.add_node(NodeInstance("s", "demo.scale"))
    window.repo.add_flow(flow)
    window.tabs.open_flow("scaled")
    assert run_and_wait(window)
    assert window.tabs.current()[0].flow_node("s").preview("out") == "7.5"
