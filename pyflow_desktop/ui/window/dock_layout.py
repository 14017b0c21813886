"""Where the docks go: the first-start layout (also View › Reset layout) and new viewers.

The canvas keeps most of the window: the Library and, below it, the Inspector share one
column on the left; viewers dock on the right, tabbed together; the Code panel and the Log
share a tab at the bottom and stay hidden until they are wanted (editing a spec shows Code).
"""

from __future__ import annotations

from PySide6 import QtCore, QtWidgets

Area = QtCore.Qt.DockWidgetArea
Orientation = QtCore.Qt.Orientation
SIDE_FRACTION = 0.21  # of the window's width: the Library and Inspector column
LIBRARY_FRACTION = 0.5  # of that column's height
VIEWER_FRACTION = 0.28  # of the window's width, for the first viewer
BOTTOM_FRACTION = 0.3  # of the window's height, when Code or the Log is shown


def apply_default_layout(
    window: QtWidgets.QMainWindow,
    library: QtWidgets.QDockWidget,
    inspector: QtWidgets.QDockWidget,
    bottom: list[QtWidgets.QDockWidget],
    viewers: list[QtWidgets.QDockWidget],
) -> None:
    """Put every dock in its first-start place (``bottom``: Code and Log, tabbed, hidden)."""
    for dock in (library, inspector, *bottom, *viewers):
        dock.setFloating(False)
    window.addDockWidget(Area.LeftDockWidgetArea, library)
    window.splitDockWidget(library, inspector, Orientation.Vertical)
    for dock in bottom:
        window.addDockWidget(Area.BottomDockWidgetArea, dock)
    for first, other in zip(bottom, bottom[1:], strict=False):
        window.tabifyDockWidget(first, other)
    for dock in bottom:
        dock.hide()
    for index, dock in enumerate(viewers):
        if index == 0:
            window.addDockWidget(Area.RightDockWidgetArea, dock)
        else:
            window.tabifyDockWidget(viewers[0], dock)
    library.show()
    inspector.show()
    # The corners go to the side columns, so a shown Code panel only takes room under the canvas.
    window.setCorner(QtCore.Qt.Corner.BottomLeftCorner, Area.LeftDockWidgetArea)
    window.setCorner(QtCore.Qt.Corner.BottomRightCorner, Area.RightDockWidgetArea)
    QtCore.QTimer.singleShot(0, lambda: _default_sizes(window, library, inspector, viewers))


def _default_sizes(
    window: QtWidgets.QMainWindow,
    library: QtWidgets.QDockWidget,
    inspector: QtWidgets.QDockWidget,
    viewers: list[QtWidgets.QDockWidget],
) -> None:
    """Sizes need a laid-out window: applied once it has shown."""
    width = window.width()
    window.resizeDocks([library], [int(width * SIDE_FRACTION)], Orientation.Horizontal)
    column = library.height() + inspector.height()
    window.resizeDocks([library], [int(column * LIBRARY_FRACTION)], Orientation.Vertical)
    if viewers:
        window.resizeDocks([viewers[0]], [int(width * VIEWER_FRACTION)], Orientation.Horizontal)


def show_bottom_dock(window: QtWidgets.QMainWindow, dock: QtWidgets.QDockWidget) -> None:
    """Show a dock of the bottom area (Code, Log) in front, at a useful height."""
    was_hidden = dock.isHidden()
    dock.show()
    dock.raise_()
    if was_hidden and window.dockWidgetArea(dock) == Area.BottomDockWidgetArea:
        window.resizeDocks([dock], [int(window.height() * BOTTOM_FRACTION)], Orientation.Vertical)


def dock_viewer(
    window: QtWidgets.QMainWindow,
    dock: QtWidgets.QDockWidget,
    others: list[QtWidgets.QDockWidget],
) -> None:
    """Dock a new viewer: tabbed with a viewer already docked, else on the right, where it
    takes width from the canvas and never height from the Inspector."""
    if window.restoreDockWidget(dock):  # the saved layout knows where this viewer was
        return
    docked = [other for other in others if other.isVisible() and not other.isFloating()]
    if docked:
        window.tabifyDockWidget(docked[-1], dock)
        return
    window.addDockWidget(Area.RightDockWidgetArea, dock)
    window.resizeDocks([dock], [int(window.width() * VIEWER_FRACTION)], Orientation.Horizontal)
