"""NodeGraphQt, imported quietly on top of PySide6.

NodeGraphQt reaches Qt through Qt.py, which picks a binding at import time and prints a
warning for every optional Qt module the wheel lacks (QtMultimedia...). We pin the binding to
PySide6 and drop those warnings so the terminal only shows our own messages.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
import warnings

os.environ.setdefault("QT_PREFERRED_BINDING", "PySide6")
# NodeGraphQt compares Qt versions with distutils' LooseVersion, deprecated upstream.
warnings.filterwarnings("ignore", "distutils Version classes", DeprecationWarning)

_captured = io.StringIO()
with contextlib.redirect_stderr(_captured):
    from NodeGraphQt import BaseNode, NodeGraph, Port
    from NodeGraphQt.base.commands import PortConnectedCmd
    from NodeGraphQt.constants import PipeEnum, PortTypeEnum
    from NodeGraphQt.qgraphics.node_abstract import AbstractNodeItem
    from NodeGraphQt.qgraphics.node_text_item import NodeTextItem
    from NodeGraphQt.qgraphics.pipe import PipeItem
    from NodeGraphQt.qgraphics.port import PortItem
    from NodeGraphQt.widgets.viewer import NodeViewer
for _line in _captured.getvalue().splitlines():
    if not _line.startswith("Qt.py [warning]"):
        print(_line, file=sys.stderr)

PORT_IN = PortTypeEnum.IN.value
PORT_OUT = PortTypeEnum.OUT.value
PIPE_SOLID = PipeEnum.DRAW_TYPE_DEFAULT.value
PIPE_DASHED = PipeEnum.DRAW_TYPE_DASHED.value

__all__ = [
    "AbstractNodeItem",
    "NodeTextItem",
    "PipeItem",
    "PortItem",
    "PIPE_DASHED",
    "PIPE_SOLID",
    "PORT_IN",
    "PORT_OUT",
    "BaseNode",
    "NodeGraph",
    "NodeViewer",
    "Port",
    "PortConnectedCmd",
]
