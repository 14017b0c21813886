"""Ctrl+C stops a run on Windows too. There a Ctrl+C cannot interrupt a thread's wait
(before Python 3.14): the main thread handles it only once its wait returns, so the thread
that waits for a run must wait in short steps. ``_thread.interrupt_main`` is that condition
here: it marks the interrupt as a signal does, but wakes no wait."""

from __future__ import annotations

import _thread
import threading

import pytest
from flows import gate_repo, released_after, wait_for

from pyflow_desktop.engine import NodeCancelled, RunFinished, run_flow


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_a_ctrl_c_that_wakes_no_wait_stops_the_run(tmp_path, executor):
    events = []
    with released_after(tmp_path / "release") as release:

        def press_ctrl_c() -> None:
            if wait_for(release.with_suffix(".entered")):
                _thread.interrupt_main()

        threading.Thread(target=press_ctrl_c, daemon=True).start()
        with pytest.raises(KeyboardInterrupt):
            run_flow(gate_repo(release), "gate", on_event=events.append, executor=executor)
        assert not release.with_suffix(".returned").exists(), "stopped while the node waited"
    assert {e.node for e in events if isinstance(e, NodeCancelled)} >= {"slow", "child"}
    assert isinstance(events[-1], RunFinished)
