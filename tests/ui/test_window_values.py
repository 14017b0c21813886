"""Any value in the window, on its default executor (worker processes): the window gets what
a worker sends as JSON views, shows them, and builds nothing from a worker's bytes."""

from __future__ import annotations

FRAME = "import pandas as pd\ndef func():\n    return pd.DataFrame({'a': [1, 2, 3], 'b': list('xyz')})\n"
# Unpickling it anywhere would touch the marker: the window must never do so.
TRAP = (
    "import os\n"
    "class Trap:\n"
    "    def __reduce__(self):\n"
    "        return (os.system, ('touch ' + MARKER,))\n"
    "    def __repr__(self):\n"
    "        return 'Trap()'\n"
    "def func():\n"
    "    return Trap()\n"
)


def test_a_dataframe_shows_on_the_canvas_and_its_rows_come_as_json(window, data_flow, run_and_wait):
    assert window.runs.runner.settings.executor == "process"
    flow_id = data_flow("frame", FRAME)
    assert run_and_wait(window)
    preview = window.tabs.current()[0].flow_node("n").preview("out")
    assert preview.startswith("DataFrame[3×2] a b 0 1 x")  # its kind, shape and repr's cells
    state = window.run_states.get(flow_id)
    page = state.outcome.fetch("n", "out", "rows", start=1, count=5)
    assert page["row_count"] == 3 and page["rows"] == [[2, "y"], [3, "z"]]


def test_a_value_whose_unpickling_would_run_code_is_shown_and_never_built_here(
    window, data_flow, run_and_wait, tmp_path
):
    marker = tmp_path / "built-in-the-window"
    flow_id = data_flow("trap", f"MARKER = {str(marker)!r}\n" + TRAP)
    assert run_and_wait(window)
    assert window.tabs.current()[0].flow_node("n").preview("out") == '"Trap()"'
    view = window.run_states.get(flow_id).outcome.view("n")
    assert view["type"] == "pyflow_node.Trap" and view["repr"] == "Trap()"
    assert not marker.exists()
