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
    """Pickle a message; values that cannot cross processes become a clear error instead."""
    try:
        return pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception as exc:
        kind, node_id = message[0], message[1]
        reason = f"{type(exc).__name__}: {exc}"
        if kind == "partial":
            return pickle.dumps((kind, node_id, f"<value cannot be sent: {reason}>", message[3]))
        outcome = message[2]
        return pickle.dumps(
            (
                kind,
                node_id,
                NodeOutcome(
                    node_id,
                    error=f"the node's output cannot be sent between processes ({reason})",
                    stdout=outcome.stdout,
                    stderr=outcome.stderr,
                    elapsed=outcome.elapsed,
                ),
            )
        )


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
