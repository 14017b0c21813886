"""``pyflow-desktop serve``, against a real server process on loopback.

``test_original_rest_suite`` is the original's own REST test suite (its ``test.yaml``, case
by case, in order), run on our own fixture (in our format and in the original's) and, when
``../shared`` has it, on a copy of the original's repository file of the same age.
"""

from __future__ import annotations

import json
import shutil
import threading

import pytest
from server_helpers import start_server, stop_server, write_own_fixture

from pyflow_desktop.repository import ORIGINAL_TYPES, load_repository

# -- the original's test.yaml, translated -------------------------------------------------

PLUS_NODE = {
    "title": "node_plus",
    "id": "my.test.node.plus",
    "port": {"input": [{"name": "port1", "order": 0}, {"name": "port2", "order": 1}]},
    "func": "def func(x,y): return x + y ",
}
DIR_FLOW = {
    "id": "flowbuilder.gen.dir",
    "name": "BuilderSample",
    "nodes": [
        {
            "id": "node1419317316499",
            "spec_id": "pyflow.source.cli",
            "name": "cli",
            "ports": [{"name": "command", "value": "dir"}],
            "is_end": 1,
        }
    ],
    "links": [],
}


@pytest.fixture(params=["own", "own-original-format", "original"])
def suite_server(request, tmp_path, original_fixtures_if_any):
    if request.param == "own":
        path = write_own_fixture(tmp_path)
    elif request.param == "own-original-format":
        path = write_own_fixture(tmp_path, fmt="original")
    else:
        if original_fixtures_if_any is None:
            pytest.skip("the original PyFlow fixtures (../shared/fixtures) are not present")
        path = tmp_path / "served.json"
        shutil.copy(original_fixtures_if_any / "repo_2018-01_af4792d.json", path)
    server = start_server(path)
    yield server
    stop_server(server)


@pytest.fixture
def original_fixtures_if_any(request):
    try:
        return request.getfixturevalue("original_fixtures")
    except pytest.skip.Exception:
        return None


def test_original_rest_suite(suite_server):
    server = suite_server
    # List nodes as a tree
    answer = server.call("GET", "/nodestree")
    assert answer.status == 200 and isinstance(answer.body, list)
    (pyflow,) = [item for item in answer.body if item["id"] == "pyflow"]
    source = next(item for item in pyflow["children"] if item["id"] == "source")
    cli = next(item for item in source["children"] if item["id"] == "cli")
    assert cli["title"] == "cli" and cli["value"]["id"] == "pyflow.source.cli"
    # List nodes
    answer = server.call("GET", "/nodes")
    assert answer.status == 200 and "pyflow.source.cli" in answer.body
    assert all(spec["port"]["output"] for spec in answer.body.values())
    assert [p["name"] for p in answer.body["pyflow.source.cli"]["port"]["output"]] == ["out"]
    # List node by id
    answer = server.call("GET", "/nodes/pyflow.source.cli")
    assert answer.status == 200 and answer.body["id"] == "pyflow.source.cli"
    # Add node
    answer = server.call("POST", "/nodes", PLUS_NODE)
    assert answer.status == 200 and answer.body == PLUS_NODE
    assert "my.test.node.plus" in load_repository(server.file).specs
    # Delete node by id
    answer = server.call("DELETE", "/nodes/my.test.node.plus")
    assert answer.status == 200 and answer.body == {"success": True}
    assert "my.test.node.plus" not in load_repository(server.file).specs
    # List flows
    answer = server.call("GET", "/flows")
    assert answer.status == 200 and isinstance(answer.body, list)
    # Create a flow
    answer = server.call("POST", "/flows", DIR_FLOW)
    assert answer.status == 200 and answer.body == DIR_FLOW
    assert "flowbuilder.gen.dir" in load_repository(server.file).flows
    assert server.call("GET", "/flows/flowbuilder.gen.dir").body["nodes"][0]["is_end"] == 1
    # Run a flow
    answer = server.call("POST", "/runflow", DIR_FLOW)
    assert answer.status == 200
    (node,) = answer.body
    assert set(node) == {"id", "name", "inputs", "outputs", "status", "error"}
    assert node["status"] == "success", node
    assert node["inputs"] == [{"name": "command", "type": "String", "value": "dir"}]
    assert isinstance(node["outputs"][0]["value"], str) and node["outputs"][0]["value"]
    # Dumps repository
    answer = server.call("POST", "/dumprepo", {"path": "./repo.json"})
    assert answer.status == 200 and answer.body == {"path": "./repo.json"}
    dumped = load_repository(server.file.parent / "repo.json")
    assert "flowbuilder.gen.dir" in dumped.flows
    # Load repository
    answer = server.call("POST", "/loadrepo", {"path": "./repo.json"})
    assert answer.status == 200 and answer.body == {"path": "./repo.json"}
    # Get supported types
    answer = server.call("GET", "/ports/types")
    assert answer.status == 200 and answer.body["types"][:7] == list(ORIGINAL_TYPES)


