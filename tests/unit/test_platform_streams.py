"""The command's standard streams as Windows gives them, reproduced here.

A windowed Windows bundle (or ``pythonw``) starts with ``sys.stdout`` and ``sys.stderr`` set
to ``None``; a pipe or file there is encoded in the ANSI code page, cp1252, which has no
``→``. Each test runs the real command in a subprocess under that condition: the program
must do its work and exit with its usual code, and what it writes is UTF-8.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from pyflow_desktop.repository import (
    Flow,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    save_repository,
)

NO_STREAMS = "import sys\nsys.stdout = sys.stderr = None\n"
MAIN = "from pyflow_desktop.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def program(
    *args: object, prelude: str = "import sys\n", **env: str
) -> subprocess.CompletedProcess:
    """The command's ``main`` in a fresh interpreter, after ``prelude``; its output as bytes."""
    return subprocess.run(
        [sys.executable, "-c", prelude + MAIN, *map(str, args)],
        capture_output=True,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **env},
        timeout=120,
    )


def talking_repository(folder: Path) -> Path:
    """A flow whose node prints ``→`` to stdout and stderr, warns, and leaves a file to say
    it ran; saved in ``folder``."""
    repo = Repository()
    func = (
        "def func(text):\n"
        "    import sys, warnings\n"
        "    print('out', text)\n"
        "    print('err', text, file=sys.stderr)\n"
        "    warnings.warn('careful ' + text)\n"
        f"    open({str(folder / 'ran')!r}, 'w').close()\n"
        "    return text\n"
    )
    repo.add_spec(NodeSpec("talk", "Talk", [Port("text", "String", 0)], [Port("out")], func))
    flow = Flow("f", "Talking")
    flow.add_node(NodeInstance("n1", "talk", "talk → on", values={"text": "a → b"}))
    repo.add_flow(flow)
    path = folder / "talk.json"
    save_repository(repo, path)
    return path


def test_run_works_without_standard_streams(tmp_path):
    path = talking_repository(tmp_path)
    done = program("run", path, prelude=NO_STREAMS)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert (tmp_path / "ran").exists()


def test_run_on_process_workers_works_without_standard_streams(tmp_path):
    path = talking_repository(tmp_path)
    done = program("run", path, "--executor", "process", "--json", prelude=NO_STREAMS)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert (tmp_path / "ran").exists()


def test_a_test_of_a_spec_that_prints_and_warns_works_without_standard_streams(tmp_path):
    """Test captures what the node prints through a router in front of the streams; what is
    written after it, outside a node, must still go somewhere."""
    path = talking_repository(tmp_path)
    done = program("test-spec", path, "talk", "--input", "text=x", prelude=NO_STREAMS)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert (tmp_path / "ran").exists()


def test_the_programs_flags_and_check_work_without_standard_streams(tmp_path):
    path = talking_repository(tmp_path)
    for args in (("--version",), ("check", path), ("--help",)):
        done = program(*args, prelude=NO_STREAMS)
        assert done.returncode == 0, (args, done.stderr.decode(errors="replace"))
    bad = tmp_path / "bad.json"
    bad.write_text('{"flow": {', encoding="utf-8")
    assert program("check", bad, prelude=NO_STREAMS).returncode == 2


def test_output_through_a_cp1252_pipe_is_utf8(tmp_path):
    path = talking_repository(tmp_path)
    done = program("test-spec", path, "talk", "--input", "text=a → b", PYTHONIOENCODING="cp1252")
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert "out a → b" in done.stdout.decode("utf-8")
    table = program("run", path, PYTHONIOENCODING="cp1252")
    assert table.returncode == 0, table.stderr.decode(errors="replace")
    assert "talk → on" in table.stdout.decode("utf-8")  # the node's name, in the table


def test_check_names_a_non_ascii_path_through_a_cp1252_pipe(tmp_path):
    bad = tmp_path / "bad.json"
    doc = {"flow": {"f→g": {"id": "f→g", "name": "f", "nodes": [{"id": "n1", "spec_id": "nö"}]}}}
    bad.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    done = program("check", bad, PYTHONIOENCODING="cp1252")
    assert done.returncode == 2, done.stderr.decode(errors="replace")
    assert 'flow["f→g"].nodes[0].spec_id' in done.stdout.decode("utf-8")
    assert "'nö'" in done.stdout.decode("utf-8")


def test_text_that_is_not_unicode_is_written_escaped():
    """A lone surrogate (a file name Python could not decode) is no text in any encoding:
    it is written as its escape, not an error."""
    code = (
        "from pyflow_desktop.cli.entry import standard_streams\n"
        "with standard_streams():\n"
        "    print('name: \\udcff')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr.decode(errors="replace")
    assert done.stdout.strip() == b"name: \\udcff"
