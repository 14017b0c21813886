"""The application's palette in the window: what the Library, the canvases, the Tab search and
trust learn from it, and the actions on it — update a file's spec to the library's version,
open My nodes.

A file's spec that differs from the palette's spec of its id is marked in the Library and on
its nodes; "Update to library version" replaces it as one undoable step (a spec save: links
and values on ports the library's version lacks are dropped, the others kept), saying first
what would be dropped.

State: ``watch`` (the ``PaletteWatch``: the palette as last read), ``_specs`` (the palette's
usable specs by id, made once per reading), ``_compared`` (spec id → the file's spec, the
palette's and whether they differ, as last compared: a big flow's rebuild asks per node).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

from ...library import LibrarySpec, differs
from ...repository import NodeInstance, NodeSpec
from ..authoring.spec_commands import SaveSpecCommand, describe_drops
from ..canvas.bridge import FlowBridge
from .dialogs import confirm
from .flow_tabs import FlowTabs
from .library_panel import LibraryPanel
from .palette_watch import PaletteWatch
from .shell import Shell, add_action


class LibraryActions(QtCore.QObject):
    """Connects the palette to the Library panel, the canvases and the Tab search."""

    def __init__(
        self, shell: Shell, tabs: FlowTabs, panel: LibraryPanel, watch: PaletteWatch
    ) -> None:
        super().__init__(shell)
        self.shell, self.tabs, self.panel, self.watch = shell, tabs, panel, watch
        self._specs: dict[str, NodeSpec] | None = None
        self._compared: dict[str, tuple[NodeSpec, NodeSpec, bool]] = {}
        panel.library_version = self.library_version
        panel.update_requested.connect(self.update_to_library)
        panel.open_folder_requested.connect(self.open_folder)
        tabs.flow_opened.connect(self._flow_opened)
        watch.changed.connect(self._palette_changed)
        panel.set_palette(watch.palette)

    def palette_specs(self) -> dict[str, NodeSpec]:
        """The palette's specs that are used (not shadowed), by id."""
        if self._specs is None:
            self._specs = {entry.spec.id: entry.spec for entry in self.watch.palette.used()}
        return self._specs

    def installed_specs(self) -> list[NodeSpec]:
        """Every spec of the user's installation (built-in, My nodes, packages): its code is
        the user's own, and runs without asking."""
        return [entry.spec for entry in self.watch.palette.entries]

    def library_version(self, spec_id: str) -> LibrarySpec | None:
        """The palette's entry for ``spec_id`` when the open file's copy differs from it."""
        spec = self.shell.repo.specs.get(spec_id) if self.shell.repo is not None else None
        entry = self.watch.palette.get(spec_id)
        if spec is None or entry is None:
            return None
        known = self._compared.get(spec_id)
        if known is None or known[0] is not spec or known[1] is not entry.spec:
            known = self._compared[spec_id] = (spec, entry.spec, differs(spec, entry.spec))
        return entry if known[2] else None

    def note(self, node: NodeInstance) -> str:
        """What a node says when its spec differs from the library's ("": it does not)."""
        entry = self.library_version(node.spec_id) if node.subflow is None else None
        if entry is None:
            return ""
        return (
            f"Its nodespec differs from the {entry.section.title} version "
            "(right-click: Update to library version)"
        )

    def node_entries(self, menu: QtWidgets.QMenu, spec_id: str) -> None:
        """A node's right-click entries about the library."""
        if self.library_version(spec_id) is not None:
            add_action(menu, "Update to &library version", lambda: self.update_to_library(spec_id))

    def update_to_library(self, spec_id: str) -> bool:
        """Replace the file's ``spec_id`` by the library's, as one undoable step; when that
        drops links or values, only once the user agrees."""
        entry = self.library_version(spec_id)
        if entry is None:
            return False
        command = SaveSpecCommand(self.shell.repo, entry.spec.copy())
        version = f"the {entry.section.title} version"
        command.setText(f"Update {spec_id} to {version}")
        dropped = describe_drops(command)
        if dropped and not confirm(
            self.shell,
            "Update to library version",
            f"{version.capitalize()} of {spec_id} lacks ports that the flows use. Updating "
            f"drops:\n\n{dropped}\n\nThe other links and values are kept; Undo brings all "
            "back.",
            "Update",
        ):
            return False
        self.shell.undo_stack.push(command)
        self.shell.show_message(
            f"Updated {spec_id} to {version}" + (f"; dropped {dropped}" if dropped else "")
        )
        return True

    def open_folder(self) -> None:
        if not self.watch.open_folder():
            self.shell.show_message(f"Cannot open My nodes ({self.watch.folder})")

    def _flow_opened(self, _flow_id: str, bridge: FlowBridge) -> None:
        bridge.palette_specs = self.palette_specs
        bridge.library_note = self.note
        bridge.show_library_notes()

    def _palette_changed(self) -> None:
        self._specs = None
        self.panel.set_palette(self.watch.palette)
        for _canvas, bridge in self.tabs.canvases.values():
            bridge.show_library_notes()
        mine = self.watch.palette.section("user")
        broken = f", {len(mine.broken)} broken file(s)" if mine.broken else ""
        self.shell.show_message(f"My nodes read again: {len(mine.specs)} nodespec(s){broken}")
