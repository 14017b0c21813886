"""The exit codes of ``pyflow-desktop``, the same for every command and the scripted window."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    FAILED = 1  # a node failed or was skipped, the tested function failed, a self-test check
    INVALID = 2  # the file, the flow, the request or an option is invalid (said on stderr)
    INTERRUPTED = 130  # Ctrl+C
