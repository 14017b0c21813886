"""The keys every command gets on Windows, Linux and macOS (``ui.shortcuts``), and the window
built with each platform's keys, worked here with real key presses.

Qt spells ⌘ "Ctrl" and the Mac's Control key "Meta". On macOS ⌘Space opens Spotlight and
⌘F5 turns VoiceOver on, so there completion is ⌃Space and Run all ⌃F5; the Mac delete key
(⌫, Backspace to Qt) deletes nodes as fn+⌫ (Delete) does. Standard keys are Qt's own for the
platform it runs on, so here they are this machine's; the chords are the table's.
"""

from __future__ import annotations

import pytest
from helpers import action, fresh_window, select, type_into
from PySide6 import QtCore, QtGui, QtTest

from pyflow_desktop.ui import shortcuts
from pyflow_desktop.ui.authoring.code_editor import CodeEditor
from pyflow_desktop.ui.shortcuts import SHORTCUTS, keys

Key, Mod = QtCore.Qt.Key, QtCore.Qt.KeyboardModifier
Seq = QtGui.QKeySequence
PLATFORMS = ("win32", "linux", "darwin")

# Each command's menu entry: (menu, entry)
MENU = {
    "new": ("File", "New"),
    "open": ("File", "Open…"),
    "save": ("File", "Save"),
    "save_as": ("File", "Save As…"),
    "quit": ("File", "Quit"),
    "undo": ("Edit", "Undo"),
    "redo": ("Edit", "Redo"),
    "cut": ("Edit", "Cut"),
    "copy": ("Edit", "Copy"),
    "paste": ("Edit", "Paste"),
    "duplicate": ("Edit", "Duplicate"),
    "delete": ("Edit", "Delete"),
    "select_all": ("Edit", "Select All"),
    "frame_all": ("Edit", "Frame all"),
    "mark_end": ("Edit", "Mark as end node"),
    "group": ("Edit", "Group into subflow"),
    "ungroup": ("Edit", "Ungroup subflow"),
    "edit_spec": ("Edit", "Edit nodespec"),
    "run": ("Run", "Run"),
    "run_all": ("Run", "Run all"),
    "run_to_selected": ("Run", "Run to selected node"),
    "stop": ("Run", "Stop"),
}
IN_THE_CODE_PANEL = {"test", "complete"}  # keys of the Code panel's widgets, not of a menu

# Chords macOS keeps for itself, as Qt spells them (Ctrl is ⌘, Meta is ⌃).
MACOS_RESERVED = [
    "Ctrl+Space",  # Spotlight
    "Ctrl+Alt+Space",  # Finder search
    "Ctrl+F5",  # VoiceOver
    "Ctrl+Tab",  # the application switcher
    "Ctrl+`",  # the next window
    "Ctrl+H",  # hide the application
    "Ctrl+M",  # minimize
    "Ctrl+Alt+D",  # the Dock
    "Ctrl+Alt+Esc",  # Force Quit
    "Ctrl+Shift+3",  # screenshots
    "Ctrl+Shift+4",
    "Ctrl+Shift+5",
    "Meta+Up",  # Mission Control
    "Meta+Down",
    "Meta+Left",  # Spaces
    "Meta+Right",
]


def text(sequences: list[Seq]) -> list[str]:
    return [s.toString(Seq.SequenceFormat.PortableText) for s in sequences]


@pytest.fixture(params=PLATFORMS)
def platform(request, monkeypatch):
    """The window's keys are this platform's."""
    monkeypatch.setattr(shortcuts, "PLATFORM", request.param)
    return request.param


# -- the table ------------------------------------------------------------------------------


def test_every_command_of_the_table_has_a_menu_entry_or_a_code_panel_widget():
    assert set(SHORTCUTS) == set(MENU) | IN_THE_CODE_PANEL


def test_on_windows_and_linux_the_chords_are_the_usual_ones():
    for platform in ("win32", "linux"):
        assert text(keys("complete", platform)) == ["Ctrl+Space"]
        assert text(keys("run_all", platform)) == ["Ctrl+F5"]
        assert text(keys("run", platform)) == ["F5"]
        assert text(keys("test", platform)) == ["Ctrl+Return"]
        assert "Backspace" not in text(keys("delete", platform))  # Backspace goes back there
        assert keys("delete", platform) == Seq.keyBindings(Seq.StandardKey.Delete)


