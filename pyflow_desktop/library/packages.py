"""Node packages: Python distributions that declare an entry point in the group
``pyflow_desktop.nodes``, naming a module whose folder holds node files.

Nothing of a package is imported or run: the module's folder is found the way the import
system would find it (the finders of ``sys.meta_path``, parent packages' locations), without
executing any ``__init__.py``. One ``Section`` per distribution, named ``"NAME VERSION"``,
holds the nodes of all its entry points; sections come in the order of the names.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from importlib.machinery import ModuleSpec
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

from .sections import Broken, Section

GROUP = "pyflow_desktop.nodes"


def read_packages() -> list[Section]:
    """A section for each installed distribution with nodes, by name."""
    by_package: dict[tuple[str, str], list[EntryPoint]] = defaultdict(list)
    for point in entry_points(group=GROUP):
        dist = point.dist
        name, version = (dist.name, dist.version) if dist is not None else (point.name, "")
        by_package[(name, version)].append(point)
    sections = []
    for (name, version), points in sorted(by_package.items(), key=lambda kv: kv[0][0].lower()):
        section = Section(f"{name} {version}".strip(), f"{name} {version}".strip(), [])
        section.package, section.version = name, version
        for point in sorted(points, key=lambda p: p.name):
            section.entry_points.append(f"{point.name} = {point.value}")
            folders = module_folders(point.module)
            if not folders:
                section.broken.append(
                    Broken(point.value, f"entry point {point.name!r}: no module {point.module!r}")
                )
            for folder in folders:
                section.paths.append(str(folder))
                section.read_folder(folder)
        sections.append(section)
    return sections


def module_folders(name: str) -> list[Path]:
    """The folder(s) that module ``name`` lives in (a package's own folders), found without
    importing it or its parents; none when it cannot be found."""
    spec = _find_spec(name)
    if spec is None:
        return []
    locations = _locations(spec)
    if locations:
        return [Path(location) for location in locations]
    if spec.has_location and spec.origin:
        return [Path(spec.origin).parent]
    return []


def _locations(spec: ModuleSpec) -> list[str]:
    """Where a package's submodules are; none for a plain module."""
    try:
        return list(spec.submodule_search_locations or ())
    except (KeyError, ImportError):  # a namespace package whose parent cannot be seen
        return []


def _find_spec(name: str) -> ModuleSpec | None:
    """``name``'s module spec as the import system would find it, running none of its code
    (``importlib.util.find_spec`` imports the parent packages of a dotted name)."""
    if name in sys.modules:
        return getattr(sys.modules[name], "__spec__", None)
    parent, _, _ = name.rpartition(".")
    path = None
    if parent:
        parent_spec = _find_spec(parent)
        path = _locations(parent_spec) if parent_spec is not None else []
        if not path:
            return None
    for finder in sys.meta_path:
        find = getattr(finder, "find_spec", None)
        if find is None:
            continue
        try:
            spec = find(name, path)
        except (ImportError, ValueError):
            continue
        if spec is not None:
            return spec
    return None
