"""Value text stays bounded: previews read a value's first items, never all of it or deeply,
and a preview on the canvas is cut to its node, never drawn over a neighbour."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import fresh_window
from PySide6 import QtCore, QtGui

from pyflow_desktop.engine import NodeFinished, NodeStarted, RunStates
from pyflow_desktop.repository import Flow, NodeInstance, NodeSpec, Port, Repository
from pyflow_desktop.ui.canvas.fonts import label_font
from pyflow_desktop.ui.canvas.labels import STALE_NOTE, elided
from pyflow_desktop.ui.results.inspector import InspectorPanel
from pyflow_desktop.ui.results.viewers import ViewerDock
from pyflow_desktop.ui.value_text import MAX_DEPTH, full_text, short_text


class Counting(list):
    """A list that counts the items read from it."""

    read = 0

    def __iter__(self):
        for item in super().__iter__():
            self.read += 1
            yield item


def deep(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def test_the_canvas_preview_reads_only_the_first_items(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    value = Counting(range(1_000_000))
    canvas.flow_node("n1").set_preview("out", value)
    assert canvas.flow_node("n1").preview("out").startswith("[0, 1, 2, 3")
    assert value.read <= 25


def test_a_numpy_array_preview_names_dtype_and_shape(qtbot, window):
    canvas = window.tabs.open_flow("calc")
    canvas.flow_node("n1").set_preview("out", np.arange(10_000_000, dtype=float))
    assert canvas.flow_node("n1").preview("out").startswith("float64[10000000] [0.0, 1.0")
    canvas.flow_node("n1").set_preview("out", np.float64(2.5))
    assert canvas.flow_node("n1").preview("out") == "2.5"


def test_the_full_text_stops_at_its_limit():
    value = Counting(range(1_000_000))
    text = full_text(value, 1_000)
    assert text.startswith("[\n  0,\n  1,") and text.endswith("(more characters not shown)")
    assert value.read < 500
    assert full_text({"a": [1, {}], "b": "x"}) == '{\n  "a": [\n    1,\n    {}\n  ],\n  "b": "x"\n}'


def test_short_text_marks_what_it_leaves_out():
    assert short_text(list(range(20)), 200) == str(list(range(20)))
    assert short_text(list(range(21)), 200).endswith("19, …]")
    assert (
        short_text("a\nb", 10) == '"a\\nb"' and short_text("a\nb", 10, quote_strings=False) == "a b"
    )
    assert short_text(10**5000, 40) == "<int of 16610 bits>"


def test_a_value_nested_thousands_deep_is_shown_cut_at_a_depth():
    value = deep(5000)
    assert short_text(value, 30) == "[" * 29 + "…"
    assert full_text(value).count("[") == MAX_DEPTH + 1


def inspector_showing(qtbot, value) -> InspectorPanel:
    repo = Repository()
    repo.add_spec(NodeSpec("t.big", "Big", [], [Port("out", "Any")], "def func():\n    pass\n"))
    flow = Flow("f", "F")
    flow.add_node(NodeInstance("a", "t.big"))
    repo.add_flow(flow)
    panel = InspectorPanel(RunStates(repo, lambda call: QtCore.QTimer.singleShot(0, call)))
    qtbot.addWidget(panel)
    panel.show_node(flow, "a", repo.specs["t.big"])
    state = panel.run_states.of(flow)
    state.begin(["a"])
    state.apply([NodeStarted("a"), NodeFinished("a", outputs={"out": value})])
    return panel


def test_the_inspector_reads_a_huge_value_only_as_far_as_it_shows(qtbot):
    value = Counting(range(2_000_000))
    panel = inspector_showing(qtbot, value)
    assert panel.outputs.item(0, 2).text().startswith("[0, 1, 2")
    assert panel.value_text.toPlainText().endswith("(more characters not shown)")
    assert value.read < 200_000


@pytest.mark.parametrize("make", [lambda: deep(5000), lambda: {"k": deep(5000)}])
def test_a_deep_value_reaches_inspector_canvas_and_viewer(qtbot, window, make):
    value = make()
    panel = inspector_showing(qtbot, value)
    assert "[…]" in panel.value_text.toPlainText()
    canvas = window.tabs.open_flow("calc")
    canvas.flow_node("n1").set_preview("out", value)
    assert "[[[" in canvas.flow_node("n1").preview("out")
    dock = ViewerDock("a", "out")
    qtbot.addWidget(dock)
    dock.update_value(value)
    assert dock.kind == "tree"


def ellipsis_of(font: QtGui.QFont) -> str:
    """What Qt cuts a text with in ``font``: "…" where the font itself has that glyph (not a
    fallback font), else "..."."""
    return "…" if QtGui.QRawFont.fromFont(font).supportsCharacter(ord("…")) else "..."


def test_a_label_is_cut_to_its_width_only_when_it_does_not_fit(qtbot):
    # A letter outside the plain set that the label font draws itself (not a fallback's
    # glyph, which a machine may lack): "Ｗ" where a CJK font is installed.
    metrics = QtGui.QFontMetricsF(label_font())
    foreign = next(char for char in "ＷЖΩé" if metrics.inFontUcs4(ord(char)))
    assert elided("success · 0.3 ms", 224) == "success · 0.3 ms"
    for wide in ("W" * 30, foreign * 60, "x" * 200, "tab\t" * 40):  # measured, then cut
        cut = elided(wide, 224)
        assert cut.endswith(ellipsis_of(label_font())) and len(cut) < len(wide)


def test_a_preview_never_draws_over_its_neighbour(qtbot, repo, run_and_wait):
    repo.add_spec(
        NodeSpec(
            "text.long", "Long", [], [Port("out", "String")], "def func():\n    return 'x' * 500\n"
        )
    )
    flow = Flow("tight", "Tight")
    flow.add_node(NodeInstance("long", "text.long", x=0, y=0))
    flow.add_node(NodeInstance("next", "math.add", values={"a": "1", "b": "2"}, x=190, y=0))
    repo.add_flow(flow)
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("tight")
    assert run_and_wait(win)
    long_node, neighbour = canvas.flow_node("long"), canvas.flow_node("next")
    assert neighbour.view.sceneBoundingRect().left() > long_node.view.sceneBoundingRect().right()
    label = long_node.item.previews["out"]
    assert label.text().endswith(ellipsis_of(label.font()))
    drawn = label.sceneBoundingRect()
    assert long_node.view.sceneBoundingRect().contains(drawn)
    assert not drawn.intersects(neighbour.view.sceneBoundingRect())
    assert "x" * 400 in label.toolTip()  # the full value stays in the tooltip


def test_a_tooltip_says_what_a_label_does_not_show(qtbot, window):
    """A preview or status shown whole has no tooltip of its own (hovering it shows the
    node's); one cut to its node has its whole text there; a stale one says it is stale."""
    canvas = window.tabs.open_flow("calc")
    node = canvas.flow_node("n1")
    label = node.item.previews["out"]
    node.set_preview("out", 12)
    assert label.text() == "12" and label.toolTip() == ""
    node.set_preview("out", "y" * 300)
    assert label.text().endswith("…") and "y" * 300 in label.toolTip()
    node.set_preview("out", 12)
    assert label.toolTip() == ""
    node.set_stale(True)
    assert label.toolTip() == STALE_NOTE
    node.set_status("success", 0.0002)
    assert node.item.footer.text() == "stale · success · 0.2 ms"
    assert node.item.footer.toolTip() == ""
    node.set_status("fail", 0.0002, "ValueError: " + "z" * 200)
    assert node.item.footer.text().endswith("…")
    assert node.item.footer.toolTip() == "stale · fail · 0.2 ms · ValueError: " + "z" * 200
