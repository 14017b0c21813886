"""How the end of a node's dask future becomes its ``NodeOutcome``.

A finished future holds the outcome ``run_node_on_worker`` returned; anything else is a
failure of dask itself (a lost or killed worker, outputs that could not travel), told in one
line naming the cause, with the details in the traceback.
"""

from __future__ import annotations

import traceback

from .node_call import NodeOutcome


def outcome_of(node_id: str, future) -> NodeOutcome:
    """The outcome of the node whose dask task ``future`` ended (finished, erred, cancelled)."""
    status = future.status
    if status == "finished":
        try:
            outcome = future.result()
        except Exception as exc:  # noqa: BLE001 — the outputs could not be pickled or fetched
            what = "its outputs could not be sent back from the dask worker (are they picklable?)"
            return failed_outcome(node_id, what, exc)
        if isinstance(outcome, NodeOutcome):
            return outcome
        return NodeOutcome(node_id, error=f"dask task returned {type(outcome).__name__}")
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
