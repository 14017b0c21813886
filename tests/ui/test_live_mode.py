"""Live mode (Run › Live): an edit reruns what it made stale, taking the rest from the cache;
the next edit supersedes a live run still going; the toggle is kept in the settings."""

from __future__ import annotations

from helpers import action, fresh_window, is_stale

from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port


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
