"""What the Run menu runs, as the original did: Run (F5) runs to the end nodes, or the whole
flow when it marks none; Run all (Ctrl+F5) runs every node. The status bar says which."""

from __future__ import annotations

import sys

from helpers import action, fresh_window
from PySide6 import QtGui

from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path


def run_by_menu(qtbot, win, text: str) -> bool:
    with qtbot.waitSignal(win.runs.run_done, timeout=20_000) as blocker:
        action(win, "Run", text).trigger()
    return blocker.args[0]


def statuses(win) -> dict[str, str]:
    return {node["id"]: node["status"] for node in win.runs.runner.last_result.nodes}


def test_f5_runs_to_the_end_nodes_and_run_all_runs_every_node(qtbot):
    win = fresh_window(qtbot, load_repository(resource_path(BUILTIN_LIBRARY)))
    win.tabs.open_flow("examples.failure")
    assert run_by_menu(qtbot, win, "Run")  # F5: n5 is the end node; n4 feeds it
    assert statuses(win) == {"n4": "success", "n5": "success"}
    message = win.statusBar().currentMessage()
    end_name = win.repo.flows["examples.failure"].nodes["n5"].name
    assert f"to end node {end_name!r}" in message
    assert not run_by_menu(qtbot, win, "Run all")  # Ctrl+F5: the failing branch runs too
    assert set(statuses(win)) == {"n1", "n2", "n3", "n4", "n5"}
    assert "fail" in statuses(win).values()
    run_all = "Meta+F5" if sys.platform == "darwin" else "Ctrl+F5"  # ⌘F5 is VoiceOver's
    assert action(win, "Run", "Run all").shortcut() == QtGui.QKeySequence(run_all)


def test_a_flow_without_end_nodes_runs_whole(qtbot, run_and_wait, repo):
    repo.flows["calc"].set_end("n2", False)
    win = fresh_window(qtbot, repo)
    win.tabs.open_flow("calc")
    assert run_by_menu(qtbot, win, "Run")
    assert set(statuses(win)) == {"n1", "n2"}
    assert "every node" in win.statusBar().currentMessage()
