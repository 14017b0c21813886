"""Run settings in the GUI: executor choice, Stop of a hung node, cached results, live
partial values."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import add_hanging_flow, select
from PySide6 import QtCore, QtWidgets

from pyflow_desktop.engine import scheduler as scheduler_module
from pyflow_desktop.engine.process_pool import shared_pool, total_memory
from pyflow_desktop.repository import Flow, Link, NodeInstance, NodeSpec, Port
from pyflow_desktop.ui.run.settings import RunSettings, RunSettingsDialog
from pyflow_desktop.ui.window.user_settings import settings


def statuses(window) -> dict[str, str]:
    canvas = window.tabs.current()[0]
    return {node.id: node.status_text().split(" ")[0] for node in canvas.flow_nodes()}


def test_settings_dialog_edits_and_settings_persist(qtbot, window, monkeypatch):
    dialog = RunSettingsDialog(RunSettings())
    qtbot.addWidget(dialog)
    assert not dialog.scheduler.isEnabled()
    dialog.executor.setCurrentIndex(2)
    assert dialog.scheduler.isEnabled()
    dialog.executor.setCurrentIndex(1)
    dialog.workers.setValue(3)
    dialog.timeout.setValue(2.5)
    dialog.cache.setChecked(False)
    chosen = dialog.settings()
    assert chosen == RunSettings("process", 3, 2.5, "", False)

    monkeypatch.setattr(RunSettingsDialog, "exec", lambda self: QtWidgets.QDialog.Accepted)
    monkeypatch.setattr(RunSettingsDialog, "settings", lambda self: chosen)
    window.runs.edit_run_settings()
    assert window.runs.runner.settings == chosen
    assert RunSettings.load(settings()) == chosen


def test_stop_kills_a_hung_node_on_the_process_executor(qtbot, window, run_and_wait):
    """The node would sleep a minute: the run ends well before (how soon: bench_stop.py)."""
    add_hanging_flow(window.repo)
    window.tabs.open_flow("hang")
    window.runs.runner.settings = RunSettings(executor="process", workers=1)
    with qtbot.waitSignal(window.runs.run_done, timeout=30_000):
        assert window.runs.run_current()
        qtbot.waitUntil(lambda: statuses(window)["h"] == "running", timeout=20_000)
        window.runs.stop()
    assert statuses(window)["h"] == "cancelled"
    window.runs.runner.settings = RunSettings(executor="process", workers=1)
    window.repo.flows["hang"].add_node(
        NodeInstance("quick", "math.add", values={"a": "1", "b": "2"})
    )
    assert run_and_wait(window, ["quick"]), "a fresh worker replaced the killed one"


def test_unchanged_nodes_show_cached_and_an_edit_reruns_its_dependants(qtbot, window, run_and_wait):
    window.tabs.open_flow("calc")
    window.runs.runner.settings = RunSettings(cache=True)
    assert run_and_wait(window)
    assert statuses(window) == {"n1": "success", "n2": "success"}
    assert run_and_wait(window)
    assert statuses(window) == {"n1": "cached", "n2": "cached"}
    assert window.tabs.current()[0].flow_node("n2").preview("out") == "50.0"
    window.tabs.current()[1].set_value("n2", "b", "100")
    assert run_and_wait(window)
    assert statuses(window) == {"n1": "cached", "n2": "success"}
    assert window.tabs.current()[0].flow_node("n2").preview("out") == "500.0"
    window.runs.runner.settings = RunSettings(cache=False)
    assert run_and_wait(window)
    assert statuses(window) == {"n1": "success", "n2": "success"}


def test_streamed_values_reach_the_preview_while_the_node_runs(qtbot, window, run_and_wait):
    window.repo.add_spec(
        NodeSpec(
            "stream.tick",
            "Tick",
            [],
            [Port("out", "Int")],
            "import time\ndef func():\n    for i in range(1, 31):\n"
            "        time.sleep(0.05)\n        yield i\n",
        )
    )
    flow = Flow("ticks")
    flow.add_node(NodeInstance("t", "stream.tick"))
    flow.add_node(NodeInstance("sum", "math.add", values={"b": "1000"}, x=300))
    flow.add_link(Link("t", "out", "sum", "a"))
    window.repo.add_flow(flow)
    window.tabs.open_flow("ticks")
    seen = []
    node = None
    with qtbot.waitSignal(window.runs.run_done, timeout=20_000):
        assert window.runs.run_current()
        node = window.tabs.current()[0].flow_node("t")

        def streaming():
            text = node.preview("out")
            if text and statuses(window)["t"] == "running":
                seen.append(int(text))
            return len(set(seen)) >= 3

        qtbot.waitUntil(streaming, timeout=10_000)
    assert seen == sorted(seen) and max(seen) < 30
    assert node.preview("out") == "30"
    assert window.tabs.current()[0].flow_node("sum").preview("out") == "1030"


# Waits until the file at ``path`` exists (``path.in`` says it began); returns at once
# without a path: quick earlier in the run, then slow.
WAIT_FOR_FILE = (
    "import os, time\n"
    "def func(path, after):\n"
    "    if path:\n"
    "        open(path + '.in', 'w').close()\n"
    "    while path and not os.path.exists(path):\n"
    "        time.sleep(0.01)\n"
    "    return after\n"
)


@pytest.mark.parametrize("ending", ["Stop", "timeout"])
def test_stop_and_the_timeout_end_a_node_that_was_quick_earlier_in_the_run_on_threads(
    qtbot, window, tmp_path, monkeypatch, ending
):
    """On threads, ``slow`` runs on the scheduler's own thread (its spec was quick in
    ``quick``); Shift+Esc, or the timeout, still ends the run while it waits."""
    monkeypatch.setattr(scheduler_module, "INLINE_BELOW", 0.1)  # a busy machine stays quick
    release = tmp_path / "release"
    window.repo.add_spec(
        NodeSpec(
            "test.wait",
            "Wait",
            [Port("path", "String", 0), Port("after", "Int", 1)],
            [Port("out", "Int")],
            WAIT_FOR_FILE,
        )
    )
    flow = Flow("waits")
    flow.add_node(NodeInstance("quick", "test.wait", values={"path": "", "after": "1"}))
    flow.add_node(NodeInstance("slow", "test.wait", values={"path": str(release)}))
    flow.add_link(Link("quick", "out", "slow", "after"))
    window.repo.add_flow(flow)
    window.tabs.open_flow("waits")
    timeout = 0.5 if ending == "timeout" else 0
    window.runs.runner.settings = RunSettings(executor="thread", workers=2, timeout=timeout)
    try:
        with qtbot.waitSignal(window.runs.run_done, timeout=20_000):
            assert window.runs.run_current()
            if ending == "Stop":
                qtbot.waitUntil(Path(f"{release}.in").exists, timeout=10_000)
                window.activateWindow()
                qtbot.keyClick(
                    window.tabs.current()[0].widget,
                    QtCore.Qt.Key.Key_Escape,
                    QtCore.Qt.KeyboardModifier.ShiftModifier,
                )
        # The node waits for ``release``, made only below: the run ended while it waited.
        expected = {"quick": "success", "slow": "cancelled" if ending == "Stop" else "fail"}
        assert statuses(window) == expected
    finally:
        release.touch()  # the node's thread, left to it, returns


@pytest.mark.parametrize("executor", ["process", "thread"])
def test_a_windows_nodes_run_in_the_folder_of_its_file(
    qtbot, window, run_and_wait, tmp_path, executor
):
    """A relative path in a node means the file's folder, whichever folder the program
    started in (home for a file never saved)."""
    window.repo.add_spec(
        NodeSpec(
            "where",
            "Where",
            [],
            [Port("out", "Any")],
            "import os\ndef func():\n    return os.getcwd()\n",
        )
    )
    flow = Flow("here")
    flow.add_node(NodeInstance("w", "where"))
    window.repo.add_flow(flow)
    window.tabs.open_flow("here")
    window.runs.runner.settings = RunSettings(executor=executor, cache=False)
    Path.home().mkdir()  # the test's own home (isolated_settings), not made until now
    assert run_and_wait(window)
    assert window.run_states.get("here").node("w").outputs["out"] == str(Path.home())
    window.set_path(tmp_path / "saved.json")
    assert run_and_wait(window)
    assert window.run_states.get("here").node("w").outputs["out"] == str(tmp_path)


def test_memory_for_values_and_largest_message_set_in_run_settings_reach_the_workers(
    qtbot, window, run_and_wait, data_flow
):
    """The dialog's budget and message size reach the run's worker processes, and the
    defaults bring theirs back for the next run: they are shared between runs."""
    dialog = RunSettingsDialog(RunSettings(executor="thread"))
    qtbot.addWidget(dialog)
    assert not dialog.memory.isEnabled() and not dialog.max_message.isEnabled()  # no workers
    dialog.executor.setCurrentIndex(1)
    assert dialog.memory.isEnabled() and dialog.memory.text() == "a quarter of RAM"
    assert dialog.max_message.isEnabled() and dialog.max_message.value() == 64
    dialog.memory.setValue(1)
    dialog.max_message.setValue(1)
    small = dialog.settings()
    assert small == RunSettings("process", memory=1, max_message=1)
    source = "def func():\n    print('€' * 600_000)\n    return bytes(3 * 2**20)\n"
    data_flow("big", source)
    window.runs.runner.settings = small
    assert not run_and_wait(window, timeout=30_000)
    assert (shared_pool().budget, shared_pool().max_message) == (2**20, 2**20)
    select(qtbot, window.tabs.current()[0], "n")
    inspector = window.panels.inspector
    assert "more than the 1 MB a message may hold" in inspector.error_text.toPlainText()
    window.runs.runner.settings = RunSettings("process", cache=False)  # the node runs again
    assert run_and_wait(window, timeout=30_000)
    assert (shared_pool().budget, shared_pool().max_message) == (total_memory() // 4, 64 * 2**20)
