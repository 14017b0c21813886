"""The keys of the window's commands on each platform: one table, read by every menu and
editor that has keys.

Qt spells macOS's ⌘ key "Ctrl" and its Control key "Meta", so a "Ctrl+..." chord is a ⌘
chord on a Mac. Standard commands (New, Open, Save, Undo, Copy, Delete...) take Qt's standard
keys, every binding the platform has for them (Ctrl+Y and Ctrl+Shift+Z for Redo on Windows).
The other chords are the same everywhere, except where macOS keeps the ⌘ chord for itself:
⌘Space opens Spotlight and ⌘F5 turns VoiceOver on, so there completion takes ⌃Space (as in
Xcode) and Run all ⌃F5 (as in VS Code). On a Mac the delete key (⌫, Backspace to Qt) deletes
nodes too, not only fn+⌫ (Delete); a text field takes it first, as it takes Delete.
"""

from __future__ import annotations

import sys
from typing import NamedTuple

from PySide6 import QtGui

Key = QtGui.QKeySequence.StandardKey
MACOS = "darwin"
PLATFORM = sys.platform  # whose keys the window gets


class Keys(NamedTuple):
    """A command's keys: a standard key or a chord each, on Windows and Linux (``others``)
    and, where they differ, on macOS."""

    others: tuple[Key | str, ...]
    macos: tuple[Key | str, ...] | None = None


SHORTCUTS: dict[str, Keys] = {
    # File
    "new": Keys((Key.New,)),
    "open": Keys((Key.Open,)),
    "save": Keys((Key.Save,)),
    "save_as": Keys((Key.SaveAs,)),
    "quit": Keys((Key.Quit,)),
    # Edit
    "undo": Keys((Key.Undo,)),
    "redo": Keys((Key.Redo,)),
    "cut": Keys((Key.Cut,)),
    "copy": Keys((Key.Copy,)),
    "paste": Keys((Key.Paste,)),
    "duplicate": Keys(("Ctrl+D",)),
    "delete": Keys((Key.Delete,), macos=("Backspace", Key.Delete)),
    "select_all": Keys((Key.SelectAll,)),
    "frame_all": Keys(("F",)),
    "mark_end": Keys(("Ctrl+E",)),
    "group": Keys(("Ctrl+G",)),
    "ungroup": Keys(("Ctrl+Shift+G",)),
    "edit_spec": Keys(("Ctrl+Shift+E",)),
    # Run
    "run": Keys(("F5",)),
    "run_all": Keys(("Ctrl+F5",), macos=("Meta+F5",)),
    "run_to_selected": Keys(("Shift+F5",)),
    "stop": Keys(("Shift+Esc",)),
    # the Code panel
    "test": Keys(("Ctrl+Return",)),
    "complete": Keys(("Ctrl+Space",), macos=("Meta+Space",)),
}


def keys(command: str, platform: str | None = None) -> list[QtGui.QKeySequence]:
    """The key sequences of ``command`` on ``platform`` (default: ``PLATFORM``), the one a
    menu shows first. A standard key gives the bindings of the platform Qt runs on."""
    entry = SHORTCUTS[command]
    chosen = entry.macos if (platform or PLATFORM) == MACOS and entry.macos else entry.others
    sequences: list[QtGui.QKeySequence] = []
    for key in chosen:
        if isinstance(key, Key):
            sequences.extend(QtGui.QKeySequence.keyBindings(key))
        else:
            sequences.append(QtGui.QKeySequence(key))
    return sequences


def key_text(command: str) -> str:
    """The first key of ``command`` as this platform writes it (⌘↩ on a Mac), for tooltips."""
    found = keys(command)
    return found[0].toString(QtGui.QKeySequence.SequenceFormat.NativeText) if found else ""


def pressed(event: QtGui.QKeyEvent, command: str) -> bool:
    """Whether the key ``event`` is one of ``command``'s."""
    return QtGui.QKeySequence(event.keyCombination()) in keys(command)
