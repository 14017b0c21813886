"""Reading a repository file's text: regular files only, up to a size limit.

A named pipe would block the reader forever and ``/dev/zero`` never ends, so anything but a
regular file is refused before it is opened (and checked again once open, in case the path
changed in between). Files over the limit are refused by their size: 256 MB unless the
``PYFLOW_DESKTOP_MAX_FILE_MB`` environment variable or the caller's ``max_bytes`` says
otherwise.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable

from .errors import MalformedFileError, RepositoryError
from .folder import Folder

MAX_FILE_ENV = "PYFLOW_DESKTOP_MAX_FILE_MB"
DEFAULT_MAX_FILE_MB = 256
_MB = 1024 * 1024


def max_file_bytes() -> int:
    """The size limit for repository files: ``PYFLOW_DESKTOP_MAX_FILE_MB``, else 256 MB."""
    text = os.environ.get(MAX_FILE_ENV, "").strip()
    if not text:
        return DEFAULT_MAX_FILE_MB * _MB
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not 0 < megabytes < 1e9:
        raise RepositoryError(f"{MAX_FILE_ENV}={text!r} is not a number of megabytes above 0")
    return round(megabytes * _MB)


def read_text(path: str | os.PathLike, max_bytes: int | None = None) -> str:
    """The UTF-8 text of the regular file at ``path``, at most ``max_bytes`` long (default:
    ``max_file_bytes()``); raises ``MalformedFileError`` naming the file otherwise."""
    file = os.fspath(path)
    return _read(lambda: os.stat(file), lambda flags: os.open(file, flags), file, max_bytes)


def read_text_in(place: Folder, name: str, shown: str, max_bytes: int | None = None) -> str:
    """``read_text`` for the file ``name`` of a folder held open (``shown`` names it in
    messages); a symbolic link there is refused, never followed."""
    return _read(lambda: place.stat(name), lambda flags: place.open(name, flags), shown, max_bytes)


def _read(
    status: Callable[[], os.stat_result],
    opening: Callable[[int], int],
    file: str,
    max_bytes: int | None,
) -> str:
    limit = max_file_bytes() if max_bytes is None else max_bytes
    try:
        _check_kind(status().st_mode, file)
        fd = opening(os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except FileNotFoundError:
        raise MalformedFileError("no such file", file=file) from None
    except OSError as exc:
        if _is_folder(status):  # Windows will not open a folder at all
            raise MalformedFileError("is a folder, not a repository file", file=file) from None
        raise MalformedFileError(f"cannot read: {exc.strerror}", file=file) from None
    with open(fd, "rb") as handle:
        info = os.fstat(fd)
        _check_kind(info.st_mode, file)
        check_size(info.st_size, limit, file)
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise MalformedFileError(f"the file grew past {_limit_text(limit)} while read", file=file)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MalformedFileError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=file
        ) from None


def _is_folder(status: Callable[[], os.stat_result]) -> bool:
    try:
        return stat.S_ISDIR(status().st_mode)
    except OSError:
        return False


def _check_kind(mode: int, file: str) -> None:
    if stat.S_ISREG(mode):
        return
    if stat.S_ISDIR(mode):
        raise MalformedFileError("is a folder, not a repository file", file=file)
    kind = (
        "a symbolic link (not followed)"
        if stat.S_ISLNK(mode)
        else "a named pipe (FIFO)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a file"
    )
    raise MalformedFileError(f"{kind}, not a regular file: only regular files are read", file=file)


def check_size(size: int, limit: int, file: str) -> None:
    """``MalformedFileError`` naming ``file`` when ``size`` bytes are over ``limit``."""
    if size > limit:
        raise MalformedFileError(
            f"the file is {_megabytes(size)}, over {_limit_text(limit)}", file=file
        )


def _limit_text(limit: int) -> str:
    return f"the size limit of {_megabytes(limit)} for repository files ({MAX_FILE_ENV} sets it)"


def _megabytes(size: int) -> str:
    return f"{size / _MB:.4g} MB"
