"""The loop that runs inside each worker process of the ``process`` executor.

Started as ``python -P -m pyflow_desktop.engine.process_worker`` (``-P``: the current folder
is not on ``sys.path``, so a ``threading.py`` there is never imported), in a session of its
own: it reads an auth key and its owner's pid from stdin, listens on a loopback port and
prints it, then accepts the owner's authenticated connection. It receives ``NodeTask``s, runs
each with ``execute_node`` and sends back the messages of ``worker_messages``: ``partial``
and ``done``. It exits when the connection closes or its owner dies
(taking its process group with it), so no worker outlives its owner.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from multiprocessing.connection import Listener
from typing import Any

from .node_call import execute_node
from .worker_messages import message_bytes, send_at_once

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
    send_at_once(conn)
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


def _die_with_owner(owner_pid: int) -> None:
    def watch() -> None:
        while _alive(owner_pid):
            time.sleep(OWNER_POLL_SECONDS)
        if hasattr(os, "killpg") and os.getpgid(0) == os.getpid():
            os.killpg(os.getpid(), signal.SIGKILL)  # our group: what nodes started, and us
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
