"""The engine: planning, call convention, failure and skip, events, parallelism."""

from __future__ import annotations

import gc
import json
import sys
import threading
import weakref

import pytest
from flows import add_nodes, basic_repo, gate_spec, link, released_after, spec, wait_for
from original_docs import OWN, original_file

from pyflow_desktop.engine import (
    NodeCancelled,
    NodeFailed,
    NodeFinished,
    NodeOutput,
    NodeQueued,
    NodeSkipped,
    NodeStarted,
    PlanError,
    ResultCache,
    RunFinished,
    Scheduler,
    ThreadExecutor,
    plan_keys,
    plan_run,
    run_flow,
    to_jsonable,
)
from pyflow_desktop.repository import (
    ConversionError,
    CycleError,
    Flow,
    Link,
    LinkError,
    Repository,
    UnknownFlowError,
    UnknownSpecError,
    convert_value,
    load_repository,
)


def diamond(repo):
    """c1 → (l, r) → join; plus an unrelated node `lone`."""
    flow = Flow("diamond")
    add_nodes(
        flow,
        ("c1", "const", {"v": "1"}),
        ("l", "add", {"b": "10"}),
        ("r", "add", {"b": "100"}),
        ("join", "add", {}),
        ("lone", "const", {"v": "7"}),
    )
    link(flow, "c1:out", "l:a")
    link(flow, "c1:out", "r:a")
    link(flow, "l:out", "join:a")
    link(flow, "r:out", "join:b")
    repo.add_flow(flow)
    return flow


def test_diamond_runs_in_dependency_order_with_converted_values():
    repo = basic_repo()
    diamond(repo)
    result = run_flow(repo, "diamond")
    assert result.ok
    assert result.output("join") == 11 + 101
    order = [node["id"] for node in result.nodes]
    assert order.index("c1") < order.index("l") < order.index("join")
    assert result.node("l")["inputs"] == [
        {"name": "a", "type": "Int", "value": 1},
        {"name": "b", "type": "Int", "value": 10},
    ]


def test_a_result_reads_one_row_or_the_whole_table_alike():
    repo = basic_repo()
    diamond(repo)
    result = run_flow(repo, "diamond")
    one = result.node("join")  # before the table is made: just this row
    assert one["outputs"] == [{"name": "out", "type": "Any", "value": 112}]
    assert result.statuses == dict.fromkeys(["c1", "l", "r", "join", "lone"], "success")
    assert result.counts() == {"success": 5}
    result.counts().pop("success")  # each caller's own dict (the window pops from it)
    assert result.counts() == {"success": 5}
    assert result.node("join") == one == result.nodes[3]
    assert result.node("join") is result.nodes[3]  # once made, the table's own rows
    with pytest.raises(KeyError, match="no node 'nope'"):
        result.node("nope")
    assert json.loads(json.dumps(result.to_json()))[0]["id"] == "c1"


def test_targets_end_and_up_to_node_keep_only_ancestors():
    repo = basic_repo()
    flow = diamond(repo)
    flow.set_end("l", True)
    assert plan_run(repo, flow, "end").order == ("c1", "l")
    assert set(plan_run(repo, flow, ["join"]).order) == {"c1", "l", "r", "join"}
    assert len(plan_run(repo, flow, "all")) == 5
    with pytest.raises(PlanError, match="no node 'nope'"):
        plan_run(repo, flow, ["nope"])
    flow.set_end("l", False)
    with pytest.raises(PlanError, match="no node marked as end"):
        plan_run(repo, flow, "end")


