"""Writes repositories in our native format or the original PyFlow format.

Both share one layout; native adds the ``pyflow_desktop`` header. Keys we did not know on
load are written back where they were. Saving is atomic and keeps the previous file as
``<name>.bak``.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, Literal

from .flow import Flow, NodeInstance, marks_end
from .nodespec import NodeSpec, Port
from .port_types import DEFAULT_TYPE
from .reader import FORMAT_KEY, FORMAT_VERSION
from .repository import Repository

Format = Literal["native", "original"]
FORMATS: tuple[Format, ...] = ("native", "original")


def repository_to_dict(repo: Repository, fmt: Format = "native") -> dict[str, Any]:
    """The JSON document for ``repo`` in format ``fmt``."""
    data: dict[str, Any] = {}
    extra = dict(repo.extra)
    header = extra.pop(FORMAT_KEY, {})
    if fmt == "native":
        data[FORMAT_KEY] = {"format_version": FORMAT_VERSION, **header}
    elif fmt != "original":
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
    data.update(flow.extra)
    return data


def _pixels(value: float) -> str:
    return f"{int(value)}px" if float(value).is_integer() else f"{round(value, 1)}px"


def _node_to_dict(node: NodeInstance) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": node.id,
        "spec_id": node.spec_id,
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
    return json.dumps(repository_to_dict(repo, fmt), indent=2, ensure_ascii=False) + "\n"


def save_repository(repo: Repository, path: str | os.PathLike, fmt: Format = "native") -> None:
    """Write ``repo`` to ``path`` atomically; an existing file is kept as ``<path>.bak``."""
    target = Path(path)
    text = dump_repository(repo, fmt)
    fd, tmp_name = tempfile.mkstemp(
        prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or "."
    )
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        if target.exists():
            shutil.copy2(target, target.with_name(target.name + ".bak"))
            shutil.copymode(target, tmp_name)
        else:  # mkstemp makes 0600 files; give a new file the usual permissions
            umask = os.umask(0)
            os.umask(umask)
            os.chmod(tmp_name, 0o666 & ~umask)
        os.replace(tmp_name, target)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
