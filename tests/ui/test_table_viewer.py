"""Real data in the window, on its default executor (worker processes): a DataFrame's node
runs, its preview shows it, its viewer (opened from the Inspector) shows its row count and
dtypes, loads rows as the user scrolls and sorts the whole table; Load full value loads
every row; a long series, a picture and a figure open in their viewers; a value whose
worker died says to run the flow again."""

from __future__ import annotations

import os
import signal

import numpy as np
import pandas as pd
import pytest
from helpers import select
from PySide6 import QtCore, QtWidgets

from pyflow_desktop.engine.views import TABLE_ROWS
from pyflow_desktop.ui.results.table_viewer import PAGE
from pyflow_desktop.ui.run.settings import RunSettings

ROWS = 1234
FRAME = (
    "import pandas as pd\n"
    "def func():\n"
    f"    n = {ROWS}\n"
    "    return pd.DataFrame({'i': range(n), 'x': [(k * 7919) % 1000 / 10 for k in range(n)],"
    " 'name': [f'r{k}' for k in range(n)]})\n"
)
SERIES = "import numpy as np\ndef func():\n    return np.sin(np.arange(100_000) / 1000)\n"
PICTURE = "import numpy as np\ndef func():\n    return np.arange(1000 * 600.0).reshape(1000, 600)\n"
FIGURE = (
    "import matplotlib\nmatplotlib.use('Agg')\nimport matplotlib.pyplot as plt\n"
    "def func():\n    figure, axes = plt.subplots(figsize=(4, 3))\n"
    "    axes.plot([1, 3, 2])\n    return figure\n"
)
LEFT = QtCore.Qt.MouseButton.LeftButton


def expected_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i": range(ROWS),
            "x": [(k * 7919) % 1000 / 10 for k in range(ROWS)],
            "name": [f"r{k}" for k in range(ROWS)],
        }
    )


@pytest.fixture
def ran_flow(window, data_flow, run_and_wait):
    """A flow of one node ``n`` running ``source``, run in the window."""

    def make(spec_id: str, source: str) -> str:
        flow_id = data_flow(spec_id, source)
        assert run_and_wait(window, timeout=30_000)
        return flow_id

    return make


def open_from_inspector(qtbot, window, flow_id: str):
    """Select node ``n`` on the canvas and double-click its output in the Inspector."""
    select(qtbot, window.tabs.current()[0], "n")
    outputs = window.panels.inspector.outputs
    qtbot.waitUntil(lambda: outputs.rowCount() == 1 and outputs.item(0, 2) is not None)
    centre = outputs.visualItemRect(outputs.item(0, 2)).center()
    qtbot.mouseClick(outputs.viewport(), LEFT, pos=centre)
    qtbot.mouseDClick(outputs.viewport(), LEFT, pos=centre)
    qtbot.waitUntil(lambda: (flow_id, "n", "out") in window.panels.viewers.viewers)
    return window.panels.viewers.viewers[(flow_id, "n", "out")]


def column(model, index: int, rows: int) -> list[str]:
    return [model.index(row, index).data() for row in range(rows)]


