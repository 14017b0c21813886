"""The Tab search box of the canvas: type part of a spec's title or id, press Enter."""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ...repository import Repository


class SpecSearchBox(QtWidgets.QLineEdit):
    """A small pop-up line edit with a completer over every spec; emits ``chosen(spec_id)``."""

    chosen = QtCore.Signal(str)

    def __init__(
        self, repo: Repository, parent: QtWidgets.QWidget, spec_ids: list[str] | None = None
    ) -> None:
        """``spec_ids``: offer only these (e.g. the specs that can take a dragged link)."""
        super().__init__(parent)
        self.setWindowFlags(QtCore.Qt.WindowType.Popup)
        self.setPlaceholderText("Add node…" if spec_ids is None else "Add a node linked here…")
        self.setMinimumWidth(280)
        offered = repo.specs.values() if spec_ids is None else map(repo.specs.get, spec_ids)
        self._ids = {f"{spec.title} — {spec.id}": spec.id for spec in offered if spec is not None}
        completer = QtWidgets.QCompleter(sorted(self._ids), self)
        completer.setCaseSensitivity(QtCore.Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(QtCore.Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._choose)
        self.setCompleter(completer)
        self.returnPressed.connect(lambda: self._choose(self.text()))

    def _choose(self, text: str) -> None:
        spec_id = self._ids.get(text) or (text if text in self._ids.values() else None)
        if spec_id is None:
            matches = [sid for label, sid in self._ids.items() if text.lower() in label.lower()]
            spec_id = matches[0] if len(matches) == 1 else None
        if spec_id is not None:
            self.close()
            self.chosen.emit(spec_id)

    def popup_at(self, global_pos: QtCore.QPoint) -> None:
        self.move(global_pos)
        self.show()
        self.setFocus()
        self.completer().complete()
