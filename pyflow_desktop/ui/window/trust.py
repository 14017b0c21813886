"""Consent before a file's code runs, as an editor's workspace trust asks.

Opening, checking or converting a file never runs its code. The first Run or Test in the
window of nodespecs that came from outside (a file opened or imported, nodes pasted from the
clipboard) asks first, once for the file: the question lists those it runs and those the
file's flows use, and a yes trusts them all. The answer is remembered in the settings by the
hash of each spec's code, so a spec whose code changes asks again. Code the user writes or
edits in the window is theirs and is trusted: saving the file trusts it by hash too
(``keep_own``), so it runs without asking when the file is opened again. So is the code of
their installation's palette (built-in, My nodes, node packages: ``installed``), matched by
hash. The scripted ``--run`` is the user's own explicit request: it asks nothing (``asking``
off). A Run's question also offers "Run in sandbox" (``consent``): that run only goes to
sandboxed workers (``engine.sandbox``), trusting nothing; where no sandbox can run, the
button is off and the question says why.

State: ``foreign`` (the code hashes of specs that came from outside in this session),
``asking`` (whether to ask at all). The trusted hashes live in the settings (``trust/code``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable

from PySide6 import QtCore, QtWidgets

from ...engine.sandbox import unavailable
from ...repository import NodeSpec
from .shell import Shell
from .user_settings import settings, string_list

KEY = "trust/code"
SHOWN = 12  # specs listed by name in the question; the rest are counted


def code_hash(spec: NodeSpec) -> str:
    return hashlib.sha256(spec.func.encode("utf-8", "surrogatepass")).hexdigest()


class Trust(QtCore.QObject):
    """Knows which specs' code may run without asking, and asks about the rest."""

    def __init__(self, shell: Shell, installed: Callable[[], Iterable[NodeSpec]]) -> None:
        """``installed()``: the specs of the user's installation (the palette's)."""
        super().__init__(shell)
        self.shell, self.installed = shell, installed
        self.foreign: set[str] = set()
        self.asking = True

    def came_from_outside(self, specs: Iterable[NodeSpec]) -> None:
        """These specs came from a file or the clipboard: running them asks first."""
        self.foreign.update(code_hash(spec) for spec in specs)

    def trust(self, specs: Iterable[NodeSpec]) -> None:
        """Run these specs' code from now on without asking (in this installation)."""
        known = string_list(settings().value(KEY))
        new = [h for h in dict.fromkeys(code_hash(spec) for spec in specs) if h not in known]
        if new:
            settings().setValue(KEY, [*known, *new])

    def keep_own(self, specs: Iterable[NodeSpec]) -> None:
        """Trust those of ``specs`` whose code did not come from outside (the file holding
        them was saved: they are the user's, and stay so when it is opened again)."""
        self.trust(spec for spec in specs if code_hash(spec) not in self.foreign)

    def untrusted(self, specs: Iterable[NodeSpec]) -> list[NodeSpec]:
        """The specs among ``specs`` whose code came from outside and is not trusted yet."""
        if not self.foreign:  # nothing came from outside: no need to look at a run's nodes
            return []
        trusted = set(string_list(settings().value(KEY)))
        trusted.update(code_hash(spec) for spec in self.installed())
        unique = {(spec.id, code_hash(spec)): spec for spec in specs}
        return [
            spec
            for (_id, digest), spec in unique.items()
            if digest in self.foreign and digest not in trusted
        ]

    def allow(self, specs: Iterable[NodeSpec], action: str = "Run") -> bool:
        """Whether ``specs`` may run now: True at once when they are all trusted, else the
        user's answer to a question listing the others (a yes trusts them)."""
        return self.consent(specs, action, offer_sandbox=False) is not None

    def consent(
        self, specs: Iterable[NodeSpec], action: str = "Run", offer_sandbox: bool = True
    ) -> str | None:
        """How ``specs`` may run now: ``"run"`` at once when they are all trusted, else the
        user's answer to a question listing the others: ``"run"`` (trusting them),
        ``"sandbox"`` (this once, in a sandbox, when offered) or ``None`` (cancelled)."""
        doubtful = self.untrusted(specs)
        if not doubtful or not self.asking:
            return "run"
        doubtful = self.untrusted([*doubtful, *self._flow_specs()])  # once for the file
        names = "\n".join(f"  • {spec.title} ({spec.id})" for spec in doubtful[:SHOWN])
        more = f"\n  … and {len(doubtful) - SHOWN} more" if len(doubtful) > SHOWN else ""
        source = self.shell.path.name if self.shell.path else "a file or the clipboard"
        box = QtWidgets.QMessageBox(
            QtWidgets.QMessageBox.Icon.Warning,
            "Run code from outside?",
            f"{action} will run code from {source} on this computer. Trust the code of these "
            f"nodespecs (those it runs, and those the flows use)?\n\n{names}{more}\n\n"
            "Run code only from sources you trust. Your answer is kept until their code "
            "changes.",
            parent=self.shell,
        )
        yes = box.addButton("Trust and run", QtWidgets.QMessageBox.ButtonRole.AcceptRole)
        confined = None
        if offer_sandbox:
            confined = box.addButton("Run in sandbox", QtWidgets.QMessageBox.ButtonRole.ApplyRole)
            reason = unavailable()
            confined.setEnabled(reason is None)
            box.setInformativeText(
                "Run in sandbox: this run only, without the network, your home or writing "
                "outside the flow's folder; the code stays untrusted."
                if reason is None
                else f"No sandbox here: {reason}."
            )
        box.addButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(QtWidgets.QMessageBox.StandardButton.Cancel)
        box.exec()
        if confined is not None and box.clickedButton() is confined:
            return "sandbox"
        if box.clickedButton() is not yes:
            self.shell.statusBar().showMessage(
                f"{action} cancelled: the code was not trusted", 10000
            )
            return None
        self.trust(doubtful)
        return "run"

    def _flow_specs(self) -> list[NodeSpec]:
        """The specs the open repository's flows use."""
        repo = self.shell.repo
        used = {node.spec_id for flow in repo.flows.values() for node in flow.nodes.values()}
        return [repo.specs[spec_id] for spec_id in sorted(used) if spec_id in repo.specs]
