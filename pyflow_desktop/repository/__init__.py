"""The repository model and its files — pure Python, no Qt.

``load_repository(path)`` reads the original PyFlow format or our native one;
``save_repository(repo, path, fmt)`` writes either. ``check_file(path)`` lists every problem
of a file without running any node code. Only regular files up to a size limit are read
(``max_bytes``, else ``PYFLOW_DESKTOP_MAX_FILE_MB``, else 256 MB).
"""

from __future__ import annotations

import os

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
    SubflowError,
    UnknownFlowError,
    UnknownPortError,
    UnknownSpecError,
)
from .events import ModelEvent, Observable
from .file_text import MAX_FILE_ENV, max_file_bytes, read_text
from .flow import Flow, Link, NodeInstance
from .inline import inline_subflows
from .interface import Interface, InterfaceInput, InterfaceOutput, PortRef
from .link_types import (
    LinkConversion,
    convert_linked,
    link_conversion,
    value_type,
)
from .nodespec import NodeSpec, Port, func_problem
from .port_types import ORIGINAL_TYPES, PORT_TYPES, ConversionError, check_value, convert_value
from .reader import FORMAT_VERSION, loads_repository, parse_repository, parse_text
from .repository import Repository
from .subflow_edits import (
    FlowEdit,
    apply_edit,
    group_nodes,
    local_copy,
    revert_edit,
    rewire_users,
    ungroup_node,
)
from .validate import find_cycle, flow_problems, spec_path, subflow_cycles
from .writer import (
    FORMATS,
    Format,
    dump_repository,
    format_version,
    repository_to_dict,
    save_repository,
)

__all__ = [
    "FORMATS",
    "FORMAT_VERSION",
    "MAX_FILE_ENV",
    "ORIGINAL_TYPES",
    "PORT_TYPES",
    "ConversionError",
    "CycleError",
    "DuplicateIdError",
    "DuplicateLinkError",
    "Flow",
    "FlowEdit",
    "FuncSourceError",
    "Format",
    "Interface",
    "InterfaceInput",
    "InterfaceOutput",
    "Link",
    "LinkConversion",
    "LinkError",
    "MalformedFileError",
    "ModelEvent",
    "NewerFormatError",
    "NodeInstance",
    "NodeSpec",
    "Observable",
    "Port",
    "PortRef",
    "Repository",
    "RepositoryError",
    "SchemaError",
    "SubflowError",
    "UnknownFlowError",
    "UnknownPortError",
    "UnknownSpecError",
    "apply_edit",
    "check_file",
    "check_value",
    "convert_linked",
    "convert_value",
    "dump_repository",
    "find_cycle",
    "flow_problems",
    "format_version",
    "func_problem",
    "group_nodes",
    "inline_subflows",
    "link_conversion",
    "load_repository",
    "local_copy",
    "loads_repository",
    "parse_repository",
    "parse_text",
    "max_file_bytes",
    "repository_to_dict",
    "revert_edit",
    "save_repository",
    "subflow_cycles",
    "rewire_users",
    "ungroup_node",
    "value_type",
]


def file_problems(
    path: str | os.PathLike, max_bytes: int | None = None
) -> tuple[Repository, list[RepositoryError]]:
    """Read ``path`` and return the repository with every problem found, each naming the file."""
    try:
        text = read_text(path, max_bytes)
    except RepositoryError as error:
        return Repository(), [error]
    repo, problems = parse_text(text)
    return repo, [problem.with_file(str(path)) for problem in problems]


def check_file(path: str | os.PathLike, max_bytes: int | None = None) -> list[RepositoryError]:
    """Every problem of the file at ``path`` (empty when it is valid), func sources included.

    Sources are compiled, never run.
    """
    repo, problems = file_problems(path, max_bytes)
    reported = {problem.path for problem in problems}
    for spec in repo.specs.values():
        where = f"{spec_path(spec.id)}.func"
        problem = None if where in reported else func_problem(spec.func)
        if problem:
            problems.append(FuncSourceError(problem, file=str(path), path=where, ident=spec.id))
    return problems


def load_repository(path: str | os.PathLike, max_bytes: int | None = None) -> Repository:
    """Load a repository file, raising the first ``RepositoryError`` it holds.

    ``max_bytes`` overrides the size limit (``max_file_bytes()``)."""
    repo, problems = file_problems(path, max_bytes)
    if problems:
        raise problems[0]
    return repo
