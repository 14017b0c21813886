"""The Log: what the window did and what runs did, a line each, the last ``MAX_LINES``.

A run of thousands of nodes has a line per node, and the Log is often hidden: writing lines
nobody sees would take the window's time from the run. So what is added while the Log is hidden
waits, as text or as a function that makes it (``add_later``), and is written when the Log
shows (or its text is asked for), in the order it came; past ``MAX_LINES`` the oldest waiting
parts are dropped, as the Log itself drops its oldest lines.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable

from PySide6 import QtGui, QtWidgets

MAX_LINES = 5000


class LogPanel(QtWidgets.QPlainTextEdit):
    """A read-only text of lines; ``add`` and ``add_later`` append."""

    def __init__(self) -> None:
        super().__init__(readOnly=True)
        self.setMaximumBlockCount(MAX_LINES)
        self.setFont(QtGui.QFontDatabase.systemFont(QtGui.QFontDatabase.SystemFont.FixedFont))
        self._waiting: deque[tuple[int, str | Callable[[], str]]] = deque()  # (lines, part)
        self._waiting_lines = 0

    def add(self, text: str) -> None:
        """Append ``text`` (one or more lines)."""
        self.add_later(text, text.count("\n") + 1)

    def add_later(self, part: str | Callable[[], str], lines: int) -> None:
        """Append ``part``, text or a function making text of about ``lines`` lines, made
        only when the Log shows."""
        if self.isVisible():
            self._write(part)
            return
        self._waiting.append((lines, part))
        self._waiting_lines += lines
        while self._waiting_lines - self._waiting[0][0] >= MAX_LINES:
            self._waiting_lines -= self._waiting.popleft()[0]

    def toPlainText(self) -> str:
        self._catch_up()
        return super().toPlainText()

    def showEvent(self, event: QtGui.QShowEvent) -> None:
        self._catch_up()
        super().showEvent(event)

    def _catch_up(self) -> None:
        while self._waiting:
            self._write(self._waiting.popleft()[1])
        self._waiting_lines = 0

    def _write(self, part: str | Callable[[], str]) -> None:
        text = part if isinstance(part, str) else part()
        if text:
            self.appendPlainText(text)
