"""The program's own requests, flags of ``pyflow-desktop`` itself: ``--version``,
``--self-test`` and ``--install-desktop-entry``. Each works without a display."""

from __future__ import annotations

import argparse
import os

from . import desktop_entry
from .errors import UsageError
from .exit_codes import ExitCode
from .window import no_display_problem

FLAGS = ("--version", "--self-test", "--install-desktop-entry")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags, each setting the ``func`` that carries it out."""
    parser.add_argument(
        "--version",
        action="store_const",
        dest="func",
        const=version,
        help="print the versions a bug report needs, and exit",
    )
    parser.add_argument(
        "--self-test",
        action="store_const",
        dest="func",
        const=self_test,
        help="start the window, run examples in worker processes and check them (exit 0 or 1)",
    )
    parser.add_argument(
        "--install-desktop-entry",
        action="store_const",
        dest="func",
        const=install_desktop_entry,
        help="add PyFlow Desktop to the Linux desktop's menu (a .desktop file and its icon)",
    )


def version(args: argparse.Namespace) -> int:
    """Print the versions of the app, Python, Qt and the libraries (Qt says its own)."""
    _offscreen_without_display()
    from ..ui.window.about import version_text

    print(version_text())
    return ExitCode.OK


def self_test(args: argparse.Namespace) -> int:
    """Start the real window and check that examples run (``ui.window.self_test``)."""
    _offscreen_without_display()
    from ..ui.window.self_test import main

    return main()


def install_desktop_entry(args: argparse.Namespace) -> int:
    """Add this install to the Linux desktop's menu and say which files were written (exit 2
    on Windows and macOS, saying what to do there)."""
    if not desktop_entry.FREEDESKTOP:
        raise UsageError(desktop_entry.ELSEWHERE)
    for path in desktop_entry.install():
        print(f"wrote {path}")
    return ExitCode.OK


def _offscreen_without_display() -> None:
    if no_display_problem():
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
