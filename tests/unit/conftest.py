"""The executors the conformance suite runs every case on (``executor``: thread, process
and dask, each test its own, dask one cluster per module: in this process, or of worker
processes for a module that asks for ``dask_processes``)."""

from __future__ import annotations

import pytest

from pyflow_desktop.engine import make_executor

EXECUTORS = ("thread", "process", "dask")


@pytest.fixture
def here(tmp_path, monkeypatch):
    """A fresh working folder, the one the nodes run in."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture(scope="module")
def dask_executor():
    pytest.importorskip("distributed")
    executor = make_executor("dask", 4)
    yield executor
    executor.shutdown()


@pytest.fixture(scope="module")
def dask_processes():
    """Dask on a local cluster of worker processes (two of one thread), so that values
    really stay in, and move between, processes of their own."""
    pytest.importorskip("distributed")
    executor = make_executor("dask", 2, processes=True)
    yield executor
    executor.shutdown()


@pytest.fixture(params=EXECUTORS)
def executor(request):
    """A fresh executor per test (dask reuses one cluster for the module)."""
    if request.param == "dask":
        return request.getfixturevalue("dask_executor")
    return make_executor(request.param, 4)
