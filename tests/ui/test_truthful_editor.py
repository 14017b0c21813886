"""A truthful editor: stale results say so, panels follow the tab in front, the progress bar
tells what a stopped run did, a failing line is marked in the code."""

from __future__ import annotations

from helpers import action, fresh_window
from PySide6 import QtCore

from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port
from pyflow_desktop.ui.canvas.labels import STALE_NOTE
from pyflow_desktop.ui.canvas.node_item import STALE_OPACITY


def click_node(qtbot, canvas, node_id: str) -> None:
    """Click a node where nothing else of it takes the click (its footer's right end)."""
    body = canvas.flow_node(node_id).view.sceneBoundingRect()
    spot = canvas.viewer().mapFromScene(QtCore.QPointF(body.right() - 10, body.bottom() - 5))
    qtbot.mouseClick(canvas.viewer().viewport(), QtCore.Qt.MouseButton.LeftButton, pos=spot)


def is_stale(canvas, node_id: str) -> bool:
    node = canvas.flow_node(node_id)
    return node.item.opacity() == STALE_OPACITY and node.item.footer.text().startswith("stale")


def test_a_result_whose_inputs_changed_is_stale_until_undone_or_rerun(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    bridge = win.tabs.current()[1]
    bridge.set_value("n1", "b", "10")  # Add: 2 + 10
    assert run_and_wait(win)
    assert canvas.flow_node("n2").preview("out") == "120.0"
    assert not is_stale(canvas, "n1") and not is_stale(canvas, "n2")
    win.undo_stack.undo()  # back to b = 3: the shown 12 and 120 no longer match
    qtbot.waitUntil(lambda: is_stale(canvas, "n1") and is_stale(canvas, "n2"), timeout=2000)
    assert canvas.flow_node("n1").item.editors["b"].editor.text() == "3"
    label = canvas.flow_node("n2").item.previews["out"]
    assert label.toolTip().startswith(STALE_NOTE) and label.font().italic()
    win.undo_stack.redo()  # the inputs of the shown results again: fresh
    qtbot.waitUntil(lambda: not is_stale(canvas, "n1") and not is_stale(canvas, "n2"), timeout=2000)
    bridge.set_value("n2", "b", "2")  # only n2 depends on it
    qtbot.waitUntil(lambda: is_stale(canvas, "n2"), timeout=2000)
    assert not is_stale(canvas, "n1")
    assert run_and_wait(win)  # a run makes what it ran fresh
    assert not is_stale(canvas, "n2") and canvas.flow_node("n2").preview("out") == "24.0"


def test_a_spec_edit_makes_its_nodes_stale_and_they_keep_their_result(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    assert run_and_wait(win)
    spec = repo.specs["math.add"]
    repo.replace_spec(spec.copy(func="def func(a, b):\n    return a - b\n"))
    qtbot.waitUntil(lambda: is_stale(canvas, "n1") and is_stale(canvas, "n2"), timeout=2000)
    assert canvas.flow_node("n1").preview("out") == "5"  # still shown, now marked stale


def test_viewers_and_the_inspector_say_a_result_is_stale(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    assert run_and_wait(win)
    dock = win.panels.viewers.open_viewer("n2", "out", "calc")
    win.tabs.selection_changed.emit("calc", ["n2"])
    assert dock.windowTitle() == "Multiply · out" and dock.toolTip() == "n2:out"
    win.tabs.current()[1].set_value("n1", "a", "7")
    qtbot.waitUntil(lambda: dock.windowTitle().endswith("— stale"), timeout=2000)
    assert "stale" in win.panels.inspector.status.text()


def test_the_progress_bar_says_what_a_stopped_run_did(qtbot, repo):
    repo.add_spec(
        NodeSpec(
            "slow",
            "Slow",
            [Port("x", "Int")],
            [Port("out", "Int")],
            "import time\ndef func(x):\n    time.sleep(5)\n    return x\n",
        )
    )
    repo.add_spec(
        NodeSpec("quick", "Quick", [], [Port("out", "Int")], "def func():\n    return 1\n")
    )
    flow = Flow("stop", "Stop")
    flow.add_node(NodeInstance("q", "quick"))
    for index in range(3):
        flow.add_node(NodeInstance(f"s{index}", "slow", values={"x": "1"}))
    repo.add_flow(flow)
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("stop")
    from pyflow_desktop.ui.run.settings import RunSettings

    win.runs.runner.settings = RunSettings(workers=1, cache=False)
    with qtbot.waitSignal(win.runs.run_done, timeout=20_000):
        action(win, "Run", "Run").trigger()
        qtbot.waitUntil(lambda: win.runs.runner.done >= 1, timeout=5000)
        action(win, "Run", "Stop").trigger()
    bar = win.runs.progress
    assert bar.text() == "1 done, 3 cancelled of 4"
    assert bar.value() == 1 and bar.maximum() == 4


def test_panels_follow_the_tab_in_front(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    calc = win.tabs.open_flow("calc")
    assert run_and_wait(win)
    qtbot.wait(20)
    click_node(qtbot, calc, "n2")
    inspector = win.panels.inspector
    qtbot.waitUntil(lambda: inspector.node_id == "n2", timeout=2000)
    dock = win.panels.viewers.open_viewer("n2", "out", "calc")
    broken = win.tabs.open_flow("broken")  # nothing selected there
    assert inspector.node_id is None and inspector.flow is None
    assert not dock.isVisible()
    assert not run_and_wait(win)  # F5 in this tab runs this tab's flow, shown here only
    qtbot.wait(20)
    click_node(qtbot, broken, "f1")
    qtbot.waitUntil(lambda: inspector.node_id == "f1", timeout=2000)
    assert inspector.details.currentWidget() is inspector.error_text  # a failed node
    win.tabs.open_flow("calc")  # back: its selection, its viewer, its results
    assert inspector.node_id == "n2" and inspector.node_state().status == "success"
    assert inspector.details.currentWidget() is inspector.value_text
    assert dock.isVisible()
    assert win.panels.spec_editor.spec_id == "math.mul"


def test_a_closed_viewer_does_not_come_back_with_its_tab(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    dock = win.panels.viewers.open_viewer("n2", "out", "calc")
    dock.close()
    assert ("calc", "n2", "out") not in win.panels.viewers.viewers
    win.tabs.open_flow("broken")
    win.tabs.open_flow("calc")
    assert not any(d.isVisible() for d in win.panels.viewers.viewers.values())


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


def test_a_failing_line_is_marked_in_the_code_when_its_spec_is_shown(qtbot, repo, run_and_wait):
    repo.replace_spec(
        repo.specs["debug.fail"].copy(func="def func(x):\n    y = x + 1\n    raise ValueError(y)\n")
    )
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("broken")
    win.panels.edit_spec("debug.fail")
    assert not run_and_wait(win)
    assert win.panels.spec_editor.editor.marked_lines() == [3]
    traceback = win.run_states.node("broken", "f1").traceback
    assert traceback.startswith("Traceback") and "pyflow_desktop" not in traceback


def test_live_mode_reruns_what_an_edit_made_stale_through_the_cache(qtbot, repo, run_and_wait):
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    assert run_and_wait(win)
    live = action(win, "Run", "Live")
    live.trigger()
    assert live.isChecked()
    with qtbot.waitSignal(win.runs.run_done, timeout=10_000):
        win.tabs.current()[1].set_value("n2", "b", "2")  # only n2 is stale now
    assert canvas.flow_node("n2").preview("out") == "10.0"
    statuses = {n["id"]: n["status"] for n in win.runs.runner.last_result.nodes}
    assert statuses == {"n1": "cached", "n2": "success"}  # n1 came from the cache
    assert not is_stale(canvas, "n2")
    again = fresh_window(qtbot, repo)  # the toggle is kept in the settings
    assert action(again, "Run", "Live").isChecked()


def test_the_next_edit_supersedes_a_live_run_still_going(qtbot, repo, run_and_wait):
    repo.add_spec(
        NodeSpec(
            "slow.echo",
            "Slow echo",
            [Port("x", "Int")],
            [Port("out", "Int")],
            "import time\ndef func(x):\n    time.sleep(1.5)\n    return x\n",
        )
    )
    flow = Flow("slow", "Slow")
    flow.add_node(NodeInstance("e", "slow.echo", values={"x": "1"}))
    repo.add_flow(flow)
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("slow")
    assert run_and_wait(win)
    action(win, "Run", "Live").trigger()
    bridge = win.tabs.current()[1]
    bridge.set_value("e", "x", "2")
    qtbot.waitUntil(lambda: win.runs.runner.running, timeout=5000)  # the live run for x = 2
    outcomes = []
    win.runs.run_done.connect(lambda ok: outcomes.append(win.runs.runner.last_result.counts()))
    bridge.set_value("e", "x", "3")  # supersedes it
    qtbot.waitUntil(lambda: len(outcomes) == 2, timeout=15_000)
    assert outcomes[0] == {"cancelled": 1}
    assert outcomes[1] == {"success": 1}
    assert canvas.flow_node("e").preview("out") == "3"
