"""A real ``pyflow-desktop serve`` process on a free loopback port, and a small HTTP client."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from pyflow_desktop.repository import NodeSpec, Port, Repository, save_repository

CLI_SOURCE = (
    "def func(command):\n"
    "    import subprocess\n"
    "    done = subprocess.run(command, shell=True, capture_output=True, text=True)\n"
    "    return done.stdout\n"
)


MEET_SOURCE = (
    "def func(me, other, folder):\n"
    "    import os, time\n"
    "    open(os.path.join(folder, me), 'w').close()\n"
    "    deadline = time.monotonic() + 20\n"
    "    while time.monotonic() < deadline:\n"
    "        if os.path.exists(os.path.join(folder, other)):\n"
    "            return True\n"
    "        time.sleep(0.02)\n"
    "    return False\n"
)


def own_repository() -> Repository:
    """Our own fixture: a `pyflow.source.cli` like the original's, and nodes for the
    server's own tests (sleep, crash, fail, add)."""
    repo = Repository()
    specs = [
        NodeSpec("pyflow.source.cli", "cli", [Port("command", "String", 0)], func=CLI_SOURCE),
        NodeSpec(
            "util.sleep",
            "Sleep",
            [Port("seconds", "Float", 0)],
            [Port("out", "Float")],
            "import time\ndef func(seconds):\n    time.sleep(seconds)\n    return seconds\n",
        ),
        NodeSpec(
            "util.meet",
            "Meet",
            [Port("me", "String", 0), Port("other", "String", 1), Port("folder", "String", 2)],
            [Port("out", "Boolean")],
            MEET_SOURCE,
        ),
        NodeSpec("util.crash", "Crash", [], func="import os\ndef func():\n    os._exit(3)\n"),
        NodeSpec("util.fail", "Fail", [], func="def func():\n    raise ValueError('on purpose')\n"),
        NodeSpec(
            "math.add",
            "Add",
            [Port("a", "Int", 0), Port("b", "Int", 1)],
            [Port("out", "Int")],
            "def func(a, b):\n    return a + b\n",
        ),
    ]
    for spec in specs:
        repo.add_spec(spec)
    return repo


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Response:
    status: int
    body: object
    content_type: str


@dataclass
class Server:
    """A running server; ``call`` sends one request and returns the decoded answer."""

    process: subprocess.Popen
    url: str
    file: Path
    token: str | None = None

    def call(
        self,
        method: str,
        path: str,
        body: object = None,
        *,
        form: bool = False,
        raw: bytes | None = None,
        token: str | None = None,
        timeout: float = 60,
    ) -> Response:
        headers = {}
        data = raw
        if body is not None and form:
            data = urllib.parse.urlencode({"data": json.dumps(body)}).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        elif body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        sent = token if token is not None else self.token
        if sent:
            headers["Authorization"] = f"Bearer {sent}"
        request = urllib.request.Request(self.url + path, data, headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                return _response(answer.status, answer.read(), answer.headers)
        except urllib.error.HTTPError as error:
            return _response(error.code, error.read(), error.headers)


def _response(status, payload: bytes, headers) -> Response:
    kind = headers.get("content-type", "")
    body = json.loads(payload) if "json" in kind else payload.decode("utf-8", "replace")
    return Response(status, body, kind)


def start_server(
    file: Path, *options: str, token: str | None = None, env: dict | None = None
) -> Server:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "pyflow_desktop", "serve", str(file), "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    server = Server(process, f"http://127.0.0.1:{port}", file, token)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited: {process.stderr.read()}")
        try:
            server.call("GET", "/ports/types", timeout=2)
            return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise RuntimeError("the server did not start within 30 s")


def stop_server(server: Server) -> None:
    server.process.terminate()
    try:
        server.process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.process.kill()
        server.process.wait()


def write_own_fixture(folder: Path, name: str = "served.json", fmt: str = "native") -> Path:
    """``own_repository()`` saved as ``folder / name`` in ``fmt`` (ours or the original's)."""
    path = folder / name
    save_repository(own_repository(), path, fmt)
    return path
