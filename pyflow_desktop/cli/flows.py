"""Which flow of a file a command works on: the one named by ``--flow``, or the only one."""

from __future__ import annotations

from ..repository import Repository
from .errors import UsageError


def pick_flow(repo: Repository, flow_id: str | None, file: str) -> str:
    """``flow_id`` (an unknown one raises ``UnknownFlowError``), or the file's only flow;
    ``UsageError`` naming the flows when the file holds several or none."""
    if flow_id is not None:
        return repo.flow(flow_id).id
    if len(repo.flows) == 1:
        return next(iter(repo.flows))
    if not repo.flows:
        raise UsageError(f"{file}: the file holds no flow")
    raise UsageError(
        f"{file}: the file holds several flows; choose one with --flow: " + ", ".join(repo.flows)
    )
