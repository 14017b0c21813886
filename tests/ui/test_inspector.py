"""The inspector on a real run: inputs, outputs, status, errors, captured output, edits."""

from __future__ import annotations

import pytest
from PySide6 import QtCore

from pyflow_desktop.engine import NodeOutput, NodeStarted, RunStates, run_flow
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port, Repository
from pyflow_desktop.ui.results.inspector import InspectorPanel
from pyflow_desktop.ui.results.viewers import PREVIEW_CHARS


def inspected_repository() -> Repository:
    """Flow ``calc``: n1 = 2 + 3 prints its sum, feeds n2 = n1 * 10; n3 fails, n4 is skipped."""
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "math.add",
            "Add",
            [Port("a", "Int", 0), Port("b", "Int", 1)],
            [Port("out", "Int")],
            "def func(a, b):\n    print('sum', a + b)\n    return a + b\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "math.mul",
            "Multiply",
            [Port("a", "Float", 0), Port("b", "Float", 1, default="2")],
            [Port("out", "Float")],
            "def func(a, b):\n    return a * b\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "debug.fail",
            "Fail",
            [Port("x", "Int", 0)],
            [Port("out", "Int")],
            "import sys\n\ndef func(x):\n    print('about to fail', file=sys.stderr)\n"
            "    raise ValueError('boom')\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "big.list",
            "Big",
            [],
            [Port("out", "List")],
            "def func():\n    return list(range(100000))\n",
        )
    )
    flow = Flow("calc", "Calculation")
    flow.add_node(NodeInstance("n1", "math.add", "first", values={"a": "2", "b": "3"}))
    flow.add_node(NodeInstance("n2", "math.mul", "times ten", values={"b": "10"}))
    flow.add_node(NodeInstance("n3", "debug.fail", values={"x": "1"}))
    flow.add_node(NodeInstance("n4", "math.add", values={"b": "1"}))
    flow.add_node(NodeInstance("n5", "big.list"))
    flow.add_link(Link("n1", "out", "n2", "a"))
    flow.add_link(Link("n3", "out", "n4", "a"))
    repo.add_flow(flow)
    return repo


@pytest.fixture(scope="module")
def ran():
    repo = inspected_repository()
    events = []
    result = run_flow(repo, "calc", on_event=events.append)
    assert not result.ok
    return repo, events


@pytest.fixture
def inspector(qtbot, ran):
    repo, events = ran
    edits = []

    def on_edit(flow, node_id, port, value):
        edits.append((node_id, port, value))
        flow.set_value(node_id, port, value)

    panel = InspectorPanel(RunStates(repo, later), on_edit)
    panel.edits = edits
    qtbot.addWidget(panel)
    panel.resize(500, 700)
    panel.show()
    state = panel.run_states.of(repo.flows["calc"])
    state.begin(repo.flows["calc"].nodes)
    state.apply(events)
    return panel


def later(call):
    """As the window runs a run state's staleness check: once the event loop is free."""
    QtCore.QTimer.singleShot(0, call)


def cells(table, column):
    return [table.item(row, column).text() for row in range(table.rowCount())]


def show(panel, repo, node_id):
    flow = repo.flows["calc"]
    panel.show_node(flow, node_id, repo.specs[flow.nodes[node_id].spec_id])


def test_shows_a_finished_nodes_inputs_outputs_and_time(inspector, ran):
    repo, _ = ran
    show(inspector, repo, "n2")
    assert "times ten" in inspector.title.text() and "math.mul" in inspector.title.text()
    assert cells(inspector.inputs, 0) == ["a", "b"]
    assert cells(inspector.inputs, 2) == ["← n1:out", "10"]
    assert cells(inspector.outputs, 2) == ["50.0"]
    assert "success" in inspector.status.text() and " ms" in inspector.status.text()
    assert inspector.value_text.toPlainText() == "50.0"