# -- beyond the original suite --------------------------------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    running = start_server(write_own_fixture(tmp_path_factory.mktemp("served")), "--timeout", "2")
    yield running
    stop_server(running)


def flow(flow_id: str, *nodes: tuple, links=()) -> dict:
    """A flow body: nodes are (id, spec_id, {port: value}, is_end)."""
    return {
        "id": flow_id,
        "name": flow_id,
        "nodes": [
            {
                "id": node_id,
                "spec_id": spec_id,
                "name": node_id,
                "ports": [{"name": k, "value": v} for k, v in values.items()],
                **({"is_end": 1} if end else {}),
            }
            for node_id, spec_id, values, end in nodes
        ],
        "links": [{"source": s, "target": t} for s, t in links],
    }


def test_the_form_field_data_is_accepted(server):
    body = flow("formed", ("a", "math.add", {"a": "2", "b": "3"}, False))
    assert server.call("POST", "/flows", body, form=True).body == body
    (node,) = server.call("POST", "/runflow", body, form=True).body
    assert node["outputs"][0]["value"] == 5
    assert server.call("DELETE", "/flows/formed").body == {"success": True}


def test_runflow_runs_the_end_node_and_its_ancestors(server):
    body = flow(
        "ends",
        ("a", "math.add", {"a": "1", "b": "2"}, False),
        ("b", "math.add", {"b": "10"}, True),
        ("bad", "util.fail", {}, False),
        links=[("a:out", "b:a")],
    )
    result = server.call("POST", "/runflow", body).body
    assert [(n["id"], n["status"]) for n in result] == [("a", "success"), ("b", "success")]
    assert result[1]["outputs"][0]["value"] == 13


def test_a_hanging_node_times_out_and_a_crashing_one_fails_alone(server):
    body = flow(
        "hang", ("h", "util.sleep", {"seconds": "60"}, False), ("c", "util.crash", {}, False)
    )
    result = {n["id"]: n for n in server.call("POST", "/runflow", body).body}
    assert result["h"]["status"] == "fail" and "timed out after 2 s" in result["h"]["error"]
    assert result["c"]["status"] == "fail"
    assert server.call("GET", "/ports/types").status == 200  # the server is still there


