"""Where a job runs: where it can start soonest, moving its values included (``locality``),
and what that gives on real workers: a chain stays in one worker, in few jobs."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import pytest
from flows import add_nodes, basic_repo, link, spec

from pyflow_desktop.engine import make_executor, process_jobs, run_flow
from pyflow_desktop.engine.handles import Handle
from pyflow_desktop.engine.locality import (
    MOVE_BYTES_PER_SECOND,
    START_SECONDS,
    UNKNOWN_SECONDS,
    choose_worker,
)
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.repository import Flow

MB = 2**20


@dataclass
class Task:
    expected: float | None = None


@dataclass
class Job:
    """What ``choose_worker`` reads of a job: the handles it needs, and its tasks."""

    handles: dict = field(default_factory=dict)
    left: dict = field(default_factory=lambda: {"n": Task()})

    def needs(self):
        return self.handles


@dataclass(eq=False)
class Worker:
    job: Job | None = None
    queue: list = field(default_factory=list)
    alive: bool = True

    @property
    def busy(self) -> bool:
        return self.job is not None


def held_by(worker: Worker, size: int) -> Handle:
    return Handle(("run", "n", "out"), [worker], size, {"type": "x", "repr": "x"})


def test_an_idle_worker_holding_the_inputs_runs_the_job():
    holder, other = Worker(), Worker()
    job = Job({"k": held_by(holder, 100 * MB)})
    assert choose_worker(job, [other, holder], 2) is holder


def test_large_inputs_wait_for_their_busy_worker_small_ones_move_to_an_idle_one():
    holder, idle = Worker(job=Job(left={"n": Task(expected=0.01)})), Worker()
    assert choose_worker(Job({"k": held_by(holder, 100 * MB)}), [holder, idle], 2) is holder
    assert choose_worker(Job({"k": held_by(holder, 1000)}), [holder, idle], 2) is idle


def test_inputs_move_when_their_worker_is_busy_for_longer_than_moving_them_takes():
    never_measured = Worker(job=Job())  # UNKNOWN_SECONDS to go
    idle = Worker()
    size = int(MOVE_BYTES_PER_SECOND * UNKNOWN_SECONDS / 2)
    assert (
        choose_worker(Job({"k": held_by(never_measured, size)}), [never_measured, idle], 2) is idle
    )


def test_a_new_worker_starts_when_every_worker_is_busy_and_the_pool_may_grow():
    busy = Worker(job=Job())
    assert UNKNOWN_SECONDS > START_SECONDS
    assert choose_worker(Job(), [busy], 2) is None
    assert choose_worker(Job(), [busy], 1) is busy  # at the limit: it waits


@pytest.fixture
def pool():
    pool = WorkerPool()
    yield pool
    pool.shutdown()


def test_a_chain_of_quick_nodes_stays_in_one_worker_in_few_jobs(pool):
    repo = basic_repo()
    repo.add_spec(
        spec("where", "import os\ndef func(a):\n    return (a or []) + [os.getpid()]\n", ["a:Any"])
    )
    flow = Flow("chain")
    add_nodes(flow, *[(f"n{i}", "where", {}) for i in range(300)])
    for i in range(1, 300):
        link(flow, f"n{i - 1}:out", f"n{i}:a")
    repo.add_flow(flow)
    executor = make_executor("process", 2, pool=pool)
    run_flow(repo, flow, executor=executor)  # the workers start
    first = next(process_jobs._ids)
    result = run_flow(repo, flow, executor=executor)
    jobs = next(process_jobs._ids) - first - 1
    pids = result.output("n299")
    assert len(pids) == 300 and len(set(pids)) == 1 and pids[0] != os.getpid()
    assert jobs <= 3, "the first node alone, then the rest as one batch, sent in chunks"
