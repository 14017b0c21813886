"""Reads repository files: the original PyFlow format and our native one.

The original wrote ``{"flow": {id: flow}, "nodespec": {id: spec}}`` with some quirks that we
accept exactly: domain values that are JSON-encoded strings, ``order`` as a string, a missing
``output`` meaning one output ``out``, CSS-pixel positions (``"160px"``) and tab-indented
sources. Our native file adds ``"pyflow_desktop": {"format_version": N}``; version 2 adds
subflows (a flow's ``interface``, a node's ``subflow``), which versions 1 and the original
cannot hold.

``parse_repository`` collects every problem it meets instead of stopping at the first; it
never compiles or runs node code.
"""

from __future__ import annotations

from typing import Any

from .errors import (
    MalformedFileError,
    NewerFormatError,
    RepositoryError,
    SchemaError,
)
from .flow_reader import FlowParts, read_flow_parts
from .json_text import parse_json
from .problems import UNREADABLE, Problems, json_name, maybe_json
from .repository import Repository
from .spec_reader import read_spec
from .validate import flow_problems, subflow_cycles

FORMAT_KEY = "pyflow_desktop"
FORMAT_VERSION = 2  # the newest this reader knows
SUBFLOW_VERSION = 2  # the first with subflows


def parse_text(text: str) -> tuple[Repository, list[RepositoryError]]:
    """Build a repository from JSON text; returns it with every problem found.

    A text that is not strict JSON (see ``json_text``) gives only those problems."""
    if not text.strip():
        return Repository(), [MalformedFileError("the file is empty")]
    data, problems = parse_json(text)
    if problems:
        return Repository(), problems
    return parse_repository(data)


def loads_repository(text: str, name: str | None = None) -> Repository:
    """Load a repository from JSON text (``name`` is used in error messages)."""
    repo, problems = parse_text(text)
    if problems:
        raise problems[0].with_file(name) if name else problems[0]
    return repo


def parse_repository(data: Any) -> tuple[Repository, list[RepositoryError]]:
    """Build a repository from decoded JSON; returns it with every problem found."""
    problems = Problems()
    repo = Repository()
    if not isinstance(data, dict):
        problems.add(
            SchemaError(f"expected an object at the top, got {json_name(type(data))}", path="$")
        )
        return repo, problems.found
    if "flow" not in data and "nodespec" not in data:
        problems.add(
            MalformedFileError(
                'not a PyFlow repository: it has neither a "flow" nor a "nodespec" key', path="$"
            )
        )
        return repo, problems.found
    if FORMAT_KEY in data:
        _check_version(data[FORMAT_KEY], problems)
        if any(isinstance(p, NewerFormatError) for p in problems.found):
            return repo, problems.found
    repo.extra = {
        key: value for key, value in data.items() if key not in ("flow", "nodespec", FORMAT_KEY)
    }
    header = data.get(FORMAT_KEY)
    if isinstance(header, dict) and set(header) - {"format_version"}:  # keys of later versions
        repo.extra[FORMAT_KEY] = {k: v for k, v in header.items() if k != "format_version"}
    with repo.events.muted():
        for spec_id, raw in _domain(data, "nodespec", problems).items():
            spec = read_spec(spec_id, raw, problems)
            if spec is not None:
                repo.add_spec(spec)
        read: list[FlowParts] = []
        for flow_id, raw in _domain(data, "flow", problems).items():
            parts = read_flow_parts(flow_id, raw, problems)
            if parts is not None:
                read.append(parts)
                repo.add_flow(parts.flow)
    for flow, node_index, link_index in read:  # every flow is there: subflows may come later
        problems.found.extend(flow_problems(flow, repo.specs, node_index, link_index, repo.flows))
    indexes = {parts.flow.id: parts.node_index for parts in read}
    problems.found.extend(subflow_cycles(repo.flows, indexes))
    _check_subflows_allowed(data, repo, problems)
    return repo, problems.found


def _check_version(header: Any, problems: Problems) -> None:
    path = f"{FORMAT_KEY}.format_version"
    if not problems.expect(header, dict, FORMAT_KEY):
        return
    version = header.get("format_version")
    if not problems.expect(version, int, path):
        return
    if version < 1:
        problems.add(
            SchemaError(
                f"format version {version} is not one PyFlow Desktop knows (versions count "
                f"from 1; this one reads 1 to {FORMAT_VERSION})",
                path=path,
            )
        )
    elif version > FORMAT_VERSION:
        problems.add(
            NewerFormatError(
                f"written by a newer PyFlow Desktop (format version {version}; this one reads up "
                f"to {FORMAT_VERSION}): update PyFlow Desktop to open it",
                path=path,
            )
        )


def _check_subflows_allowed(data: dict, repo: Repository, problems: Problems) -> None:
    """Subflows need a native file of format version 2 or later."""
    user = next((flow.id for flow in repo.flows.values() if flow.has_subflow_parts()), None)
    if user is None:
        return
    needs = f"flow {user!r} uses subflows, which need format_version {SUBFLOW_VERSION}"
    if FORMAT_KEY not in data:
        message = f"{needs}: this file has no {FORMAT_KEY!r} header (an original PyFlow file)"
        problems.add(SchemaError(message, path="$", ident=user))
        return
    header = data[FORMAT_KEY]
    version = header.get("format_version") if isinstance(header, dict) else None
    if isinstance(version, int) and not isinstance(version, bool) and version < SUBFLOW_VERSION:
        problems.add(
            SchemaError(
                f"{needs} (the file says {version})",
                path=f"{FORMAT_KEY}.format_version",
                ident=user,
            )
        )


def _domain(data: dict, key: str, problems: Problems) -> dict[str, Any]:
    raw = maybe_json(data.get(key, {}), key, problems)
    if raw is UNREADABLE or not problems.expect(raw, dict, key):
        return {}
    return raw
