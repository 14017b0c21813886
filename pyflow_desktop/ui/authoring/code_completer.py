"""CodeCompleter: Jedi's names in a popup, and the signature of the call being typed.

The editor hands each key press over twice: ``handle_key`` first (Enter or Tab accept the
popup's name, Esc closes it, Ctrl+Space asks at once), then ``typed`` once the key has
acted. A ``.``, or an identifier of two letters or more, asks ~200 ms after the last key (a
question about every attribute of ``os.`` takes Jedi longer than the one about ``os.pa``
that the next keys ask); ``(`` and ``,`` ask at once, for the signature only.

The question goes to the completion worker (``completion.submit``) and a GUI-thread timer
polls its future, so typing never waits on Jedi and no Qt signal crosses threads. An answer
is shown only if the text and the cursor are where they were asked: otherwise it is stale
and dropped (the newer keys have asked again). While the popup is open, typing filters its
names without asking again.

State: ``_future`` (the question out, or ``None``), ``_asks_names`` (whether the question
due at the debounce asks for names), ``_typing`` (a key is inserting text, so the cursor
moving is no reason to close anything), ``_start`` (where the popup's word starts).
"""

from __future__ import annotations

import html
import re
from concurrent.futures import Future

from PySide6 import QtCore, QtGui, QtWidgets

from ..shortcuts import pressed
from . import completion
from .completion import Answer, Signature

DEBOUNCE_MS = 200
POLL_MS = 20
_WORD = re.compile(r"\w*$")
Key = QtCore.Qt.Key
_ACCEPT_KEYS = (Key.Key_Return, Key.Key_Enter, Key.Key_Tab)


def _utf16_to_chars(text: str, units: int) -> int:
    """How many characters of ``text`` its first ``units`` UTF-16 code units (Qt's) hold."""
    return len(text.encode("utf-16-le")[: 2 * units].decode("utf-16-le", "ignore"))


