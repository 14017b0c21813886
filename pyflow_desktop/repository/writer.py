"""Writes repositories in our native format or the original PyFlow format.

Both share one layout; native adds the ``pyflow_desktop`` header. Keys we did not know on
load are written back where they were. Only strict JSON is written: a value that has none
(NaN, infinity, a string with a lone surrogate) fails the save with a ``SchemaError`` naming
its path, and the file is left as it was.

Saving is atomic and keeps the previous file as ``<name>.bak``. Each step leaves whole files
behind, wherever a crash or a kill stops it: the new text goes to a temp file
``.<name>.<random>.tmp`` in the same folder (written as it is encoded, a piece at a time, so
a big repository is never one string in memory and no single step holds the GIL for long;
flushed, fsynced) that is renamed over the file;
the backup is a hard link to the previous file (where links are impossible, a copy written
the same way) renamed over ``<name>.bak``; the folder is fsynced after the renames. Each save
first removes the temp files that killed saves of the same file left. On Windows a rename
fails while another program holds the file open (an antivirus, a sync client, the window's
own watch reading it): it is tried again for a moment (``REPLACE_WAITS``). A path that is a
symbolic link saves the file it points to, and the link stays. Every step names its files
through the open folder (``folder``), so a folder swapped meanwhile cannot redirect them.
``write_atomically`` is that one writer, for every file the application writes (scripts and
autosaves too); ``write_in_folder`` the same for a file of a folder held open.
"""

from __future__ import annotations

import errno
import json
import math
import os
import reprlib
import secrets
import shutil
import stat
import time
from collections.abc import Iterable, Iterator
from typing import Any, Literal

from . import folder
from .errors import SchemaError
from .flow import Flow, NodeInstance, marks_end
from .interface import Interface
from .nodespec import NodeSpec, Port
from .original import original_repository
from .port_types import DEFAULT_TYPE
from .reader import FORMAT_KEY, SUBFLOW_VERSION
from .repository import Repository
from .validate import json_path

Format = Literal["native", "original"]
FORMATS: tuple[Format, ...] = ("native", "original")
_PIECES = 4096  # JSON pieces encoded to bytes and written at a time
# Bytes written to disk at a time. Each write lets go of the interpreter and takes it back at
# once, before a waiting thread wakes: with the default 8 KiB, thousands of them would keep a
# window saving on a worker thread from its turn for 50-100 ms at a time.
WRITE_BUFFER = 1 << 20
# Seconds to wait before each new try of a rename that Windows refused: a program that holds
# the file (an antivirus scan, a sync client) lets go within a second. Elsewhere a refused
# rename is a lasting permission problem, reported at once.
REPLACE_WAITS = (0.05, 0.1, 0.2, 0.4, 0.8) if os.name == "nt" else ()


def format_version(repo: Repository) -> int:
    """The version a native file of ``repo`` gets: 2 when it uses subflows, else 1 (which
    older PyFlow Desktops read too)."""
    return SUBFLOW_VERSION if repo.uses_subflows() else 1


def repository_to_dict(repo: Repository, fmt: Format = "native") -> dict[str, Any]:
    """The JSON document for ``repo`` in format ``fmt``; the original format gets what the
    original can hold (``original.original_repository``: subflows inlined, selectable ids)."""
    data: dict[str, Any] = {}
    extra = dict(repo.extra)
    header = extra.pop(FORMAT_KEY, {})
    if fmt == "native":
        data[FORMAT_KEY] = {"format_version": format_version(repo), **header}
    elif fmt == "original":
        repo = original_repository(repo)
    else:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    data["flow"] = {flow_id: flow_to_dict(flow) for flow_id, flow in repo.flows.items()}
    data["nodespec"] = {spec_id: spec_to_dict(spec) for spec_id, spec in repo.specs.items()}
    data.update(extra)
    return data


def spec_to_dict(spec: NodeSpec) -> dict[str, Any]:
    port: dict[str, Any] = {"input": [_port_to_dict(p, True) for p in spec.inputs]}
    if spec.explicit_outputs or [(p.name, p.type) for p in spec.outputs] != [("out", "String")]:
        port["output"] = [_port_to_dict(p, False) for p in spec.outputs]
    extra = dict(spec.extra)
    port.update(extra.pop("port", {}))
    data: dict[str, Any] = {"id": spec.id, "title": spec.title, "port": port, "func": spec.func}
    if spec.description:
        data["description"] = spec.description
    data.update(extra)
    return data


