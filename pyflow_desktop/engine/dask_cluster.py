"""The local Dask cluster ``DaskExecutor`` starts when it is given no scheduler address."""

from __future__ import annotations

import os
import warnings


def local_cluster(threads: int, processes: bool):
    """A ``LocalCluster`` on loopback only, no dashboard, of ``threads`` threads: worker
    processes of one thread each (``processes``: restarting a worker stops exactly one
    node), else one worker in this process."""
    from distributed import LocalCluster

    if processes:
        n_workers, threads = max(1, min(os.cpu_count() or 1, threads)), 1
    else:
        n_workers = 1
    with warnings.catch_warnings():
        # With the dashboard off the scheduler still serves /health on loopback, on port
        # 8787 if free, else on another one (which it warns about).
        warnings.filterwarnings("ignore", "Port .* is already in use")
        # In-process workers talk over dask's in-memory transport (no sockets, far lower
        # latency); worker processes use TCP bound to loopback.
        network = {"host": "127.0.0.1", "protocol": "tcp"} if processes else {}
        return LocalCluster(
            n_workers=n_workers,
            threads_per_worker=max(1, -(-threads // n_workers)),
            processes=processes,
            dashboard_address=None,
            **network,
        )