def test_a_plan_of_links_going_back_in_the_file_is_in_dependency_order():
    repo = basic_repo()
    flow = Flow("back")
    add_nodes(
        flow,
        ("join", "add", {"b": "10"}),
        ("twice", "add", {}),
        ("c1", "const", {"v": "1"}),
        ("lone", "const", {"v": "7"}),
    )
    link(flow, "twice:out", "join:a")
    link(flow, "c1:out", "twice:a")
    link(flow, "c1:out", "twice:b")  # one source on two ports: listed once
    repo.add_flow(flow)
    plan = plan_run(repo, flow, "all")
    assert plan.order == ("c1", "twice", "join", "lone")  # ready ties: first in the file
    assert list(plan.nodes) == list(plan.order)
    assert list(plan.nodes["twice"].upstream) == ["c1"]
    assert list(plan.nodes["c1"].downstream) == ["twice"]
    assert set(plan.nodes["twice"].links) == {"a", "b"}
    assert plan.nodes["lone"].links == {} and plan.nodes["lone"].values == {"v": "7"}
    up_to = plan_run(repo, flow, ["twice"])
    assert up_to.order == ("c1", "twice") and list(up_to.nodes) == ["c1", "twice"]
    assert list(up_to.nodes["twice"].downstream) == []  # join is not planned
    flow.set_value("lone", "v", "8")
    assert plan.nodes["lone"].values == {"v": "7"}  # a snapshot: later edits do not reach it
    assert run_flow(repo, flow).output("join") == 12


def test_link_beats_manual_value_beats_default_beats_none():
    repo = basic_repo()
    repo.add_spec(
        spec("echo3", "def func(a, b, c):\n    return [a, b, c]\n", ["a:Int", "b:Int", "c"])
    )
    repo.specs["echo3"].inputs[1].default = "5"
    flow = Flow("f")
    add_nodes(flow, ("src", "const", {"v": "3"}), ("e", "echo3", {"a": "99"}))
    link(flow, "src:out", "e:a")
    repo.add_flow(flow)
    assert run_flow(repo, "f").output("e") == [3, 5, None]
    flow.set_value("e", "b", "8")
    assert run_flow(repo, "f").output("e") == [3, 8, None]


def test_inputs_are_passed_by_port_order_not_file_order():
    repo = basic_repo()
    minus = spec("minus", "def func(a, b):\n    return a - b\n", ["b:Int", "a:Int"])
    minus.inputs[0].order, minus.inputs[1].order = 1, 0
    repo.add_spec(minus)
    flow = Flow("f")
    add_nodes(flow, ("m", "minus", {"a": "10", "b": "3"}))
    repo.add_flow(flow)
    assert run_flow(repo, "f").output("m") == 7


def test_several_outputs_take_a_returned_dict_and_a_non_dict_fails_clearly():
    repo = basic_repo()
    repo.add_spec(
        spec(
            "split",
            "def func(x):\n    return {'lo': x - 1, 'hi': x + 1}\n",
            ["x:Int"],
            outputs=("lo", "hi"),
        )
    )
    repo.add_spec(spec("bad", "def func(x):\n    return x\n", ["x:Int"], outputs=("lo", "hi")))
    flow = Flow("f")
    add_nodes(flow, ("s", "split", {"x": "5"}), ("b", "bad", {"x": "5"}))
    repo.add_flow(flow)
    result = run_flow(repo, "f")
    assert result.output("s", "lo") == 4 and result.output("s", "hi") == 6
    assert result.node("b")["status"] == "fail"
    assert "must return a dict" in result.node("b")["error"]


def test_bad_manual_value_fails_that_node_naming_port_and_value():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("a", "add", {"a": "two", "b": "1"}), ("c", "const", {"v": "1"}))
    repo.add_flow(flow)
    result = run_flow(repo, "f")
    error = result.node("a")["error"]
    assert result.node("a")["status"] == "fail"
    assert "'a'" in error and "'two'" in error and "Int" in error
    assert result.node("c")["status"] == "success"


def test_bad_values_fail_one_node_not_the_run():
    repo = basic_repo()
    repo.add_spec(spec("big", "def func():\n    return 10 ** 5000\n"))
    repo.add_spec(spec("j", "def func(a):\n    return a\n", ["a:Json"]))
    flow = Flow("f")
    add_nodes(flow, ("big", "big", {}), ("deep", "j", {"a": "[" * 100_000}), ("t", "shout", {}))
    link(flow, "big:out", "t:t")
    repo.add_flow(flow)
    result = run_flow(repo, flow)
    assert "nested too deeply" in result.node("deep")["error"]
    # an int too long for str() cannot become a String: the node fails, naming it
    assert "(String) cannot take int" in result.node("t")["error"]
    assert "digits" in result.node("t")["error"]
    json.dumps(result.to_json())
    assert "digits" in to_jsonable(10**5000)
    with pytest.raises(ConversionError):
        convert_value("[" * 100_000, "List")


