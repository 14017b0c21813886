"""``pyflow-desktop library [--json]``: every nodespec of the palette, where it came from.

Lists the sections in order of precedence (built-in, My nodes, each node package by name),
then each nodespec with its id, title, section and file, marking those another section
shadows, then the files that give no nodespec, with their errors. Node files are read, never
run. Exit 0, broken files or not. My nodes is the folder the window uses: it is asked of Qt
(its core only; no display needed).
"""

from __future__ import annotations

import argparse
import json
import os
from typing import TYPE_CHECKING

from .exit_codes import ExitCode

if TYPE_CHECKING:
    from ..library import Palette

NAME = "library"
HELP = "list the nodespecs of the palette: built-in, My nodes, node packages (never run)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of ``library``."""
    parser.add_argument(
        "--json", action="store_true", help="print {sections, specs, broken} as JSON"
    )


def run(args: argparse.Namespace) -> ExitCode:
    """Carry out ``library`` and return its exit code."""
    from ..library import read_palette  # reads entry points: only when asked
    from ..ui.window.user_settings import user_nodes_folder  # Qt's core, only when asked

    palette = read_palette(user_nodes_folder())
    print(json.dumps(palette.to_json(), indent=2) if args.json else format_palette(palette))
    return ExitCode.OK


def format_palette(palette: Palette) -> str:
    """The readable listing: sections, a table of nodespecs, broken files."""
    lines = ["sections (an id offered twice is the first one's):"]
    width = max(len(section.name) for section in palette.sections)
    for section in palette.sections:
        where = ", ".join(section.paths) or "(no folder found)"
        lines.append(f"  {section.name.ljust(width)}  {where}")
    rows = [("ID", "TITLE", "SECTION", "FILE")]
    for entry in palette.entries:
        shadowed = f"  (shadowed by {entry.shadowed_by})" if entry.shadowed_by else ""
        file = _short_path(entry.file, entry.section.paths)
        rows.append((entry.spec.id, entry.spec.title, entry.section.name, file + shadowed))
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    lines.append("")
    for row in rows:
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths)) + "  " + row[3])
    broken = [(section, item) for section in palette.sections for item in section.broken]
    if broken:
        lines += ["", "broken files:"]
        lines += [f"  {section.name}: {item.file}: {item.error}" for section, item in broken]
    return "\n".join(lines)


def _short_path(file: str, paths: list[str]) -> str:
    """``file`` relative to the folder of its section that holds it, else as it is."""
    for folder in paths:
        if os.path.dirname(file) == folder:
            return os.path.basename(file)
    return os.path.basename(file) if file in paths else file
