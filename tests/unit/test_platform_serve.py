"""``serve`` on a port another program uses: it says so and exits 2, on every platform.

Windows lets a socket with ``SO_REUSEADDR`` bind a port that another socket listens on, so
there the server asks for ``SO_EXCLUSIVEADDRUSE`` instead; that choice is checked here with
the platform set to Windows, and the busy port itself through the real command.
"""

from __future__ import annotations

import socket
import subprocess
import sys

from server_helpers import write_own_fixture

from pyflow_desktop.server import listening


def test_serve_on_a_busy_port_exits_2_saying_so(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "pyflow_desktop", "serve", str(write_own_fixture(tmp_path))]
            + ["--port", str(port)],
            capture_output=True,
            encoding="utf-8",
            timeout=60,
        )
    assert done.returncode == 2, done.stderr
    assert f"error: cannot serve on 127.0.0.1:{port}:" in done.stderr
    assert "Traceback" not in done.stderr


class RecordingSocket(socket.socket):
    """A socket that notes its options; one unknown here (Windows') is only noted."""

    options: list[int] = []

    def setsockopt(self, level, option, value, *rest):
        RecordingSocket.options.append(option)
        if option == socket.SO_REUSEADDR:
            super().setsockopt(level, option, value, *rest)


def test_on_windows_the_port_is_asked_for_exclusively(monkeypatch):
    monkeypatch.setattr(socket, "SO_EXCLUSIVEADDRUSE", -5, raising=False)  # ~SO_REUSEADDR
    monkeypatch.setattr(listening.socket, "socket", RecordingSocket)
    monkeypatch.setattr(RecordingSocket, "options", [])
    monkeypatch.setattr(listening, "WINDOWS", True)
    listening.bind("127.0.0.1", 0).close()
    assert RecordingSocket.options == [socket.SO_EXCLUSIVEADDRUSE]
    monkeypatch.setattr(listening, "WINDOWS", False)
    listening.bind("127.0.0.1", 0).close()
    assert RecordingSocket.options[1:] == [socket.SO_REUSEADDR]
