"""Which format a repository file on disk is in, so a change is saved in the same one."""

from __future__ import annotations

import json
import os
from pathlib import Path

from .reader import FORMAT_KEY
from .writer import Format


def file_format(path: str | os.PathLike) -> Format:
    """``"native"`` when the file has our ``pyflow_desktop`` header, ``"original"`` when not.

    A file that cannot be read counts as native (it is written anew as ours).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"))
    except (OSError, ValueError, RecursionError):
        return "native"
    return "native" if not isinstance(data, dict) or FORMAT_KEY in data else "original"
