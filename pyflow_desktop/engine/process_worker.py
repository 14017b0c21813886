"""The loop that runs inside each worker process of the ``process`` executor.

Started as ``python -P -m pyflow_desktop.engine.process_worker`` (``-P``: the current folder
is not on ``sys.path``, so a ``threading.py`` there is never imported), in a session of its
own: it reads an auth key, its owner's pid, its memory budget, the bytes a message may take,
an address family and its spill folder from stdin, listens on a loopback port (or, in a
sandbox, a Unix socket in its folder) and prints it, then accepts the owner's authenticated
connection. It exits when the connection closes or its owner dies (taking its process group
with it), so no worker outlives its owner.

The owner sends pickled requests (the worker trusts its owner); the worker answers in
msgpack frames of plain data (``worker_messages``). Jobs run one after the other on the
main thread; the other requests are served at once by the reader thread, even while a node
runs:

- ``("run", job_id, imports, tasks)``: load ``imports`` (key → shared memory segment: values
  made by other workers, ``transfer``) into the store, then run each ``NodeTask`` in order.
  A task's ``Linked`` arguments are taken from the store and converted there by the call
  convention; its outputs go into the store, and the owner gets their views and sizes. A
  task whose input another task of the job failed to make does not run (the owner skips it
  too); one whose input is no longer here reports it ``missing``;
- ``("export", request, key)``: write a value into a new segment for another worker (or a
  script's ``RunResult.output``); ``("fetch", request, key, what, params)``: JSON data about
  a value (its full view, a page of rows, its whole series);
- ``("release", scope)``, ``("forget", keys)``, ``("unexport", segment)``, ``("budget", n)``,
  ``("limit", n)`` (the bytes a message may take from now on);
- ``None``: leave.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys
import threading
import time
from multiprocessing.connection import Listener
from queue import SimpleQueue
from typing import Any

from . import transfer
from .call_convention import linked_argument
from .handles import Linked
from .node_call import NodeOutcome, NodeTask, execute_node
from .value_store import ValueStore
from .views import fetch_data, make_view
from .worker_messages import Outbox, send_at_once

OWNER_POLL_SECONDS = 0.25
MISSING = "missing"  # a request's answer when the value is not in this worker
_OUTCOME_TEXTS = ("traceback", "stdout", "stderr")


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the owner's to handle
    authkey_hex, owner_pid, budget, limit, family, folder = sys.stdin.readline().split(maxsplit=5)
    folder = folder.strip()
    if int(owner_pid):  # 0: in a sandbox, which ends with its owner (and hides its pid)
        _die_with_owner(int(owner_pid), folder)
    if family == "AF_UNIX":  # a sandbox has a network of its own: a socket in our folder
        address: Any = os.path.join(folder, "worker.sock")
    else:
        address = ("127.0.0.1", 0)
    listener = Listener(address, family, authkey=bytes.fromhex(authkey_hex))
    print(listener.address if family == "AF_UNIX" else listener.address[1], flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not reach the owner
    conn = listener.accept()
    listener.close()
    if family != "AF_UNIX":
        send_at_once(conn)
    serve(conn, int(budget), int(limit), folder)
    shutil.rmtree(folder, ignore_errors=True)  # the connection closed: its owner is done


_Job = tuple[int, dict, list[tuple]]  # a "run" request's job id, imports and tasks


def serve(conn, budget: int, limit: int, folder: str) -> None:
    """Run jobs from ``conn`` until it closes, in frames of ``limit`` bytes at most."""
    outbox = Outbox(conn, limit)
    store = ValueStore(budget, folder, lambda keys: outbox.put(["dropped", list(map(list, keys))]))
    jobs: SimpleQueue[_Job | None] = SimpleQueue()
    reader = threading.Thread(
        target=_read, args=(conn, jobs, store, outbox), name="pyflow-requests", daemon=True
    )
    reader.start()
    while (job := jobs.get()) is not None:
        run_job(*job, store, outbox)


def _read(conn, jobs: SimpleQueue[_Job | None], store: ValueStore, outbox: Outbox) -> None:
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            request = None
        if request is None:
            jobs.put(None)
            return
        kind = request[0]
        if kind == "run":
            jobs.put(request[1:])
        elif kind in ("export", "fetch"):
            outbox.put(_answer(store, *request))
            outbox.flush()
        elif kind == "release":
            store.release(request[1])
        elif kind == "forget":
            store.forget(request[1])
        elif kind == "unexport":
            transfer.release(request[1])
        elif kind == "budget":
            store.set_budget(request[1])
        elif kind == "limit":
            outbox.set_limit(request[1])


def _answer(store: ValueStore, kind: str, request: int, key: tuple, *rest: Any) -> list:
    try:
        value = store.get(key)
    except KeyError:
        return ["failed", request, MISSING]
    try:
        if kind == "export":
            return ["exported", request, *transfer.pack(value)]
        what, params = rest
        return ["fetched", request, fetch_data(value, what, **params)]
    except Exception as exc:  # noqa: BLE001 — told to the owner, which says why
        return ["failed", request, f"{type(exc).__name__}: {exc}"]


def run_job(job_id: int, imports: dict, tasks: list[tuple], store: ValueStore, outbox) -> None:
    """Run one job's tasks (``process_jobs.wire`` tuples) in order, then say it is over
    (see the module's docstring)."""
    outbox.begin_job()
    broken: dict[tuple, str] = {}  # imported keys that could not be loaded → why
    for key, segment in imports.items():
        try:
            store.put(key, transfer.unpack(segment), pin=True)
        except FileNotFoundError:  # its maker went before we took it: like a lost value
            pass
        except Exception as exc:  # noqa: BLE001 — e.g. a module the value needs is missing
            broken[key] = f"{type(exc).__name__}: {exc}"
    unmade: set[tuple] = set()  # keys a task of this job did not make
    try:
        for task in tasks:
            _run_task(NodeTask(*task), store, outbox, broken, unmade)
    finally:
        store.unpin_all()
        outbox.put(["end", job_id])
        outbox.end_job()


def _run_task(task: NodeTask, store: ValueStore, outbox, broken: dict, unmade: set) -> None:
    node_id, scope = task.node_id, task.scope
    args, missing, problem = task.args, None, None
    for index, arg in enumerate(args):
        if type(arg) is not Linked:
            continue
        key = arg.key
        if key is None:
            value = arg.value
        elif key in unmade:
            unmade.update((scope, node_id, port) for port in task.output_names)
            return  # its input was not made: the owner skipped it
        elif key in broken:
            where = f"{arg.source}:{arg.source_port}"
            problem = problem or (
                f"input {arg.port.name!r} cannot be sent between processes "
                f"(from {where}: {broken[key]})"
            )
            continue
        else:
            try:
                value = store.get(key, pin=True)  # in memory until the job ends
            except KeyError:
                missing = (missing or []) + [list(key)]
                continue
        args[index], found = linked_argument(value, arg.port, arg)
        problem = problem or found
    if task.folder and task.folder != os.getcwd():  # (a node may have changed it)
        try:
            os.chdir(task.folder)
        except OSError as exc:
            problem = problem or f"it cannot run in {task.folder}: {exc.strerror}"
    if missing or problem:
        unmade.update((scope, node_id, port) for port in task.output_names)
        outbox.put(["done", node_id, {"missing": missing} if missing else {"error": problem}])
        return
    outbox.running = node_id
    outcome = execute_node(task, _partial_teller(outbox, node_id) if task.views else None)
    outputs = {}
    if outcome.error is None:
        brief = not task.views
        for port, value in outcome.outputs.items():
            size = store.put((scope, node_id, port), value, pin=True)
            outputs[port] = [make_view(value, brief), size]
    else:
        unmade.update((scope, node_id, port) for port in task.output_names)
    outbox.put(["done", node_id, _fields(outcome, outputs)])


def _partial_teller(outbox, node_id: str):
    def partial(value: Any, index: int) -> None:
        outbox.put(["partial", node_id, index, make_view(value)])

    return partial


def _fields(outcome: NodeOutcome, outputs: dict) -> dict[str, Any]:
    """An outcome's fields for the owner, empty ones left out."""
    if outputs and not (outcome.stdout or outcome.stderr):  # the usual: quickest
        return {"elapsed": outcome.elapsed, "outputs": outputs}
    fields: dict[str, Any] = {"elapsed": outcome.elapsed}
    if outputs:
        fields["outputs"] = outputs
    if outcome.error is not None:
        fields["error"] = outcome.error
        fields["error_line"] = outcome.error_line
    for name in _OUTCOME_TEXTS:
        text = getattr(outcome, name)
        if text:
            fields[name] = text
    return fields


def _die_with_owner(owner_pid: int, folder: str) -> None:
    def watch() -> None:
        while _alive(owner_pid):
            time.sleep(OWNER_POLL_SECONDS)
        shutil.rmtree(folder, ignore_errors=True)  # the owner would have, had it lived
        if hasattr(os, "killpg") and os.getpgid(0) == os.getpid():  # type: ignore[attr-defined]  # POSIX only
            os.killpg(os.getpid(), signal.SIGKILL)  # type: ignore[attr-defined]  # our group: what nodes started, and us
        os._exit(0)  # Windows: the owner's Job object ends the rest as its handle closes

    threading.Thread(target=watch, name="pyflow-owner-watch", daemon=True).start()


def _alive(pid: int) -> bool:
    if sys.platform == "win32":  # os.kill(pid, 0) would terminate the process there
        import ctypes

        handle = ctypes.windll.kernel32.OpenProcess(0x1000, False, pid)  # QUERY_LIMITED_INFO
        if not handle:
            return False
        code = ctypes.c_ulong()
        ctypes.windll.kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        ctypes.windll.kernel32.CloseHandle(handle)
        return code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


if __name__ == "__main__":
    main()
