"""The ``test-spec`` contract through a real subprocess: outputs, JSON shape, exit codes 0/1/2."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from pyflow_desktop.repository import NodeSpec, Port, Repository, save_repository
from pyflow_desktop.spec_test import SpecInputError, run_spec

COMMAND = [sys.executable, "-m", "pyflow_desktop", "test-spec"]


def specs() -> Repository:
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "math.scale",
            "Scale",
            [Port("x", "FloatArray", 0), Port("factor", "Float", 1, default="2")],
            [Port("out", "FloatArray")],
            "def func(x, factor):\n    print('scaling')\n    return [v * factor for v in x]\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "math.stats",
            "Stats",
            [Port("values", "List", 0), Port("flag", "Boolean", 1)],
            [Port("total", "Float"), Port("flag", "Boolean")],
            "def func(values, flag):\n    return {'total': sum(map(float, values)), 'flag': flag}\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "debug.fail",
            "Fail",
            [Port("x", "Int", 0)],
            [Port("out", "Int")],
            "def func(x):\n    raise ValueError(f'bad {x}')\n",
        )
    )
    return repo


@pytest.fixture(scope="module")
def spec_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("specs") / "specs.json"
    save_repository(specs(), path)
    return path


def invoke(*args) -> subprocess.CompletedProcess:
    return subprocess.run([*COMMAND, *map(str, args)], capture_output=True, text=True, timeout=60)


def test_success_prints_outputs_and_exits_0(spec_file):
    done = invoke(spec_file, "math.scale", "--input", "x=1, 2.5")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "scaling\nout (FloatArray) = [2.0, 5.0]\n"


def test_json_shape_with_several_outputs(spec_file):
    done = invoke(
        spec_file, "math.stats", "--input", "values=[1, 2, 3]", "--input", "flag=yes", "--json"
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "status": "success",
        "outputs": [
            {"name": "total", "type": "Float", "value": 6.0},
            {"name": "flag", "type": "Boolean", "value": True},
        ],
        "error": None,
    }


def test_a_failing_function_exits_1_with_its_error(spec_file):
    done = invoke(spec_file, "debug.fail", "--input", "x=7", "--json")
    assert done.returncode == 1
    assert json.loads(done.stdout) == {
        "status": "fail",
        "outputs": [],
        "error": "ValueError: bad 7",
    }
    plain = invoke(spec_file, "debug.fail", "--input", "x=7")
    assert plain.returncode == 1 and "ValueError: bad 7" in plain.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["math.nope"], "no nodespec 'math.nope'"),
        (["math.scale", "--input", "y=1"], "has no input 'y'"),
        (["math.scale", "--input", "factor=lots"], "input 'factor': cannot read 'lots' as Float"),
        (["math.scale", "--input", "factor"], "use NAME=VALUE"),
    ],
)
def test_bad_requests_exit_2_without_a_traceback(spec_file, args, message):
    done = invoke(spec_file, *args)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_bad_file_exits_2(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    for path in (broken, tmp_path / "missing.json"):
        done = invoke(path, "math.scale")
        assert done.returncode == 2 and done.stderr.startswith("error: ")
        assert "Traceback" not in done.stderr


def test_run_spec_converts_typed_and_text_values_alike():
    spec = specs().specs["math.stats"]
    assert run_spec(spec, {"values": "1, 2", "flag": "on"}).outputs == {"total": 3.0, "flag": True}
    assert run_spec(spec, {"values": [4], "flag": False}).outputs == {"total": 4.0, "flag": False}
    with pytest.raises(SpecInputError, match="'flag'"):
        run_spec(spec, {"values": "1", "flag": "maybe"})
