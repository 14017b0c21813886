"""``convert IN OUT`` never writes over its input, however the two names reach one file.

On a case-insensitive disk (Windows, macOS) ``a.json`` and ``A.json`` are one file; the
command asks the file system (``os.path.samefile``). That disk is reproduced here by a
``samefile`` that ignores case, in the command's own process.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from pyflow_desktop.repository import Flow, Repository, save_repository

CASE_INSENSITIVE = (
    "import os.path, sys\n"
    "os.path.samefile = lambda a, b: os.path.abspath(a).casefold() == os.path.abspath(b).casefold()\n"
)
MAIN = "from pyflow_desktop.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def convert(source, target, prelude: str = "import sys\n") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", prelude + MAIN, "convert", str(source), str(target)]
        + ["--format", "original"],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
    )


@pytest.fixture
def source(tmp_path):
    repo = Repository()
    repo.add_flow(Flow("f", "F"))
    path = tmp_path / "a.json"
    save_repository(repo, path)
    return path


def test_another_case_of_the_inputs_name_is_the_input_on_a_case_insensitive_disk(source):
    before = source.read_bytes()
    done = convert(source, source.with_name("A.json"), CASE_INSENSITIVE)
    assert done.returncode == 2, done.stderr
    assert "IN and OUT are the same file" in done.stderr
    assert source.read_bytes() == before
    assert sorted(p.name for p in source.parent.iterdir()) == ["a.json"]
    other = convert(source, source.with_name("b.json"), CASE_INSENSITIVE)
    assert other.returncode == 0, other.stderr


def test_a_link_to_the_input_is_the_input(source):
    link = source.with_name("linked.json")
    os.link(source, link)
    before = source.read_bytes()
    done = convert(source, link)
    assert done.returncode == 2 and "same file" in done.stderr
    assert source.read_bytes() == before
    assert convert(source, source).returncode == 2