def test_shows_captured_output(inspector, ran):
    repo, _ = ran
    show(inspector, repo, "n1")
    assert inspector.stdout_text.toPlainText() == "sum 5\n"
    assert cells(inspector.outputs, 2) == ["5"]


def test_shows_an_error_with_its_traceback_and_a_skip_reason(inspector, ran):
    repo, _ = ran
    show(inspector, repo, "n3")
    error = inspector.error_text.toPlainText()
    assert "fail" in inspector.status.text()
    assert error.startswith("ValueError: boom") and "Traceback" in error and "line 5" in error
    assert inspector.stderr_text.toPlainText() == "about to fail\n"
    assert inspector.details.currentWidget() is inspector.error_text
    show(inspector, repo, "n4")
    assert "skip" in inspector.status.text() and "n3" in inspector.error_text.toPlainText()


def test_a_huge_value_is_previewed_short_and_shown_cut(inspector, ran):
    repo, _ = ran
    show(inspector, repo, "n5")
    assert len(cells(inspector.outputs, 2)[0]) <= PREVIEW_CHARS
    full = inspector.value_text.toPlainText()
    assert "more characters not shown" in full and full.startswith("[\n  0,\n  1,")


def test_editing_a_manual_value_goes_through_the_callback(qtbot, inspector, ran):
    repo = inspected_repository()
    show(inspector, repo, "n2")
    inspector.inputs.item(1, 2).setText("7")
    qtbot.waitUntil(lambda: inspector.edits == [("n2", "b", "7")], timeout=2000)
    assert repo.flows["calc"].nodes["n2"].values["b"] == "7"
    repo.flows["calc"].set_value("n2", "b", "8")  # an undo elsewhere: the table follows
    assert cells(inspector.inputs, 2) == ["← n1:out", "8"]
    assert not inspector.inputs.item(0, 2).flags() & QtCore.Qt.ItemFlag.ItemIsEditable


def test_double_clicking_an_output_asks_for_a_viewer(qtbot, inspector, ran):
    repo, _ = ran
    show(inspector, repo, "n2")
    centre = inspector.outputs.visualItemRect(inspector.outputs.item(0, 2)).center()
    viewport, left = inspector.outputs.viewport(), QtCore.Qt.MouseButton.LeftButton
    with qtbot.waitSignal(inspector.open_viewer, timeout=2000) as blocker:
        qtbot.mouseClick(viewport, left, pos=centre)  # QTest's double click has no press of its own
        qtbot.mouseDClick(viewport, left, pos=centre)
    assert blocker.args == ["n2", "out"]


def test_streamed_values_show_while_the_node_runs(inspector, ran):
    repo, _ = ran
    show(inspector, repo, "n1")
    inspector.run_states.get("calc").apply([NodeStarted("n1"), NodeOutput("n1", value=41, index=0)])
    assert "running" in inspector.status.text() and "streaming" in inspector.status.text()
    assert cells(inspector.outputs, 2) == ["41"]


def test_run_states_belong_to_the_run_flow(inspector, ran):
    repo, _ = ran
    other = Flow("other", "Other")
    other.add_node(NodeInstance("n2", "math.mul"))
    inspector.show_node(other, "n2", repo.specs["math.mul"])
    assert "pending" in inspector.status.text() and cells(inspector.outputs, 2) == [""]


def test_removing_the_node_clears_the_panel(inspector):
    repo = inspected_repository()
    show(inspector, repo, "n1")
    repo.flows["calc"].remove_node("n1")
    assert inspector.node_id is None and inspector.inputs.rowCount() == 0


def test_a_new_run_forgets_the_states_of_the_nodes_it_plans_and_keeps_the_others(inspector, ran):
    repo, _ = ran
    inspector.run_states.get("calc").begin(["n1"])  # run up to n1, before anything was shown
    show(inspector, repo, "n1")
    assert "pending" in inspector.status.text() and cells(inspector.outputs, 2) == [""]
    show(inspector, repo, "n2")
    assert "success" in inspector.status.text() and cells(inspector.outputs, 2) == ["50.0"]