def test_failure_skips_exactly_its_descendants_and_other_branches_run():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(
        flow,
        ("src", "const", {"v": "1"}),
        ("bad", "boom", {}),
        ("after", "add", {"b": "1"}),
        ("after2", "add", {"b": "1"}),
        ("ok", "add", {"b": "2"}),
    )
    link(flow, "src:out", "bad:a")
    link(flow, "bad:out", "after:a")
    link(flow, "after:out", "after2:a")
    link(flow, "src:out", "ok:a")
    repo.add_flow(flow)
    events = []
    result = run_flow(repo, "f", on_event=events.append)
    status = {node["id"]: node["status"] for node in result.nodes}
    assert status == {
        "src": "success",
        "bad": "fail",
        "after": "skip",
        "after2": "skip",
        "ok": "success",
    }
    assert "boom at 1" in result.node("bad")["error"]
    for skipped in ("after", "after2"):
        assert "'bad'" in result.node(skipped)["error"]
    failed = next(e for e in events if isinstance(e, NodeFailed))
    assert "ValueError" in failed.traceback and "line 2" in failed.traceback
    skips = [e for e in events if isinstance(e, NodeSkipped)]
    assert {e.node for e in skips} == {"after", "after2"}
    assert all(e.failed_ancestor == "bad" for e in skips)
    assert not result.ok


def test_events_come_in_order_and_end_with_run_finished():
    repo = basic_repo()
    diamond(repo)
    events = []
    run_flow(repo, "diamond", on_event=events.append)
    assert isinstance(events[-1], RunFinished)
    assert events[-1].counts == {"success": 5} and events[-1].ok
    for node in ("c1", "l", "r", "join", "lone"):
        kinds = [type(e) for e in events if e.node == node]
        assert kinds == [NodeQueued, NodeStarted, NodeFinished]
    finished = [e.node for e in events if isinstance(e, NodeFinished)]
    assert finished.index("c1") < finished.index("l") < finished.index("join")
    for event in events:
        data = event.to_dict()
        json.dumps(data)
        assert {"type", "node", "time"} <= set(data)


def test_generator_streams_partials_and_last_value_is_output():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("g", "count", {"n": "4"}), ("plus", "add", {"b": "100"}))
    link(flow, "g:out", "plus:a")
    repo.add_flow(flow)
    events = []
    result = run_flow(repo, "f", on_event=events.append)
    partials = [e for e in events if isinstance(e, NodeOutput)]
    assert [(e.value["value"], e.index) for e in partials] == [(0, 0), (1, 1), (2, 2), (3, 3)]
    assert result.output("g") == 3 and result.output("plus") == 103
    assert {e.type for e in partials} == {"partial"}


def test_a_quick_generator_run_inline_streams_its_partials_too():
    """``g2``'s spec ran quickly as ``g1`` just before: it runs on the scheduler's thread,
    which tells its partial values itself."""
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("g1", "count", {"n": "3"}), ("g2", "count", {}))
    link(flow, "g1:out", "g2:n")
    repo.add_flow(flow)
    events = []
    result = run_flow(repo, "f", on_event=events.append)
    partials = [(e.node, e.value["value"], e.index) for e in events if isinstance(e, NodeOutput)]
    assert partials == [("g1", 0, 0), ("g1", 1, 1), ("g1", 2, 2), ("g2", 0, 0), ("g2", 1, 1)]
    assert result.output("g2") == 1