def _port_to_dict(port: Port, is_input: bool) -> dict[str, Any]:
    data: dict[str, Any] = {"name": port.name}
    if port.typed or port.type != DEFAULT_TYPE:
        data["type"] = port.type
    if is_input:
        data["order"] = port.order
        if port.default is not None:
            data["default"] = port.default
        if port.required:
            data["required"] = True
    data.update(port.extra)
    return data


def flow_to_dict(flow: Flow) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": flow.id,
        "name": flow.name,
        "nodes": [_node_to_dict(node) for node in flow.nodes.values()],
        "links": [
            {
                "source": link.source_ref,
                "target": link.target_ref,
                **flow.link_extra.get((link.target, link.target_port), {}),
            }
            for link in flow.links
        ],
    }
    if flow.interface is not None:
        data["interface"] = _interface_to_dict(flow.interface)
    data.update(flow.extra)
    return data


def _interface_to_dict(interface: Interface) -> dict[str, Any]:
    inputs = []
    for port in interface.inputs:
        item: dict[str, Any] = {
            "name": port.name,
            "type": port.type,
            "to": [r.ref for r in port.to],
        }
        if port.default is not None:
            item["default"] = port.default
        inputs.append({**item, **port.extra})
    outputs = [
        {"name": port.name, "type": port.type, "from": port.source.ref, **port.extra}
        for port in interface.outputs
    ]
    return {"input": inputs, "output": outputs, **interface.extra}


def _pixels(value: float) -> str | float:
    if not math.isfinite(value):
        return value  # refused by dump_repository, which names its path
    return f"{int(value)}px" if float(value).is_integer() else f"{round(value, 1)}px"


def _node_to_dict(node: NodeInstance) -> dict[str, Any]:
    data: dict[str, Any] = {"id": node.id}
    if node.subflow is None:
        data["spec_id"] = node.spec_id
    else:
        data["subflow"] = node.subflow
    data |= {
        "name": node.name,
        "ports": [
            {"name": port, "value": value, **node.value_extra.get(port, {})}
            for port, value in node.values.items()
        ],
        "ui": {"x": _pixels(node.x), "y": _pixels(node.y), **node.ui_extra},
    }
    if node.end_mark is not None and marks_end(node.end_mark) == node.is_end:
        data["is_end"] = node.end_mark  # the file's own spelling ("1", 0, true...)
    elif node.is_end:
        data["is_end"] = 1
    data.update(node.extra)
    return data


def dump_repository(repo: Repository, fmt: Format = "native") -> str:
    """The file's text; raises ``SchemaError`` for a value JSON cannot hold."""
    return b"".join(_document(repo, fmt)).decode("utf-8")


def _document(repo: Repository, fmt: Format) -> Iterator[bytes]:
    """The file's bytes, a piece at a time; ``SchemaError`` for a value JSON cannot hold."""
    data = repository_to_dict(repo, fmt)
    encoder = json.JSONEncoder(indent=2, ensure_ascii=False, allow_nan=False)
    pieces: list[str] = []
    try:
        for piece in encoder.iterencode(data):
            pieces.append(piece)
            if len(pieces) >= _PIECES:
                yield "".join(pieces).encode("utf-8")
                pieces.clear()
        pieces.append("\n")
        yield "".join(pieces).encode("utf-8")
    except (ValueError, UnicodeEncodeError) as exc:  # NaN, infinity; a lone surrogate
        raise _unwritable(data) or SchemaError(f"cannot be written as JSON: {exc}") from None


def _unwritable(data: Any) -> SchemaError | None:
    """The first value of ``data`` that strict JSON in UTF-8 cannot hold, named by its path."""
    stack: list[tuple[Any, tuple]] = [(data, ())]
    while stack:
        item, parts = stack.pop()
        if isinstance(item, float) and not math.isfinite(item):
            message = f"{item!r} cannot be written: JSON has no NaN or Infinity"
            return SchemaError(message, path=json_path(parts))
        if isinstance(item, str) and not _is_text(item):
            message = f"{reprlib.repr(item)} holds a lone surrogate, which is not text"
            return SchemaError(message, path=json_path(parts))
        if isinstance(item, dict):
            for key, value in item.items():
                if isinstance(key, str) and not _is_text(key):
                    message = f"key {reprlib.repr(key)} holds a lone surrogate, which is not text"
                    return SchemaError(message, path=json_path(parts))
                stack.append((value, (*parts, str(key))))
        elif isinstance(item, (list, tuple)):
            stack.extend((value, (*parts, index)) for index, value in enumerate(item))
    return None


def _is_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def save_repository(repo: Repository, path: str | os.PathLike, fmt: Format = "native") -> None:
    """Write ``repo`` to ``path`` atomically; an existing file is kept as ``<path>.bak``."""
    write_atomically(path, _document(repo, fmt), backup=True)


