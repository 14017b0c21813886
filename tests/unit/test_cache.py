"""The result cache (``engine.cache``): which nodes a run takes from it, what it hands out,
and what it keeps.

The executor conformance suite runs a cache hit on every executor
(``test_executor_conformance.py``); the window's side — cached nodes shown as such, the
cache setting, Live mode — is in ``tests/ui/test_run_settings.py`` and ``test_live_mode.py``.
"""

from __future__ import annotations

from flows import add_nodes, basic_repo, link, spec
from subflow_docs import document, load, outputs

from pyflow_desktop.engine import ResultCache, plan_keys, plan_run, run_flow
from pyflow_desktop.engine.cache import freeze
from pyflow_desktop.repository import Flow


def statuses(result) -> dict[str, str]:
    return {node["id"]: node["status"] for node in result.nodes}


def test_the_cache_hands_out_what_the_node_returned_not_what_others_made_of_it():
    repo = basic_repo()
    repo.add_spec(spec("make", "def func():\n    return [0, 1, 2]\n"))
    repo.add_spec(
        spec("grow", "def func(a, tag):\n    a.append(tag)\n    return len(a)\n", ["a", "tag"])
    )
    flow = Flow("f")
    add_nodes(flow, ("m", "make", {}), ("g", "grow", {"tag": "x"}))
    link(flow, "m:out", "g:a")
    repo.add_flow(flow)
    cache = ResultCache()
    assert run_flow(repo, flow, cache=cache).output("g") == 4
    flow.set_value("g", "tag", "y")
    result = run_flow(repo, flow, cache=cache)
    assert result.node("m")["status"] == "cached"
    assert result.output("g") == 4 and result.output("m") == [0, 1, 2, "y"]


def test_editing_a_subflow_definition_reruns_exactly_what_depends_on_it():
    repo = load(document())
    cache = ResultCache()
    assert run_flow(repo, "main", cache=cache).ok
    again = run_flow(repo, "main", cache=cache)
    assert {n["status"] for n in again.nodes} == {"cached"}
    keys = plan_keys(plan_run(repo, "main"))
    repo.flows["sub.scale"].set_value("p", "b", "5")  # one edit of the shared definition
    assert {n for n, key in plan_keys(plan_run(repo, "main")).items() if key != keys[n]} == {
        *("u1/p", "u1", "u2/p", "u2", "t")
    }
    result = run_flow(repo, "main", cache=cache)
    assert statuses(result) == {
        **dict.fromkeys(("c", "u1/m", "u2/m"), "cached"),
        **dict.fromkeys(("u1/p", "u1", "u2/p", "u2", "t"), "success"),
    }
    assert outputs(result)["t"] == {"out": 6 + 5 + 20 + 5}  # every use follows the one edit
    repo.flows["main"].set_value("u2", "k", "1")  # an edit of one use
    status = statuses(run_flow(repo, "main", cache=cache))
    assert [n for n, s in status.items() if s == "success"] == ["u2/m", "u2/p", "u2", "t"]


def test_a_node_whose_output_cannot_be_pickled_runs_again_and_the_run_goes_on():
    """Its output is not kept; a node fed by it is keyed by its key, not by that value."""
    repo = basic_repo()
    repo.add_spec(spec("lam", "def func():\n    return lambda: 1\n"))
    repo.add_spec(spec("call", "def func(f):\n    return f()\n", ["f"]))
    flow = Flow("f")
    add_nodes(flow, ("l", "lam", {}), ("c", "call", {}), ("k", "const", {"v": "3"}))
    link(flow, "l:out", "c:f")
    repo.add_flow(flow)
    cache = ResultCache()
    assert run_flow(repo, flow, cache=cache).ok
    again = run_flow(repo, flow, cache=cache)
    assert again.ok and again.output("c") == 1
    assert statuses(again) == {"l": "success", "c": "cached", "k": "cached"}


def pickled(text: str):
    """A cache entry of a list holding ``text``: pickled (a list could be changed)."""
    return freeze({"out": [text]})


