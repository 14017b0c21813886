"""The status bar: the progress bar's text reads well over its fill and beside it, in a light
and a dark palette, says what a stopped run did, and a file opened forgets what the bar said
of the one before."""

from __future__ import annotations

import pytest
from helpers import Answers, action, add_hanging_flow, fresh_window
from PySide6 import QtCore, QtGui, QtWidgets

from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port, save_repository

Key = QtCore.Qt.Key
READABLE = 4.5  # WCAG's least contrast for text


def luminance(colour: QtGui.QColor) -> float:
    def linear(channel: float) -> float:
        return channel / 12.92 if channel <= 0.03928 else ((channel + 0.055) / 1.055) ** 2.4

    red, green, blue = (linear(c) for c in (colour.redF(), colour.greenF(), colour.blueF()))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast(first: QtGui.QColor, second: QtGui.QColor) -> float:
    light, dark = sorted((luminance(first), luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_contrast(bar: QtWidgets.QProgressBar, left: float, right: float) -> float:
    """The highest contrast between the bar's text and what lies under it, between the
    fractions ``left`` and ``right`` of its width (a glyph's core, not its soft edges)."""
    with_text = bar.grab().toImage()
    bar.setTextVisible(False)
    plain = bar.grab().toImage()
    bar.setTextVisible(True)
    best = 0.0
    for x in range(int(with_text.width() * left), int(with_text.width() * right)):
        for y in range(with_text.height()):
            text, under = with_text.pixelColor(x, y), plain.pixelColor(x, y)
            if text != under:
                best = max(best, contrast(text, under))
    return best


def run_by_key(qtbot, win) -> None:
    with qtbot.waitSignal(win.runs.run_done, timeout=30_000):
        qtbot.keyClick(win.tabs.current()[0].viewer().viewport(), Key.Key_F5)


def part_failing(repo) -> None:
    """Flow ``part``: two nodes that succeed, one that fails (the bar is two thirds full)."""
    flow = Flow("part", "Part")
    flow.add_node(NodeInstance("ok1", "math.add", values={"a": "1", "b": "2"}))
    flow.add_node(NodeInstance("ok2", "math.add", values={"a": "3", "b": "4"}, x=300))
    flow.add_node(NodeInstance("bad", "debug.fail", values={"x": "1"}, x=600))
    repo.add_flow(flow)


def dark_palette() -> QtGui.QPalette:
    palette = QtGui.QPalette()
    Role = QtGui.QPalette.ColorRole
    for role, colour in (
        (Role.Window, "#2b2b2b"),
        (Role.WindowText, "#e8e8e8"),
        (Role.Base, "#1e1e1e"),
        (Role.Text, "#e8e8e8"),
        (Role.Button, "#353535"),
        (Role.ButtonText, "#e8e8e8"),
        (Role.Highlight, "#2a82da"),
        (Role.HighlightedText, "#ffffff"),
    ):
        palette.setColor(role, QtGui.QColor(colour))
    return palette


@pytest.mark.parametrize("dark", [False, True], ids=["light", "dark"])
def test_the_progress_bars_text_reads_well_over_its_fill_and_beside_it(qtbot, qapp, repo, dark):
    part_failing(repo)
    before = qapp.palette()
    if dark:
        qapp.setPalette(dark_palette())
    try:
        win = fresh_window(qtbot, repo)
        bar = win.runs.progress
        assert bar.text() == "not run yet"
        assert text_contrast(bar, 0.0, 1.0) >= READABLE  # over the empty bar
        win.tabs.open_flow("part")
        run_by_key(qtbot, win)
        assert bar.text() == "2 done, 1 failed of 3" and bar.value() == 2
        assert text_contrast(bar, 0.0, 0.5) >= READABLE  # its left end, over the fill
        assert text_contrast(bar, 0.7, 1.0) >= READABLE  # its right end, beside it
        win.tabs.open_flow("calc")
        run_by_key(qtbot, win)
        assert bar.text() == "2 done of 2" and bar.value() == bar.maximum()
        assert text_contrast(bar, 0.0, 1.0) >= READABLE  # all over the fill
    finally:
        qapp.setPalette(before)


def test_opening_another_file_forgets_what_the_status_bar_said_of_the_last(
    qtbot, repo, tmp_path, monkeypatch
):
    add_hanging_flow(repo)
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    save_repository(repo, first)
    save_repository(repo, second)
    win = fresh_window(qtbot)
    Answers(monkeypatch, "Trust and run", "Trust and run")
    assert win.files.open_path(first)
    win.tabs.open_flow("calc")
    run_by_key(qtbot, win)
    assert "calc" in win.statusBar().currentMessage()
    assert win.runs.progress.text() == "2 done of 2"
    assert win.files.open_path(second)
    assert win.statusBar().currentMessage() == ""
    assert win.runs.progress.text() == "not run yet"
    win.tabs.open_flow("hang")  # a run still going when the next file opens
    qtbot.keyClick(win.tabs.current()[0].viewer().viewport(), Key.Key_F5)
    assert win.runs.runner.running
    with qtbot.waitSignal(win.runs.run_done, timeout=30_000):
        assert win.files.open_path(first)
    assert win.statusBar().currentMessage() == ""
    assert win.runs.progress.text() == "not run yet"


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