def test_requests_run_concurrently_and_changes_are_serialized(tmp_path):
    """Two runs meet (each waits for the other's node to start) while specs are added."""
    busy = start_server(write_own_fixture(tmp_path), "--timeout", "30")
    results = []

    def run_one(me, other):
        values = {"me": me, "other": other, "folder": str(tmp_path)}
        body = flow(f"meet.{me}", ("m", "util.meet", values, False))
        node = busy.call("POST", "/runflow", body).body[0]
        results.append((node["status"], node["outputs"][0]["value"]))

    def add_one(index):
        spec = {
            "id": f"gen.n{index}",
            "title": "N",
            "port": {"input": []},
            "func": "def func():\n  return 1\n",
        }
        results.append(busy.call("POST", "/nodes", spec).status)

    threads = [threading.Thread(target=run_one, args=pair) for pair in (("a", "b"), ("b", "a"))]
    threads += [threading.Thread(target=add_one, args=(i,)) for i in range(10)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        saved = load_repository(busy.file)
    finally:
        stop_server(busy)
    assert sorted(map(str, results)) == ["('success', True)"] * 2 + ["200"] * 10
    assert {f"gen.n{i}" for i in range(10)} <= set(saved.specs)


@pytest.mark.parametrize(
    ("method", "path", "body", "status", "words"),
    [
        ("GET", "/nodes/no.such", None, 404, "no nodespec 'no.such'"),
        ("GET", "/flows/no.such", None, 404, "no flow 'no.such'"),
        ("DELETE", "/flows/no.such", None, 404, "no flow"),
        ("GET", "/no/route", None, 404, "Not Found"),
        ("POST", "/nodes", [1], 400, "JSON object"),
        ("POST", "/nodes", {"title": "x"}, 400, "string id"),
        ("POST", "/nodes", {"id": "x", "func": "def func(:"}, 400, "syntax error"),
        ("PUT", "/nodes/a.b", {"id": "c.d", "func": "def func(): pass"}, 400, "'c.d'"),
        ("DELETE", "/nodes/math.add", None, 400, None),  # used by no flow: see below
        ("POST", "/flows", {"id": "f", "nodes": [{"id": "n", "spec_id": "nope"}]}, 400, "nope"),
        ("POST", "/runflow", {"nodes": "x"}, 400, "expected"),
        ("POST", "/dumprepo", {"path": "../outside.json"}, 403, "inside"),
        ("POST", "/loadrepo", {"path": "/etc/passwd"}, 403, "inside"),
        ("POST", "/loadrepo", {"file": "x"}, 400, "path"),
        ("POST", "/loadrepo", {"path": "./missing.json"}, 400, "no such file"),
    ],
)
def test_errors_are_json_with_their_status(server, method, path, body, status, words):
    if path == "/nodes/math.add":  # deleting a spec a flow uses is refused
        server.call("POST", "/flows", flow("uses", ("a", "math.add", {}, False)))
        words = "used by flow(s) uses"
    answer = server.call(method, path, body)
    assert answer.status == status, answer.body
    assert "json" in answer.content_type and words in answer.body["error"]
    assert "Traceback" not in answer.body["error"]


def test_a_body_that_is_not_json_is_a_400(server):
    for raw in (b"{bad", b"", b"\xff\xfe"):
        answer = server.call("POST", "/flows", raw=raw)
        assert answer.status == 400 and "json" in answer.content_type, answer.body


def test_every_change_is_saved_atomically_to_the_file(server):
    spec = {
        "id": "saved.one",
        "title": "S",
        "port": {"input": []},
        "func": "def func():\n  return 1\n",
    }
    server.call("PUT", "/nodes/saved.one", spec)
    assert load_repository(server.file).specs["saved.one"].title == "S"
    assert json.loads(server.file.read_text())["pyflow_desktop"]["format_version"] == 1
    assert server.file.with_name(server.file.name + ".bak").exists()
    assert not [p for p in server.file.parent.iterdir() if p.suffix == ".tmp"]


def test_a_token_is_required_when_set(tmp_path):
    token_server = start_server(write_own_fixture(tmp_path), "--token", "s3cret", token="s3cret")
    try:
        assert token_server.call("GET", "/nodes").status == 200
        for wrong in ("nope", " "):
            answer = token_server.call("GET", "/nodes", token=wrong)
            assert answer.status == 401 and "Bearer" in answer.body["error"]
        assert token_server.call("GET", "/docs", token=" ").status == 200
    finally:
        stop_server(token_server)


def test_off_loopback_a_token_is_made_unless_given():
    from pyflow_desktop.server.listening import is_loopback, settings_for

    assert all(map(is_loopback, ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"]))
    assert not any(map(is_loopback, ["0.0.0.0", "192.0.2.7", "::", "example.org"]))
    assert settings_for("127.0.0.1", 5000, None).token is None
    made = settings_for("0.0.0.0", 5000, None)
    assert made.made_token and len(made.token) >= 24
    assert settings_for("0.0.0.0", 5000, "t").token == "t"
    assert settings_for("127.0.0.1", 5000, "t").token == "t"


def test_serve_exits_2_for_a_bad_file_or_a_port_in_use(tmp_path, server):
    import subprocess
    import sys

    def serve(*args):
        return subprocess.run(
            [sys.executable, "-m", "pyflow_desktop", "serve", *map(str, args)],
            capture_output=True,
            text=True,
            timeout=60,
        )

    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    done = serve(bad, "--port", "1")
    assert (
        done.returncode == 2 and done.stderr.startswith("error:") and "Traceback" not in done.stderr
    )
    port = server.url.rsplit(":", 1)[1]
    done = serve(server.file, "--port", port)
    assert done.returncode == 2 and "cannot serve" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert serve(server.file, "--port", "0").returncode == 2
