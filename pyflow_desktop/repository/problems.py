"""What the readers share: a collector of problems, and the original format's quirks.

``Problems`` gathers every ``RepositoryError`` a read meets (so one pass reports them all);
``maybe_json`` undoes the original's JSON-encoded strings, as strictly as the file itself.
"""

from __future__ import annotations

from typing import Any

from .errors import RepositoryError, SchemaError
from .json_text import parse_json
from .port_types import PORT_TYPES


class Problems:
    """Collects problems; ``expect`` checks a JSON type and records a SchemaError if wrong."""

    def __init__(self) -> None:
        self.found: list[RepositoryError] = []

    def add(self, error: RepositoryError) -> None:
        self.found.append(error)

    def expect(self, value: Any, kinds: type | tuple[type, ...], path: str, ident: str = ""):
        if isinstance(value, kinds) and not (isinstance(value, bool) and bool not in _tuple(kinds)):
            return True
        wanted = " or ".join(json_name(kind) for kind in _tuple(kinds))
        self.add(
            SchemaError(f"expected {wanted}, got {json_name(type(value))}", path=path, ident=ident)
        )
        return False


def _tuple(kinds) -> tuple[type, ...]:
    return kinds if isinstance(kinds, tuple) else (kinds,)


def json_name(kind: type) -> str:
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "a boolean",
        type(None): "null",
    }.get(kind, kind.__name__)


UNREADABLE = object()


def maybe_json(value: Any, path: str, problems: Problems) -> Any:
    """The original sometimes stored a domain's values as JSON-encoded strings."""
    if isinstance(value, str):
        decoded, found = parse_json(value, path)
        if found:
            problems.found.extend(found)
            return UNREADABLE
        return decoded
    return value


def extra_keys(raw: dict, known: set[str]) -> dict[str, Any]:
    return {key: value for key, value in raw.items() if key not in known}


def check_id(raw: dict, key: str, path: str, problems: Problems) -> None:
    if "id" in raw and raw["id"] != key:
        problems.add(
            SchemaError(
                f"id {raw['id']!r} differs from its key {key!r}", path=f"{path}.id", ident=key
            )
        )


def read_port_type(item: dict, default: str, where: str, name: str, problems: Problems) -> str:
    """The ``type`` of the port ``item`` at ``where``: ``default`` when it has none, or (with
    a problem recorded) when it names no type we know."""
    kind = item.get("type", default)
    if kind in PORT_TYPES:
        return kind
    problems.add(
        SchemaError(
            f"port {name!r} has unknown type {kind!r} (known: {', '.join(PORT_TYPES)})",
            path=f"{where}.type",
            ident=name,
        )
    )
    return default