def test_the_least_recently_used_entries_go_first_when_the_cache_is_full():
    cache = ResultCache(max_bytes=3 * len(pickled("a" * 100)))
    for key in "abc":
        cache.put(key, pickled(key * 100))
    assert cache.get("a") == {"out": ["a" * 100]}  # a is used again: b is now the oldest
    cache.put("d", pickled("d" * 100))
    assert len(cache) == 3 and cache.get("b") is None
    assert [cache.get(key)["out"][0][0] for key in "acd"] == ["a", "c", "d"]


def test_a_runs_results_put_at_once_keep_the_same_order_and_limits_as_one_by_one():
    entry = len(pickled("a" * 100))
    cache = ResultCache(max_bytes=3 * entry, max_entry_bytes=2 * entry)
    cache.put("a", pickled("a" * 100))
    cache.put_many(
        {
            "b": pickled("b" * 100),
            "a": pickled("A" * 100),  # a again: now newer than b
            "huge": pickled("h" * 1000),
            "c": pickled("c" * 100),
            "d": pickled("d" * 100),  # full: b, the oldest, goes
        }
    )
    assert len(cache) == 3 and cache.get("b") is None and cache.get("huge") is None
    assert [cache.get(key)["out"][0][0] for key in "acd"] == ["A", "c", "d"]


def test_an_entry_too_big_or_without_a_key_is_not_kept_and_each_hit_is_a_fresh_copy():
    cache = ResultCache(max_entry_bytes=1000)
    cache.put("big", freeze({"out": "x" * 2000}))
    cache.put(None, freeze({"out": 1}))
    cache.put("unpicklable", freeze({"out": lambda: 1}))
    assert len(cache) == 0 and cache.get(None) is None
    cache.put("list", freeze({"out": [1, 2]}))
    cache.get("list")["out"].append(3)
    assert cache.get("list") == {"out": [1, 2]}
    cache.clear()
    assert len(cache) == 0 and cache.get("list") is None


def test_a_key_tells_apart_every_manual_value_and_is_the_same_for_the_same_one():
    """Scalars are spelled by repr and other values by JSON: 1, 1.0, True and "1" differ, and
    a string that looks like a JSON list is not that list."""
    repo = basic_repo()
    repo.add_spec(spec("echo", "def func(v):\n    return v\n", ["v"]))
    flow = Flow("f")
    add_nodes(flow, ("e", "echo", {}))
    repo.add_flow(flow)
    values = [1, 1.0, True, "1", None, "", [1], ["1"], '["1"]', {"a": 1}, {"a": 1.0}, "[1]"]
    keys = []
    for value in values:
        flow.set_value("e", "v", value)
        keys.append(plan_keys(plan_run(repo, flow))["e"])
        assert plan_keys(plan_run(repo, flow))["e"] == keys[-1]
    assert None not in keys and len(set(keys)) == len(values)
    cache = ResultCache()
    for value in values:
        flow.set_value("e", "v", value)
        result = run_flow(repo, flow, cache=cache)
        assert result.node("e")["status"] == "success" and result.output("e") == value


def test_numbers_and_short_texts_are_kept_unpickled_and_each_hit_is_still_a_fresh_copy():
    outputs = {"n": 1, "x": 2.5, "s": "abc", "yes": True, "none": None}
    plain = freeze(outputs)
    assert plain is not None and not isinstance(plain, bytes)
    outputs["n"] = 2  # the node's own dict changing afterwards changes nothing kept
    cache = ResultCache()
    cache.put("k", plain)
    hit = cache.get("k")
    hit["n"] = 99
    assert cache.get("k") == {"n": 1, "x": 2.5, "s": "abc", "yes": True, "none": None}
    assert isinstance(freeze({"s": "x" * 2000}), bytes)  # a long text, a list: pickled
    assert isinstance(freeze({"n": 1, "items": [1]}), bytes)
    small = ResultCache(max_bytes=2 * len(freeze({"n": 1})) * 1024)  # as much as two of them
    small.put_many({key: freeze({"n": index}) for index, key in enumerate("abc")})
    assert len(small) == 2 and small.get("a") is None and small.get("c") == {"n": 2}
