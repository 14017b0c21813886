"""Viewers on real values: plots, images, tables, trees, text, and a plot that grows live."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6 import QtCore

from pyflow_desktop.engine import NodeFinished, NodeOutput, NodeStarted, run_flow
from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path
from pyflow_desktop.ui.results.viewers import ViewerDock, viewer_for
from pyflow_desktop.ui.run.controller import shown_values


@pytest.fixture(scope="module")
def library():
    return load_repository(resource_path(BUILTIN_LIBRARY))


def dock_for(qtbot, node_id="n1", port="out", **options) -> ViewerDock:
    dock = ViewerDock(node_id, port, **options)
    qtbot.addWidget(dock)
    dock.resize(400, 300)
    dock.show()
    return dock


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (3.5, "plot"),
        ([1, 2.5, 3], "plot"),
        (np.linspace(0, 1, 5), "plot"),
        ([[1, 2], [3, 4]], "image"),
        (np.zeros((3, 4)), "image"),
        ([[1, 2], [3]], "tree"),
        ([{"a": 1}, {"b": 2}], "table"),
        ([[1, "a"], [2, "b"]], "table"),
        ({"a": {"b": [1, 2]}}, "tree"),
        ([1, "x"], "tree"),
        ("hello", "text"),
        (True, "text"),
        (None, "text"),
    ],
)
def test_viewer_for_picks_by_value(value, kind):
    assert viewer_for(value) == kind


def test_a_numeric_sequence_is_plotted(qtbot, library):
    spec = library.specs["sequences.sine"]
    assert spec.outputs[0].name == "out"
    values = [0.0, 0.5, -0.25, 1.0]
    dock = dock_for(qtbot)
    dock.update_value(values)
    assert dock.kind == "plot"
    x, y = dock.viewer.curve.getData()
    assert list(x) == [0, 1, 2, 3] and list(y) == values


def test_a_2d_array_is_an_image_with_a_colour_bar(qtbot):
    dock = dock_for(qtbot)
    grid = [[float(r * 10 + c) for c in range(5)] for r in range(3)]
    dock.update_value(grid)
    assert dock.kind == "image" and dock.viewer.shape() == (3, 5)
    assert dock.viewer.color_bar.levels() == (0.0, 24.0)


def test_a_list_of_dicts_is_a_sortable_table(qtbot):
    dock = dock_for(qtbot)
    dock.update_value([{"name": "b", "n": 10}, {"name": "a", "n": 2}, {"name": "c", "extra": 1}])
    table = dock.viewer
    model = table.model()
    assert dock.kind == "table" and table.isSortingEnabled() and model.rowCount() == 3
    headers = [model.headerData(i, QtCore.Qt.Orientation.Horizontal) for i in range(3)]
    assert headers == ["name\nstr", "n\nint", "extra\nint"]  # each column's name and kind
    table.sortByColumn(1, QtCore.Qt.SortOrder.AscendingOrder)  # numerically; a missing n last
    assert [model.index(row, 0).data() for row in range(3)] == ["a", "b", "c"]
    table.sortByColumn(0, QtCore.Qt.SortOrder.DescendingOrder)
    assert [model.index(row, 0).data() for row in range(3)] == ["c", "b", "a"]


def test_nested_json_is_a_tree_and_the_rest_is_text(qtbot):
    dock = dock_for(qtbot)
    dock.update_value({"a": 1, "b": {"c": [1, 2, 3]}, "d": "text"})
    tree = dock.viewer
    assert dock.kind == "tree" and tree.topLevelItemCount() == 3
    assert tree.topLevelItem(1).childCount() == 1
    assert tree.topLevelItem(1).child(0).childCount() == 3
    dock.update_value("plain words")
    assert dock.kind == "text" and dock.viewer.toPlainText() == "plain words"


def test_a_streamed_number_grows_point_by_point_and_restarts_on_rerun(qtbot):
    dock = dock_for(qtbot)
    for index, value in enumerate([3.0, 1.0, 4.0]):
        dock.append_partial(value, index)
        assert dock.viewer.point_count() == index + 1
    dock.update_value(4.0)
    assert list(dock.viewer.curve.getData()[1]) == [3.0, 1.0, 4.0]
    dock.append_partial(7.0, 0)
    assert list(dock.viewer.curve.getData()[1]) == [7.0]


def test_a_real_streaming_run_follows_one_port(qtbot, library):
    """The stream.counter node yields 0..4; its viewer grows from engine events."""
    events = []
    result = run_flow(library, "examples.streaming", on_event=events.append)
    assert result.ok
    events = shown_values(events)  # as the window's run controller hands them on
    counter = next(
        node.id
        for node in library.flows["examples.streaming"].nodes.values()
        if node.spec_id == "stream.counter"
    )
    partials = [e for e in events if isinstance(e, NodeOutput) and e.node == counter]
    assert len(partials) > 2
    dock = dock_for(qtbot, counter, "out")
    sizes = []
    for event in events:
        if event.node == counter:
            dock.apply_events([event])
            if dock.viewer is not None:
                sizes.append(dock.viewer.point_count())
    assert sizes[: len(partials)] == list(range(1, len(partials) + 1))
    assert list(dock.viewer.curve.getData()[1]) == [float(e.value) for e in partials]
    dock.apply_events([e for e in events if e.node == counter])  # a batch, as a re-run
    assert dock.viewer.point_count() == len(partials)


def test_a_streamed_list_is_redrawn_and_other_ports_are_ignored(qtbot):
    dock = dock_for(qtbot, "walk", "path", multi_output=True)
    dock.apply_events(
        [
            NodeStarted("walk"),
            NodeOutput("walk", value={"path": [0.0], "n": 1}, index=0),
            NodeOutput("other", value={"path": [9.0, 9.0]}, index=0),
            NodeOutput("walk", value={"path": [0.0, 0.5], "n": 2}, index=1),
        ]
    )
    assert list(dock.viewer.curve.getData()[1]) == [0.0, 0.5]
    dock.apply_events([NodeFinished("walk", outputs={"path": [0.0, 0.5, 0.2], "n": 3})])
    assert list(dock.viewer.curve.getData()[1]) == [0.0, 0.5, 0.2]


def test_a_view_part_of_a_shape_no_view_has_is_not_read():
    from pyflow_desktop.ui.results.view_shapes import series_ok, table_ok

    good = {"columns": ["a"], "dtypes": ["int"], "rows": [[1]], "row_count": 1}
    assert table_ok(good) and table_ok({**good, "index": ["x"]})
    assert not table_ok({**good, "rows": [1]}) and not table_ok({**good, "row_count": "1"})
    assert not table_ok({**good, "index": "x"}) and not table_ok([good])
    assert series_ok({"y": [1.0, None], "length": 2})
    assert not series_ok({"y": ["1"], "length": 1}) and not series_ok({"y": [1.0]})


def test_a_forged_series_shows_as_text_and_a_good_one_as_a_plot(qtbot):
    from pyflow_desktop.ui.value_text import Viewed

    dock = dock_for(qtbot)
    dock.update_value(Viewed({"type": "x", "repr": "X()", "series": {"y": "no", "length": 1}}))
    assert dock.kind == "text" and "X()" in dock.viewer.toPlainText()
    dock.update_value(Viewed({"type": "y", "repr": "Y()", "series": {"y": [1, 2], "length": 2}}))
    assert dock.kind == "plot" and dock.viewer.point_count() == 2
