"""Regressions from a review of the core: each test is a bug a user could hit."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time

import pytest
from flows import add_nodes, basic_repo, link, spec

from pyflow_desktop.engine import (
    NodeCancelled,
    NodeStarted,
    NodeTask,
    ResultCache,
    RunFinished,
    make_executor,
    run_flow,
    to_jsonable,
)
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import (
    ConversionError,
    CycleError,
    Flow,
    check_file,
    check_value,
    convert_value,
    loads_repository,
    save_repository,
)


def cli(*args, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        **kwargs,
    )


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.shutdown()


def test_an_output_only_the_worker_can_unpickle_fails_that_node_alone(pool, tmp_path):
    module = tmp_path / "zzmod_only_here.py"
    module.write_text("class Foo:\n    pass\n")
    repo = basic_repo()
    repo.add_spec(
        spec(
            "foo",
            f"import sys\nsys.path.insert(0, {str(tmp_path)!r})\n"
            "import zzmod_only_here\ndef func():\n    return zzmod_only_here.Foo()\n",
        )
    )
    flow = Flow("f")
    add_nodes(flow, ("foo", "foo", {}), ("ok", "const", {"v": "1"}))
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=make_executor("process", 2, pool=pool), timeout=20)
    assert "could not be received" in result.node("foo")["error"]
    assert result.output("ok") == 1


def test_inputs_that_cannot_cross_processes_fail_that_node(pool):
    executor = make_executor("process", 1, pool=pool)
    messages = []
    executor.start(messages.append, threading.Event())
    executor.submit(NodeTask("n", "def func(x):\n    return 1\n", [threading.Lock()], ["out"]))
    kind, node_id, outcome = messages[0]
    assert (kind, node_id) == ("done", "n")
    assert "cannot be sent to a worker process" in outcome.error
    executor.submit(NodeTask("m", "def func(x):\n    return x\n", [5], ["out"]))
    deadline = time.monotonic() + 20
    while not [m for m in messages[1:] if m[0] == "done"] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ("started", "m") in messages
    done = next(m for m in messages[1:] if m[0] == "done")
    assert done[2].outputs == {"out": 5}, "the worker was released and still works"


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


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"flow": {}, "x": ' + "1" * 5000 + "}", "x: an integer of 5000 digits"),
        ("[" * 100_000, "nested more than 100 levels deep"),
        (
            '{"nodespec": {"s": {"func": "def func(a): pass", "port": {"input": [{"name": "a", '
            '"order": "' + "1" * 5001 + '"}]}}}}',
            "expected an integer",
        ),
        (
            '{"flow": {"f": {"nodes": [{"id": "n", "spec_id": "s", "ui": {"x": 1e999}}]}}, '
            '"nodespec": {"s": {"func": "def func(): pass"}}}',
            'flow["f"].nodes[0].ui.x: the number 1e999 is too large for a float',
        ),
    ],
)
def test_unreadable_files_are_errors_with_exit_2_not_tracebacks(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    for command in ("check", "run"):
        done = cli(command, path)
        assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
        assert message in done.stdout + done.stderr


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


def test_cli_output_survives_a_closed_pipe_and_node_output_on_fd_1(tmp_path):
    repo = basic_repo()
    repo.add_spec(
        spec(
            "echo",
            "import subprocess\ndef func():\n"
            "    subprocess.run(['echo', 'from a child'])\n    return 1\n",
        )
    )
    flow = Flow("f")
    add_nodes(flow, ("e", "echo", {}), *[(f"c{i}", "const", {"v": str(i)}) for i in range(50)])
    repo.add_flow(flow)
    path = tmp_path / "r.json"
    save_repository(repo, path)
    done = cli("run", path, "--json")
    assert json.loads(done.stdout)[0]["id"] == "e"
    assert "from a child" in done.stderr
    head = subprocess.run(
        f"{sys.executable} -m pyflow_desktop run {path} --events | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert head.stdout.count("\n") == 1 and "Traceback" not in head.stderr


def test_standard_streams_keep_their_file_descriptors_after_a_run():
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("s", "shout", {"t": "x"}))
    repo.add_flow(flow)
    run_flow(repo, flow)
    assert sys.stderr.fileno() >= 0 and sys.stdout.encoding


def test_infinite_timeout_and_a_folder_as_output_are_usage_errors(original_fixtures, tmp_path):
    repo = original_fixtures / "repo.json"
    done = cli("run", repo, "--flow", "pyflow.sample.math", "--timeout", "inf")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    done = cli("convert", repo, tmp_path, "--format", "native")
    assert done.returncode == 2 and "folder" in done.stderr


def test_ctrl_c_still_reports_cancelled_nodes_and_the_end_of_the_run(tmp_path):
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, ("hang", "sleep", {"s": "30"}), ("after", "add", {"b": "1"}))
    link(flow, "hang:out", "after:a")
    repo.add_flow(flow)
    path = tmp_path / "r.json"
    save_repository(repo, path)
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "pyflow_desktop",
            "run",
            str(path),
            "--events",
            "--executor",
            "process",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first = process.stdout.readline()
    while '"started"' not in first:
        first = process.stdout.readline()
    time.sleep(0.3)
    process.send_signal(2)
    rest, _ = process.communicate(timeout=20)
    events = [json.loads(line) for line in rest.splitlines()]
    assert process.returncode == 130
    assert {e["node"] for e in events if e["type"] == "cancelled"} == {"hang", "after"}
    assert events[-1]["type"] == "run_finished"


def test_a_timeout_does_not_count_the_start_of_worker_processes(pool):
    repo = basic_repo()
    flow = Flow("f")
    add_nodes(flow, *[(f"s{i}", "sleep", {"s": "0.05"}) for i in range(4)])
    repo.add_flow(flow)
    result = run_flow(repo, flow, executor=make_executor("process", 4, pool=pool), timeout=0.5)
    assert result.ok, [n["error"] for n in result.nodes]


def test_numpy_scalars_are_checked_by_their_kind():
    np = pytest.importorskip("numpy")
    assert check_value(np.float64(1.0) > 0, "Boolean") is None
    assert check_value(np.int64(3), "Int") is None and check_value(np.float32(2), "Float") is None
    assert check_value(np.float64(1.5), "Int") is not None
    assert check_value(np.array("abc"), "Float") is not None


def test_check_lists_a_cycle_beside_other_problems(tmp_path):
    path = tmp_path / "c.json"
    path.write_text(
        json.dumps(
            {
                "nodespec": {
                    "s": {
                        "func": "def func(a):\n    return a\n",
                        "port": {"input": [{"name": "a"}]},
                    }
                },
                "flow": {
                    "f": {
                        "nodes": [
                            {"id": "a", "spec_id": "s"},
                            {"id": "b", "spec_id": "s"},
                            {"id": "c", "spec_id": "ghost"},
                        ],
                        "links": [
                            {"source": "a:out", "target": "b:a"},
                            {"source": "b:out", "target": "a:a"},
                        ],
                    }
                },
            }
        )
    )
    kinds = {type(problem) for problem in check_file(path)}
    assert CycleError in kinds and len(check_file(path)) == 2


def test_header_keys_and_output_order_survive_a_round_trip():
    text = json.dumps(
        {
            "pyflow_desktop": {"format_version": 1, "later": {"x": 1}},
            "nodespec": {
                "s": {
                    "id": "s",
                    "title": "S",
                    "func": "def func():\n    return 1\n",
                    "port": {"input": [], "output": [{"name": "out", "order": 0}]},
                }
            },
        }
    )
    repo = loads_repository(text)
    from pyflow_desktop.repository import repository_to_dict

    data = repository_to_dict(repo, "native")
    assert data["pyflow_desktop"] == {"format_version": 1, "later": {"x": 1}}
    assert data["nodespec"]["s"]["port"]["output"][0]["order"] == 0
    assert "pyflow_desktop" not in repository_to_dict(repo, "original")


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
