"""One conformance suite, run against every executor: thread, process and dask.

Each test builds a small flow, runs it through the one scheduler on the executor under
test and checks statuses, values and events. Executors must be indistinguishable here.
Every run without a timeout, a Stop or a cache also runs the flow's exported script
(``export-python``, which shares the engine's call convention) and finds the same result.
"""

from __future__ import annotations

import os
import threading

import pytest
from flows import add_nodes, basic_repo, exported, gate_repo, gate_spec, link, spec, wait_for
from subflow_docs import MAIN, NESTED, SCALE, TWICE, document, load

from pyflow_desktop.engine import (
    NodeCached,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeQueued,
    NodeStarted,
    ResultCache,
    RunFinished,
    Scheduler,
    plan_run,
    run_flow,
)
from pyflow_desktop.engine import scheduler as scheduler_module
from pyflow_desktop.engine.folder import flow_folder
from pyflow_desktop.engine.watchdog import LOOP_THREAD
from pyflow_desktop.repository import Flow


def run(repo, flow, executor, **options):
    events = []
    result = run_flow(repo, flow, executor=executor, on_event=events.append, **options)
    if not {"timeout", "cache"} & set(options):  # what the exported script has not
        assert exported(repo, flow, options.get("targets")) == result.to_json()
    return result, events


@pytest.fixture
def quick_below_100_ms(monkeypatch):
    """What counts as quick, raised so that a busy machine cannot make a trivial node slow."""
    monkeypatch.setattr(scheduler_module, "INLINE_BELOW", 0.1)


@pytest.fixture
def release(tmp_path, executor):
    """The file a gate node waits for (``flows.GATE``); made after the test, whose gate
    thread (not a killed worker process) is then waited for."""
    path = tmp_path / "release"
    yield path
    path.touch()
    if executor.name != "process" and (tmp_path / "release.entered").exists():
        wait_for(tmp_path / "release.returned", 10)


def test_chain(executor):
    repo = basic_repo()
    flow = Flow("chain")
    add_nodes(flow, ("c", "const", {"v": "1"}), *[(f"n{i}", "add", {"b": "1"}) for i in range(5)])
    link(flow, "c:out", "n0:a")
    for i in range(1, 5):
        link(flow, f"n{i - 1}:out", f"n{i}:a")
    repo.add_flow(flow)
    result, _ = run(repo, flow, executor)
    assert result.ok and result.output("n4") == 6


def test_reached_before_a_run_let_go_after_and_started_again_by_the_next(executor):
    repo = basic_repo()
    flow = Flow("again")
    add_nodes(flow, ("c", "const", {"v": "1"}), ("n", "add", {"b": "1"}))
    link(flow, "c:out", "n:a")
    repo.add_flow(flow)
    executor.connect()  # the Executor interface: every executor answers it
    assert run(repo, flow, executor)[0].output("n") == 2
    executor.shutdown()
    assert run(repo, flow, executor)[0].output("n") == 2


def test_diamond(executor):
    repo = basic_repo()
    flow = Flow("diamond")
    add_nodes(
        flow,
        ("top", "const", {"v": "2"}),
        ("left", "add", {"b": "10"}),
        ("right", "add", {"b": "20"}),
        ("bottom", "add", {}),
    )
    link(flow, "top:out", "left:a")
    link(flow, "top:out", "right:a")
    link(flow, "left:out", "bottom:a")
    link(flow, "right:out", "bottom:b")
    repo.add_flow(flow)
    result, _ = run(repo, flow, executor)
    assert result.output("bottom") == 34


def test_wide_fan_out(executor):
    repo = basic_repo()
    flow = Flow("wide")
    add_nodes(
        flow, ("src", "const", {"v": "1"}), *[(f"w{i}", "add", {"b": str(i)}) for i in range(40)]
    )
    for i in range(40):
        link(flow, "src:out", f"w{i}:a")
    repo.add_flow(flow)
    result, _ = run(repo, flow, executor)
    assert result.ok
    assert [result.output(f"w{i}") for i in range(40)] == [1 + i for i in range(40)]


