"""Data files shipped with PyFlow Desktop: the built-in node library and example flows.

Installed as ``pyflow_desktop.resources``; read them with ``resource_path(name)``.
"""

from importlib.resources import as_file, files
from pathlib import Path

BUILTIN_LIBRARY = "library.json"


def resource_path(name: str) -> Path:
    """A real filesystem path to the shipped data file ``name``."""
    with as_file(files(__name__) / name) as path:
        return Path(path)
