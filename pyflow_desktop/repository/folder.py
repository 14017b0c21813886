"""Files named relative to a folder that is held open, so a path swapped meanwhile cannot
redirect a read or a write.

Where the OS names files relative to a descriptor (POSIX), a ``Folder`` holds one of its
folder and every operation goes through it, never following a symbolic link: a folder
swapped for a link after it was opened changes nothing, and ``inside`` opens each component
of a relative path with ``O_NOFOLLOW``. Where it cannot (Windows), the folder's path is used,
and a symbolic link or junction met on the way is refused when it is seen.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager

NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
DIRECTORY = getattr(os, "O_DIRECTORY", 0)
BINARY = getattr(os, "O_BINARY", 0)
BY_DESCRIPTOR = (
    bool(NOFOLLOW)
    and {os.open, os.stat, os.unlink, os.rename, os.link} <= os.supports_dir_fd
    and os.listdir in os.supports_fd
)


class OutsideError(OSError):
    """A relative path that leaves its folder, or leads through a symbolic link."""


class Folder:
    """One folder: ``path`` for messages, ``fd`` its descriptor (``None`` where the OS
    cannot name files by one). Names given to the methods are single components."""

    def __init__(self, path: str, fd: int | None) -> None:
        self.path = path
        self.fd = fd

    def _at(self, name: str) -> tuple[str, dict]:
        if self.fd is None:
            return os.path.join(self.path, name), {}
        return name, {"dir_fd": self.fd}

    def path_of(self, name: str) -> str:
        return os.path.join(self.path, name)

    def open(self, name: str, flags: int, mode: int = 0o666) -> int:
        """A descriptor of ``name``; a symbolic link there is refused (``ELOOP``)."""
        where, at = self._at(name)
        if self.fd is None and os.path.islink(where):
            raise OSError(errno.ELOOP, "is a symbolic link, which is not followed", where)
        return os.open(where, flags | NOFOLLOW | BINARY, mode, **at)

    def stat(self, name: str) -> os.stat_result:
        where, at = self._at(name)
        return os.stat(where, follow_symlinks=False, **at)

    def names(self) -> list[str]:
        return os.listdir(self.path if self.fd is None else self.fd)

    def unlink(self, name: str, missing_ok: bool = False) -> None:
        where, at = self._at(name)
        try:
            os.unlink(where, **at)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def replace(self, source: str, target: str) -> None:
        if self.fd is None:
            os.replace(self.path_of(source), self.path_of(target))
        else:
            os.replace(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def link(self, source: str, target: str) -> None:
        if self.fd is None:
            os.link(self.path_of(source), self.path_of(target))
        else:
            os.link(source, target, src_dir_fd=self.fd, dst_dir_fd=self.fd)

    def sync(self) -> None:
        """Make the renames in this folder durable. Windows cannot open a folder for that
        (NTFS journals them)."""
        if os.name == "nt":
            return
        if self.fd is not None:
            os.fsync(self.fd)
            return
        fd = os.open(self.path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def child(self, name: str) -> Folder:
        """The folder ``name`` in this one, opened without following a symbolic link; close
        it (``close``) when done."""
        where, at = self._at(name)
        if self.fd is None:
            if not os.path.lexists(where):
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), name)
            if os.path.islink(where) or not os.path.isdir(where):
                raise _not_a_folder(self, name)
            return Folder(where, None)
        try:
            fd = os.open(where, os.O_RDONLY | DIRECTORY | NOFOLLOW, **at)
        except OSError as exc:
            if exc.errno in (errno.ENOTDIR, errno.ELOOP):
                raise _not_a_folder(self, name) from None
            raise
        return Folder(self.path_of(name), fd)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def _not_a_folder(folder: Folder, name: str) -> OSError:
    try:
        link = stat.S_ISLNK(folder.stat(name).st_mode)
    except OSError:
        link = False
    if link:
        return OutsideError(errno.ELOOP, "is a symbolic link, which is not followed", name)
    return OSError(errno.ENOTDIR, "is not a folder", name)


@contextmanager
def opened(path: str | os.PathLike) -> Iterator[Folder]:
    """The folder at ``path`` (links in ``path`` itself are followed: it names the folder)."""
    path = os.fspath(path)
    folder = Folder(path, os.open(path, os.O_RDONLY | DIRECTORY) if BY_DESCRIPTOR else None)
    try:
        yield folder
    finally:
        folder.close()


@contextmanager
def inside(root: Folder, relative: str) -> Iterator[tuple[Folder, str]]:
    """The folder holding ``relative`` (a path below ``root``) and its last component.

    Each folder on the way is opened without following a symbolic link; ``OutsideError``
    for an absolute path, one that climbs out of ``root`` with ``..``, or one through a link.
    ``ValueError`` for a NUL byte; ``OSError`` for a missing folder or a name too long.
    """
    if "\0" in relative:
        raise ValueError("the path holds a NUL byte")
    drive, rest = os.path.splitdrive(relative)
    if drive or os.path.isabs(rest):
        raise OutsideError(errno.EACCES, "is not a path relative to the folder", relative)
    parts = [part for part in rest.replace(os.sep, "/").split("/") if part not in ("", ".")]
    if not parts or parts[-1] == "..":
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", relative)
    with ExitStack() as closing:
        chain = [root]
        for part in parts[:-1]:
            if part == "..":
                if len(chain) == 1:
                    raise OutsideError(errno.EACCES, "leads out of the folder", relative)
                chain.pop()
            else:
                chain.append(chain[-1].child(part))
                closing.callback(chain[-1].close)
        yield chain[-1], parts[-1]