def test_multi_output(executor):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "divmod",
            "def func(a, b):\n    q, r = divmod(a, b)\n    return {'q': q, 'r': r}\n",
            ["a:Int", "b:Int"],
            outputs=("q", "r"),
        )
    )
    flow = Flow("multi")
    add_nodes(flow, ("d", "divmod", {"a": "17", "b": "5"}), ("sum", "add", {}))
    link(flow, "d:q", "sum:a")
    link(flow, "d:r", "sum:b")
    repo.add_flow(flow)
    result, _ = run(repo, flow, executor)
    assert (result.output("d", "q"), result.output("d", "r"), result.output("sum")) == (3, 2, 5)


def test_failure_skips_descendants_only(executor):
    repo = basic_repo()
    flow = Flow("fail")
    add_nodes(
        flow,
        ("bad", "boom", {"a": "x"}),
        ("child", "add", {"b": "1"}),
        ("grandchild", "add", {"b": "1"}),
        ("other", "const", {"v": "5"}),
    )
    link(flow, "bad:out", "child:a")
    link(flow, "child:out", "grandchild:a")
    repo.add_flow(flow)
    result, events = run(repo, flow, executor)
    assert [n["status"] for n in result.nodes] == ["fail", "skip", "skip", "success"]
    assert "ValueError: boom at x" in result.node("bad")["error"]
    assert "'bad'" in result.node("grandchild")["error"]
    failed = next(e for e in events if isinstance(e, NodeFailed))
    assert "Traceback" in failed.traceback


def test_event_order(executor):
    repo = basic_repo()
    flow = Flow("order")
    add_nodes(flow, ("a", "const", {"v": "1"}), ("b", "add", {"b": "1"}), ("c", "add", {"b": "1"}))
    link(flow, "a:out", "b:a")
    link(flow, "b:out", "c:a")
    repo.add_flow(flow)
    _, events = run(repo, flow, executor)
    assert [(type(e), e.node) for e in events] == [
        (NodeQueued, "a"), (NodeStarted, "a"), (NodeFinished, "a"),
        (NodeQueued, "b"), (NodeStarted, "b"), (NodeFinished, "b"),
        (NodeQueued, "c"), (NodeStarted, "c"), (NodeFinished, "c"),
        (RunFinished, ""),
    ]  # fmt: skip


def test_streaming_partials_arrive_in_order_before_finish(executor):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "tick",
            "import time\ndef func(n):\n    for i in range(n):\n"
            "        time.sleep(0.02)\n        yield i * 10\n",
            ["n:Int"],
        )
    )
    flow = Flow("stream")
    add_nodes(flow, ("t", "tick", {"n": "5"}))
    repo.add_flow(flow)
    result, events = run(repo, flow, executor)
    partials = [e for e in events if isinstance(e, NodeOutput)]
    assert [(e.index, e.value["value"]) for e in partials] == [(i, i * 10) for i in range(5)]
    finished = next(i for i, e in enumerate(events) if isinstance(e, NodeFinished))
    assert events.index(partials[-1]) < finished
    assert result.output("t") == 40


def test_cancel_stops_the_run_quickly(executor, release):
    repo = basic_repo()
    repo.add_spec(gate_spec())
    flow = Flow("cancel")
    add_nodes(flow, ("slow", "gate", {"release": str(release)}), ("after", "add", {"b": "1"}))
    link(flow, "slow:out", "after:a")
    repo.add_flow(flow)
    scheduler = Scheduler(plan_run(repo, flow), executor)
    entered = release.with_suffix(".entered")
    stopper = threading.Thread(target=lambda: wait_for(entered) and scheduler.cancel())
    stopper.start()
    result = scheduler.run()
    stopper.join()
    assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert [n["status"] for n in result.nodes] == ["cancelled", "cancelled"]


def test_timeout_fails_the_hung_node_and_the_rest_finishes(executor, release):
    repo = basic_repo()
    repo.add_spec(gate_spec())
    flow = Flow("timeout")
    add_nodes(flow, ("hang", "gate", {"release": str(release)}), ("quick", "const", {"v": "3"}))
    repo.add_flow(flow)
    result, _ = run(repo, flow, executor, timeout=0.5)
    assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert result.node("hang")["status"] == "fail"
    assert "timed out after 0.5 s" in result.node("hang")["error"]
    assert result.output("quick") == 3


