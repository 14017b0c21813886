"""CodeEditor: a Python editor for nodespec sources, with a syntax check as you type.

Highlighting comes from Pygments' ``PythonLexer``: the whole text is lexed once per edit and
cut into per-line spans. A line's block state is a hash of the *next* line's spans, so Qt
goes on re-highlighting exactly as far as an edit changes the colours (a triple quote
opened on one line re-colours the lines after it). Colours come from a Pygments style chosen
to suit the palette. The syntax check compiles — never runs — the source ~300 ms after the
last keystroke and marks the offending line. Completion (names, attributes, imports, the
signature of the call being typed) is Jedi's, off the GUI thread: see ``code_completer``.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from PySide6 import QtCore, QtGui, QtWidgets

from ...repository import func_problem
from ...repository.nodespec import compile_source
from . import completion
from .code_completer import CodeCompleter

if TYPE_CHECKING:
    from pygments.token import _TokenType

INDENT = " " * 4
CHECK_DELAY_MS = 300
_ERROR_BACKGROUND = QtGui.QColor(255, 80, 80, 60)


def _is_dark(palette: QtGui.QPalette) -> bool:
    return palette.color(QtGui.QPalette.ColorRole.Base).lightness() < 128


class PythonHighlighter(QtGui.QSyntaxHighlighter):
    """Colours a document by Pygments' Python tokens; Pygments is imported when there is
    first some text to colour, not when the window starts."""

    def __init__(self, document: QtGui.QTextDocument, style: str = "default") -> None:
        super().__init__(None)
        self._lexer = None
        self._style_name = style
        self._style = None
        self._formats: dict[_TokenType, QtGui.QTextCharFormat] = {}
        self._text: str | None = None
        self._spans: dict[int, list[tuple[int, int, _TokenType]]] = {}
        # Connected before setDocument, so the spans are stale before Qt re-highlights.
        document.contentsChange.connect(self._forget)
        self.setDocument(document)
        self.setParent(document)

    def _forget(self, *_change: int) -> None:
        self._text = None

    def _format(self, token: _TokenType) -> QtGui.QTextCharFormat:
        if token not in self._formats:
            look = self._style.style_for_token(token)
            fmt = QtGui.QTextCharFormat()
            if look["color"]:
                fmt.setForeground(QtGui.QColor(f"#{look['color']}"))
            if look["bold"]:
                fmt.setFontWeight(QtGui.QFont.Weight.Bold)
            fmt.setFontItalic(bool(look["italic"]))
            self._formats[token] = fmt
        return self._formats[token]

    def _lex(self) -> None:
        """Split the tokens of ``_text`` into per-line spans (offsets equal document positions)."""
        text = self._text or ""
        if not text:
            self._spans = {}
            return
        from pygments.token import Token

        if self._lexer is None:
            from pygments.lexers import PythonLexer
            from pygments.styles import get_style_by_name

            self._lexer = PythonLexer(stripnl=False, ensurenl=False)
            self._style = get_style_by_name(self._style_name)
        starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        spans: dict[int, list[tuple[int, int, _TokenType]]] = {}
        for index, token, value in self._lexer.get_tokens_unprocessed(text):
            end = index + len(value)
            line = bisect_right(starts, index) - 1
            while index < end:
                line_end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
                piece_end = min(end, line_end)
                if piece_end > index and token not in Token.Text:
                    spans.setdefault(line, []).append(
                        (index - starts[line], piece_end - index, token)
                    )
                index, line = line_end + 1, line + 1
        self._spans = spans

    def highlightBlock(self, text: str) -> None:  # noqa: N802 — Qt's name
        if self._text is None:
            self._text = self.document().toPlainText()
            self._lex()
        line = self.currentBlock().blockNumber()
        for start, length, token in self._spans.get(line, ()):
            self.setFormat(start, length, self._format(token))
        self.setCurrentBlockState(hash(tuple(self._spans.get(line + 1, ()))) & 0x7FFFFFFF)


class _Gutter(QtWidgets.QWidget):
    """The line-number margin; the editor paints it."""

    def __init__(self, editor: CodeEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def sizeHint(self) -> QtCore.QSize:  # noqa: N802 — Qt's name
        return QtCore.QSize(self.editor.gutter_width(), 0)

    def paintEvent(self, event: QtGui.QPaintEvent) -> None:  # noqa: N802 — Qt's name
        self.editor.paint_gutter(event)


class CodeEditor(QtWidgets.QPlainTextEdit):
    """Python source editor. ``problem_changed(str)`` gives the syntax problem ("" when none).

    ``checked(str)`` is emitted after every debounced check, with the same text.
    """

    problem_changed = QtCore.Signal(str)
    checked = QtCore.Signal(str)

    def __init__(self, parent: QtWidgets.QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QtWidgets.QPlainTextEdit.LineWrapMode.NoWrap)
        self.setTabStopDistance(self.fontMetrics().horizontalAdvance(" ") * len(INDENT))
        dark = _is_dark(self.palette())
        self.highlighter = PythonHighlighter(self.document(), "monokai" if dark else "default")
        self._line_colour = self.palette().color(QtGui.QPalette.ColorRole.AlternateBase)
        self.problem = ""
        self.problem_line: int | None = None
        self._runtime_mark: QtGui.QTextCursor | None = None  # spans the line a run failed at
        self._gutter = _Gutter(self)
        self.completer = CodeCompleter(self)
        self._timer = QtCore.QTimer(self, singleShot=True, interval=CHECK_DELAY_MS)
        self._timer.timeout.connect(self.check_now)
        self.blockCountChanged.connect(self._fit_gutter)
        self.updateRequest.connect(self._scroll_gutter)
        self.cursorPositionChanged.connect(self._refresh_selections)
        self.textChanged.connect(self._edited)
        self._fit_gutter()
        self._refresh_selections()

    def set_source(self, source: str) -> None:
        """Show ``source`` and check it at once (no wait)."""
        self._runtime_mark = None
        self.setPlainText(source)
        self.check_now()

    # -- syntax check and error marks -------------------------------------------------------

    def _edited(self) -> None:
        mark = self._runtime_mark
        if mark is not None and not mark.hasSelection():  # the marked line's text is gone
            self._runtime_mark = None
        self._timer.start()

    def check_now(self) -> str:
        """Compile the source (never run it); mark and report the problem, if any."""
        self._timer.stop()
        source = self.toPlainText()
        try:
            compile_source(source)
        except SyntaxError as exc:
            line = exc.lineno or 1
            problem = f"line {line}: {exc.msg}"
        else:
            line, problem = None, func_problem(source) or ""
        self.problem_line = line
        if problem != self.problem:
            self.problem = problem
            self.problem_changed.emit(problem)
        self._refresh_selections()
        self.checked.emit(problem)
        return problem

    def mark_error_line(self, line: int | None) -> None:
        """Mark the 1-based ``line`` where a run failed (``None`` clears it) and show it.

        The mark holds the line's text, so it moves with the lines typed above it and goes
        when that text is deleted, or other code is shown."""
        self._runtime_mark = None
        block = self.document().findBlockByNumber(line - 1) if line is not None else None
        if block is not None and block.isValid() and block.length() > 1:
            mark = QtGui.QTextCursor(block)
            mark.movePosition(
                QtGui.QTextCursor.MoveOperation.EndOfBlock, QtGui.QTextCursor.MoveMode.KeepAnchor
            )
            self._runtime_mark = mark
            self.setTextCursor(QtGui.QTextCursor(block))
            self.centerCursor()
        self._refresh_selections()

    @property
    def runtime_line(self) -> int | None:
        """The 1-based line marked where a run failed, if any."""
        mark = self._runtime_mark
        if mark is None or not mark.hasSelection():
            return None
        return self.document().findBlock(mark.selectionStart()).blockNumber() + 1

    def marked_lines(self) -> list[int]:
        """The 1-based lines marked as errors (syntax, then runtime)."""
        return [line for line in (self.problem_line, self.runtime_line) if line is not None]

    def _refresh_selections(self) -> None:
        current = QtWidgets.QTextEdit.ExtraSelection()
        current.format.setBackground(self._line_colour)
        current.format.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
        current.cursor = self.textCursor()
        current.cursor.clearSelection()
        selections = [current]
        for line in self.marked_lines():
            block = self.document().findBlockByNumber(line - 1)
            if not block.isValid():
                continue
            mark = QtWidgets.QTextEdit.ExtraSelection()
            mark.format.setBackground(_ERROR_BACKGROUND)
            mark.format.setUnderlineStyle(QtGui.QTextCharFormat.UnderlineStyle.WaveUnderline)
            mark.format.setUnderlineColor(QtGui.QColor("red"))
            mark.format.setProperty(QtGui.QTextFormat.Property.FullWidthSelection, True)
            mark.cursor = QtGui.QTextCursor(block)
            mark.cursor.movePosition(
                QtGui.QTextCursor.MoveOperation.EndOfBlock, QtGui.QTextCursor.MoveMode.KeepAnchor
            )
            selections.append(mark)
        self.setExtraSelections(selections)

    # -- typing -------------------------------------------------------------------------------

    def keyPressEvent(self, event: QtGui.QKeyEvent) -> None:  # noqa: N802 — Qt's name
        if not self.completer.handle_key(event):
            self._type(event)
            self.completer.typed(event)

    def focusInEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802 — Qt's name
        completion.warm_up()
        super().focusInEvent(event)

    def focusOutEvent(self, event: QtGui.QFocusEvent) -> None:  # noqa: N802 — Qt's name
        if event.reason() != QtCore.Qt.FocusReason.PopupFocusReason:  # not for its own popup
            self.completer.close()
        super().focusOutEvent(event)

    def hideEvent(self, event: QtGui.QHideEvent) -> None:  # noqa: N802 — Qt's name
        self.completer.close()  # the hint is a window of its own: it would stay
        super().hideEvent(event)

    def _type(self, event: QtGui.QKeyEvent) -> None:
        key = event.key()
        plain = not event.modifiers() & ~QtCore.Qt.KeyboardModifier.KeypadModifier
        if key in (QtCore.Qt.Key.Key_Return, QtCore.Qt.Key.Key_Enter) and plain:
            self._newline_with_indent()
        elif key == QtCore.Qt.Key.Key_Tab and plain:
            self.textCursor().insertText(INDENT)
        elif key == QtCore.Qt.Key.Key_Backtab:
            self._dedent_line()
        else:
            super().keyPressEvent(event)

    def _newline_with_indent(self) -> None:
        cursor = self.textCursor()
        before = cursor.block().text()[: cursor.positionInBlock()]
        indent = before[: len(before) - len(before.lstrip())]
        if before.rstrip().endswith(":"):
            indent += INDENT
        cursor.insertText("\n" + indent)
        self.ensureCursorVisible()

    def _dedent_line(self) -> None:
        cursor = self.textCursor()
        text = cursor.block().text()
        remove = min(len(INDENT), len(text) - len(text.lstrip(" ")))
        if remove:
            cursor.movePosition(QtGui.QTextCursor.MoveOperation.StartOfBlock)
            cursor.movePosition(
                QtGui.QTextCursor.MoveOperation.Right, QtGui.QTextCursor.MoveMode.KeepAnchor, remove
            )
            cursor.removeSelectedText()

    # -- the gutter ---------------------------------------------------------------------------

    def gutter_width(self) -> int:
        digits = len(str(max(1, self.blockCount())))
        return 10 + self.fontMetrics().horizontalAdvance("9") * max(digits, 2)

    def _fit_gutter(self) -> None:
        self.setViewportMargins(self.gutter_width(), 0, 0, 0)

    def _scroll_gutter(self, rect: QtCore.QRect, dy: int) -> None:
        if dy:
            self._gutter.scroll(0, dy)
        else:
            self._gutter.update(0, rect.y(), self._gutter.width(), rect.height())

    def resizeEvent(self, event: QtGui.QResizeEvent) -> None:  # noqa: N802 — Qt's name
        super().resizeEvent(event)
        area = self.contentsRect()
        self._gutter.setGeometry(area.left(), area.top(), self.gutter_width(), area.height())

    def paint_gutter(self, event: QtGui.QPaintEvent) -> None:
        painter = QtGui.QPainter(self._gutter)
        palette = self.palette()
        painter.fillRect(event.rect(), palette.color(QtGui.QPalette.ColorRole.Window))
        marked = set(self.marked_lines())
        block = self.firstVisibleBlock()
        top = round(self.blockBoundingGeometry(block).translated(self.contentOffset()).top())
        height = self.fontMetrics().height()
        while block.isValid() and top <= event.rect().bottom():
            number = block.blockNumber() + 1
            if block.isVisible():
                colour = (
                    QtGui.QColor("red")
                    if number in marked
                    else palette.color(QtGui.QPalette.ColorRole.PlaceholderText)
                )
                painter.setPen(colour)
                painter.drawText(
                    0, top, self._gutter.width() - 5, height,
                    QtCore.Qt.AlignmentFlag.AlignRight, str(number),
                )  # fmt: skip
            top += round(self.blockBoundingRect(block).height())
            block = block.next()
        painter.end()
