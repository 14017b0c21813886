"""The executors by name: ``make_executor("thread" | "process" | "dask", ...)``.

The process and Dask executors are imported only when first asked for (``distributed`` is
slow to import and optional).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .executor import Executor
from .thread_executor import ThreadExecutor


def _dask_executor(max_workers: int | None = None, **options: Any) -> Executor:
    from .dask_executor import DaskExecutor  # imports distributed only when first used

    return DaskExecutor(max_workers, **options)


def _process_executor(max_workers: int | None = None, **options: Any) -> Executor:
    from .process_executor import ProcessExecutor

    return ProcessExecutor(max_workers, **options)


EXECUTORS: dict[str, Callable[..., Executor]] = {
    "thread": ThreadExecutor,
    "process": _process_executor,
    "dask": _dask_executor,
}


def make_executor(name: str, max_workers: int | None = None, **options: Any) -> Executor:
    """``options`` go to the executor, e.g. ``scheduler_address`` for ``"dask"``."""
    try:
        factory = EXECUTORS[name]
    except KeyError:
        raise ValueError(f"unknown executor {name!r}; use one of {', '.join(EXECUTORS)}") from None
    return factory(max_workers, **options)
