"""Completion in the code editor: Jedi's names in a popup, a call's signature as a hint,
worked out off the GUI thread, typed into the real editor."""

from __future__ import annotations

import os
import subprocess
import sys
import threading

import pytest
from PySide6 import QtCore

from pyflow_desktop.ui.authoring.code_completer import POLL_MS
from pyflow_desktop.ui.authoring.code_editor import CodeEditor
from pyflow_desktop.ui.authoring.completion import Answer

Key = QtCore.Qt.Key
# Ctrl+Space asks at once; ⌃Space (Meta to Qt) on macOS, where ⌘Space is Spotlight's.
Mod = QtCore.Qt.KeyboardModifier
ASK = Mod.MetaModifier if sys.platform == "darwin" else Mod.ControlModifier
JEDI_TIMEOUT = 20_000  # ms; the first question loads Jedi and the builtins (1–2 s here)


@pytest.fixture
def editor(qtbot):
    widget = CodeEditor()
    qtbot.addWidget(widget)
    widget.resize(600, 300)
    widget.show()
    return widget


def type_lines(qtbot, editor: CodeEditor, text: str) -> None:
    """Type ``text`` key by key, Return between its lines (as the user would)."""
    for index, line in enumerate(text.split("\n")):
        if index:
            qtbot.keyClick(editor, Key.Key_Return)
        qtbot.keyClicks(editor, line)


def wait_for_name(qtbot, editor: CodeEditor, name: str) -> None:
    qtbot.waitUntil(lambda: name in editor.completer.shown_names(), timeout=JEDI_TIMEOUT)


@pytest.mark.parametrize(
    ("typed", "name", "accept", "result"),
    [
        ('"x".up', "upper", Key.Key_Return, '"x".upper'),
        ("import os\nos.pa", "path", Key.Key_Return, "import os\nos.path"),
        ("from collections import Ord", "OrderedDict", Key.Key_Tab, None),
        ("from collections import ord", "OrderedDict", Key.Key_Tab, None),
    ],
)
def test_the_popup_offers_attributes_module_names_and_imports(
    qtbot, editor, typed, name, accept, result
):
    type_lines(qtbot, editor, typed)
    wait_for_name(qtbot, editor, name)
    popup = editor.completer.popup()
    names = editor.completer.shown_names()
    popup.setCurrentIndex(popup.model().index(names.index(name), 0))
    qtbot.keyClick(editor, accept)
    assert editor.toPlainText() == (result or "from collections import OrderedDict")
    assert not popup.isVisible()


def test_escape_closes_the_popup_and_typing_filters_it(qtbot, editor):
    type_lines(qtbot, editor, "import os\nos.pa")
    wait_for_name(qtbot, editor, "pathsep")
    qtbot.keyClicks(editor, "ths")
    assert editor.completer.shown_names() == ["pathsep"], "filtered without asking again"
    qtbot.keyClick(editor, Key.Key_Escape)
    assert not editor.completer.popup().isVisible()
    assert editor.toPlainText() == "import os\nos.paths"


def test_ctrl_space_completes_the_parameters_of_func(qtbot, editor):
    type_lines(qtbot, editor, "def func(alpha, beta):\nreturn ")
    assert editor.toPlainText() == "def func(alpha, beta):\n    return "
    qtbot.keyClick(editor, Key.Key_Space, ASK)
    wait_for_name(qtbot, editor, "alpha")
    assert "beta" in editor.completer.shown_names()
    qtbot.keyClicks(editor, "alp")
    assert editor.completer.shown_names() == ["alpha"]
    qtbot.keyClick(editor, Key.Key_Tab)
    assert editor.toPlainText().endswith("return alpha")


def test_a_call_shows_its_signature_with_the_current_parameter(qtbot, editor):
    hint = editor.completer.hint
    qtbot.keyClicks(editor, "round(")
    qtbot.waitUntil(lambda: hint.isVisible() and "<b>number" in hint.text(), timeout=JEDI_TIMEOUT)
    assert hint.text().startswith("round(")
    assert not editor.completer.popup().isVisible(), "after ( only the signature is asked"
    qtbot.keyClicks(editor, "2.5, ")
    qtbot.waitUntil(lambda: "<b>ndigits" in hint.text(), timeout=JEDI_TIMEOUT)
    assert "<b>number" not in hint.text()
    qtbot.keyClicks(editor, "1)")
    qtbot.waitUntil(lambda: not hint.isVisible(), timeout=JEDI_TIMEOUT)


def test_a_slow_completer_never_blocks_typing_and_stale_answers_are_dropped(qtbot, editor):
    """Two questions: the first is held until the text has changed, so its answer is stale."""
    asked, answered, release = [], [], [threading.Event(), threading.Event()]

    def slow_answer(request):
        index = len(asked)
        asked.append(request.source)
        release[index].wait(10)
        answered.append(request.source)
        return Answer(request, (request.source.rsplit(".", 1)[-1] + "_answer",))

    editor.completer.compute = slow_answer
    ticks = []
    ticker = QtCore.QTimer(interval=10)
    ticker.timeout.connect(lambda: ticks.append(len(answered)))
    ticker.start()
    qtbot.keyClicks(editor, '"x".up')
    qtbot.waitUntil(lambda: len(asked) == 1, timeout=5000)
    qtbot.keyClicks(editor, "p")
    assert answered == [], "a key waited on the completer"  # which holds its answer 10 s
    assert editor.toPlainText() == '"x".upp'
    typed = len(ticks)
    # The GUI thread keeps ticking while the worker is still busy with the first question.
    qtbot.waitUntil(lambda: ticks[typed:].count(0) >= 20, timeout=5000)
    release[0].set()
    qtbot.waitUntil(lambda: len(asked) == 2, timeout=5000)  # the second question runs
    # The first answer came back meanwhile: the popup would show it within a poll or two.
    with qtbot.assertNotEmitted(editor.completer.model.modelReset, wait=5 * POLL_MS):
        pass
    assert not editor.completer.popup().isVisible(), "the answer about '\"x\".up' was shown"
    release[1].set()
    qtbot.waitUntil(lambda: editor.completer.shown_names() == ["upp_answer"], timeout=5000)
    assert asked == ['"x".up', '"x".upp']
    ticker.stop()


def test_jedi_is_imported_by_the_first_question_not_at_start_up(tmp_path):
    code = (
        "from PySide6 import QtWidgets\n"
        "from pyflow_desktop.ui.window.main_window import MainWindow\n"
        "app = QtWidgets.QApplication([])\n"
        "window = MainWindow(ask_on_close=False)\n"
        "import sys\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('jedi', 'parso')))\n"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