def test_cache_hit_and_exact_reruns_after_an_edit(executor):
    repo = basic_repo()
    flow = Flow("cache")
    add_nodes(
        flow,
        ("a", "const", {"v": "1"}),
        ("b", "const", {"v": "2"}),
        ("sum", "add", {}),
        ("plus", "add", {"b": "100"}),
    )
    link(flow, "a:out", "sum:a")
    link(flow, "b:out", "sum:b")
    link(flow, "sum:out", "plus:a")
    repo.add_flow(flow)
    cache = ResultCache()
    first, _ = run(repo, flow, executor, cache=cache)
    assert {n["status"] for n in first.nodes} == {"success"}
    again, events = run(repo, flow, executor, cache=cache)
    assert {n["status"] for n in again.nodes} == {"cached"} and again.ok
    assert again.output("plus") == 103
    assert {e.node for e in events if isinstance(e, NodeCached)} == {"a", "b", "sum", "plus"}
    flow.set_value("b", "v", "5")
    edited, _ = run(repo, flow, executor, cache=cache)
    status = {n["id"]: n["status"] for n in edited.nodes}
    assert status == {"a": "cached", "b": "success", "sum": "success", "plus": "success"}
    assert edited.output("plus") == 106


def test_type_mismatch_fails_naming_port_and_types(executor):
    repo = basic_repo()
    repo.add_spec(spec("text", "def func():\n    return 'seven'\n"))
    flow = Flow("types")
    add_nodes(flow, ("t", "text", {}), ("sum", "add", {"b": "1"}))
    link(flow, "t:out", "sum:a")
    repo.add_flow(flow)
    result, _ = run(repo, flow, executor)
    error = result.node("sum")["error"]
    assert result.node("sum")["status"] == "fail"
    assert "'a'" in error and "Int" in error and "str" in error


def test_results_equal_those_of_the_thread_executor(executor):
    repo = basic_repo()
    flow = Flow("mixed")
    add_nodes(
        flow,
        ("a", "const", {"v": "4"}),
        ("s", "shout", {"t": "hi"}),
        ("bad", "boom", {}),
        ("g", "count", {"n": "3"}),
        ("sum", "add", {}),
    )
    link(flow, "a:out", "sum:a")
    link(flow, "g:out", "sum:b")
    repo.add_flow(flow)
    reference = run_flow(repo, flow, executor="thread")
    result, events = run(repo, flow, executor)
    assert result.nodes == reference.nodes
    shout = next(e for e in events if isinstance(e, NodeFinished) and e.node == "s")
    assert shout.stdout == "hello hi\n"


def test_timeout_stops_a_generator_that_streams_forever(executor):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "forever",
            "import time\ndef func():\n    i = 0\n    while True:\n"
            "        time.sleep(0.01)\n        i += 1\n        yield i\n",
        )
    )
    flow = Flow("forever")
    add_nodes(flow, ("f", "forever", {}))
    repo.add_flow(flow)
    result, events = run(repo, flow, executor, timeout=0.5)
    assert "timed out after 0.5 s" in result.node("f")["error"]
    assert any(isinstance(e, NodeOutput) for e in events)


def test_subflows_run_flattened_as_on_the_thread_executor(executor):
    repo = load(document(SCALE, MAIN, TWICE, NESTED))
    for flow_id, inner in (("main", "u2/m"), ("nested", "w/inner2/p")):
        result, events = run(repo, flow_id, executor, cache=ResultCache())
        assert result.nodes == run_flow(repo, flow_id).nodes
        finished = [e.node for e in events if isinstance(e, NodeFinished)]
        assert inner in finished and finished.index(inner) < finished.index(inner.split("/")[0])
    repo.flows["main"].set_value("u1", "k", "not a number")
    result, _ = run(repo, "main", executor)
    assert [result.node(n)["status"] for n in ("u1/m", "u1", "u2/m", "u2", "t")] == [
        *("fail", "skip", "success", "success", "skip")
    ]


