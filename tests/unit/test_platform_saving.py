"""Saving as Windows and every POSIX system need it, reproduced here.

On Windows a rename over a file fails with "Access is denied" while another program holds
it open (an antivirus scan, a sync client, the window's own watch hashing it); the writer
tries again for a moment. On POSIX the process umask is one value for every thread: saving
must never change it, even for an instant.
"""

from __future__ import annotations

import os
import time

import pytest

from pyflow_desktop.repository import Flow, Repository, load_repository, save_repository, writer

WINDOWS_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8)


def repository(name: str) -> Repository:
    repo = Repository()
    repo.add_flow(Flow("f", name))
    return repo


@pytest.fixture
def held_file(monkeypatch):
    """Renames onto a file refused ``refusals[0]`` times (as Windows refuses them while
    another program holds the file), the writer's Windows waits, and the waits it took."""
    refusals = [0]
    waits: list[float] = []
    real_replace = os.replace

    def replace(source, target, **at):
        if refusals[0] > 0:
            refusals[0] -= 1
            raise PermissionError(13, "Access is denied", str(target))
        real_replace(source, target, **at)

    monkeypatch.setattr(writer, "REPLACE_WAITS", WINDOWS_WAITS)
    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(time, "sleep", waits.append)
    return refusals, waits


def test_a_save_waits_for_a_file_held_by_another_program(tmp_path, held_file):
    refusals, waits = held_file
    path = tmp_path / "repo.json"
    save_repository(repository("first"), path)
    refusals[0] = 2
    save_repository(repository("second"), path)
    assert load_repository(path).flows["f"].name == "second"
    assert load_repository(tmp_path / "repo.json.bak").flows["f"].name == "first"
    assert waits == [0.05, 0.1]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["repo.json", "repo.json.bak"]


def test_a_file_held_for_good_fails_the_save_and_stays_as_it_was(tmp_path, held_file):
    refusals, waits = held_file
    path = tmp_path / "repo.json"
    save_repository(repository("first"), path)
    refusals[0] = 1000
    with pytest.raises(PermissionError):
        save_repository(repository("second"), path)
    assert waits == list(WINDOWS_WAITS)
    assert load_repository(path).flows["f"].name == "first"
    assert not list(tmp_path.glob(".*.tmp"))


@pytest.mark.skipif(os.name == "nt", reason="Windows waits for a file held open")
def test_a_refused_rename_is_reported_at_once_off_windows(tmp_path, monkeypatch):
    """POSIX: a refused rename is a lasting permission problem, not a file held open."""
    waits: list[float] = []
    monkeypatch.setattr(time, "sleep", waits.append)

    def refuse(source, target, **at):
        raise PermissionError(13, "Permission denied", str(target))

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(PermissionError):
        save_repository(repository("x"), tmp_path / "repo.json")
    assert waits == []


def test_saving_never_changes_the_umask(tmp_path, monkeypatch):
    """The umask is the whole process's: a save on a worker thread that set it to 0 for a
    moment would give any file another thread makes meanwhile the wrong permissions."""

    def umask(mask):
        raise AssertionError(f"os.umask({mask:o}) called while saving")

    monkeypatch.setattr(os, "umask", umask)
    path = tmp_path / "repo.json"
    save_repository(repository("first"), path)
    save_repository(repository("second"), path)  # with a backup
    writer.write_atomically(tmp_path / "script.py", [b"print(1)\n"], mode=0o755)
    assert load_repository(path).flows["f"].name == "second"
    if os.name != "nt":
        assert (tmp_path / "script.py").stat().st_mode & 0o100
