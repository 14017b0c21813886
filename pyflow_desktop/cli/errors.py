"""How a command says that a request cannot be carried out: ``UsageError`` and ``print_error``.

A command raises ``UsageError`` (or lets a ``RepositoryError`` through); the entry point prints
either with ``print_error`` and exits with ``ExitCode.INVALID``, never with a traceback.
"""

from __future__ import annotations

import sys


class UsageError(Exception):
    """The request is invalid (exit 2); ``str()`` is the message."""


def print_error(error: object) -> None:
    """Say ``error`` on stderr as every command does: ``error: ...``."""
    print(f"error: {error}", file=sys.stderr)
