"""``repository.folder``: a relative path is walked below its folder without following a
symbolic link, and written through it; both through descriptors (POSIX) and, as on Windows,
through paths (the fallback, forced here where descriptors exist)."""

from __future__ import annotations

import errno
import os
import sys

import pytest

from pyflow_desktop.repository import folder
from pyflow_desktop.repository.writer import write_in_folder


@pytest.fixture(params=["descriptors", "paths"])
def by(request, monkeypatch):
    if request.param == "paths":
        monkeypatch.setattr(folder, "BY_DESCRIPTOR", False)
    elif not folder.BY_DESCRIPTOR:
        pytest.skip("this OS names no file relative to a folder's descriptor")
    return request.param


def write(root, relative: str, text: str) -> None:
    with folder.opened(root) as place, folder.inside(place, relative) as (where, name):
        write_in_folder(where, name, [text.encode()], backup=True)


def test_a_file_below_the_folder_is_written_atomically_with_its_backup(tmp_path, by):
    (tmp_path / "a" / "b").mkdir(parents=True)
    write(tmp_path, "a/./b/../b/f.json", "one")
    write(tmp_path, "a/b/f.json", "two")
    assert (tmp_path / "a/b/f.json").read_text() == "two"
    assert (tmp_path / "a/b/f.json.bak").read_text() == "one"
    assert sorted(os.listdir(tmp_path / "a/b")) == ["f.json", "f.json.bak"]


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need rights on Windows")
def test_a_path_out_of_the_folder_or_through_a_link_is_refused(tmp_path, by):
    inner, outside = tmp_path / "inner", tmp_path / "outside"
    inner.mkdir()
    outside.mkdir()
    (inner / "link").symlink_to(outside)
    (inner / "file_link").symlink_to(outside / "f.json")
    for relative in ("link/f.json", "../outside/f.json", "/abs/f.json", "file_link"):
        with pytest.raises(OSError) as caught:
            write(inner, relative, "x")
        assert caught.value.errno in (errno.ELOOP, errno.EACCES), relative
    assert os.listdir(outside) == []
    with pytest.raises(ValueError, match="NUL byte"):
        write(inner, "a\0b", "x")
    with pytest.raises(FileNotFoundError):
        write(inner, "missing/f.json", "x")
    with pytest.raises(IsADirectoryError):
        write(inner, "..", "x")
