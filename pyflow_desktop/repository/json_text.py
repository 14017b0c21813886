"""Strict JSON for repository files: what Python's ``json`` lets through, refused by path.

``json.loads`` accepts things a repository must not hold: ``NaN`` and ``Infinity`` (not JSON:
they would be written back as bare ``NaN``), numbers too large for a float (``1e999`` reads
as infinity), one key twice in an object (the last would silently win), strings with lone
surrogates (``"\\ud800"``: not text, they cannot be written as UTF-8), integers longer than
Python reads and nesting deeper than the rest of the program can walk. ``parse_json`` returns
the value with one problem per offence, each naming its JSON path.

The decoder's hooks replace each offending number or object by a ``_Refused`` marker; one
iterative walk afterwards checks the depth, finds the markers and (only when the text holds
``\\uD800``-style escapes at all) the strings with lone surrogates.
"""

from __future__ import annotations

import json
import math
import re
import reprlib
import sys
from typing import Any

from .errors import MalformedFileError, RepositoryError, SchemaError
from .validate import json_path

MAX_DEPTH = 100
MAX_REPORTED = 20  # problems listed per text; a hostile file may hold millions
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _Refused:
    """Stands where the decoder met a value it must refuse, until the walk names its path."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _decoder(refused: list[_Refused]) -> json.JSONDecoder:
    """A decoder whose hooks put a ``_Refused`` (also appended to ``refused``) where strict
    JSON has no value."""

    def refuse(reason: str) -> _Refused:
        refused.append(_Refused(reason))
        return refused[-1]

    def constant(text: str) -> _Refused:
        return refuse(f"{text} is not a JSON number (JSON has no NaN or Infinity)")

    def real(text: str) -> float | _Refused:
        value = float(text)
        if math.isfinite(value):
            return value
        shown = text if len(text) <= 30 else text[:29] + "…"
        return refuse(f"the number {shown} is too large for a float")

    def integer(text: str) -> int | _Refused:
        limit, digits = sys.get_int_max_str_digits(), len(text.lstrip("-"))
        if limit and digits > limit:
            return refuse(f"an integer of {digits} digits (at most {limit} can be read)")
        return int(text)

    def obj(pairs: list[tuple[str, Any]]) -> dict[str, Any] | _Refused:
        made = dict(pairs)
        if len(made) == len(pairs):
            return made
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                return refuse(f"the key {reprlib.repr(key)} appears twice in one object")
            seen.add(key)
        return made  # not reached: a shorter dict means a key came twice

    return json.JSONDecoder(
        object_pairs_hook=obj, parse_float=real, parse_int=integer, parse_constant=constant
    )


def parse_json(text: str, path: str = "") -> tuple[Any, list[RepositoryError]]:
    """Decode ``text`` (a whole file when ``path`` is empty, else a JSON-encoded string found
    at ``path``); returns the value and the problems, the value meaningless when any."""
    what = "a JSON-encoded string that does not parse" if path else "not valid JSON"
    error = SchemaError if path else MalformedFileError
    refused: list[_Refused] = []
    try:
        value = _decoder(refused).decode(text)
    except json.JSONDecodeError as exc:
        where = f" at line {exc.lineno}, column {exc.colno}" if not path else ""
        return None, [error(f"{what}: {exc.msg}{where}", path=path)]
    except RecursionError:
        return None, [error(f"{what}: nested more than {MAX_DEPTH} levels deep", path=path)]
    except ValueError as exc:  # a limit of the decoder we did not foresee
        return None, [error(f"{what}: {exc}", path=path)]
    surrogates = bool(_SURROGATE_ESCAPE.search(text))
    if refused or surrogates or _deeper_than_allowed(value):
        return value, _problems(value, path, surrogates)
    return value, []


def _deeper_than_allowed(value: Any) -> bool:
    """Whether ``value`` nests more than ``MAX_DEPTH`` levels (level by level: no recursion)."""
    level, depth = [value], 0
    while level:
        depth += 1
        if depth > MAX_DEPTH:
            return True
        below: list = []
        for item in level:
            if item.__class__ is dict:
                below += [child for child in item.values() if child.__class__ in _CONTAINERS]
            elif item.__class__ is list:
                below += [child for child in item if child.__class__ in _CONTAINERS]
        level = below
    return False


_CONTAINERS = (dict, list)


def _problems(value: Any, base: str, surrogates: bool) -> list[RepositoryError]:
    """The refused values, lone surrogates and too deep nesting in ``value``, in file order."""
    found: list[RepositoryError] = []
    stack: list[tuple[Any, tuple]] = [(value, ())]
    while stack and len(found) < MAX_REPORTED:
        item, parts = stack.pop()
        if isinstance(item, _Refused):
            found.append(SchemaError(item.reason, path=json_path(parts, base)))
        elif isinstance(item, str):
            if surrogates and _SURROGATE.search(item):
                message = f"a string holds {_surrogate_text(item)}"
                found.append(SchemaError(message, path=json_path(parts, base)))
        elif isinstance(item, (dict, list)):
            if len(parts) >= MAX_DEPTH:  # named by where the nesting starts: the path is long
                message = f"nested more than {MAX_DEPTH} levels deep"
                found.append(SchemaError(message, path=json_path(parts[:4], base) + "…"))
                continue
            if isinstance(item, dict):
                if surrogates:
                    found.extend(
                        SchemaError(
                            f"a key holds {_surrogate_text(key)}", path=json_path(parts, base)
                        )
                        for key in item
                        if _SURROGATE.search(key)
                    )
                children = list(item.items())
            else:
                children = list(enumerate(item))
            stack.extend((child, (*parts, key)) for key, child in reversed(children))
    return found[:MAX_REPORTED]


def _surrogate_text(text: str) -> str:
    found = _SURROGATE.search(text)
    assert found is not None, "only text holding a lone surrogate is described"
    return f"a lone surrogate (\\u{ord(found.group()):04x}), which is not text"
