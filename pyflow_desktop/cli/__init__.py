"""The ``pyflow-desktop`` command line, on top of every other layer (``ui`` never imports it).

``entry.main`` is the program's one entry point. ``commands`` builds the parser from one module
per command (``run``, ``check``, ``convert``, ``test_spec``, ``import_py``, ``serve``,
``export_python``, ``library``); ``program`` holds the program's own flags (``--version``,
``--self-test``, ``--install-desktop-entry``) and ``window`` the window's options, importing Qt
only to open it. Shared by all: ``exit_codes.ExitCode``, ``errors`` (``UsageError`` and how
an error is said), ``flows.pick_flow`` and ``arg_types``.
"""

from .commands import COMMANDS
from .entry import main

__all__ = ["COMMANDS", "main"]
