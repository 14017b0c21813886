"""Data files shipped with PyFlow Desktop: the built-in node library and example flows, the
built-in node groups, the example repositories with their data, and the application's icon.

Installed as ``pyflow_desktop.resources`` (and collected as such into a PyInstaller bundle);
read them with ``resource_path(name)``, which works from source, from an install and from a
bundle alike.
"""

from importlib.resources import as_file, files
from pathlib import Path

BUILTIN_LIBRARY = "library.json"
BUILTIN_NODES = "nodes"  # one repository file of nodespecs per group: files, tables ...
EXAMPLES = "examples"  # one folder per example: its repository and its data files
APP_ICON = "icons/pyflow-desktop.svg"


def resource_path(name: str) -> Path:
    """A real filesystem path to the shipped data file ``name``."""
    with as_file(files(__name__) / name) as path:
        return Path(path)