def test_a_node_quick_earlier_in_the_run_then_slow_times_out_at_its_deadline(
    executor, release, quick_below_100_ms
):
    repo = gate_repo(release)
    result, _ = run(repo, "gate", executor, timeout=0.5)
    assert not release.with_suffix(".returned").exists()  # reported while it still ran
    statuses = {node["id"]: node["status"] for node in result.nodes}
    assert statuses == {"quick": "success", "slow": "fail", "child": "skip", "later": "success"}
    assert "timed out after 0.5 s" in result.node("slow")["error"]
    if executor.name == "thread":  # the case in point: it ran inline, on the loop's thread
        assert release.with_suffix(".entered").read_text() == LOOP_THREAD


def test_stop_reaches_a_node_quick_earlier_in_the_run_then_slow(
    executor, release, quick_below_100_ms
):
    repo = gate_repo(release)
    scheduler = Scheduler(plan_run(repo, "gate"), executor)
    stopper = threading.Thread(
        target=lambda: wait_for(release.with_suffix(".entered")) and scheduler.cancel()
    )
    stopper.start()
    result = scheduler.run()
    stopper.join()
    assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert result.node("quick")["status"] == "success"
    assert [result.node(n)["status"] for n in ("slow", "child")] == ["cancelled", "cancelled"]
    if executor.name == "thread":
        assert release.with_suffix(".entered").read_text() == LOOP_THREAD


MODULE_STATE = "calls = []\n\ndef func(after):\n    calls.append(after)\n    return len(calls)\n"


def test_every_node_call_runs_its_spec_in_a_fresh_module(executor):
    """A module-level ``calls = []`` is new at each call: two nodes of the spec, one after
    the other, and three runs in this process all count one call."""
    repo = basic_repo()
    repo.add_spec(spec("calls", MODULE_STATE, ["after"]))
    flow = Flow("state")
    add_nodes(flow, ("first", "calls", {}), ("second", "calls", {}), ("third", "calls", {}))
    link(flow, "first:out", "second:after")
    repo.add_flow(flow)
    for _ in range(3):
        result, _ = run(repo, flow, executor)
        assert [result.output(n) for n in ("first", "second", "third")] == [1, 1, 1]
    script = exported(repo, flow)
    assert [node["outputs"][0]["value"] for node in script] == [1, 1, 1]


def test_nodes_run_in_the_folder_they_are_given_and_the_run_leaves_it(executor, tmp_path):
    """A relative path means the flow file's folder (``run_flow(folder=)``), on every
    executor; where nodes run in this process, its own folder is back after the run."""
    (tmp_path / "data.txt").write_text("42")
    repo = basic_repo()
    repo.add_spec(
        spec("read", "import os\ndef func():\n    return [os.getcwd(), open('data.txt').read()]\n")
    )
    flow = Flow("folder")
    add_nodes(flow, ("r", "read", {}))
    repo.add_flow(flow)
    here = os.getcwd()
    result = run_flow(repo, flow, executor=executor, folder=str(tmp_path))
    assert result.output("r") == [str(tmp_path), "42"]
    assert os.getcwd() == here


def test_a_flow_never_saved_runs_in_home_or_where_the_program_is_without_one(
    executor, tmp_path, monkeypatch
):
    repo = basic_repo()
    repo.add_spec(spec("where", "import os\ndef func():\n    return os.getcwd()\n"))
    flow = Flow("unsaved")
    add_nodes(flow, ("w", "where", {}))
    repo.add_flow(flow)
    home = tmp_path / "home"
    monkeypatch.setenv("HOME", str(home))  # not made yet
    assert flow_folder(None) is None
    result = run_flow(repo, flow, executor=executor, folder=flow_folder(None))
    assert result.ok, "no home folder: its nodes run where their worker is, not fail"
    home.mkdir()
    assert flow_folder(None) == str(home)
    result = run_flow(repo, flow, executor=executor, folder=flow_folder(None))
    assert result.output("w") == str(home)
