"""How the end of a node's dask future becomes its ``NodeOutcome``.

A finished future holds the node's outputs, which stay on the cluster; what its run said
came before it (``meta``, ``dask_values``): its outcome, with a ``Handle`` for each output.
Anything else is a failure of dask itself (a lost or killed worker, a value that could not
travel), told in one line naming the cause, with the details in the traceback.
"""

from __future__ import annotations

import traceback

from .handles import Handle
from .node_call import NodeOutcome


def outcome_of(node_id: str, holder, meta: dict | None, scope: str) -> NodeOutcome:
    """The outcome of the node whose future (``holder.future``) ended (finished, erred,
    cancelled), from ``meta``, what its run said; its values are kept under ``scope``."""
    future = holder.future
    status = future.status
    if status == "finished":
        if type(meta) is not dict:
            return NodeOutcome(node_id, error="dask ran it, but what it said did not come")
        meta = dict(meta)
        outputs = {
            port: Handle((scope, node_id, port), [holder], size, view)
            for port, (view, size) in meta.pop("outputs").items()
        }
        return NodeOutcome(node_id, outputs, **meta)
    if status != "error":  # cancelled by dask (not by us) or lost with its worker/scheduler
        return NodeOutcome(node_id, error=f"dask worker lost: the task was {status} by dask")
    try:
        exc = future.exception()
    except Exception as error:  # noqa: BLE001
        exc = error
    from distributed import KilledWorker

    if isinstance(exc, KilledWorker):  # its message would count the attempts we did not make
        where = getattr(exc.last_worker, "address", "its worker")
        return NodeOutcome(
            node_id,
            error=f"dask worker lost: KilledWorker: the worker process died running it ({where})",
        )
    if isinstance(exc, OSError):
        return failed_outcome(node_id, "dask worker lost", exc)
    return failed_outcome(node_id, "dask could not run the node", exc)


def failed_outcome(node_id: str, what: str, exc: BaseException | None) -> NodeOutcome:
    """A node outcome for a failure of dask itself: one line naming the cause, full details
    in the traceback (dask puts whole tracebacks in some messages)."""
    if exc is None:
        return NodeOutcome(node_id, error=f"{what}: unknown error")
    lines = [line for line in str(exc).strip().splitlines() if line.strip()]
    text = f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")
    if len(lines) > 1:
        text += f" ({lines[-1].strip()})"
    trace = "".join(traceback.format_exception(exc))
    return NodeOutcome(node_id, error=f"{what}: {text}", traceback=trace)
