"""NodeGraphQt, imported quietly on top of PySide6.

NodeGraphQt reaches Qt through Qt.py, which picks a binding at import time and prints a
warning for every optional Qt module the wheel lacks (QtMultimedia...). We pin the binding to
PySide6 and drop those warnings so the terminal only shows our own messages.

NodeGraphQt compares Qt versions with distutils' ``LooseVersion``. On Python 3.11 the
standard library's distutils is loaded for it first: setuptools' shim, which a ``.pth`` file
installs at start-up, would import all of setuptools and ``pkg_resources`` instead (a fifth
of a second). From 3.12 on, only the shim provides distutils.
"""

from __future__ import annotations

import contextlib
import importlib.machinery
import importlib.util
import io
import os
import sys
import sysconfig
import warnings

os.environ.setdefault("QT_PREFERRED_BINDING", "PySide6")
warnings.filterwarnings("ignore", "distutils Version classes", DeprecationWarning)


def _load_stdlib_distutils() -> None:
    if sys.version_info >= (3, 12) or "distutils" in sys.modules:
        return
    spec = importlib.machinery.PathFinder.find_spec("distutils", [sysconfig.get_path("stdlib")])
    if spec is None or spec.loader is None:  # a bundle without it: the usual import decides
        return
    module = importlib.util.module_from_spec(spec)
    sys.modules["distutils"] = module
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # "slated for removal in 3.12"
        spec.loader.exec_module(module)


_load_stdlib_distutils()

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
PIPE_HIGHLIGHT_COLOR = PipeEnum.HIGHLIGHT_COLOR.value

__all__ = [
    "AbstractNodeItem",
    "NodeTextItem",
    "PipeItem",
    "PortItem",
    "PIPE_DASHED",
    "PIPE_HIGHLIGHT_COLOR",
    "PIPE_SOLID",
    "PORT_IN",
    "PORT_OUT",
    "BaseNode",
    "NodeGraph",
    "NodeViewer",
    "Port",
    "PortConnectedCmd",
]
