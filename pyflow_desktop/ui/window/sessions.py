"""What a file showed when it was last closed, so reopening it brings that back: its open
flow tabs (in order, and the one in front), each canvas's centre and zoom, and its viewers.

Kept in the user's settings under ``sessions``: one JSON object keyed by the file's resolved
path, holding the ``MAX_SESSIONS`` files closed last. Reading is forgiving: what no longer
exists in the file (a flow, a node, a port) is left out.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from ...repository import Repository
from .flow_tabs import FlowTabs
from .panels import Panels
from .user_settings import settings

MAX_SESSIONS = 50
KEY = "sessions"


def capture(tabs: FlowTabs, panels: Panels) -> dict[str, Any]:
    """The session of the window's file as it is now."""
    order = [tabs.widget.widget(i).property("flow_id") for i in range(tabs.widget.count())]
    current = tabs.widget.currentWidget()
    return {
        "tabs": order,
        "current": current.property("flow_id") if current is not None else None,
        "views": {flow_id: list(tabs.canvases[flow_id][0].view_state()) for flow_id in order},
        "viewers": [list(key) for key in panels.viewers.open_keys()],
    }


def _all() -> dict[str, Any]:
    try:
        stored = json.loads(settings().value(KEY) or "{}")
    except (TypeError, ValueError):
        return {}
    return stored if isinstance(stored, dict) else {}


def remember(path: Path, session: dict[str, Any]) -> None:
    """Keep ``session`` for ``path`` (the newest first; the oldest beyond the limit go)."""
    sessions = {str(path): session, **{k: v for k, v in _all().items() if k != str(path)}}
    settings().setValue(KEY, json.dumps(dict(list(sessions.items())[:MAX_SESSIONS])))


def recall(path: Path) -> dict[str, Any] | None:
    session = _all().get(str(path))
    return session if isinstance(session, dict) else None


def restore(session: dict[str, Any], repo: Repository, tabs: FlowTabs, panels: Panels) -> bool:
    """Reopen the session's tabs and viewers; returns whether any tab was opened."""
    views = session.get("views") if isinstance(session.get("views"), dict) else {}
    tab_ids = session.get("tabs") if isinstance(session.get("tabs"), list) else []
    opened = [flow_id for flow_id in tab_ids if isinstance(flow_id, str) and flow_id in repo.flows]
    for flow_id in opened:
        tabs.open_flow(flow_id, view=_view(views.get(flow_id)))
    for key in session.get("viewers") or []:
        if not (isinstance(key, list) and len(key) == 3 and all(isinstance(k, str) for k in key)):
            continue
        flow_id, node_id, port = key
        flow = repo.flows.get(flow_id)
        node = flow.nodes.get(node_id) if flow is not None and flow_id in opened else None
        spec = repo.specs.get(node.spec_id) if node is not None else None
        if spec is not None and spec.output(port) is not None:
            panels.viewers.open_viewer(node_id, port, flow_id)
    current = session.get("current")
    if current in opened:
        tabs.open_flow(current)
    front = tabs.current()[1]
    panels.viewers.show_flow(front.flow.id if front is not None else None)  # only its viewers
    return bool(opened)


def _view(value: Any) -> tuple[float, float, float] | None:
    """A saved (x, y, scale), if it is three finite numbers and a positive scale."""
    if not (isinstance(value, list) and len(value) == 3):
        return None
    if not all(isinstance(v, (int, float)) and math.isfinite(v) for v in value):
        return None
    x, y, scale = (float(v) for v in value)
    return (x, y, scale) if scale > 0 else None
