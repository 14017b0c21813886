"""Hostile files are refused, a contract: ``check``, ``run`` and ``convert`` each exit 2 with
one line per problem naming the file, the JSON path and what is wrong — no traceback, no
hang, no node code run. Each command is a real subprocess, started all at once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pyflow_desktop.repository import (
    MAX_FILE_ENV,
    RepositoryError,
    load_repository,
    save_repository,
)

SPEC = {
    "s": {"id": "s", "title": "S", "port": {"input": []}, "func": "def func():\n    return 1\n"}
}


def document(node_ui: str = '{"x": 1, "y": 2}', spec: str | None = None, extra: str = "") -> str:
    """A repository whose one node has position ``node_ui`` (raw JSON text)."""
    spec = spec or json.dumps(SPEC)
    return (
        '{"nodespec": ' + spec + ', "flow": {"f": {"id": "f", "nodes": [{"id": "n", '
        '"spec_id": "s", "ui": ' + node_ui + "}], " + extra + '"links": []}}}'
    )


def encoded_flow(inner: str) -> str:
    """The original's form: the flow stored as a JSON-encoded string holding ``inner``."""
    return json.dumps({"nodespec": SPEC, "flow": {"f": inner}})


MINUS_FUNC = {"s": {**SPEC["s"], "func": "def func():\n    return " + "-" * 200_000 + "1\n"}}

# name → (file text, what the one problem line must say, its JSON path)
HOSTILE = {
    "huge_int_position": (
        document('{"x": ' + "9" * 400 + ', "y": 0}'),
        'flow["f"].nodes[0].ui.x: position',
    ),
    "deep_encoded_json": (
        encoded_flow("[" * 100_000 + "]" * 100_000),
        'flow["f"]: a JSON-encoded string that does not parse: nested more than 100 levels',
    ),
    "long_int_encoded": (
        encoded_flow('{"nodes": [], "x": ' + "7" * 6000 + "}"),
        'flow["f"].x: an integer of 6000 digits',
    ),
    "lone_surrogate": (
        document('{"x": 1, "y": 2}', extra='"name": "\\ud800", '),
        'flow["f"].name: a string holds a lone surrogate (\\ud800)',
    ),
    "minus_signs_func": (
        document(spec=json.dumps(MINUS_FUNC)),
        'nodespec["s"].func: func is too deeply nested for Python to compile',
    ),
    "nan": (document('{"x": NaN, "y": 2}'), 'flow["f"].nodes[0].ui.x: NaN is not a JSON number'),
    "infinity": (
        document('{"x": 1, "y": -Infinity}'),
        'flow["f"].nodes[0].ui.y: -Infinity is not a JSON number',
    ),
    "duplicate_key": (
        document('{"x": 1, "y": 2, "x": 3}'),
        "flow[\"f\"].nodes[0].ui: the key 'x' appears twice in one object",
    ),
    "long_int_top_level": ('{"flow": {}, "x": ' + "1" * 5000 + "}", "x: an integer of 5000 digits"),
    "deep_json": ("[" * 100_000, "nested more than 100 levels deep"),
    "long_int_order": (
        '{"nodespec": {"s": {"func": "def func(a): pass", "port": {"input": [{"name": "a", '
        '"order": "' + "1" * 5001 + '"}]}}}}',
        "expected an integer",
    ),
    "float_overflow": (
        document('{"x": 1e999, "y": 0}'),
        'flow["f"].nodes[0].ui.x: the number 1e999 is too large for a float',
    ),
}


def start(*args: str | Path, env: dict | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "pyflow_desktop", *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
    )


def finish(process: subprocess.Popen) -> tuple[int, str]:
    try:
        out, err = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        pytest.fail(f"{process.args[3:]} hung")
    return process.returncode, out + err


def commands(path: Path, out: Path) -> list[tuple[str, ...]]:
    return [("check", path), ("run", path), ("convert", path, out, "--format", "native")]


