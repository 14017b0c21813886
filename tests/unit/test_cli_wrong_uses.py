"""Wrong uses of the command get clear answers (a contract), through a real subprocess."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest

from pyflow_desktop.cli import COMMANDS
from pyflow_desktop.resources import BUILTIN_LIBRARY, resource_path

NO_DISPLAY = ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def without_display() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key not in NO_DISPLAY}


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the display check is Linux's")
@pytest.mark.parametrize("args", [(), ("resources/library.json",), ("--flow", "examples.math")])
def test_the_window_without_a_display_exits_2_with_one_message(args):
    done = cli(*args, env=without_display())
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "no display found" in lines[0]
    assert "QT_QPA_PLATFORM=offscreen" in lines[0]
    assert "pyflow-desktop run FILE" in lines[0]


@pytest.mark.parametrize("first", ["frobnicate", "missing.json"])
def test_a_first_argument_neither_file_nor_command_exits_2_with_the_commands(first, tmp_path):
    done = cli(first, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    assert done.returncode == 2
    assert f"{first!r} is neither a file nor a command" in done.stderr
    for command in COMMANDS:
        assert command in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("command", COMMANDS)
def test_a_bad_flag_of_a_command_shows_that_commands_usage(command):
    done = cli(command, "--flwo")
    assert done.returncode == 2
    assert f"usage: pyflow-desktop {command} " in done.stderr
    assert "usage: pyflow-desktop [-h] COMMAND" not in done.stderr


def test_a_bad_flag_with_its_arguments_names_the_flag():
    done = cli("run", "resources/library.json", "--flwo", "examples.math")
    assert done.returncode == 2
    assert done.stderr.startswith("usage: pyflow-desktop run ")
    assert "unrecognized arguments: --flwo" in done.stderr


def test_an_infinite_timeout_and_a_folder_as_output_are_usage_errors(tmp_path):
    library = resource_path(BUILTIN_LIBRARY)
    done = cli("run", library, "--flow", "examples.math", "--timeout", "inf")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    done = cli("convert", library, tmp_path, "--format", "native")
    assert done.returncode == 2 and "folder" in done.stderr


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("run", "FILE", "--workers", "0"), "argument --workers: must be at least 1"),
        (("run", "FILE", "--workers", "two"), "argument --workers: 'two' is not a whole number"),
        (("run", "FILE", "--timeout", "-1"), "--timeout: must be a number of seconds more than 0"),
        (("run", "FILE", "--timeout", "soon"), "argument --timeout: 'soon' is not a number"),
        (("serve", "FILE", "--port", "70000"), "--port: a port is a number from 1 to 65535"),
        (("serve", "FILE", "--port", "http"), "argument --port: 'http' is not a port number"),
    ],
)
def test_a_number_option_out_of_its_range_says_which_and_why(args, said):
    library = str(resource_path(BUILTIN_LIBRARY))
    done = cli(*(library if arg == "FILE" else arg for arg in args))
    assert done.returncode == 2 and said in done.stderr and "Traceback" not in done.stderr


def test_help_lists_the_commands():
    done = cli("--help")
    assert done.returncode == 0
    for command in COMMANDS:
        assert command in done.stdout


@pytest.mark.skipif(sys.platform == "win32", reason="preexec_fn and SIGINT are POSIX's")
def test_ctrl_c_works_when_started_with_sigint_ignored(tmp_path):
    """A job started in the background (`&`) inherits SIGINT ignored; the CLI takes it back."""
    path = tmp_path / "hang.json"
    path.write_text(
        '{"nodespec": {"sleep": {"id": "sleep", "port": {"input": [{"name": "s"}]},'
        ' "func": "import time\\ndef func(s):\\n    time.sleep(30)\\n"}},'
        ' "flow": {"f": {"id": "f", "nodes": [{"id": "a", "spec_id": "sleep",'
        ' "ports": [{"name": "s", "value": "30"}]}], "links": []}}}'
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "pyflow_desktop", "run", str(path), "--events"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN),
    )
    try:
        assert '"started"' in process.stdout.readline() + process.stdout.readline()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=10)
    finally:
        process.kill()
    assert process.returncode == 130
    assert "Traceback" not in err