def test_stdout_and_stderr_are_captured_per_node_in_parallel(capsys):
    repo = basic_repo()
    repo.add_spec(
        spec("err", "import sys\ndef func():\n    sys.stderr.write('oops')\n    return 1\n")
    )
    flow = Flow("f")
    add_nodes(flow, *[(f"s{i}", "shout", {"t": f"n{i}"}) for i in range(8)], ("e", "err", {}))
    repo.add_flow(flow)
    finished = {}
    run_flow(
        repo,
        "f",
        on_event=lambda e: finished.update({e.node: e}) if isinstance(e, NodeFinished) else None,
        workers=4,
    )
    for i in range(8):
        assert finished[f"s{i}"].stdout == f"hello n{i}\n"
    assert finished["e"].stderr == "oops" and finished["e"].stdout == ""
    out, err = capsys.readouterr()
    assert "hello" not in out and "oops" not in err


def test_megabytes_of_output_are_truncated_not_kept():
    repo = basic_repo()
    repo.add_spec(spec("loud", "def func():\n    print('x' * 5_000_000)\n    return 1\n"))
    flow = Flow("f")
    add_nodes(flow, ("l", "loud", {}))
    repo.add_flow(flow)
    events = []
    assert run_flow(repo, "f", on_event=events.append).ok
    out = next(e for e in events if isinstance(e, NodeFinished)).stdout
    assert len(out) < 1_100_000 and "more characters not kept" in out


def test_standard_streams_keep_their_file_descriptors_after_a_run():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("s", "shout", {"t": "x"}))
    repo.add_flow(flow)
    run_flow(repo, flow)
    assert sys.stderr.fileno() >= 0 and sys.stdout.encoding


# A node that leaves the file ``me`` and waits (10 s at most) for the file ``other``: two of
# them each see the other's file only when they run at the same time.
MEET = (
    "import os, time\n"
    "def func(me, other):\n"
    "    open(me, 'w').close()\n"
    "    deadline = time.monotonic() + 10\n"
    "    while not os.path.exists(other) and time.monotonic() < deadline:\n"
    "        time.sleep(0.01)\n"
    "    return os.path.exists(other)\n"
)


def test_independent_nodes_run_in_parallel(tmp_path):
    repo = basic_repo()
    repo.add_spec(spec("meet", MEET, ["me:String", "other:String"]))
    flow = Flow("f")
    a, b = str(tmp_path / "a"), str(tmp_path / "b")
    add_nodes(flow, ("a", "meet", {"me": a, "other": b}), ("b", "meet", {"me": b, "other": a}))
    repo.add_flow(flow)
    result = run_flow(repo, "f", workers=2)
    assert result.output("a") is result.output("b") is True, "each saw the other running"


def test_workers_cap_nodes_in_flight():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, *[(f"s{i}", "sleep", {"s": "0.05"}) for i in range(6)])
    repo.add_flow(flow)
    running, peak, lock = set(), [0], threading.Lock()

    def watch(event):
        with lock:
            if isinstance(event, NodeStarted):
                running.add(event.node)
                peak[0] = max(peak[0], len(running))
            elif isinstance(event, NodeFinished):
                running.discard(event.node)

    assert run_flow(repo, "f", workers=2, on_event=watch).ok
    assert peak[0] == 2


def test_timeout_fails_a_hung_node_and_other_nodes_finish(tmp_path):
    repo = basic_repo()
    repo.add_spec(gate_spec())
    flow = Flow("f")
    with released_after(tmp_path / "release") as release:
        add_nodes(flow, ("slow", "gate", {"release": str(release)}), ("quick", "const", {"v": "1"}))
        repo.add_flow(flow)
        result = run_flow(repo, "f", timeout=0.2)
        assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert result.node("slow")["status"] == "fail"
    assert "timed out after 0.2 s" in result.node("slow")["error"]
    assert result.node("quick")["status"] == "success"


def test_a_hung_thread_does_not_hold_back_the_other_nodes():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(
        flow,
        ("hang", "sleep", {"s": "30"}),
        ("o1", "const", {"v": "1"}),
        ("o2", "const", {"v": "2"}),
    )
    repo.add_flow(flow)
    result = run_flow(repo, flow, workers=1, timeout=0.3)
    status = {n["id"]: n["status"] for n in result.nodes}
    assert status == {"hang": "fail", "o1": "success", "o2": "success"}


