"""``run_flow``: the one-call way to run a flow from scripts, notebooks and the CLI."""

from __future__ import annotations

from collections.abc import Iterable

from ..repository import Flow, Repository
from .cache import ResultCache
from .executor import Executor
from .executors import make_executor
from .plan import Targets, plan_run
from .result import RunResult
from .scheduler import Scheduler, Sink


def run_flow(
    repo: Repository,
    flow: Flow | str,
    *,
    targets: Targets = None,
    on_event: Sink | None = None,
    executor: Executor | str = "thread",
    workers: int | None = None,
    timeout: float | None = None,
    cache: ResultCache | None = None,
    first: Iterable[str] = (),
) -> RunResult:
    """Run ``flow`` (an id or a Flow of ``repo``) and return its result.

    ``targets``: ``None`` (the default: the end nodes and their ancestors when the flow marks
    any, else every node, as the original ran flows), ``"all"`` (every node), ``"end"`` (the
    end nodes, an error when there are none) or node ids to run up to.
    ``on_event`` receives every ``RunEvent`` in order, one at a time, from the scheduler's
    loop thread (``RunFinished`` from the calling thread).
    ``executor``: ``"thread"``, ``"process"``, ``"dask"`` or an ``Executor``; ``timeout``: seconds
    a node may run; ``cache``: a ``ResultCache`` whose unchanged nodes are not run again;
    ``first``: nodes whose results are wanted early (they and their ancestors go first).
    Raises ``RepositoryError`` (or ``PlanError``) when the flow or the request is invalid.
    """
    plan = plan_run(repo, flow, targets)
    if isinstance(executor, str):
        executor = make_executor(executor, workers)
    return Scheduler(plan, executor, on_event, timeout, cache, first).run()
