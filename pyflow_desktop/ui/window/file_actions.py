"""The File menu: new, open, open recent, save, save as, import, export.

Files are read and written by ``repository``; this module asks the user (which file, what
to do with unsaved changes or clashing ids) and turns an import into undoable commands.
``settle`` asks about unsaved code edits first (the Code panel's ``settle_spec_edits``).
A save is written off the GUI thread (``saving``); ``saving`` is true meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6 import QtCore, QtWidgets

from ...export.script import flow_script, write_script
from ...repository import (
    NodeSpec,
    Repository,
    RepositoryError,
    check_file,
    load_repository,
    save_repository,
)
from ...repository.merge import clashes, export_repository, plan_import
from ...repository.nodemaker import specs_from_files
from ..authoring.spec_commands import SaveSpecCommand
from ..commands import AddFlowCommand, AddSpecCommand, RemoveFlowCommand
from ..shortcuts import keys
from .dialogs import ask_export_flows, ask_import_policy
from .flow_tabs import FlowTabs, next_flow
from .saving import save_off_the_gui_thread
from .shell import Shell, add_action
from .user_settings import settings, string_list

MAX_RECENT = 10
FILTERS = {"PyFlow Desktop files (*.json)": "native", "Original PyFlow files (*.json)": "original"}


class FileActions(QtCore.QObject):
    """Opens, saves, imports and exports the window's repository."""

    def __init__(
        self,
        shell: Shell,
        tabs: FlowTabs,
        *,
        settle: Callable[[], bool],
        from_outside: Callable[[list[NodeSpec]], None],
        allow_save: Callable[[Path], bool],
        saved: Callable[[Path, str | None], None],
    ) -> None:
        """``settle()``: whether unsaved code edits are dealt with (False: the user
        cancelled); ``from_outside(specs)``: these specs came from a file, and running them
        asks first; ``allow_save(path)``: whether a save may replace the file's content (it
        may have changed on disk); ``saved(path, digest)``: the repository was written."""
        super().__init__(shell)
        self.shell = shell
        self.tabs = tabs
        self.settle = settle
        self.from_outside = from_outside
        self.allow_save = allow_save
        self.saved = saved
        self.saving = False

    def fill_menu(self, menu: QtWidgets.QMenu) -> None:
        add_action(menu, "&New", self.new_repository, keys("new"))
        add_action(menu, "&Open…", self.open_dialog, keys("open"))
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        add_action(menu, "&Save", self.save, keys("save"))
        add_action(menu, "Save &As…", self.save_as_dialog, keys("save_as"))
        menu.addSeparator()
        add_action(menu, "&Import…", self.import_dialog)
        add_action(menu, "Import &Python files…", self.import_python_dialog)
        add_action(menu, "&Export…", self.export_dialog)
        add_action(menu, "Export as Python scrip&t…", self.export_script_dialog)
        menu.addSeparator()
        add_action(menu, "&Quit", self.shell.close, keys("quit"))

    # -- open -------------------------------------------------------------------------------

    def load(self, path: str | Path) -> None:
        """Open a repository file; raises ``RepositoryError`` when it is invalid."""
        path = Path(path)
        self.shell.set_repository(load_repository(path), path.resolve())

    def maybe_save(self) -> bool:
        """Ask about unsaved changes (a value still being typed is one); False when the user
        cancels."""
        shell = self.shell
        self.tabs.finish_typing()
        if not shell.ask_on_close:
            return True
        if not self.settle():
            return False
        if shell.undo_stack.isClean():
            return True
        buttons = QtWidgets.QMessageBox.StandardButton
        answer = QtWidgets.QMessageBox.question(
            shell,
            "Unsaved changes",
            "Save the changes to this repository first?",
            buttons.Save | buttons.Discard | buttons.Cancel,
        )
        if answer == buttons.Save:
            return self.save()
        return answer == buttons.Discard

    def new_repository(self) -> None:
        """An empty file with one empty flow on a canvas; the Library keeps the palette."""
        if self.maybe_save():
            repo = Repository()
            repo.add_flow(next_flow(repo))
            self.shell.set_repository(repo, None)
            self.tabs.open_flow(next(iter(repo.flows)))

    def open_dialog(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.shell, "Open repository", self._folder(), "Repositories (*.json);;All files (*)"
        )
        if path:
            self.open_path(path)

    def open_asking(self, path: str | Path) -> bool:
        """Open ``path`` once unsaved changes are dealt with (Open Recent, a file the system
        hands the application)."""
        return self.maybe_save() and self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        try:
            self.load(path)
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self.shell, "Cannot open", _every_problem(path, error))
            return False
        if self.shell.repo.flows and not self.tabs.canvases:  # nothing came back from last time
            self.tabs.open_flow(next(iter(self.shell.repo.flows)))
        return True

    def _folder(self, name: str = "") -> str:
        """Where a file dialog starts: beside the open file (else the last one opened)."""
        recent = self.recent_files()
        near = self.shell.path or (Path(recent[0]) if recent else None)
        return str(near.parent / name) if near is not None else name

    def remember(self, path: Path) -> None:
        """Put ``path`` first in Open Recent."""
        recent = [p for p in self.recent_files() if p != str(path)]
        settings().setValue("recent", [str(path), *recent][:MAX_RECENT])

    def recent_files(self) -> list[str]:
        """Open Recent's paths, most recent first."""
        return string_list(settings().value("recent"))

    def forget_recent(self, keep_existing: bool) -> None:
        """Clear Open Recent, or (``keep_existing``) only drop the files that are gone."""
        kept = [p for p in self.recent_files() if keep_existing and Path(p).exists()]
        settings().setValue("recent", kept)

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        recent = self.recent_files()
        for path in recent:
            action = add_action(
                menu,
                path.replace("&", "&&"),  # a menu shows "&" as a mnemonic otherwise
                lambda path=path: self.open_asking(path),
            )
            if not Path(path).exists():
                action.setEnabled(False)
                action.setToolTip(f"{path} no longer exists")
        menu.setToolTipsVisible(True)
        if recent:
            menu.addSeparator()
        remove_missing = add_action(menu, "Remove &missing files", lambda: self.forget_recent(True))
        remove_missing.setEnabled(any(not Path(p).exists() for p in recent))
        clear = add_action(menu, "&Clear list", lambda: self.forget_recent(False))
        clear.setEnabled(bool(recent))

    # -- save -------------------------------------------------------------------------------

    def save(self) -> bool:
        if self.shell.path is None:
            return self.save_as_dialog()
        return self.save_to(self.shell.path, "native")

    def save_as_dialog(self) -> bool:
        path, chosen = QtWidgets.QFileDialog.getSaveFileName(
            self.shell,
            "Save repository as",
            str(self.shell.path or "untitled.json"),
            ";;".join(FILTERS),
        )
        return bool(path) and self.save_to(Path(path), FILTERS.get(chosen, "native"))

    def save_to(self, path: str | Path, fmt: str = "native") -> bool:
        path = Path(path)
        if self.saving:
            return False
        self.tabs.finish_typing()  # a value typed but not yet committed is saved too
        if not self.allow_save(path):
            return False
        repo, shell = self.shell.repo, self.shell
        shell.statusBar().showMessage(f"Saving {path}…")
        self.saving = True
        try:
            digest, error = save_off_the_gui_thread(repo, path, fmt)
        finally:
            self.saving = False
        if isinstance(error, OSError):
            shell.statusBar().clearMessage()
            QtWidgets.QMessageBox.warning(shell, "Cannot save", f"{path}: {error.strerror}")
            return False
        if isinstance(error, RepositoryError):  # a value JSON cannot hold; the file is untouched
            shell.statusBar().clearMessage()
            QtWidgets.QMessageBox.warning(shell, "Cannot save", str(error))
            return False
        if error is not None:
            raise error
        shell.set_path(path.resolve())
        self.saved(path.resolve(), digest)
        shell.undo_stack.setClean()
        self.remember(path.resolve())
        shell.statusBar().showMessage(f"Saved {path} ({fmt} format)", 5000)
        return True

    # -- import and export ------------------------------------------------------------------

    def import_dialog(self) -> None:
        path, _ = QtWidgets.QFileDialog.getOpenFileName(
            self.shell, "Import repository", self._folder(), "Repositories (*.json)"
        )
        if not path:
            return
        try:
            source = load_repository(path)
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self.shell, "Cannot import", str(error))
            return
        policy = "skip"
        clashing = clashes(self.shell.repo, source)
        if clashing:
            policy = ask_import_policy(self.shell, clashing)
            if policy is None:
                return
        self.import_repository(source, policy)

    def import_repository(self, source: Repository, policy: str = "skip") -> None:
        """Merge ``source`` into the open repository as one undoable step."""
        repo, undo_stack = self.shell.repo, self.shell.undo_stack
        plan = plan_import(repo, source, policy)
        if not plan:
            return
        self.from_outside([*plan.add_specs, *plan.replace_specs])
        undo_stack.beginMacro("Import")
        for spec in plan.add_specs:
            undo_stack.push(AddSpecCommand(repo, spec))
        for spec in plan.replace_specs:  # as a save: what used removed ports is dropped
            undo_stack.push(SaveSpecCommand(repo, spec))
        for flow in plan.replace_flows:
            undo_stack.push(RemoveFlowCommand(repo, flow.id))
        for flow in [*plan.replace_flows, *plan.add_flows]:
            undo_stack.push(AddFlowCommand(repo, flow))
        undo_stack.endMacro()

    def import_python_dialog(self) -> None:
        paths, _ = QtWidgets.QFileDialog.getOpenFileNames(
            self.shell, "Import nodemaker modules", self._folder(), "Python files (*.py)"
        )
        if paths:
            self.import_python_files(paths)

    def import_python_files(self, paths: list[str]) -> bool:
        """Add (or replace) the nodespecs of original nodemaker modules, as one undoable step;
        the modules are parsed, never run."""
        try:
            specs = specs_from_files(paths)
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self.shell, "Cannot import", str(error))
            return False
        repo, undo_stack = self.shell.repo, self.shell.undo_stack
        self.from_outside(specs)
        undo_stack.beginMacro("Import Python files")
        for spec in specs:  # a replaced spec is saved: what used its removed ports is dropped
            command = SaveSpecCommand if spec.id in repo.specs else AddSpecCommand
            undo_stack.push(command(repo, spec))
        undo_stack.endMacro()
        self.shell.show_message(f"Imported nodespecs {', '.join(spec.id for spec in specs)}")
        return True

    def export_script_dialog(self) -> None:
        _canvas, bridge = self.tabs.current()
        if bridge is None:
            self.shell.statusBar().showMessage("Open the flow to export first", 5000)
            return
        path, _ = QtWidgets.QFileDialog.getSaveFileName(
            self.shell,
            "Export as Python script",
            self._folder(f"{bridge.flow.id}.py"),
            "Python files (*.py)",
        )
        if path:
            self.export_script(bridge.flow.id, path)

    def export_script(self, flow_id: str, path: str | Path) -> bool:
        """Write ``flow_id`` as a standalone script (standard library only) to ``path``."""
        origin = self.shell.path.name if self.shell.path else ""
        try:
            write_script(flow_script(self.shell.repo, flow_id, origin=origin), path)
        except RepositoryError as error:
            QtWidgets.QMessageBox.warning(self.shell, "Cannot export", str(error))
            return False
        except OSError as error:
            QtWidgets.QMessageBox.warning(self.shell, "Cannot export", f"{path}: {error.strerror}")
            return False
        self.shell.statusBar().showMessage(f"Exported {flow_id} to {path}", 5000)
        return True

    def export_dialog(self) -> None:
        chosen = ask_export_flows(self.shell, self.shell.repo, set(self.tabs.canvases))
        if not chosen:
            return
        path, picked = QtWidgets.QFileDialog.getSaveFileName(
            self.shell, "Export to", self._folder(), ";;".join(FILTERS)
        )
        if path:
            self.export_to(path, chosen, FILTERS.get(picked, "native"))

    def export_to(self, path: str | Path, flow_ids: list[str], fmt: str = "native") -> bool:
        """Write ``flow_ids`` with the specs they use to ``path``."""
        try:
            save_repository(export_repository(self.shell.repo, flow_ids), path, fmt)
        except OSError as error:
            QtWidgets.QMessageBox.warning(self.shell, "Cannot export", f"{path}: {error.strerror}")
            return False
        except RepositoryError as error:  # a value JSON cannot hold; the file is untouched
            QtWidgets.QMessageBox.warning(self.shell, "Cannot export", str(error))
            return False
        return True


def _every_problem(path: str | Path, first: RepositoryError, shown: int = 20) -> str:
    """What is wrong with a file that does not open: every problem ``check`` lists (it never
    runs code), or the one that stopped the load."""
    problems = [str(problem) for problem in check_file(path)] or [str(first)]
    more = f"\n… and {len(problems) - shown} more" if len(problems) > shown else ""
    head = f"{len(problems)} problems:\n" if len(problems) > 1 else ""
    return head + "\n".join(problems[:shown]) + more
