"""``serve`` changes its repository all or nothing: every value the file loader refuses is a
JSON 400 naming it and its JSON path, through every route that writes, and afterwards the
served nodes, flows and file are exactly as they were and ``check`` passes. Against a real
server process on loopback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import urllib.parse

import pytest
from server_helpers import Server, start_server, stop_server, write_own_fixture

from pyflow_desktop.repository import MAX_FILE_ENV, check_file, load_repository

FUNC = '"def func():\\n    return 1\\n"'
SIZE_LIMIT_MB = 0.1  # the served file is about 3 kB

# name → (the raw JSON text of a value, what the 400 says)
HOSTILE = {
    "nan": ("NaN", "NaN is not a JSON number"),
    "infinity": ("Infinity", "Infinity is not a JSON number"),
    "minus_infinity": ("[1, -Infinity]", "-Infinity is not a JSON number"),
    "float_overflow": ("1e999", "the number 1e999 is too large for a float"),
    "lone_surrogate": ('"a\\ud800b"', "a lone surrogate (\\ud800)"),
    "lone_surrogate_key": ('{"\\udc80": 1}', "a key holds a lone surrogate (\\udc80)"),
    "duplicate_key": ('{"a": 1, "a": 2}', "the key 'a' appears twice in one object"),
    "long_integer": ("7" * 5000, "an integer of 5000 digits"),
    "deep_in_the_body": ("[" * 101 + "]" * 101, "nested more than 100 levels deep"),
    # 99 levels: the body may hold it, but in the file it sits below nodespec["id"]
    "deep_in_the_file": ("[" * 99 + "]" * 99, "nested more than 100 levels deep"),
    "over_the_size_limit": ('"' + "x" * 150_000 + '"', "over the size limit"),
}


def spec_text(spec_id: str, value: str) -> str:
    return (
        f'{{"id": "{spec_id}", "title": "H", "port": {{"input": []}}, "func": {FUNC}, '
        f'"extra": {value}}}'
    )


def flow_text(value: str) -> str:
    return (
        '{"id": "h.flow", "name": "H", "links": [], "nodes": [{"id": "n", '
        f'"spec_id": "math.add", "name": "n", "ui": {{"x": 1, "y": 2}}, "extra": {value}}}]}}'
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = {**os.environ, MAX_FILE_ENV: str(SIZE_LIMIT_MB)}
    running = start_server(write_own_fixture(tmp_path_factory.mktemp("served")), env=env)
    yield running
    stop_server(running)


def send(server: Server, method: str, path: str, text: str, form: bool = False):
    if form:
        raw = urllib.parse.urlencode({"data": text}, encoding="utf-8", errors="surrogatepass")
        return server.call(method, path, raw=raw.encode())
    return server.call(method, path, raw=text.encode("utf-8", "surrogatepass"))


def through_every_writing_route(server: Server, value: str) -> dict:
    """Send ``value`` through each route that writes; the answers by route."""
    hostile_file = server.file.parent / "hostile.json"
    hostile_file.write_text(
        '{"flow": {}, "nodespec": {"h.l": ' + spec_text("h.l", value) + "}}",
        encoding="utf-8",
        errors="surrogatepass",
    )
    return {
        "POST /nodes": send(server, "POST", "/nodes", spec_text("h.post", value)),
        "POST /nodes (form)": send(server, "POST", "/nodes", spec_text("h.form", value), True),
        "PUT /nodes/ID (a new one)": send(server, "PUT", "/nodes/h.put", spec_text("h.put", value)),
        "PUT /nodes/ID (replacing)": send(
            server, "PUT", "/nodes/util.fail", spec_text("util.fail", value)
        ),
        "POST /flows": send(server, "POST", "/flows", flow_text(value)),
        "POST /loadrepo": server.call("POST", "/loadrepo", {"path": hostile_file.name}),
    }


def served_state(server: Server) -> tuple:
    return (
        server.call("GET", "/nodes").body,
        server.call("GET", "/flows").body,
        server.file.read_bytes(),
    )


@pytest.mark.parametrize("name", HOSTILE)
def test_a_value_the_loader_refuses_is_a_400_and_changes_nothing(server, name):
    value, words = HOSTILE[name]
    before = served_state(server)
    assert check_file(server.file) == []
    for route, answer in through_every_writing_route(server, value).items():
        assert answer.status == 400, (route, answer.body)
        assert "json" in answer.content_type and words in answer.body["error"], (route, answer)
        if name != "over_the_size_limit":  # a size has no place in the document
            assert "extra" in answer.body["path"], (route, answer.body)
        assert served_state(server) == before, route
        assert check_file(server.file) == [], route
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "check", str(server.file)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_after_a_refused_change_the_server_serves_and_saves_as_before(server):
    """The reported sequence: a refused NaN once stayed in memory, broke GET /nodes, and the
    changes after it were written to the file once it was deleted."""
    assert send(server, "POST", "/nodes", spec_text("bad.nan", "NaN")).status == 400
    assert server.call("GET", "/nodes").status == 200
    answer = send(server, "POST", "/nodes", spec_text("good.one", "[1, 2]"))
    assert answer.status == 200, answer.body
    saved = load_repository(server.file)
    assert "good.one" in saved.specs and "bad.nan" not in saved.specs
    assert saved.specs["good.one"].extra == {"extra": [1, 2]}
    assert server.call("DELETE", "/nodes/bad.nan").status == 404
    assert server.call("DELETE", "/nodes/good.one").status == 200
    assert "good.one" not in load_repository(server.file).specs
    assert check_file(server.file) == []


def test_a_body_with_a_key_twice_is_refused_like_a_file(server):
    text = '{"id": "twice", "id": "twice", "title": "T", "port": {"input": []}, "func": ' + FUNC
    answer = send(server, "POST", "/nodes", text + "}")
    assert answer.status == 400
    assert answer.body == {
        "error": "the body, at $: the key 'id' appears twice in one object",
        "path": "$",
    }


def test_a_file_of_an_unknown_format_version_is_not_loaded(server):
    before = served_state(server)
    for version in (-1, 0, 3):
        path = server.file.parent / f"version{version}.json"
        path.write_text(json.dumps({"pyflow_desktop": {"format_version": version}, "flow": {}}))
        answer = server.call("POST", "/loadrepo", {"path": path.name})
        assert answer.status == 400 and "format version" in answer.body["error"], answer.body
        assert answer.body["path"] == "pyflow_desktop.format_version"
    assert served_state(server) == before
