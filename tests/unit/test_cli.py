"""The command-line contract, through a real subprocess: names, flags, outputs, exit codes."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import pytest
from flows import add_nodes, basic_repo, gate_repo, link, spec, wait_for
from original_docs import OWN, original_file

from pyflow_desktop.repository import Flow, load_repository, save_repository


def cli(*args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def repo_file(tmp_path):
    """A file with two flows: `good` (a diamond-ish sum) and `bad` (fail → skip + a branch)."""
    repo = basic_repo()
    good = Flow("good", "Good")
    add_nodes(good, ("a", "const", {"v": "2"}), ("b", "const", {"v": "3"}), ("sum", "add", {}))
    link(good, "a:out", "sum:a")
    link(good, "b:out", "sum:b")
    good.set_end("sum", True)
    repo.add_flow(good)
    bad = Flow("bad", "Bad")
    add_nodes(bad, ("x", "boom", {"a": "1"}), ("y", "add", {"b": "1"}), ("z", "const", {"v": "1"}))
    link(bad, "x:out", "y:a")
    repo.add_flow(bad)
    path = tmp_path / "repo.json"
    save_repository(repo, path)
    return path


def test_run_prints_a_readable_table_and_exits_zero(repo_file):
    done = cli("run", repo_file, "--flow", "good")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].split() == ["NODE", "NAME", "STATUS", "TIME", "RESULT"]
    assert any(line.startswith("sum") and "success" in line and "out=5" in line for line in lines)
    assert "3 nodes (3 success)" in lines[-1]


def test_run_json_is_the_original_result_shape(repo_file):
    done = cli("run", repo_file, "--flow", "bad", "--json")
    assert done.returncode == 1
    result = json.loads(done.stdout)
    assert [node["id"] for node in result] == ["x", "y", "z"]
    for node in result:
        assert set(node) == {"id", "name", "inputs", "outputs", "status", "error"}
    assert [node["status"] for node in result] == ["fail", "skip", "success"]
    assert "boom at 1" in result[0]["error"] and "'x'" in result[1]["error"]
    assert result[2]["outputs"] == [{"name": "out", "type": "Any", "value": 1}]
    assert result[2]["error"] is None


def test_run_events_prints_one_json_object_a_line(repo_file):
    done = cli("run", repo_file, "--flow", "bad", "--events")
    assert done.returncode == 1
    events = [json.loads(line) for line in done.stdout.splitlines()]
    assert events[-1]["type"] == "run_finished" and events[-1]["ok"] is False
    for event in events[:-1]:
        assert {"type", "node", "time"} <= set(event)
        assert event["type"] in {"queued", "started", "partial", "finished", "failed", "skipped"}
    assert {(e["type"], e["node"]) for e in events} >= {
        ("failed", "x"),
        ("skipped", "y"),
        ("finished", "z"),
    }
    times = [event["time"] for event in events]
    assert times == sorted(times)


def test_node_runs_that_node_and_its_ancestors(repo_file):
    done = cli("run", repo_file, "--flow", "good", "--node", "a", "--json")
    assert done.returncode == 0
    assert [node["id"] for node in json.loads(done.stdout)] == ["a"]


def test_flow_may_be_left_out_only_when_the_file_has_one(repo_file, tmp_path):
    done = cli("run", repo_file)
    assert done.returncode == 2
    assert "good" in done.stderr and "bad" in done.stderr and "--flow" in done.stderr
    repo = load_repository(repo_file)
    repo.remove_flow("bad")
    single = tmp_path / "single.json"
    save_repository(repo, single)
    assert cli("run", single, "--workers", "1").returncode == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--flow", "nope"], "no flow 'nope'"),
        (["--flow", "good", "--node", "ghost"], "no node 'ghost'"),
    ],
)
def test_invalid_requests_exit_two_without_traceback(repo_file, args, message):
    done = cli("run", repo_file, *args)
    assert done.returncode == 2
    assert message in done.stderr and "Traceback" not in done.stderr


def test_invalid_files_exit_two_with_file_and_place(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"flow": {"f": {"nodes": [{"id": "n1", "spec_id": "ghost"}]}}}')
    done = cli("run", broken)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert "broken.json" in done.stderr and "ghost" in done.stderr
    assert 'flow["f"].nodes[0].spec_id' in done.stderr
    assert cli("run", tmp_path / "missing.json").returncode == 2
    assert cli("run", broken, "--workers", "0").returncode == 2


def test_check_lists_every_problem_and_exits_two(tmp_path, repo_file):
    bad = tmp_path / "bad.json"
    bad.write_text(
        json.dumps(
            {
                "nodespec": {
                    "s": {
                        "id": "s",
                        "title": "S",
                        "func": "def func(:\n  pass",
                        "port": {"input": [{"name": "a"}]},
                    }
                },
                "flow": {
                    "f": {
                        "id": "f",
                        "nodes": [{"id": "n1", "spec_id": "s"}, {"id": "n2", "spec_id": "missing"}],
                        "links": [{"source": "n1:out", "target": "n9:a"}],
                    }
                },
            }
        )
    )
    done = cli("check", bad)
    assert done.returncode == 2
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert any("missing" in line and "nodes[1].spec_id" in line for line in lines)
    assert any("n9" in line and "links[0]" in line for line in lines)
    assert any("syntax error" in line and 'nodespec["s"].func' in line for line in lines)
    valid = cli("check", repo_file)
    assert valid.returncode == 0 and "valid" in valid.stdout


def test_check_runs_no_node_code(tmp_path):
    marker = tmp_path / "ran"
    path = tmp_path / "r.json"
    path.write_text(
        json.dumps(
            {
                "nodespec": {
                    "s": {
                        "id": "s",
                        "title": "S",
                        "port": {"input": []},
                        "func": f"open({str(marker)!r}, 'w').close()\ndef func():\n    return 1\n",
                    }
                }
            }
        )
    )
    assert cli("check", path).returncode == 0
    assert not marker.exists()


def test_convert_round_trip_keeps_what_flows_compute(repo_file, tmp_path):
    original = tmp_path / "original.json"
    native = tmp_path / "native.json"
    assert cli("convert", repo_file, original, "--format", "original").returncode == 0
    assert "pyflow_desktop" not in json.loads(original.read_text())
    assert cli("convert", original, native, "--format", "native").returncode == 0
    assert json.loads(native.read_text())["pyflow_desktop"] == {"format_version": 1}
    before = json.loads(cli("run", repo_file, "--flow", "bad", "--json").stdout)
    after = json.loads(cli("run", native, "--flow", "bad", "--json").stdout)
    assert after == before
    assert cli("convert", repo_file, repo_file, "--format", "native").returncode == 2


@pytest.mark.parametrize(
    ("name", "flows"),
    [
        ("repo.json", ("pyflow.sample.math", "pyflow.sample.xor", "pyflow.sample.error")),
        (OWN, ("own.sample.math", "own.sample.error", "own.sample.lines")),
    ],
)
def test_convert_original_fixture_round_trip(name, flows, request, tmp_path):
    source = original_file(request, tmp_path, name)
    native, back = tmp_path / "native.json", tmp_path / "back.json"
    assert cli("convert", source, native, "--format", "native").returncode == 0
    assert cli("convert", native, back, "--format", "original").returncode == 0
    for flow in flows:
        first = cli("run", source, "--flow", flow, "--json")
        again = cli("run", back, "--flow", flow, "--json")
        assert first.returncode == again.returncode
        assert json.loads(first.stdout) == json.loads(again.stdout)


def test_help_names_the_commands():
    done = cli("--help")
    assert done.returncode == 0
    for command in ("run", "check", "convert"):
        assert command in done.stdout


def test_run_timeout_stops_a_node_that_was_quick_earlier_in_the_run(tmp_path):
    """``slow`` runs the spec that ``quick`` ran in no time: on the thread executor, inline."""
    release = tmp_path / "release"
    save_repository(gate_repo(release), tmp_path / "gate.json")
    done = cli("run", tmp_path / "gate.json", "--timeout", "0.5", "--json")
    release.touch()
    assert done.returncode == 1, done.stderr
    assert not (tmp_path / "release.returned").exists()  # the run ended while it waited
    result = {node["id"]: node for node in json.loads(done.stdout)}
    assert result["slow"]["status"] == "fail"
    assert "timed out after 0.5 s" in result["slow"]["error"]
    assert (result["child"]["status"], result["later"]["status"]) == ("skip", "success")


@pytest.mark.skipif(sys.platform == "win32", reason="Windows sends no SIGINT to one process")
@pytest.mark.parametrize("executor", ["thread", "process"])
def test_ctrl_c_stops_a_run_while_a_node_that_was_quick_earlier_runs(tmp_path, executor):
    """The stopped node and what depends on it are reported cancelled, then the run's end."""
    release = tmp_path / "release"
    save_repository(gate_repo(release), tmp_path / "gate.json")
    process = subprocess.Popen(
        [
            *(sys.executable, "-m", "pyflow_desktop", "run", str(tmp_path / "gate.json")),
            *("--events", "--executor", executor),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert wait_for(tmp_path / "release.entered")
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=20)
    finally:
        process.kill()
        release.touch()
    events = [json.loads(line) for line in out.splitlines()]
    assert process.returncode == 130, err
    assert {e["node"] for e in events if e["type"] == "cancelled"} >= {"slow", "child"}
    assert events[-1]["type"] == "run_finished"
    assert not (tmp_path / "release.returned").exists()


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_run_prints_a_value_json_holds_as_it_is_and_any_other_as_its_summary(tmp_path, executor):
    repo = basic_repo()
    repo.add_spec(
        spec("frame", "import pandas as pd\ndef func():\n    return pd.DataFrame({'a': [1, 2]})\n")
    )
    repo.add_spec(spec("pair", "def func():\n    return {'n': [1, 2.5, None], 't': 'x'}\n"))
    repo.add_spec(spec("raw", "def func():\n    return b'line'\n"))
    flow = Flow("f")
    add_nodes(flow, ("df", "frame", {}), ("p", "pair", {}), ("r", "raw", {}))
    repo.add_flow(flow)
    save_repository(repo, tmp_path / "data.json")
    done = cli("run", tmp_path / "data.json", "--json", "--executor", executor)
    assert done.returncode == 0, done.stderr
    values = [node["outputs"][0]["value"] for node in json.loads(done.stdout)]
    assert values[0] == {"type": "pandas.DataFrame", "repr": "   a\n0  1\n1  2", "shape": [2, 1]}
    assert values[1:] == [{"n": [1, 2.5, None], "t": "x"}, "line"]
    events = cli("run", tmp_path / "data.json", "--events", "--executor", executor)
    finished = [json.loads(line) for line in events.stdout.splitlines()]
    shown = {e["node"]: e["outputs"]["out"] for e in finished if e["type"] == "finished"}
    assert shown["df"]["shape"] == [2, 1] and shown["p"] == values[1]


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_nodes_run_in_the_folder_of_their_file_wherever_run_is_started(tmp_path, executor):
    folder = tmp_path / "project"
    folder.mkdir()
    (folder / "numbers.csv").write_text("1\n2\n3\n")
    repo = basic_repo()
    repo.add_spec(spec("read", "def func():\n    return sum(map(int, open('numbers.csv')))\n"))
    flow = Flow("f")
    add_nodes(flow, ("r", "read", {}))
    repo.add_flow(flow)
    save_repository(repo, folder / "flow.json")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyflow_desktop",
            "run",
            "project/flow.json",
            "--json",
            "--executor",
            executor,
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)[0]["outputs"][0]["value"] == 6


