"""A worker's values within its memory budget (``value_store``): the least recently used go
first, to a file when they pickle, else dropped and the owner told; what a job uses stays;
and, through real worker processes, the owner learns of a drop and the budget's default is a
quarter of RAM."""

from __future__ import annotations

import pickle
import threading

import numpy as np
import pytest
from flows import add_nodes, basic_repo, spec, until

from pyflow_desktop.engine import make_executor, run_flow
from pyflow_desktop.engine.process_executor import WorkerPool
from pyflow_desktop.engine.process_pool import total_memory
from pyflow_desktop.engine.value_store import ValueStore
from pyflow_desktop.repository import Flow

KB = 1000


def key(name: str) -> tuple[str, str, str]:
    return ("run", name, "out")


@pytest.fixture
def dropped():
    """The keys a store told its owner it dropped."""
    return []


@pytest.fixture
def store(tmp_path, dropped):
    return ValueStore(250 * KB, str(tmp_path), dropped.extend)


def test_the_least_recently_used_value_goes_to_disk_first_and_comes_back_whole(
    store, tmp_path, dropped
):
    store.put(key("a"), np.full(100_000, 1, dtype=np.uint8))
    store.put(key("b"), np.full(100_000, 2, dtype=np.uint8))
    store.get(key("a"))  # a is used again: b is now the least recently used
    store.put(key("c"), np.full(100_000, 3, dtype=np.uint8))
    (spilled,) = tmp_path.iterdir()
    assert pickle.loads(spilled.read_bytes())[0] == 2 and dropped == []
    again = store.get(key("b"))  # read back from its file, which goes
    assert again.tolist() == [2] * 100_000 and not spilled.exists()
    assert key("a") in store and key("c") in store
    (spilled,) = tmp_path.iterdir()
    assert pickle.loads(spilled.read_bytes())[0] == 1, "a is now the least recently used"


def test_a_value_that_does_not_pickle_is_dropped_and_the_owner_told(store, tmp_path, dropped):
    store.put(key("lock"), [threading.Lock(), b"x" * 200 * KB])
    store.put(key("blob"), b"y" * 200 * KB)
    assert dropped == [key("lock")] and key("lock") not in store
    with pytest.raises(KeyError):
        store.get(key("lock"))
    assert list(tmp_path.iterdir()) == []


def test_what_a_job_uses_stays_in_memory_until_it_is_over(store, tmp_path, dropped):
    store.put(key("in"), b"i" * 200 * KB, pin=True)
    store.put(key("out"), b"o" * 200 * KB, pin=True)
    assert list(tmp_path.iterdir()) == [] and dropped == []
    store.unpin_all()
    store.put(key("next"), b"n" * 10 * KB)
    assert len(list(tmp_path.iterdir())) == 1, "the job over, the oldest went to disk"
    assert store.get(key("in")) == b"i" * 200 * KB


def test_a_released_run_leaves_neither_values_nor_files(store, tmp_path):
    for name in "abc":
        store.put(key(name), b"v" * 100 * KB)
    store.put(("other", "d", "out"), b"w")
    store.release("run")
    assert list(tmp_path.iterdir()) == []
    assert [name for name in "abcd" if key(name) in store] == []
    assert store.get(("other", "d", "out")) == b"w"


UNPICKLABLE = "import threading\ndef func():\n    return [threading.Lock(), b'x' * 300_000]\n"


def test_the_owner_learns_that_a_worker_dropped_a_value_before_anyone_asks():
    pool = WorkerPool(budget=200 * KB)
    try:
        executor = make_executor("process", 1, pool=pool, memory=200 * KB)
        repo = basic_repo()
        repo.add_spec(spec("lock", UNPICKLABLE))
        repo.add_spec(spec("blob", "def func():\n    return b'y' * 300_000\n"))
        first, second = Flow("first"), Flow("second")
        add_nodes(first, ("a", "lock", {}))
        add_nodes(second, ("b", "blob", {}))
        repo.add_flow(first)
        repo.add_flow(second)
        made = run_flow(repo, first, executor=executor)
        handle = made._source.outputs["a"]["out"]
        assert handle.available and made.view("a")["type"] == "list"
        later = run_flow(repo, second, executor=executor)  # the worker lets a go for b
        assert until(lambda: not handle.available, 20)
        with pytest.raises(LookupError, match="let it go under its memory budget"):
            made.output("a")
        assert later.output("b") == b"y" * 300_000
    finally:
        pool.shutdown()


def test_the_budget_is_a_quarter_of_ram_unless_set():
    assert WorkerPool().budget == total_memory() // 4
    assert WorkerPool(budget=123_000).budget == 123_000
