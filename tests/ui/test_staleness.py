"""Stale results say so: a result whose inputs or spec changed since it ran is shown faded,
on the canvas, in its viewers and in the Inspector, until a run or an undo makes it fresh."""

from __future__ import annotations

from helpers import fresh_window, is_stale

from pyflow_desktop.ui.canvas.labels import STALE_NOTE


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