@pytest.mark.skipif(sys.platform == "win32", reason="`echo | head` needs a POSIX shell")
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


def test_run_memory_sets_the_workers_budget_past_which_values_are_made_again(tmp_path):
    repo = basic_repo()
    lock = "import threading\ndef func():\n    return [threading.Lock(), b'x' * 1_500_000]\n"
    repo.add_spec(spec("lock", lock))  # does not pickle: dropped, not spilled
    repo.add_spec(spec("blob", "def func():\n    return b'y' * 1_500_000\n"))
    repo.add_spec(spec("both", "def func(a, b):\n    return len(a[1]) + len(b)\n", ["a", "b"]))
    flow = Flow("budget")
    add_nodes(flow, ("a", "lock", {}), ("b", "blob", {}), ("c", "both", {}))
    link(flow, "a:out", "c:a")
    link(flow, "b:out", "c:b")
    repo.add_flow(flow)
    path = tmp_path / "budget.json"
    save_repository(repo, path)
    runs = {}
    for memory in ("1", "100"):
        done = cli("run", path, "--events", "--executor", "process", "--workers", "1",
                   "--memory", memory)  # fmt: skip
        assert done.returncode == 0, done.stderr
        events = [json.loads(line) for line in done.stdout.splitlines()]
        finished = [e for e in events if e["type"] == "finished"]
        runs[memory] = [[e["node"] for e in finished].count(node) for node in "abc"]
        assert finished[-1]["node"] == "c" and finished[-1]["outputs"]["out"] == 3_000_000
    assert runs == {"1": [2, 1, 1], "100": [1, 1, 1]}
    wrong = cli("run", path, "--memory", "10")
    assert wrong.returncode == 2 and "--memory needs --executor process" in wrong.stderr


def test_run_max_message_is_the_most_a_worker_may_send_at_once(tmp_path):
    repo = basic_repo()
    repo.add_spec(spec("print", "def func():\n    print('€' * 600_000)\n    return 1\n"))
    flow = Flow("loud")
    add_nodes(flow, ("n", "print", {}))
    repo.add_flow(flow)
    path = tmp_path / "loud.json"
    save_repository(repo, path)
    tight = cli("run", path, "--json", "--executor", "process", "--max-message", "1")
    assert tight.returncode == 1, tight.stderr
    (row,) = json.loads(tight.stdout)
    assert "more than the 1 MB a message may hold" in row["error"]
    roomy = cli("run", path, "--json", "--executor", "process", "--max-message", "8")
    assert roomy.returncode == 0 and json.loads(roomy.stdout)[0]["status"] == "success"
    wrong = cli("run", path, "--max-message", "8")
    assert wrong.returncode == 2 and "--max-message needs --executor process" in wrong.stderr
