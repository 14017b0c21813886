"""Running nodes on a dask.distributed cluster: the way to scale past one machine.

``DaskExecutor`` submits each ``NodeTask`` as one dask task (``pure=False``, a unique key)
running ``run_node_on_worker`` on the futures of its inputs; its values stay on the cluster
(``dask_values``), and the future's done callback reports the ``NodeOutcome`` with handles
to them: the client gets views, never values. ``distributed`` is imported only when the
executor connects, so importing the engine stays cheap.

Start, streaming and outcome: distributed has no Pub/Sub, so a node's start (the
scheduler's timeout counts from it, not from the time queued for a worker), a generator
node's partial values and what its run said travel through the cluster's event broker: the
worker calls ``Worker.log_event(topic, ...)``, and the client receives it through
``Client.subscribe_topic`` on its event loop thread. Worker → scheduler → client streams are
ordered, so they come before the future is done. Each message carries the run id, so one
from a node of an earlier run is dropped; when dask reruns a task (we restarted its worker)
the restarted stream's values are forwarded only from the index after the last one.

Containment: a node is tried once (``dask_scheduler.OneAttempt``): one that kills its worker
fails with ``KilledWorker`` instead of killing every worker in turn. Stop and timeouts:
``stop_node`` cancels the node's future and sets a ``distributed.Event`` named after its key
(a streaming generator checks it between yields, at most every
``dask_worker.STOP_CHECK_INTERVAL`` seconds); a node already running on a worker with a nanny
gets that worker restarted, which frees it however the node hangs. On a worker without a nanny
(the in-process local cluster) a running plain function cannot be interrupted: its result is
discarded, but it keeps its worker thread until it returns.

State: ``_client``/``_cluster`` (kept across runs until ``shutdown``; ``_connect_lock``).
Guarded by ``_lock``, which is never held while waiting on dask (the client's event loop
thread takes it too): ``_run`` (the current run's id and ``report``),
``_keys``/``_futures`` (node id → task key / future, for the current run's nodes in flight),
``_started`` (node id → the address of the worker running it and whether a nanny watches it),
``_stopped`` (keys this executor cancelled itself, whose callbacks report nothing) and
``_set_events`` (stop events set, cleared after a while so the scheduler can drop them).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from .dask_cluster import local_cluster
from .dask_outcome import failed_outcome, outcome_of
from .dask_values import DaskHolder
from .dask_worker import KEY_PREFIX, run_node_on_worker, stop_event_name, truncate_topic
from .executor import Executor, Report, default_workers
from .handles import Linked
from .node_call import NodeTask
from .worker_messages import ForgedMessage, parse_frame

if TYPE_CHECKING:  # imported when the executor connects
    from distributed import Client, LocalCluster

_EVENT_KEEP_SECONDS = 60.0
_UNREAD = "dask ran it, but what its worker said of it could not be read"


@dataclass
class _Run:
    run_id: str
    report: Report
    events: int = 0  # heard through the event broker (kept on the scheduler until truncated)
    last_index: dict[str, int] = field(default_factory=dict)
    meta: dict[str, dict] = field(default_factory=dict)  # node id → what its run said


class DaskExecutor(Executor):
    """Runs nodes on a ``distributed`` cluster: one at ``scheduler_address``, else a local one.

    The local cluster listens on loopback only (``127.0.0.1``, no dashboard); ``processes``
    chooses worker processes over threads in this process. Node code runs on the workers, so a
    remote cluster needs ``pyflow_desktop`` installed there. The client is created by the first
    ``start`` (or ``connect``) and kept across runs; ``shutdown`` closes it and the cluster.
    Without ``max_workers``, the cap on nodes in flight is the cluster's total worker threads.
    """

    name = "dask"
    holds_values = True

    def __init__(
        self,
        max_workers: int | None = None,
        scheduler_address: str | None = None,
        *,
        processes: bool = False,
        connect_timeout: float = 10.0,
    ) -> None:
        super().__init__(max_workers)
        self._requested_workers = max_workers
        self.scheduler_address = scheduler_address
        self.processes = processes
        self.runs_here = not (processes or scheduler_address)  # an in-process cluster
        self.connect_timeout = connect_timeout
        self._lock = threading.Lock()  # run state; never held while waiting on dask
        self._connect_lock = threading.Lock()  # connect and shutdown
        self._client: Client | None = None
        self._cluster: LocalCluster | None = None
        self._topic = f"pyflow-partials-{uuid.uuid4().hex}"
        self._run: _Run | None = None
        self._futures: dict[str, Any] = {}
        self._keys: dict[str, str] = {}
        self._started: dict[str, tuple[str, bool]] = {}
        self._stopped: set[str] = set()
        self._set_events: list[tuple[float, str]] = []

    # -- connection --

    @property
    def client(self) -> Client | None:
        """The ``distributed.Client`` (``None`` before the first ``start``/``connect``)."""
        return self._client

    def connect(self) -> Client:
        """Connect (or start the local cluster) if not done yet; returns the client."""
        with self._connect_lock:
            client = self._client
            if client is not None and client.status not in ("closing", "closed", "failed"):
                return client
            self._close_client()
            try:
                from distributed import Client
            except ImportError:
                raise ImportError(
                    "the Dask executor needs the distributed package: "
                    "pip install 'pyflow-desktop[dask]'"
                ) from None

            if self.scheduler_address:
                try:
                    client = Client(
                        self.scheduler_address,
                        set_as_default=False,
                        timeout=self.connect_timeout,
                    )
                except Exception as exc:
                    raise ConnectionError(
                        f"could not connect to the dask scheduler at "
                        f"{self.scheduler_address}: {exc}"
                    ) from exc
            else:
                threads = self._requested_workers or default_workers()
                self._cluster = local_cluster(threads, self.processes)
                client = Client(self._cluster, set_as_default=False)
            client.subscribe_topic(self._topic, self._on_event)
            self._one_attempt(client)
            self._client = client
            return client

    @staticmethod
    def _one_attempt(client: Client) -> None:
        from .dask_scheduler import OneAttempt

        try:
            client.register_plugin(OneAttempt())
        except Exception:  # noqa: BLE001 — a scheduler without pyflow_desktop installed:
            pass  # dask then retries a node that kills its worker (allowed-failures)

    @staticmethod
    def _total_threads(client: Client) -> int:
        try:
            return sum(client.nthreads().values())
        except Exception:  # noqa: BLE001
            return 0

    # -- Executor --

    def start(self, report: Report, cancelled: threading.Event) -> None:
        client = self.connect()
        with self._lock:
            self._run = _Run(uuid.uuid4().hex, report)  # Stop reaches nodes through stop_node
            self._futures = {}
            self._keys = {}
            self._started = {}
        if self._requested_workers is None:
            self.max_workers = self._total_threads(client) or default_workers()
        self._forget_old_events()

    def submit(self, task: NodeTask) -> None:
        key = f"{KEY_PREFIX}{task.node_id}-{uuid.uuid4().hex}"
        with self._lock:
            run, client = self._run, self._client
            if run is None or client is None:
                raise RuntimeError("DaskExecutor.submit called before start")
            self._keys[task.node_id] = key  # before submitting: partials may come at once
        inputs = {}  # node id → the future of its (meta, outputs): dask passes the values
        for arg in task.args:
            if type(arg) is Linked and arg.key is not None:
                assert arg.handle is not None, "dask takes no batches: each linked value has one"
                inputs[arg.key[1]] = cast(DaskHolder, arg.handle.holders[0]).future
        try:
            future = client.submit(
                run_node_on_worker,
                task,
                self._topic,
                run.run_id,
                key,
                inputs,
                pure=False,
                key=key,
            )
        except Exception as exc:  # noqa: BLE001 — e.g. arguments that cannot be sent
            with self._lock:
                self._keys.pop(task.node_id, None)
            run.report(
                ("done", task.node_id, failed_outcome(task.node_id, "dask could not run it", exc))
            )
            return
        with self._lock:
            self._futures[task.node_id] = future
        holder = DaskHolder(client, future)
        future.add_done_callback(
            lambda fut, node_id=task.node_id, run=run: self._on_done(
                node_id, run, key, holder, task.scope
            )
        )

    def stop_node(self, node_id: str) -> bool:
        """Cancel the node; if it runs already, restart its worker. Returns False when it
        runs on a worker without a nanny, where it goes on until it returns."""
        with self._lock:
            future = self._futures.pop(node_id, None)
            key = self._keys.pop(node_id, None)
            started = self._started.pop(node_id, None)
            if future is None or key is None:
                return False
            self._stopped.add(key)
        self._stop(future, key)
        if started is None:  # still waiting for a worker: cancelling frees it
            return True
        address, nanny = started
        if nanny:
            threading.Thread(
                target=self._restart, args=(address,), name="pyflow-dask-restart", daemon=True
            ).start()
        return nanny

    def _restart(self, address: str) -> None:
        """Restart the worker at ``address`` (on its scheduler, through its nanny)."""
        from .dask_scheduler import restart_worker

        client = self._client
        if client is None:
            return
        try:
            client.run_on_scheduler(restart_worker, address)
        except Exception:  # noqa: BLE001 — no pyflow_desktop on the scheduler: dask's own way
            try:
                client.restart_workers([address], raise_for_error=False)
            except Exception:  # noqa: BLE001 — the cluster is going away
                pass

    def close(self) -> None:
        """End this run's work (outstanding nodes are stopped); the client stays open."""
        for node_id in list(self._futures):
            self.stop_node(node_id)
        with self._lock:
            run, self._run = self._run, None
        if run is not None and run.events and self._client is not None:
            try:
                self._client.run_on_scheduler(truncate_topic, self._topic)
            except Exception:  # noqa: BLE001 — only frees memory on the scheduler
                pass

    def shutdown(self) -> None:
        """Close the client, and the local cluster if this executor started one."""
        self.close()
        with self._connect_lock:
            self._close_client()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()

    # -- internals --

    def _close_client(self) -> None:
        client, cluster = self._client, self._cluster
        self._client = self._cluster = None
        with self._lock:
            set_events, self._set_events = self._set_events, []
        if client is not None:
            for _, name in set_events:
                try:
                    _event(client, name).clear()
                except Exception:  # noqa: BLE001
                    pass
            try:
                client.unsubscribe_topic(self._topic)
            except Exception:  # noqa: BLE001
                pass
            client.close()
        if cluster is not None:
            cluster.close()

    def _stop(self, future, key: str) -> None:
        """Cancel a node's future and tell a streaming generator to stop."""
        client = self._client
        if client is None:
            return
        try:
            _event(client, stop_event_name(key)).set()
            with self._lock:
                self._set_events.append((time.monotonic(), stop_event_name(key)))
        except Exception:  # noqa: BLE001 — the cancel below still frees the slot
            pass
        try:
            client.cancel([future])
        except Exception:  # noqa: BLE001
            pass

    def _forget_old_events(self) -> None:
        """Clear stop events set long ago, so the scheduler can drop them."""
        limit = time.monotonic() - _EVENT_KEEP_SECONDS
        with self._lock:
            old = [name for at, name in self._set_events if at < limit]
            self._set_events = [(at, name) for at, name in self._set_events if at >= limit]
        for name in old:
            try:
                _event(self._client, name).clear()
            except Exception:  # noqa: BLE001
                pass

    def _on_event(self, event: tuple[float, Any]) -> None:
        """A node's start, partial value or outcome from a worker (on the client's event
        loop thread)."""
        try:
            kind, run_id, node_id, *rest = event[1]
        except (TypeError, ValueError):
            return
        if kind == "started":
            self._on_started(run_id, node_id, *rest)
            return
        if kind == "done":
            key, frame = rest
            with self._lock:
                run = self._run
                if run is None or run.run_id != run_id or self._keys.get(node_id) != key:
                    return
                run.events += 1
            item = _read(frame, node_id)
            with self._lock:
                run.meta[node_id] = item[2] if item else {"error": _UNREAD}
            return
        index, frame = rest
        with self._lock:
            run = self._run
            if run is None or run.run_id != run_id or node_id not in self._keys:
                return
            # dask reruns a task whose worker died, restarting its stream: skip values seen.
            if index <= run.last_index.get(node_id, -1):
                return
            run.last_index[node_id] = index
            run.events += 1
        item = _read(frame, node_id)
        if item is not None:
            run.report(("partial", node_id, item[3], index))  # its view

    def _on_started(self, run_id: str, node_id: str, key: str, address: str, nanny: bool) -> None:
        with self._lock:
            run = self._run
            if run is None or run.run_id != run_id or self._keys.get(node_id) != key:
                return
            self._started[node_id] = (address, nanny)
            run.events += 1
        run.report(("started", node_id))

    def _on_done(self, node_id: str, run: _Run, key: str, holder: DaskHolder, scope: str) -> None:
        """A node's future finished, failed or was cancelled (runs on dask's callback
        thread); its outcome came before, through the event broker."""
        with self._lock:
            if key in self._stopped:
                self._stopped.discard(key)
                return
            if self._keys.get(node_id) == key:
                del self._keys[node_id]
                self._futures.pop(node_id, None)
                self._started.pop(node_id, None)
            meta = run.meta.pop(node_id, None)
        run.report(("done", node_id, outcome_of(node_id, holder, meta, scope)))


def _read(frame: Any, node_id: str) -> list | None:
    """The one item of a worker's ``frame`` about ``node_id`` (``None``: not such a frame)."""
    try:
        (item,) = parse_frame(frame)
    except (ForgedMessage, TypeError, ValueError):
        return None
    return item if item[1] == node_id else None


def _event(client, name: str):
    from distributed import Event

    return Event(name, client=client)
