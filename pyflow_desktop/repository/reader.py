"""Reads repository files: the original PyFlow format and our native one.

The original wrote ``{"flow": {id: flow}, "nodespec": {id: spec}}`` with some quirks that we
accept exactly: domain values that are JSON-encoded strings, ``order`` as a string, a missing
``output`` meaning one output ``out``, CSS-pixel positions (``"160px"``) and tab-indented
sources. Our native file adds ``"pyflow_desktop": {"format_version": N}``.

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
from .flow_reader import read_flow
from .json_text import parse_json
from .problems import UNREADABLE, Problems, json_name, maybe_json
from .repository import Repository
from .spec_reader import read_spec

FORMAT_KEY = "pyflow_desktop"
FORMAT_VERSION = 1


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
        for flow_id, raw in _domain(data, "flow", problems).items():
            flow = read_flow(flow_id, raw, repo, problems)
            if flow is not None:
                repo.add_flow(flow)
    return repo, problems.found


def _check_version(header: Any, problems: Problems) -> None:
    path = f"{FORMAT_KEY}.format_version"
    if not problems.expect(header, dict, FORMAT_KEY):
        return
    version = header.get("format_version")
    if not problems.expect(version, int, path):
        return
    if version > FORMAT_VERSION:
        problems.add(
            NewerFormatError(
                f"written by a newer PyFlow Desktop (format version {version}; this one reads up "
                f"to {FORMAT_VERSION}): update PyFlow Desktop to open it",
                path=path,
            )
        )


def _domain(data: dict, key: str, problems: Problems) -> dict[str, Any]:
    raw = maybe_json(data.get(key, {}), key, problems)
    if raw is UNREADABLE or not problems.expect(raw, dict, key):
        return {}
    return raw
