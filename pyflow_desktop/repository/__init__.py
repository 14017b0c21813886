"""The repository model and its files — pure Python, no Qt.

``load_repository(path)`` reads the original PyFlow format or our native one;
``save_repository(repo, path, fmt)`` writes either. ``check_file(path)`` lists every problem
of a file without running any node code.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import (
    CycleError,
    DuplicateIdError,
    DuplicateLinkError,
    FuncSourceError,
    LinkError,
    MalformedFileError,
    NewerFormatError,
    RepositoryError,
    SchemaError,
    UnknownFlowError,
    UnknownPortError,
    UnknownSpecError,
)
from .events import Observable
from .flow import Flow, Link, NodeInstance
from .link_types import (
    LinkConversion,
    convert_linked,
    link_conversion,
    value_type,
)
from .nodespec import NodeSpec, Port, func_problem
from .port_types import ORIGINAL_TYPES, PORT_TYPES, ConversionError, check_value, convert_value
from .reader import FORMAT_VERSION, decode_json, loads_repository, parse_repository
from .repository import Repository
from .validate import find_cycle, flow_problems, spec_path
from .writer import FORMATS, Format, dump_repository, repository_to_dict, save_repository

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "ORIGINAL_TYPES",
    "PORT_TYPES",
    "ConversionError",
    "CycleError",
    "DuplicateIdError",
    "DuplicateLinkError",
    "Flow",
    "FuncSourceError",
    "Format",
    "Link",
    "LinkConversion",
    "LinkError",
    "MalformedFileError",
    "NewerFormatError",
    "NodeInstance",
    "NodeSpec",
    "Observable",
    "Port",
    "Repository",
    "RepositoryError",
    "SchemaError",
    "UnknownFlowError",
    "UnknownPortError",
    "UnknownSpecError",
    "check_file",
    "check_value",
    "convert_linked",
    "convert_value",
    "dump_repository",
    "find_cycle",
    "flow_problems",
    "func_problem",
    "link_conversion",
    "load_repository",
    "loads_repository",
    "repository_to_dict",
    "save_repository",
    "value_type",
]


def _read_text(path: str | os.PathLike) -> str:
    try:
        return Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise MalformedFileError("no such file", file=str(path)) from None
    except IsADirectoryError:
        raise MalformedFileError("is a folder, not a repository file", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise MalformedFileError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start})", file=str(path)
        ) from None
    except OSError as exc:
        raise MalformedFileError(f"cannot read: {exc.strerror}", file=str(path)) from None


def file_problems(path: str | os.PathLike) -> tuple[Repository, list[RepositoryError]]:
    """Read ``path`` and return the repository with every problem found, each naming the file."""
    try:
        data = decode_json(_read_text(path), str(path))
    except RepositoryError as error:
        return Repository(), [error]
    repo, problems = parse_repository(data)
    return repo, [problem.with_file(str(path)) for problem in problems]


def check_file(path: str | os.PathLike) -> list[RepositoryError]:
    """Every problem of the file at ``path`` (empty when it is valid), func sources included.

    Sources are compiled, never run.
    """
    repo, problems = file_problems(path)
    for spec in repo.specs.values():
        problem = func_problem(spec.func)
        if problem:
            problems.append(
                FuncSourceError(
                    problem, file=str(path), path=f"{spec_path(spec.id)}.func", ident=spec.id
                )
            )
    return problems


def load_repository(path: str | os.PathLike) -> Repository:
    """Load a repository file, raising the first ``RepositoryError`` it holds."""
    repo, problems = file_problems(path)
    if problems:
        raise problems[0]
    return repo