class CodeCompleter(QtCore.QObject):
    """Completion for ``editor`` (a ``QPlainTextEdit``); ``compute`` answers a ``Request``."""

    def __init__(self, editor: QtWidgets.QPlainTextEdit) -> None:
        super().__init__(editor)
        self.editor = editor
        self.compute = completion.answer
        self._future: Future[Answer] | None = None
        self._asks_names = False
        self._typing = False
        self._start = 0
        self._debounce = QtCore.QTimer(self, singleShot=True, interval=DEBOUNCE_MS)
        self._debounce.timeout.connect(self._ask)
        self._poll = QtCore.QTimer(self, interval=POLL_MS)
        self._poll.timeout.connect(self._collect)
        self.model = QtCore.QStringListModel(self)
        self.popup_completer = QtWidgets.QCompleter(self.model, self)
        self.popup_completer.setWidget(editor)
        self.popup_completer.setCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        self.popup_completer.setModelSorting(QtWidgets.QCompleter.ModelSorting.UnsortedModel)
        self.popup_completer.activated[str].connect(self._insert)
        # A window of its own, as a tooltip is, so a narrow editor does not cut it off.
        self.hint = QtWidgets.QLabel(editor, textFormat=QtCore.Qt.TextFormat.RichText)
        self.hint.setWindowFlags(QtCore.Qt.WindowType.ToolTip)
        self.hint.setFrameShape(QtWidgets.QFrame.Shape.Box)
        self.hint.setMargin(3)
        self.hint.setAutoFillBackground(True)
        palette = self.hint.palette()
        for role, tip_role in (
            (QtGui.QPalette.ColorRole.Window, QtGui.QPalette.ColorRole.ToolTipBase),
            (QtGui.QPalette.ColorRole.WindowText, QtGui.QPalette.ColorRole.ToolTipText),
        ):
            palette.setColor(role, palette.color(tip_role))
        self.hint.setPalette(palette)
        self.hint.hide()
        editor.cursorPositionChanged.connect(self._cursor_moved)

    def popup(self) -> QtWidgets.QAbstractItemView:
        return self.popup_completer.popup()

    def shown_names(self) -> list[str]:
        """The names the open popup offers, in its order ([] when it is closed)."""
        if not self.popup().isVisible():
            return []
        names = self.popup_completer.completionModel()
        return [names.index(row, 0).data() for row in range(names.rowCount())]

    def close(self) -> None:
        """Close the popup and the hint, and forget a question not yet asked."""
        self._debounce.stop()
        self.popup().hide()
        self.hint.hide()

    # -- keys ---------------------------------------------------------------------------------

    def handle_key(self, event: QtGui.QKeyEvent) -> bool:
        """Act on a key before the editor does; True when it was completion's."""
        key, modifiers = event.key(), event.modifiers()
        if pressed(event, "complete"):
            self._schedule(names=True, delay=0)
            return True
        plain = not modifiers & ~QtCore.Qt.KeyboardModifier.KeypadModifier
        if self.popup().isVisible() and key in _ACCEPT_KEYS and plain:
            index = self.popup().currentIndex()
            if index.isValid():
                self._insert(index.data())
                return True
            self.popup().hide()
        if key == Key.Key_Escape and (self.popup().isVisible() or self.hint.isVisible()):
            self.close()
            return True
        self._typing = event.text().isprintable() and bool(event.text())
        self._typing |= key == Key.Key_Backspace
        return False

    def typed(self, event: QtGui.QKeyEvent) -> None:
        """Follow a key that the editor has acted on: ask, filter or close."""
        typing, self._typing = self._typing, False
        if not typing:
            return
        char = event.text()
        word, before = self._word()
        if event.key() == Key.Key_Backspace or char.isidentifier() or char.isdigit():
            if self.popup().isVisible():
                self._filter()
            elif char.isidentifier() and not word[0].isdigit():
                if before.endswith(".") or len(word) > 1:
                    self._schedule(names=True, delay=DEBOUNCE_MS)
            elif self.hint.isVisible():
                self._schedule(names=False, delay=DEBOUNCE_MS)
            return
        self.popup().hide()
        self._debounce.stop()  # a question about the word before this key is of no use now
        if char == "." and not _WORD.search(before[:-1]).group()[:1].isdigit():  # not 2.5
            self._schedule(names=True, delay=DEBOUNCE_MS)
        elif char in ("(", ","):
            self._schedule(names=False, delay=0)
        elif self.hint.isVisible():
            self._schedule(names=False, delay=DEBOUNCE_MS)

    def _cursor_moved(self) -> None:
        if not self._typing:
            self.close()

    # -- asking Jedi and taking its answer ------------------------------------------------------

    def _schedule(self, names: bool, delay: int) -> None:
        self._asks_names = names or (self._asks_names and self._debounce.isActive())
        self._debounce.start(delay)

    def _where(self) -> tuple[str, int, int]:
        cursor = self.editor.textCursor()
        block = cursor.block()
        column = _utf16_to_chars(block.text(), cursor.positionInBlock())
        return self.editor.toPlainText(), block.blockNumber() + 1, column

    def _ask(self) -> None:
        if self._future is not None:
            self._future.cancel()  # not started yet: no one wants it now
        source, line, column = self._where()
        request = completion.Request(source, line, column, self._asks_names)
        self._future = completion.submit(request, self.compute)
        self._poll.start()

    def _collect(self) -> None:
        future = self._future
        if future is None or not future.done():
            return
        self._poll.stop()
        self._future = None
        # A question Jedi could not answer (it raises on some half-typed code) shows nothing.
        if future.cancelled() or future.exception() is not None:
            return
        answer = future.result()
        asked = answer.request
        if self._where() != (asked.source, asked.line, asked.column) or self._debounce.isActive():
            return  # stale: the text or the cursor moved since, or a newer question is due
        self._show_hint(answer.signature, answer.overloads)
        if asked.names:
            self._show_popup(answer.names)

    # -- the popup ----------------------------------------------------------------------------

    def _word(self) -> tuple[str, str]:
        """The identifier before the cursor, and the line's text before that."""
        cursor = self.editor.textCursor()
        before = cursor.block().text()[: cursor.positionInBlock()]
        word = _WORD.search(before).group()
        return word, before[: len(before) - len(word)]

    def _show_popup(self, names: tuple[str, ...]) -> None:
        word, _before = self._word()
        if not names or names == (word,):
            self.popup().hide()
            return
        self._start = self.editor.textCursor().position() - len(word)
        self.model.setStringList(list(names))
        self._filter()

    def _filter(self) -> None:
        """Offer the names that start with the word typed since the popup opened."""
        cursor = self.editor.textCursor()
        word, _before = self._word()
        if cursor.position() - len(word) != self._start:
            self.popup().hide()
            return
        self.popup_completer.setCompletionPrefix(word)
        count = self.popup_completer.completionCount()
        if count == 0 or (count == 1 and self.popup_completer.currentCompletion() == word):
            self.popup().hide()
            return
        popup = self.popup()
        popup.setCurrentIndex(self.popup_completer.completionModel().index(0, 0))
        start = QtGui.QTextCursor(self.editor.document())
        start.setPosition(self._start)  # the names line up with the word they complete
        rect = self.editor.cursorRect(start).translated(self.editor.viewport().pos())
        rect.setWidth(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width())
        self.popup_completer.complete(rect)

    def _insert(self, name: str) -> None:
        """Put ``name`` in place of the word typed before the cursor."""
        self.popup().hide()
        word, _before = self._word()
        cursor = self.editor.textCursor()
        cursor.movePosition(
            QtGui.QTextCursor.MoveOperation.Left, QtGui.QTextCursor.MoveMode.KeepAnchor, len(word)
        )
        self._typing = True
        cursor.insertText(name)
        self.editor.setTextCursor(cursor)
        self._typing = False
        if self.hint.isVisible():
            self._schedule(names=False, delay=0)

    # -- the signature hint ---------------------------------------------------------------------

    def _show_hint(self, signature: Signature | None, overloads: int) -> None:
        if signature is None:
            self.hint.hide()
            return
        params = [
            f"<b>{html.escape(p)}</b>" if i == signature.current else html.escape(p)
            for i, p in enumerate(signature.params)
        ]
        text = f"{html.escape(signature.name)}({', '.join(params)})"
        if overloads:
            text += f" <i>+{overloads} more</i>"
        self.hint.setText(text)
        self.hint.setToolTip(signature.text())
        self.hint.adjustSize()
        rect = self.editor.cursorRect()
        top = rect.top() - self.hint.height() - 2
        if top < 0:  # no room above the first line shown: below the cursor's line
            top = rect.bottom() + 2
        self.hint.move(self.editor.viewport().mapToGlobal(QtCore.QPoint(rect.left(), top)))
        self.hint.show()
