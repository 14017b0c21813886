"""The palette: the nodespecs the application offers whatever file is open — built-in, My
nodes (a folder of the user's) and each installed node package (entry-point group
``pyflow_desktop.nodes``). Pure Python, no Qt; node files are read, never run.
"""

from __future__ import annotations

from .packages import GROUP, module_folders, read_packages
from .palette import LibrarySpec, Palette, differs, read_palette, reread_user
from .sections import BUILTIN, USER, Broken, Section, read_builtin, read_user

__all__ = [
    "BUILTIN",
    "GROUP",
    "USER",
    "Broken",
    "LibrarySpec",
    "Palette",
    "Section",
    "differs",
    "module_folders",
    "read_builtin",
    "read_packages",
    "read_palette",
    "read_user",
    "reread_user",
]