def test_cancel_stops_the_running_node_and_the_queued_ones_at_once(tmp_path):
    repo = basic_repo()
    repo.add_spec(gate_spec())
    flow = Flow("f")
    with released_after(tmp_path / "release") as release:
        add_nodes(flow, ("first", "gate", {"release": str(release)}), ("next", "add", {"b": "1"}))
        link(flow, "first:out", "next:a")
        repo.add_flow(flow)
        scheduler = Scheduler(plan_run(repo, flow), ThreadExecutor(2))
        entered = release.with_suffix(".entered")
        threading.Thread(target=lambda: wait_for(entered) and scheduler.cancel()).start()
        result = scheduler.run()
        assert not release.with_suffix(".returned").exists()  # reported while it still ran
    assert [n["status"] for n in result.nodes] == ["cancelled", "cancelled"]


def test_a_run_ends_even_when_interrupted_inside_the_loop():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("hang", "sleep", {"s": "5"}))
    repo.add_flow(flow)
    events = []

    def sink(event):
        events.append(event)
        if isinstance(event, NodeStarted):
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_flow(repo, flow, on_event=sink)
    assert isinstance(events[-1], RunFinished)
    assert any(isinstance(e, NodeCancelled) for e in events)


def test_invalid_flows_are_refused_before_running_anything(tmp_path):
    marker = tmp_path / "ran"
    repo = basic_repo()
    repo.add_spec(spec("touch", f"def func(a):\n    open({str(marker)!r}, 'w').close()\n", ["a"]))
    cyclic = Flow("cyc")
    add_nodes(cyclic, ("t", "touch", {}), ("x", "add", {}), ("y", "add", {}))
    link(cyclic, "x:out", "y:a")
    link(cyclic, "y:out", "x:a")
    repo.add_flow(cyclic)
    with pytest.raises(CycleError) as error:
        run_flow(repo, "cyc")
    assert set(error.value.nodes) == {"x", "y"}
    dangling = Flow("dangling")
    add_nodes(dangling, ("t", "touch", {}))
    dangling.add_link(Link("t", "out", "ghost", "a"))
    repo.add_flow(dangling)
    with pytest.raises(LinkError, match="ghost"):
        run_flow(repo, "dangling")
    unknown = Flow("unknown")
    add_nodes(unknown, ("t", "touch", {}), ("u", "no.such.spec", {}))
    repo.add_flow(unknown)
    with pytest.raises(UnknownSpecError, match="no.such.spec"):
        run_flow(repo, "unknown")
    with pytest.raises(UnknownFlowError, match="cyc"):
        run_flow(repo, "missing")
    assert not marker.exists()


def test_node_raising_system_exit_fails_alone():
    repo = basic_repo()
    repo.add_spec(spec("exit", "import sys\ndef func():\n    sys.exit(3)\n"))
    flow = Flow("f")
    add_nodes(flow, ("e", "exit", {}), ("c", "const", {"v": "2"}))
    repo.add_flow(flow)
    result = run_flow(repo, "f")
    assert result.node("e")["status"] == "fail" and "SystemExit" in result.node("e")["error"]
    assert result.node("c")["status"] == "success"


def test_python2_tab_indented_source_runs():
    repo = basic_repo()
    repo.add_spec(spec("tabs", "def func(a):\n\tif a:\n\t\treturn 1\n        return 0\n", ["a"]))
    flow = Flow("f")
    add_nodes(flow, ("t", "tabs", {"a": ""}))
    repo.add_flow(flow)
    assert run_flow(repo, "f").output("t") == 0


@pytest.mark.parametrize(
    ("name", "math", "end", "error"),
    [
        ("repo.json", "pyflow.sample.math", "node1527101204754", "pyflow.sample.error"),
        (OWN, "own.sample.math", "mul", "own.sample.error"),
    ],
)
def test_original_math_flow_gives_nine_and_error_flow_fails_then_skips(
    name, math, end, error, request, tmp_path
):
    repo = load_repository(original_file(request, tmp_path, name))
    result = run_flow(repo, math)
    assert result.ok and result.output(end) == 9.0
    failed = run_flow(repo, error)
    assert [n["status"] for n in failed.nodes] == ["success", "fail", "skip"]


