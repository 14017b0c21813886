"""The window goes first: the gate a run in this process passes between two nodes is closed
while the GUI thread is busy, and from a change drawn on the canvas to the frame that shows
it (or, when no frame comes, for a moment only)."""

from __future__ import annotations

from pyflow_desktop.ui.window_first import GATE, busy, hold, release


def test_a_hold_keeps_runs_back_until_the_canvas_paints(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    assert GATE.is_set()
    hold()
    with busy():
        assert not GATE.is_set()
    assert not GATE.is_set()  # busy ended, the hold goes on
    canvas.viewer().viewport().repaint()
    assert GATE.is_set()


def test_a_hold_ends_by_itself_when_no_frame_comes(qtbot):
    hold()
    assert not GATE.is_set()
    qtbot.waitUntil(GATE.is_set, timeout=2000)


def test_a_release_while_busy_leaves_the_gate_closed_until_busy_ends(qtbot):
    with busy():
        hold()
        release()
        assert not GATE.is_set()
    assert GATE.is_set()