def test_a_dataframe_shows_in_the_table_viewer_which_loads_rows_as_it_scrolls_and_sorts(
    qtbot, window, ran_flow
):
    assert window.runs.runner.settings.executor == "process"  # the window's default
    flow_id = ran_flow("frame", FRAME)
    preview = window.tabs.current()[0].flow_node("n").preview("out")
    assert preview.startswith(f"DataFrame[{ROWS}×3]")
    dock = open_from_inspector(qtbot, window, flow_id)
    qtbot.waitUntil(lambda: dock.kind == "table" and dock.viewer.model_.rowCount() > 0)
    table, model = dock.viewer, dock.viewer.model_
    frame = expected_frame()
    first = model.rowCount()
    assert first in (TABLE_ROWS, PAGE) and model.row_count == ROWS
    headers = [model.headerData(c, QtCore.Qt.Orientation.Horizontal) for c in range(3)]
    assert headers == [f"{name}\n{kind}" for name, kind in frame.dtypes.astype(str).items()]
    assert f"{ROWS:,} rows × 3 columns" in dock.bar.note.text()
    assert column(model, 2, 3) == ["r0", "r1", "r2"]

    table.setFocus()
    qtbot.keyClick(table, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.rowCount() > first, timeout=10_000)
    while model.rowCount() < ROWS:  # the user goes on to the end
        shown = model.rowCount()
        qtbot.keyClick(table, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
        qtbot.waitUntil(lambda shown=shown: model.rowCount() > shown, timeout=10_000)
    assert model.rowCount() == ROWS and not dock.bar.button.isVisible()
    assert model.index(ROWS - 1, 2).data() == f"r{ROWS - 1}"

    header = table.horizontalHeader()
    spot = QtCore.QPoint(header.sectionViewportPosition(1) + 10, header.height() // 2)
    qtbot.mouseClick(header.viewport(), LEFT, pos=spot)  # sort by x, the whole table
    by_x = frame.sort_values("x", kind="stable")
    qtbot.waitUntil(lambda: column(model, 1, 3) == [str(x) for x in by_x["x"][:3]], timeout=10_000)
    labels = [model.headerData(r, QtCore.Qt.Orientation.Vertical) for r in range(3)]
    assert labels == [str(i) for i in by_x.index[:3]]  # each row's place in the DataFrame
    qtbot.mouseClick(header.viewport(), LEFT, pos=spot)  # and the other way
    top = frame.sort_values("x", ascending=False, kind="stable")["x"].iloc[0]
    qtbot.waitUntil(lambda: model.index(0, 1).data() == str(top), timeout=10_000)
    assert "sorted by x ↓" in dock.bar.note.text()


def test_on_threads_the_same_viewer_sorts_and_pages_the_value_held_in_the_window(
    qtbot, window, ran_flow
):
    window.runs.runner.settings = RunSettings(executor="thread")
    dock = open_from_inspector(qtbot, window, ran_flow("frame", FRAME))
    qtbot.waitUntil(lambda: dock.kind == "table" and dock.viewer.model_.rowCount() > 0)
    model = dock.viewer.model_
    assert model.row_count == ROWS and dock.bar.button.text().startswith("Load full value (")
    model.sort(2, QtCore.Qt.SortOrder.DescendingOrder)  # names as text: r999 first
    qtbot.waitUntil(lambda: model.index(0, 2).data() == "r999", timeout=10_000)
    qtbot.mouseClick(dock.bar.button, LEFT)
    qtbot.waitUntil(lambda: model.rowCount() == ROWS, timeout=20_000)
    assert model.index(ROWS - 1, 2).data() == "r0"


def test_an_open_viewer_follows_a_new_run_and_pages_once_it_has_ended(
    qtbot, window, ran_flow, run_and_wait
):
    flow_id = ran_flow("frame", FRAME)
    dock = open_from_inspector(qtbot, window, flow_id)
    qtbot.waitUntil(lambda: dock.kind == "table" and dock.viewer.model_.rowCount() > 0)
    window.runs.runner.settings = RunSettings(cache=False)  # the node runs again
    assert run_and_wait(window, timeout=30_000)
    model, table = dock.viewer.model_, dock.viewer
    qtbot.waitUntil(lambda: dock.bar.button.text().startswith("Load full value ("))
    assert "run" not in dock.bar.note.text() and model.row_count == ROWS
    shown = model.rowCount()
    table.setFocus()
    qtbot.keyClick(table, QtCore.Qt.Key.Key_End, QtCore.Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: model.rowCount() > shown, timeout=10_000)


def test_load_full_value_in_the_inspector_loads_every_row_into_the_viewer(qtbot, window, ran_flow):
    flow_id = ran_flow("frame", FRAME)
    select(qtbot, window.tabs.current()[0], "n")
    inspector = window.panels.inspector
    qtbot.waitUntil(lambda: inspector.value_bar.button.isVisible())
    assert inspector.value_bar.button.text().startswith("Load full value (")
    assert "KB" in inspector.value_bar.button.text()  # its size in its worker
    assert inspector.value_bar.note.text().startswith(f"pandas.DataFrame · {ROWS:,} × 3 · ")
    qtbot.mouseClick(inspector.value_bar.button, LEFT)
    qtbot.waitUntil(lambda: (flow_id, "n", "out") in window.panels.viewers.viewers)
    dock = window.panels.viewers.viewers[(flow_id, "n", "out")]
    qtbot.waitUntil(
        lambda: dock.kind == "table" and dock.viewer.model_.rowCount() == ROWS, timeout=20_000
    )
    assert not dock.bar.button.isVisible() and "loaded" not in dock.bar.note.text()


def test_a_value_whose_worker_died_says_to_run_the_flow_again(qtbot, window, ran_flow):
    flow_id = ran_flow("frame", FRAME)
    handle = window.run_states.get(flow_id).source("n")._source.outputs["n"]["out"]
    (worker,) = handle.holders
    os.kill(worker.process.pid, signal.SIGKILL)
    qtbot.waitUntil(lambda: not worker.alive, timeout=20_000)
    dock = open_from_inspector(qtbot, window, flow_id)
    inspector = window.panels.inspector
    assert "run the flow again" in inspector.value_bar.note.text()
    assert not inspector.value_bar.button.isVisible()
    qtbot.waitUntil(lambda: dock.kind == "table")  # its first rows, from its view
    assert (
        dock.viewer.model_.rowCount() == TABLE_ROWS and "run the flow again" in dock.bar.note.text()
    )
    assert not dock.bar.button.isVisible() and not dock.viewer.model_.canFetchMore()


def test_a_long_series_is_plotted_thinned_and_whole_on_load_full_value(qtbot, window, ran_flow):
    flow_id = ran_flow("series", SERIES)
    dock = open_from_inspector(qtbot, window, flow_id)
    qtbot.waitUntil(lambda: dock.kind == "plot" and dock.bar.button.isVisible(), timeout=10_000)
    assert dock.viewer.point_count() == 4096 and "4,096 of 100,000 points" in dock.bar.note.text()
    assert dock.bar.button.text() == "Load full value (781.2 KB)"  # 100,000 float64
    qtbot.mouseClick(dock.bar.button, LEFT)
    qtbot.waitUntil(lambda: dock.viewer.point_count() == 100_000, timeout=10_000)
    y = dock.viewer.curve.yData  # every point (what is drawn is thinned to the pixels)
    assert y[1000] == pytest.approx(np.sin(1.0)) and not dock.bar.button.isVisible()


def test_an_array_is_a_picture_and_a_figure_is_its_png(qtbot, window, ran_flow):
    flow_id = ran_flow("picture", PICTURE)
    dock = open_from_inspector(qtbot, window, flow_id)
    qtbot.waitUntil(lambda: dock.kind == "image", timeout=10_000)
    assert dock.viewer.shape() == (500, 300)  # a thumbnail within 512 px a side
    figure_flow = ran_flow("figure", FIGURE)
    figure = open_from_inspector(qtbot, window, figure_flow)
    qtbot.waitUntil(lambda: figure.kind == "figure", timeout=10_000)
    assert figure.viewer.picture_size() == (400, 300)
    assert isinstance(figure.viewer.label, QtWidgets.QLabel)