def test_every_sample_flow_matches_the_original_results(original_fixtures):
    """Outputs, statuses, errors and inputs equal what the original engine produced."""
    repo = load_repository(original_fixtures / "repo.json")
    expected = json.loads((original_fixtures / "sample_results.json").read_text())
    assert set(expected) <= set(repo.flows)
    for flow_id, nodes in expected.items():
        result = run_flow(repo, flow_id)
        assert {n["id"] for n in result.nodes} == {n["id"] for n in nodes}
        for want in nodes:
            got = result.node(want["id"])
            assert got["name"] == want["name"]
            assert got["status"] == want["status"], (flow_id, want["id"])
            assert [(o["name"], o["type"], o["value"]) for o in got["outputs"]] == [
                (o["name"], o["type"], o["value"]) for o in want["outputs"]
            ]
            if want["status"] == "fail":
                assert want["error"] in got["error"]
            # The original echoed manual values unconverted ("4"); we show what the
            # function received (4), so compare through the port's conversion.
            assert [(i["name"], i["type"]) for i in got["inputs"]] == [
                (i["name"], i["type"]) for i in want["inputs"]
            ]
            for got_in, want_in in zip(got["inputs"], want["inputs"]):
                assert got_in["value"] == _convert(want_in["value"], want_in["type"])


def _convert(value, port_type):
    from pyflow_desktop.repository import convert_value

    return convert_value(value, port_type)


def test_edits_during_a_run_do_not_reach_it():
    """The plan is a snapshot: a value typed while the flow runs is for the next run."""
    repo = basic_repo()
    repo.add_spec(spec("pair", "def func(a, b):\n    return [a, b]\n", ["a", "b"]))
    flow = Flow("f")
    add_nodes(flow, ("wait", "sleep", {"s": "0.2"}), ("pair", "pair", {"b": "2"}))
    link(flow, "wait:out", "pair:a")
    repo.add_flow(flow)
    scheduler = Scheduler(plan_run(repo, flow), ThreadExecutor(2))

    def edit(event):
        if isinstance(event, NodeStarted) and event.node == "wait":
            flow.set_value("pair", "b", "1000")
            flow.remove_link(flow.link_into("pair", "a"))

    scheduler.sink = edit
    assert scheduler.run().output("pair") == [0.2, "2"]
    assert run_flow(repo, flow).output("pair") == [None, "1000"]


def test_watched_nodes_and_their_ancestors_go_first():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, *[(f"x{i}", "const", {"v": str(i)}) for i in range(4)])
    add_nodes(flow, ("w0", "const", {"v": "1"}), ("watched", "add", {"b": "1"}))
    link(flow, "w0:out", "watched:a")
    repo.add_flow(flow)
    plain, first = [], []
    run_flow(
        repo,
        flow,
        workers=1,
        on_event=lambda e: plain.append(e.node) if isinstance(e, NodeStarted) else None,
    )
    run_flow(
        repo,
        flow,
        workers=1,
        first=["watched"],
        on_event=lambda e: first.append(e.node) if isinstance(e, NodeStarted) else None,
    )
    assert plain == ["x0", "x1", "x2", "x3", "w0", "watched"]
    assert first[:2] == ["w0", "watched"]


def test_one_thread_executor_serves_many_runs_even_after_a_timeout():
    repo = basic_repo()
    diamond(repo)
    hang = Flow("hang")
    add_nodes(hang, ("h", "sleep", {"s": "2"}), ("c", "const", {"v": "1"}))
    repo.add_flow(hang)
    executor = ThreadExecutor(2)
    for _ in range(5):
        assert run_flow(repo, "diamond", executor=executor).ok
    assert run_flow(repo, "hang", executor=executor, timeout=0.2).output("c") == 1
    for _ in range(5):
        assert run_flow(repo, "diamond", executor=executor).ok