def test_on_macos_the_chords_that_macos_keeps_become_control_chords():
    assert text(keys("complete", "darwin")) == ["Meta+Space"]  # ⌃Space
    assert text(keys("run_all", "darwin")) == ["Meta+F5"]  # ⌃F5
    deleting = text(keys("delete", "darwin"))
    assert deleting[0] == "Backspace"  # ⌫, shown in the menu
    assert deleting[1:] == text(Seq.keyBindings(Seq.StandardKey.Delete))
    for command in ("duplicate", "group", "ungroup", "mark_end", "edit_spec", "test"):
        assert keys(command, "darwin") == keys(command, "linux")  # ⌘ chords there


def test_no_command_takes_a_chord_that_macos_keeps():
    taken = {s for command in SHORTCUTS for s in text(keys(command, "darwin"))}
    assert not taken & {
        Seq(chord).toString(Seq.SequenceFormat.PortableText) for chord in MACOS_RESERVED
    }


@pytest.mark.parametrize("platform", PLATFORMS)
def test_no_two_commands_share_a_key(platform):
    owners: dict[str, str] = {}
    for command in SHORTCUTS:
        for key in text(keys(command, platform)):
            assert key not in owners, f"{key} is {owners.get(key)}'s and {command}'s"
            owners[key] = command


# -- the window with each platform's keys ---------------------------------------------------


def test_each_menu_entry_has_its_commands_keys(qtbot, platform):
    win = fresh_window(qtbot)
    for command, (menu, entry) in MENU.items():
        assert action(win, menu, entry).shortcuts() == keys(command), command
    tooltip = win.panels.spec_editor.test_form.test_button.toolTip()
    assert tooltip.endswith(f"({keys('test')[0].toString(Seq.SequenceFormat.NativeText)})")


def test_the_mac_delete_key_deletes_the_selected_node(qtbot, repo, monkeypatch):
    monkeypatch.setattr(shortcuts, "PLATFORM", "darwin")
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    select(qtbot, canvas, "n2")
    QtTest.QTest.keyClick(canvas.viewer().viewport(), Key.Key_Backspace)
    assert set(win.repo.flows["calc"].nodes) == {"n1"}
    win.undo_stack.undo()
    assert set(win.repo.flows["calc"].nodes) == {"n1", "n2"}


def test_the_mac_delete_key_in_a_field_deletes_text_not_the_node(qtbot, repo, monkeypatch):
    monkeypatch.setattr(shortcuts, "PLATFORM", "darwin")
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    field = type_into(qtbot, canvas, "n1", "a", "47")
    QtTest.QTest.keyClick(canvas.viewer().viewport(), Key.Key_Backspace)
    assert field.text() == "4"
    assert set(win.repo.flows["calc"].nodes) == {"n1", "n2"}


def test_backspace_deletes_no_node_on_windows_and_linux(qtbot, repo, monkeypatch):
    monkeypatch.setattr(shortcuts, "PLATFORM", "linux")
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    select(qtbot, canvas, "n2")
    assert canvas.selected_ids() == ["n2"]
    QtTest.QTest.keyClick(canvas.viewer().viewport(), Key.Key_Backspace)
    assert set(win.repo.flows["calc"].nodes) == {"n1", "n2"}


def test_control_f5_runs_everything_on_a_mac(qtbot, repo, monkeypatch):
    monkeypatch.setattr(shortcuts, "PLATFORM", "darwin")
    win = fresh_window(qtbot, repo)
    canvas = win.tabs.open_flow("calc")
    with qtbot.waitSignal(win.runs.run_done, timeout=20_000):
        QtTest.QTest.keyClick(canvas.viewer().viewport(), Key.Key_F5, Mod.MetaModifier)
    assert win.run_states.node("calc", "n1").status == "success"


@pytest.mark.parametrize(
    ("platform_name", "chord", "other"),
    [
        ("darwin", Mod.MetaModifier, Mod.ControlModifier),
        ("linux", Mod.ControlModifier, Mod.MetaModifier),
    ],
)
def test_completion_is_asked_for_by_the_platforms_chord_only(
    qtbot, monkeypatch, platform_name, chord, other
):
    monkeypatch.setattr(shortcuts, "PLATFORM", platform_name)
    editor = CodeEditor()
    qtbot.addWidget(editor)
    editor.show()
    QtTest.QTest.keyClick(editor, Key.Key_Space, other)
    assert not editor.completer._debounce.isActive(), "no question was asked"
    editor.setPlainText("import os\nos.")
    editor.moveCursor(QtGui.QTextCursor.MoveOperation.End)
    QtTest.QTest.keyClick(editor, Key.Key_Space, chord)
    qtbot.waitUntil(lambda: "path" in editor.completer.shown_names(), timeout=20_000)