def write_atomically(
    path: str | os.PathLike, pieces: Iterable[bytes], *, backup: bool = False, mode: int = 0o666
) -> None:
    """Make ``path`` hold ``pieces`` in one step: readers see the old file or the new one.

    A symbolic link at ``path`` is followed: the file it points to is written (and backed up)
    and the link stays. An existing file keeps its permissions; a new one gets ``mode`` less
    the umask. ``backup`` keeps the previous file as ``<name>.bak``. A failure while making
    the pieces (a value JSON cannot hold) leaves every file as it was."""
    target = os.path.realpath(path)
    with folder.opened(os.path.dirname(target)) as place:
        write_in_folder(place, os.path.basename(target), pieces, backup=backup, mode=mode)


def write_in_folder(
    place: folder.Folder,
    name: str,
    pieces: Iterable[bytes],
    *,
    backup: bool = False,
    mode: int = 0o666,
) -> None:
    """``write_atomically`` for the file ``name`` of the open folder ``place``: every step
    names its files through the folder, so a folder swapped meanwhile cannot redirect them.
    A symbolic link at ``name`` is refused (``ELOOP``), never followed."""
    _remove_stale_temps(place, name)
    try:
        old = place.stat(name)
    except FileNotFoundError:
        old = None
    if old is not None and stat.S_ISLNK(old.st_mode):
        raise OSError(errno.ELOOP, "is a symbolic link, which is not followed", name)
    if old is not None and stat.S_ISDIR(old.st_mode):
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file", name)
    keep = None if old is None else stat.S_IMODE(old.st_mode)
    tmp = _write_temp(place, name, pieces, mode, keep)
    try:
        if old is not None and backup:
            _backup(place, name)
        _replace(place, tmp, name)
    except BaseException:
        place.unlink(tmp, missing_ok=True)
        raise
    place.sync()


def _temp_name(name: str) -> str:
    return f".{name}.{secrets.token_hex(8)}.tmp"


def _remove_stale_temps(place: folder.Folder, name: str) -> None:
    """Temp files of this file's earlier saves: a save killed midway leaves its own behind."""
    prefix = f".{name}."
    for stale in place.names():
        if stale.startswith(prefix) and stale.endswith(".tmp") and len(stale) > len(prefix) + 4:
            try:
                place.unlink(stale)
            except OSError:  # gone already, or not ours to remove: the save goes on
                pass


def _write_temp(
    place: folder.Folder,
    name: str,
    pieces: Iterable[bytes],
    mode: int = 0o600,
    keep: int | None = None,
) -> str:
    """A new temp file beside ``name`` (``mode`` less the umask, or exactly ``keep``) holding
    ``pieces``, flushed to disk; gone again if making the pieces fails. Returns its name."""
    temp = _temp_name(name)
    fd = place.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(fd, "wb", buffering=WRITE_BUFFER) as handle:
            for piece in pieces:
                handle.write(piece)
            handle.flush()
            if keep is not None and hasattr(os, "fchmod"):
                os.fchmod(handle.fileno(), keep)
            os.fsync(handle.fileno())
        if keep is not None and not hasattr(os, "fchmod"):
            os.chmod(place.path_of(temp), keep)
    except BaseException:
        place.unlink(temp, missing_ok=True)
        raise
    return temp


def _backup(place: folder.Folder, name: str) -> None:
    """Make ``<name>.bak`` the current ``name`` in one rename: a hard link to it, else a
    flushed copy."""
    link = _temp_name(name)
    try:
        place.link(name, link)
    except OSError:  # no hard links on this file system (FAT, some network shares)
        fd = place.open(name, os.O_RDONLY)
        with open(fd, "rb") as current:
            link = _write_temp(
                place, name, [current.read()], keep=stat.S_IMODE(os.fstat(fd).st_mode)
            )
        shutil.copystat(place.path_of(name), place.path_of(link), follow_symlinks=False)
    try:
        _replace(place, link, name + ".bak")
    finally:
        # Gone after the rename, unless the .bak already was this very file (a killed save
        # linked it and died before its own rename): then rename does nothing, by POSIX.
        place.unlink(link, missing_ok=True)


def _replace(place: folder.Folder, source: str, target: str) -> None:
    """``place.replace``, tried again after each of ``REPLACE_WAITS`` while it is refused."""
    for wait in REPLACE_WAITS:
        try:
            place.replace(source, target)
            return
        except PermissionError:
            time.sleep(wait)
    place.replace(source, target)