def assert_refused(code: int, output: str, path: Path, expected: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output, output
    problems = [
        line
        for line in output.splitlines()
        if line.removeprefix("error: ") != line
        or (line.startswith(str(path)) and not line.endswith("problem(s)"))
    ]
    assert len(problems) == 1, output
    assert problems[0].removeprefix("error: ").startswith(f"{path}: "), output
    assert expected in problems[0], output


@pytest.fixture
def special_files(tmp_path) -> dict[str, tuple[Path, str]]:
    """A FIFO (no writer: reading would block forever) and /dev/zero (never ends)."""
    found = {}
    if hasattr(os, "mkfifo"):
        fifo = tmp_path / "fifo.json"
        os.mkfifo(fifo)
        found["fifo"] = (fifo, "a named pipe (FIFO), not a regular file")
    if Path("/dev/zero").exists():
        found["dev_zero"] = (Path("/dev/zero"), "a device, not a regular file")
    return found


def test_every_hostile_file_exits_2_with_one_line_naming_file_path_and_problem(
    tmp_path, special_files
):
    cases = {name: (tmp_path / f"{name}.json", expected) for name, (_, expected) in HOSTILE.items()}
    for name, (text, _) in HOSTILE.items():
        cases[name][0].write_text(text, encoding="utf-8")
    cases.update(special_files)
    running = [
        (path, expected, start(*command))
        for name, (path, expected) in cases.items()
        for command in commands(path, tmp_path / f"{name}.out.json")
    ]
    for path, expected, process in running:
        code, output = finish(process)
        assert_refused(code, output, path, expected)
    assert not list(tmp_path.glob("*.out.json")), "convert wrote nothing for a refused file"


def test_a_file_over_the_size_limit_is_refused_saying_so(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(document(extra='"padding": "' + "x" * 3000 + '", '))
    env = {**os.environ, MAX_FILE_ENV: "0.001"}  # about 1 kB
    running = [start(*command, env=env) for command in commands(path, tmp_path / "o.json")]
    for process in running:
        code, output = finish(process)
        assert_refused(code, output, path, "over the size limit of 0.001 MB")
        assert MAX_FILE_ENV in output
    with pytest.raises(RepositoryError, match="over the size limit of 0.0009537 MB"):
        load_repository(path, max_bytes=1000)
    assert load_repository(path).flows["f"].nodes["n"].x == 1.0  # the default is 256 MB


def test_a_bad_size_limit_setting_is_an_error_not_a_traceback(tmp_path, monkeypatch):
    path = tmp_path / "ok.json"
    path.write_text(document())
    monkeypatch.setenv(MAX_FILE_ENV, "lots")
    with pytest.raises(RepositoryError, match=f"{MAX_FILE_ENV}='lots' is not a number"):
        load_repository(path)


def test_opening_checking_or_converting_never_runs_node_code(tmp_path):
    marker = tmp_path / "ran"
    spec = {**SPEC["s"], "func": f"open({str(marker)!r}, 'w').close()\ndef func():\n    pass\n"}
    path = tmp_path / "code.json"
    path.write_text(document(spec=json.dumps({"s": spec})))
    load_repository(path)
    for command in commands(path, tmp_path / "out.json")[::2]:  # check and convert
        code, output = finish(start(*command))
        assert code == 0, output
    assert not marker.exists()


def test_nan_is_never_written_back(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(document())
    before = path.read_bytes()
    repo = load_repository(path)
    repo.flows["f"].nodes["n"].x = float("nan")
    with pytest.raises(RepositoryError, match=r"nodes\[0\]\.ui\.x: nan cannot be written"):
        save_repository(repo, path)
    repo.flows["f"].nodes["n"].x = 0.0
    repo.flows["f"].set_value("n", "v", [1.0, float("inf")])
    with pytest.raises(RepositoryError, match=r"nodes\[0\]\.ports\[0\]\.value\[1\]: inf cannot"):
        save_repository(repo, path)
    repo.flows["f"].set_value("n", "v", "\udc80")
    with pytest.raises(
        RepositoryError, match=r"ports\[0\]\.value: '\\udc80' holds a lone surrogate"
    ):
        save_repository(repo, path)
    assert path.read_bytes() == before, "the file is untouched"
    assert [p.name for p in tmp_path.iterdir()] == ["f.json"], "and no temp file is left"
