"""RunState, without Qt: real runs' events folded into each node's status, outputs, errors,
output and time; staleness after edits and their undo; a deleted node's result back with it;
subflow nodes counting their inner nodes; the kept plan; and what it tells its readers."""

from __future__ import annotations

from flows import add_nodes, basic_repo, link
from subflow_docs import document, load

from pyflow_desktop.engine import (
    NodeCancelled,
    NodeFinished,
    NodeOutput,
    NodeStarted,
    RunChange,
    RunState,
    RunStates,
    plan_run,
    run_flow,
)
from pyflow_desktop.repository import Flow


class Later:
    """The owner's event loop, turned by hand: what a state asks to run later."""

    def __init__(self) -> None:
        self.calls: list = []

    def __call__(self, call) -> None:
        self.calls.append(call)

    def settle(self) -> None:
        while self.calls:
            self.calls.pop(0)()


class Heard:
    """Every notification of an observable, as (change, payload)."""

    def __init__(self, events) -> None:
        self.calls: list[tuple[str, dict]] = []
        for change in RunChange:
            events.connect(
                change, lambda change=change, **payload: self.calls.append((change, payload))
            )

    def of(self, change: RunChange) -> list[dict]:
        return [payload for name, payload in self.calls if name == change]


def calc_repo():
    """Flow ``f``: a = 2 + 3 prints, b = a + 1, bad fails, after is skipped, n streams 0..2."""
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(
        flow,
        ("a", "add", {"a": "2", "b": "3"}),
        ("b", "add", {"b": "1"}),
        ("bad", "boom", {"a": "x"}),
        ("after", "add", {"b": "1"}),
        ("hi", "shout", {"t": "there"}),
        ("n", "count", {"n": "3"}),
    )
    link(flow, "a:out", "b:a")
    link(flow, "bad:out", "after:a")
    repo.add_flow(flow)
    return repo, flow


def held(views) -> dict:
    """The values views of a run's events hold (events carry views: ``engine.events``)."""
    return {port: view["value"] for port, view in views.items()}


def ran(repo, flow, targets="all", later=None):
    """A run of ``targets`` folded into a fresh state, in two batches as a window gets them."""
    later = later or Later()
    state = RunState(repo, flow, later)
    later.settle()
    events: list = []
    plan = plan_run(repo, flow, targets)
    state.begin(plan.order)
    result = run_flow(repo, flow, targets=targets, on_event=events.append)
    half = len(events) // 2
    state.apply(events[:half])
    state.apply(events[half:])
    state.finish(result)
    return state, later, result


def test_each_node_says_how_it_ran():
    repo, flow = calc_repo()
    state, _later, result = ran(repo, flow)
    a, b, bad, after, hi, n = (state.node(i) for i in ("a", "b", "bad", "after", "hi", "n"))
    assert (a.status, held(a.outputs), held(b.outputs)) == ("success", {"out": 5}, {"out": 6})
    assert a.elapsed is not None and a.elapsed >= 0 and not a.streaming
    assert hi.stdout == "hello there\n" and hi.stderr == ""
    assert bad.status == "fail" and bad.error.startswith("ValueError: boom at x")
    assert "Traceback" in bad.traceback and bad.error_line == 2
    assert after.status == "skip" and "bad" in after.error and after.outputs == {}
    assert n.status == "success" and held(n.outputs) == {"out": 2} and n.partial["value"] == 2
    assert state.node("nowhere").status == "pending"
    assert state.outcome is result and not state.running
    assert held(state.last["a"].outputs) == {"out": 5} and state.stale == set()


def test_streamed_values_are_the_outputs_while_the_node_runs():
    repo, flow = calc_repo()
    state = RunState(repo, flow, Later())
    state.begin(["n"])
    state.apply([NodeStarted("n"), NodeOutput("n", value=41, index=0)])
    n = state.node("n")
    assert (n.status, n.streaming, n.outputs_now(["out"])) == ("running", True, {"out": 41})
    state.apply([NodeOutput("n", value={"x": 1, "y": 2, "z": 3}, index=1)])
    assert state.node("n").outputs_now(["x", "z"]) == {"x": 1, "z": 3}
    assert state.node("n").outputs_now(["x", "y"]) != {} and state.running
    state.apply([NodeFinished("n", outputs={"out": 42})])
    assert state.node("n").outputs_now(["out"]) == {"out": 42}


def test_a_new_run_forgets_what_its_nodes_said_and_keeps_the_others():
    repo, flow = calc_repo()
    state, _later, _result = ran(repo, flow)
    heard = Heard(state.events)
    state.begin(["a"])
    assert state.node("a").status == "pending" and "a" not in state.last
    assert held(state.node("b").outputs) == {"out": 6} and state.running
    assert list(heard.of(RunChange.RUN_BEGUN)[0]["nodes"]) == ["a"]


def test_an_edit_makes_a_result_and_what_depends_on_it_stale_and_undo_makes_it_fresh():
    repo, flow = calc_repo()
    state, later, _result = ran(repo, flow)
    heard = Heard(state.events)
    flow.set_value("a", "a", "4")
    flow.set_value("a", "a", "5")  # one burst of edits: one check, once it is over
    assert len(later.calls) == 1 and state.plan_for("all") is None
    later.settle()
    assert state.stale == {"a", "b"}
    assert heard.of(RunChange.STALE_CHANGED)[-1] == {"flow_id": "f", "stale": {"a", "b"}}
    flow.set_value("a", "a", "2")  # back to the inputs of the results
    later.settle()
    assert state.stale == set() and len(heard.of(RunChange.KEYS_REFRESHED)) == 2