@pytest.mark.parametrize("imports", ["", "import weakref\n"])
def test_a_finished_run_and_its_node_calls_are_freed_without_the_cyclic_collector(imports):
    """A run, its plan and each call's fresh module are freed as the run ends, with the
    cyclic garbage collector off: a window collects cycles on its GUI thread, where
    thousands of them would cost a frame. (Without ``imports`` the module is not run.)"""
    repo = basic_repo()
    source = "def func(a):\n    return __import__('weakref').ref(func)\n"
    repo.add_spec(spec("itself", imports + source, ["a"]))
    flow = Flow("f")
    add_nodes(flow, ("a", "itself", {}), ("b", "itself", {}))
    link(flow, "a:out", "b:a")
    repo.add_flow(flow)
    plan = plan_run(repo, flow)
    gc.disable()
    try:
        scheduler = Scheduler(plan, ThreadExecutor(2), lambda event: None)
        result = scheduler.run()
        calls = [result.output(node) for node in ("a", "b")]
        left = [weakref.ref(scheduler), weakref.ref(plan)]
        del scheduler, plan, result
        assert [ref() for ref in left] == [None, None]
        assert [ref() for ref in calls] == [None, None]  # each call's function and module
    finally:
        gc.enable()


def keyed_chain() -> tuple[Repository, Flow]:
    """c (1) -> a (+2) -> z (+3), for the tests of the keys a run is given."""
    repo = basic_repo()
    flow = Flow("keys")
    add_nodes(flow, ("c", "const", {"v": "1"}), ("a", "add", {"b": "2"}), ("z", "add", {"b": "3"}))
    link(flow, "c:out", "a:a")
    link(flow, "a:out", "z:a")
    repo.add_flow(flow)
    return repo, flow


def test_keys_given_to_the_scheduler_are_the_keys_it_would_make():
    """A window hands a run the keys it made for staleness: the cache files each result
    under the key a run without them gives, and a node without a given key gets its own."""
    repo, flow = keyed_chain()
    plan = plan_run(repo, flow, "all")
    keys = plan_keys(plan)
    cache = ResultCache()
    given = {node_id: key for node_id, key in keys.items() if node_id != "z"}
    first = Scheduler(plan, ThreadExecutor(2), cache=cache, keys=given).run()
    assert set(first.statuses.values()) == {"success"}
    again = Scheduler(plan_run(repo, flow, "all"), ThreadExecutor(2), cache=cache).run()
    assert again.statuses == {"c": "cached", "a": "cached", "z": "cached"}
    assert again.output("z") == 6


def test_a_run_given_keys_takes_from_the_cache_what_it_holds_and_runs_what_it_misses():
    """The keys the cache lacks as a run begins are not looked up (they cannot hit: a run's
    results go in at its end); those it holds are taken from it."""
    repo, flow = keyed_chain()
    cache = ResultCache()
    plan = plan_run(repo, flow, "all")
    Scheduler(plan, ThreadExecutor(2), cache=cache, keys=plan_keys(plan)).run()
    flow.set_value("a", "b", "5")
    plan = plan_run(repo, flow, "all")
    keys = plan_keys(plan)
    assert cache.misses(keys) == {"a", "z"}
    again = Scheduler(plan, ThreadExecutor(2), cache=cache, keys=keys).run()
    assert again.statuses == {"c": "cached", "a": "success", "z": "success"}
    assert again.output("z") == 9 and cache.misses(keys) == set()


class CountingCache(ResultCache):
    """The result cache, counting the lookups a run makes of it."""

    lookups = 0

    def get(self, key):
        self.lookups += 1
        return super().get(key)


def test_a_run_whose_every_key_the_cache_lacks_looks_none_up_and_fills_it():
    """A window's first run: every node misses, so none is looked up; a run after it finds
    them all."""
    repo, flow = keyed_chain()
    cache = CountingCache()
    plan = plan_run(repo, flow, "all")
    keys = plan_keys(plan)
    first = Scheduler(plan, ThreadExecutor(2), cache=cache, keys=keys).run()
    assert first.ok and cache.lookups == 0 and len(cache) == 3
    again = Scheduler(plan_run(repo, flow, "all"), ThreadExecutor(2), cache=cache, keys=keys).run()
    assert set(again.statuses.values()) == {"cached"} and cache.lookups == 3
    assert again.output("z") == 6
