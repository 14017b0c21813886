"""The sources of the palette, each read into a ``Section``: the built-in library, a folder of
node files (My nodes, a package's folder).

A folder's nodes are its ``.py`` files, read as ``import-py`` reads nodemaker modules (with
``ast``, never run), and its ``.json`` files, read as repositories (their nodespecs; flows
are left out). Files whose name starts with ``_`` or ``.`` (``__init__.py``) are not nodes.
A file that cannot be read is kept as ``Broken`` with its error; the others still count.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..repository import NodeSpec, RepositoryError, load_repository
from ..repository.nodemaker import specs_from_files
from ..resources import BUILTIN_LIBRARY, BUILTIN_NODES, resource_path

BUILTIN, USER = "builtin", "user"
NODE_SUFFIXES = (".py", ".json")


@dataclass(frozen=True)
class Broken:
    """A file of a section that gives no nodespec, and why."""

    file: str
    error: str


@dataclass
class Section:
    """One source of the palette, as read: its nodespecs, each with the file it came from,
    in the order read, and its broken files.

    ``name`` is ``"builtin"``, ``"user"`` or a package's ``"NAME VERSION"``; ``title`` is what
    the Library calls it; ``paths`` the file or folders read.
    """

    name: str
    title: str
    paths: list[str]
    specs: list[tuple[NodeSpec, str]] = field(default_factory=list)
    broken: list[Broken] = field(default_factory=list)
    package: str | None = None
    version: str | None = None
    entry_points: list[str] = field(default_factory=list)  # "name = module", as declared

    def read_folder(self, folder: str | os.PathLike) -> None:
        """Add the nodes of ``folder`` (a missing folder has none)."""
        folder = Path(folder)
        try:
            names = sorted(os.listdir(folder))
        except FileNotFoundError:
            return
        except OSError as exc:
            self.broken.append(Broken(str(folder), f"cannot read the folder: {exc.strerror}"))
            return
        for name in names:
            path = folder / name
            if name.startswith(("_", ".")) or not name.endswith(NODE_SUFFIXES) or path.is_dir():
                continue
            self.read_file(path)

    def read_file(self, path: str | os.PathLike) -> None:
        """Add the nodespecs of one node file, or note it as broken."""
        path = str(path)
        try:
            if path.endswith(".py"):
                specs = specs_from_files([path])
            else:
                specs = list(load_repository(path).specs.values())
        except RepositoryError as error:
            self.broken.append(Broken(path, _without_file(error)))
            return
        self.specs.extend((spec, path) for spec in specs)


def read_builtin() -> Section:
    """The nodespecs that ship with PyFlow Desktop: ``resources/library.json``, then the
    groups in ``resources/nodes/`` (a file per group, in name order)."""
    library, groups = resource_path(BUILTIN_LIBRARY), resource_path(BUILTIN_NODES)
    section = Section(BUILTIN, "Built-in", [str(library), str(groups)])
    section.read_file(library)
    section.read_folder(groups)
    return section


def read_user(folder: str | os.PathLike) -> Section:
    """The user's own node files: My nodes."""
    section = Section(USER, "My nodes", [str(folder)])
    section.read_folder(folder)
    return section


def _without_file(error: RepositoryError) -> str:
    """The error's message with its JSON path, not the file (listed beside it)."""
    return ": ".join(part for part in (error.path, error.message) if part)
