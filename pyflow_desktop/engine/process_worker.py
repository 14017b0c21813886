"""The loop that runs inside each worker process of the ``process`` executor.

Started as ``python -m pyflow_desktop.engine.process_worker``: it reads an auth key and its
owner's pid from stdin, listens on a loopback port and prints it, then accepts the owner's
authenticated connection. It receives ``NodeTask``s, runs each with ``execute_node`` and
sends back ``("partial", node_id, value, index)`` and ``("done", node_id, outcome)``. It
exits when the connection closes or its owner dies, so no worker outlives its owner.
"""

from __future__ import annotations

import os
import pickle
import signal
import sys
import threading
import time
from multiprocessing.connection import Listener
from typing import Any

from .node_call import NodeOutcome, execute_node

OWNER_POLL_SECONDS = 0.25


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the owner's to handle
    authkey_hex, owner_pid = sys.stdin.readline().split()
    _die_with_owner(int(owner_pid))
    listener = Listener(("127.0.0.1", 0), authkey=bytes.fromhex(authkey_hex))
    print(listener.address[1], flush=True)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # stray prints must not reach the owner
    conn = listener.accept()
    listener.close()
    serve(conn)


def serve(conn) -> None:
    """Run tasks from ``conn`` until it closes."""
    send_lock = threading.Lock()

    def send(message: tuple) -> None:
        with send_lock:
            conn.send_bytes(message_bytes(message))

    while True:
        try:
            task = conn.recv()
        except (EOFError, OSError):
            return
        if task is None:
            return

        def partial(value: Any, index: int, node_id: str = task.node_id) -> None:
            send(("partial", node_id, value, index))

        send(("done", task.node_id, execute_node(task, partial)))


def message_bytes(message: tuple) -> bytes:
    """Pickle a message as ``(kind, node_id, index, payload_bytes)``.

    The payload (a partial value, or the outcome) is pickled on its own, so the owner can
    always tell which node a message is about even when it cannot unpickle the payload; a
    payload that cannot be pickled here becomes a clear error instead.
    """
    kind, node_id, payload = message[0], message[1], message[2]
    index = message[3] if kind == "partial" else None
    try:
        inner = pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if kind == "partial":
            inner = pickle.dumps(f"<value cannot be sent: {reason}>")
        else:
            inner = pickle.dumps(
                NodeOutcome(
                    node_id,
                    error=f"the node's output cannot be sent between processes ({reason})",
                    stdout=payload.stdout,
                    stderr=payload.stderr,
                    elapsed=payload.elapsed,
                )
            )
    return pickle.dumps((kind, node_id, index, inner), protocol=pickle.HIGHEST_PROTOCOL)


def read_message(data: bytes) -> tuple:
    """The message ``message_bytes`` made; a payload that cannot be unpickled here (say, an
    instance of a class only the worker could import) becomes a clear error instead."""
    kind, node_id, index, inner = pickle.loads(data)
    try:
        payload = pickle.loads(inner)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        if kind == "partial":
            payload = f"<value could not be received: {reason}>"
        else:
            payload = NodeOutcome(
                node_id, error=f"the node's output could not be received ({reason})"
            )
    return (kind, node_id, payload, index) if kind == "partial" else (kind, node_id, payload)


def _die_with_owner(owner_pid: int) -> None:
    def watch() -> None:
        while _alive(owner_pid):
            time.sleep(OWNER_POLL_SECONDS)
        os._exit(0)

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
