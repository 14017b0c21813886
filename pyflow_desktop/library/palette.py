"""The palette: every nodespec the application offers, whatever file is open.

Its sections come in order of precedence: built-in, My nodes, then the node packages by
name. An id offered twice is the first one's; the others are *shadowed* (listed, marked,
never used). A file's own copy of a spec differs from the palette's when their JSON
differs (``differs``).

``Palette.to_json()`` is the shape ``pyflow-desktop library --json`` prints (a contract,
described in the README):
``{"sections": [{section, title, paths, package, version, entry_points}],
"specs": [{id, title, section, file, shadowed_by}], "broken": [{section, file, error}]}``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from ..repository import NodeSpec
from ..repository.writer import spec_to_dict
from .packages import read_packages
from .sections import USER, Section, read_builtin, read_user


@dataclass(frozen=True)
class LibrarySpec:
    """One nodespec of the palette: where it came from, and the section whose spec of the
    same id wins over it (``None``: it is the one used)."""

    spec: NodeSpec
    section: Section
    file: str
    shadowed_by: str | None = None


class Palette:
    """The sections read, and their nodespecs in order of precedence."""

    def __init__(self, sections: list[Section]) -> None:
        self.sections = list(sections)
        self.entries: list[LibrarySpec] = []
        self._used: dict[str, LibrarySpec] = {}
        for section in self.sections:
            for spec, file in section.specs:
                first = self._used.get(spec.id)
                entry = LibrarySpec(spec, section, file, first.section.name if first else None)
                self.entries.append(entry)
                if first is None:
                    self._used[spec.id] = entry

    def get(self, spec_id: str) -> LibrarySpec | None:
        """The entry used for ``spec_id`` (not shadowed), or ``None``."""
        return self._used.get(spec_id)

    def used(self) -> list[LibrarySpec]:
        """The entries that are not shadowed, in order of precedence."""
        return list(self._used.values())

    def section(self, name: str) -> Section | None:
        return next((section for section in self.sections if section.name == name), None)

    def with_section(self, section: Section) -> Palette:
        """This palette with ``section`` read again (it takes the place of the one of its
        name)."""
        return Palette([section if s.name == section.name else s for s in self.sections])

    def to_json(self) -> dict[str, Any]:
        """What ``pyflow-desktop library --json`` prints."""
        return {
            "sections": [
                {
                    "section": section.name,
                    "title": section.title,
                    "paths": section.paths,
                    "package": section.package,
                    "version": section.version,
                    "entry_points": section.entry_points,
                }
                for section in self.sections
            ],
            "specs": [
                {
                    "id": entry.spec.id,
                    "title": entry.spec.title,
                    "section": entry.section.name,
                    "file": entry.file,
                    "shadowed_by": entry.shadowed_by,
                }
                for entry in self.entries
            ],
            "broken": [
                {"section": section.name, "file": broken.file, "error": broken.error}
                for section in self.sections
                for broken in section.broken
            ],
        }


def read_palette(user_folder: str | os.PathLike) -> Palette:
    """Read every section: built-in, My nodes (``user_folder``), the installed packages."""
    return Palette([read_builtin(), read_user(user_folder), *read_packages()])


def reread_user(palette: Palette) -> Palette:
    """``palette`` with My nodes read again from its folder."""
    return palette.with_section(read_user(palette.section(USER).paths[0]))


def differs(file_spec: NodeSpec, library_spec: NodeSpec) -> bool:
    """Whether a file's copy of a spec is not the palette's (as either would be written)."""
    return spec_to_dict(file_spec) != spec_to_dict(library_spec)