def test_a_run_makes_what_it_ran_fresh_and_a_stop_leaves_a_node_cancelled():
    repo, flow = calc_repo()
    state, later, _result = ran(repo, flow)
    flow.set_value("a", "a", "4")
    later.settle()
    state.begin(["a", "b"])
    assert state.stale == set()  # running: no result to be stale
    state.apply([NodeFinished("a", outputs={"out": 7}), NodeCancelled("b")])
    assert state.stale == set() and state.cancelled == {"b"} and "b" not in state.result_keys
    assert state.node("b").status == "cancelled"
    state.begin(["b"])
    state.apply([NodeFinished("b", outputs={"out": 8})])
    assert state.cancelled == set() and state.node("b").outputs == {"out": 8}


def test_an_edit_during_a_run_leaves_the_result_of_the_old_inputs_stale():
    repo, flow = calc_repo()
    state = RunState(repo, flow, later := Later())
    later.settle()
    state.begin(["a"])
    flow.set_value("a", "a", "9")
    later.settle()
    state.apply([NodeFinished("a", outputs={"out": 5})])
    assert state.stale == {"a"}


def test_a_deleted_node_comes_back_by_undo_with_its_result_and_its_staleness():
    repo, flow = calc_repo()
    state, later, _result = ran(repo, flow)
    flow.set_value("a", "a", "4")
    later.settle()
    heard = Heard(state.events)
    node, links = flow.remove_node("a")
    later.settle()
    assert "a" not in state.stale and "a" not in state.last and state.stale == {"b"}
    flow.add_node(node)
    for item in links:
        flow.add_link(item)
    later.settle()
    assert state.stale == {"a", "b"} and held(state.last["a"].outputs) == {"out": 5}
    restored = heard.of(RunChange.NODE_RESTORED)
    assert [(p["node_id"], held(p["last"].outputs)) for p in restored] == [("a", {"out": 5})]
    assert held(state.node("a").outputs) == {"out": 5}


def test_a_subflow_node_counts_its_inner_nodes_as_they_end():
    repo = load(document())
    flow = repo.flows["main"]
    heard = Heard((state := RunState(repo, flow, Later())).events)
    plan = plan_run(repo, flow, "all")
    events: list = []
    run_flow(repo, flow, targets="all", on_event=events.append)
    state.begin(plan.order)
    assert state.inside == {"u1": [0, 2, 0.0], "u2": [0, 2, 0.0]}
    state.apply(events)
    (done, planned, seconds), _u2 = state.inside["u1"], state.inside["u2"]
    assert (done, planned) == (2, 2) and seconds > 0
    applied = heard.of(RunChange.EVENTS_APPLIED)[-1]
    assert applied["counted"] == {"u1", "u2"} and applied["ended"]
    assert held(state.node("u1/m").outputs) == {"out": 6.0}
    assert state.node("u1").status == "success"


def test_the_plan_of_every_node_is_kept_until_an_edit():
    repo, flow = calc_repo()
    state = RunState(repo, flow, later := Later())
    state.schedule_refresh()
    later.settle()
    kept = state.plan_for("all")
    assert kept is not None and kept.order == plan_run(repo, flow, "all").order
    assert state.plan_for(["a"]) is None  # a part of the flow is planned anew
    assert state.plan_for(None) is kept  # the flow marks no end node: F5 runs every node
    flow.move_node("a", 10, 10)
    assert state.plan_for("all") is kept  # a move changes no key
    flow.set_value("b", "b", "2")
    assert state.plan_for("all") is None


def test_the_states_of_a_repository_share_one_voice_and_are_forgotten_with_it():
    repo, flow = calc_repo()
    later = Later()
    states = RunStates(repo, later)
    heard = Heard(states.events)
    state = states.of(flow)
    assert states.of(flow) is state and states.get("f") is state
    assert states.node("elsewhere", "a").status == "pending" and states.stale("elsewhere") == ()
    state.begin(["a"])
    state.apply([NodeFinished("a", outputs={"out": 5})])
    assert states.node("f", "a").outputs == {"out": 5}
    assert [p["flow_id"] for p in heard.of(RunChange.EVENTS_APPLIED)] == ["f"]
    states.reset(basic_repo())
    assert states.get("f") is None and states.node("f", "a").status == "pending"
    later.settle()
    flow.set_value("a", "a", "1")  # the old repository's edits reach no state now
    assert later.calls == []


def test_each_node_keeps_the_result_that_holds_its_values_until_it_runs_again():
    repo, flow = calc_repo()
    state, later, first = ran(repo, flow)
    heard = Heard(state.events)
    assert state.source("a") is first and state.source("b") is first
    assert state.source("bad") is None and state.source("after") is None  # no values
    state.begin(["b"])
    assert state.source("b") is None and state.source("a") is first  # b's are being made
    second = run_flow(repo, flow, targets=["b"])
    state.finish(second)
    assert state.source("b") is second and state.source("a") is second  # a ran again for b
    state.begin(["hi"])
    third = run_flow(repo, flow, targets=["hi"])
    state.finish(third)
    assert state.source("hi") is third and state.source("b") is second  # kept while shown
    assert [sorted(p["nodes"]) for p in heard.of(RunChange.VALUES_READY)] == [
        sorted(second.statuses), sorted(third.statuses)
    ]
