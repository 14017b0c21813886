"""The scripted contract: pyflow-desktop FILE --flow ID --run --screenshot PNG --quit."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest


def _app(tmp_path, *args: str) -> subprocess.CompletedProcess:
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        HOME=str(tmp_path),
    )
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_run_screenshot_quit_succeeds(tmp_path, repo_file):
    shot = tmp_path / "out.png"
    done = _app(
        tmp_path, str(repo_file), "--flow", "calc", "--run", "--screenshot", str(shot), "--quit"
    )
    assert done.returncode == 0, done.stderr
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_failing_flow_exits_1(tmp_path, repo_file):
    done = _app(tmp_path, str(repo_file), "--flow", "broken", "--run", "--quit")
    assert done.returncode == 1, done.stderr


@pytest.mark.parametrize("problem", ["malformed", "unknown_flow"])
def test_invalid_input_exits_2_without_traceback(tmp_path, repo_file, problem):
    if problem == "malformed":
        bad = tmp_path / "bad.json"
        bad.write_text('{"flow": {', encoding="utf-8")
        done = _app(tmp_path, str(bad), "--run", "--quit")
    else:
        done = _app(tmp_path, str(repo_file), "--flow", "nope", "--run", "--quit")
    assert done.returncode == 2
    assert "error:" in done.stderr and "Traceback" not in done.stderr
