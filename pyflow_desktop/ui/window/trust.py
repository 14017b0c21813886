"""Consent before a file's code runs, as an editor's workspace trust asks.

Opening, checking or converting a file never runs its code. The first Run or Test in the
window of nodespecs that came from outside (a file opened or imported, nodes pasted from the
clipboard) asks first, listing them; the answer is remembered in the settings by the hash of
each spec's code, so a spec whose code changes asks again. Code the user writes or edits in
the window is theirs and is trusted; so is the code of their installation's palette
(built-in, My nodes, node packages: ``installed``), matched by hash. The scripted ``--run``
is the user's own explicit request: it asks nothing (``asking`` off).

State: ``foreign`` (the code hashes of specs that came from outside in this session),
``asking`` (whether to ask at all). The trusted hashes live in the settings (``trust/code``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from PySide6 import QtCore, QtWidgets

from ...repository import NodeSpec
from .shell import Shell
from .user_settings import settings, string_list

KEY = "trust/code"
SHOWN = 12  # specs listed by name in the question; the rest are counted


def code_hash(spec: NodeSpec) -> str:
    return hashlib.sha256(spec.func.encode("utf-8", "surrogatepass")).hexdigest()


class Trust(QtCore.QObject):
    """Knows which specs' code may run without asking, and asks about the rest."""

    def __init__(self, shell: Shell) -> None:
        super().__init__(shell)
        self.shell = shell
        self.foreign: set[str] = set()
        self.asking = True
        self.installed: Callable[[], Iterable[NodeSpec]] = list  # the palette's specs

    def came_from_outside(self, specs: Iterable[NodeSpec]) -> None:
        """These specs came from a file or the clipboard: running them asks first."""
        self.foreign.update(code_hash(spec) for spec in specs)

    def trust(self, specs: Iterable[NodeSpec]) -> None:
        """Run these specs' code from now on without asking (in this installation)."""
        known = string_list(settings().value(KEY))
        new = [h for h in dict.fromkeys(code_hash(spec) for spec in specs) if h not in known]
        if new:
            settings().setValue(KEY, [*known, *new])

    def untrusted(self, specs: Iterable[NodeSpec]) -> list[NodeSpec]:
        """The specs among ``specs`` whose code came from outside and is not trusted yet."""
        if not self.foreign:  # nothing came from outside: no need to look at a run's nodes
            return []
        trusted = set(string_list(settings().value(KEY)))
        trusted.update(code_hash(spec) for spec in self.installed())
        unique = {spec.id: spec for spec in specs}.values()
        return [s for s in unique if code_hash(s) in self.foreign and code_hash(s) not in trusted]

    def allow(self, specs: Iterable[NodeSpec], action: str = "Run") -> bool:
        """Whether ``specs`` may run now: True at once when they are all trusted, else the
        user's answer to a question listing the others (a yes trusts them)."""
        doubtful = self.untrusted(specs)
        if not doubtful or not self.asking:
            return True
        names = "\n".join(f"  • {spec.title} ({spec.id})" for spec in doubtful[:SHOWN])
        more = f"\n  … and {len(doubtful) - SHOWN} more" if len(doubtful) > SHOWN else ""
        source = self.shell.path.name if self.shell.path else "a file or the clipboard"
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Warning,
            "Run code from outside?",
            f"{action} will run the code of these nodespecs from {source} on this computer:\n\n"
            f"{names}{more}\n\nRun code only from sources you trust. Your answer is kept "
            "until their code changes.",
            parent=self.shell,
        )
        yes = box.addButton("Trust and run", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.exec()
        if box.clickedButton() is not yes:
            self.shell.statusBar().showMessage(
                f"{action} cancelled: the code was not trusted", 10000
            )
            return False
        self.trust(doubtful)
        return True
