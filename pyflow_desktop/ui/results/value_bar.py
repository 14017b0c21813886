"""The bar above a viewer, and under the Inspector's outputs, for a value held in a worker:
what is shown of it, why no more can be had (in red), and **Load full value** with its size
while there is more."""

from __future__ import annotations

import html

from PySide6 import QtCore, QtWidgets


def size_text(size: float) -> str:
    """``2.3 MB``: bytes as people read them."""
    for unit in ("bytes", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            return f"{int(size):,} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return ""


class ValueBar(QtWidgets.QWidget):
    """A note and a Load full value button (``load`` when clicked); ``stacked``: the note
    above the button, for a narrow panel."""

    load = QtCore.Signal()

    def __init__(self, parent: QtWidgets.QWidget | None = None, stacked: bool = False) -> None:
        super().__init__(parent)
        self.note = QtWidgets.QLabel(wordWrap=True, textFormat=QtCore.Qt.TextFormat.RichText)
        self.note.setSizePolicy(
            QtWidgets.QSizePolicy.Policy.Ignored, QtWidgets.QSizePolicy.Policy.Preferred
        )
        self.button = QtWidgets.QPushButton("Load full value")
        self.button.setToolTip("Every row or point of the value, from the process that holds it")
        self.button.clicked.connect(self.load)
        layout = QtWidgets.QGridLayout(self)
        layout.setContentsMargins(*((0, 0, 0, 0) if stacked else (6, 2, 6, 2)))
        layout.addWidget(self.note, 0, 0, 1, 2 if stacked else 1)
        layout.addWidget(self.button, 1 if stacked else 0, 0 if stacked else 1)
        layout.setColumnStretch(1 if stacked else 0, 1)
        self.hide()

    def say(self, note: str, problem: str | None = None, more: bool = False, size=None) -> None:
        """Show ``note`` (and ``problem``); the button while there is ``more`` (of ``size``
        bytes, if known) and no problem."""
        text = html.escape(note)
        if problem:
            red = f"<span style='color:#d03030'>{html.escape(problem)}</span>"
            text = f"{text} · {red}" if text else red
        more = more and not problem
        self.button.setText(f"Load full value ({size_text(size)})" if size else "Load full value")
        self.button.setVisible(more)
        self.note.setText(text)
        self.setVisible(bool(text) or more)
