"""A failed node's traceback starts at the user's own code, with its lines shown."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pyflow_desktop.engine import NodeTask, execute_node

SOURCE = "def helper(v):\n    return 1 / v\n\ndef func(x):\n    return helper(x)\n"


def test_the_traceback_shows_only_the_users_frames_and_their_lines():
    outcome = execute_node(NodeTask("n1", SOURCE, [0], ["out"], label="divide"))
    lines = outcome.traceback.splitlines()
    assert lines[0] == "Traceback (most recent call last):"
    assert lines[1] == '  File "<divide>", line 5, in func'
    assert "return helper(x)" in lines[2]
    assert "pyflow_desktop" not in outcome.traceback
    assert lines[-1] == "ZeroDivisionError: division by zero"
    assert outcome.error_line == 2


def test_an_error_outside_the_users_code_has_no_engine_frames():
    outcome = execute_node(NodeTask("n1", "def func():\n    return 1\n", [], ["a", "b"]))
    assert not outcome.ok
    assert "pyflow_desktop" not in outcome.traceback and "File" not in outcome.traceback
    assert outcome.traceback.startswith("TypeError: func must return a dict")


@pytest.fixture
def boom_file(tmp_path):
    path = tmp_path / "boom.json"
    spec = {"id": "boom", "title": "Boom", "port": {"input": [{"name": "x", "type": "Int"}]}}
    spec["func"] = SOURCE
    node = {"id": "n1", "spec_id": "boom", "ports": [{"name": "x", "value": "0"}]}
    path.write_text(
        json.dumps(
            {"nodespec": {"boom": spec}, "flow": {"f": {"id": "f", "nodes": [node], "links": []}}}
        )
    )
    return path


def test_events_and_test_spec_print_the_users_traceback(boom_file):
    run = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "run", str(boom_file), "--events"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    failed = [json.loads(line) for line in run.stdout.splitlines() if '"failed"' in line]
    assert len(failed) == 1 and "pyflow_desktop" not in failed[0]["traceback"]
    assert "return 1 / v" in failed[0]["traceback"]
    spec = subprocess.run(
        [
            sys.executable,
            "-m",
            "pyflow_desktop",
            "test-spec",
            str(boom_file),
            "boom",
            "--input",
            "x=0",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert spec.returncode == 1
    assert spec.stderr.startswith('Traceback (most recent call last):\n  File "<boom>", line 5')
    assert "return 1 / v" in spec.stderr and "pyflow_desktop" not in spec.stderr
