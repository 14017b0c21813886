"""The built-in web nodes (resources/nodes/web.json): HTTP GET through urllib, against a
real server on loopback that the test starts."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from builtin_nodes import failure, output, run_chain

READINGS = [{"sensor": "a", "value": 1.5}, {"sensor": "b", "value": 2.5}]


class Handler(BaseHTTPRequestHandler):
    release = threading.Event()  # the slow page answers when the test lets it

    def do_GET(self):  # noqa: N802 — http.server's name
        if self.path == "/slow":
            self.release.wait(30)
        pages = {
            "/readings.json": ("application/json", json.dumps(READINGS).encode()),
            "/latin": ("text/plain; charset=latin-1", "café crème".encode("latin-1")),
            "/plain": ("text/plain", "naïve".encode()),
            "/page": ("text/html", b"<html>not json</html>"),
            "/slow": ("text/plain", b"late"),
        }
        if self.path not in pages:
            self.send_error(404, "Not Found")
            return
        kind, body = pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()
    thread.join(10)


def test_get_json_reads_a_table(server):
    assert output("web.get_json", url=f"{server}/readings.json") == READINGS


def test_get_text_decodes_by_the_charset_the_server_names_else_utf8(server):
    assert output("web.get_text", url=f"{server}/latin") == "café crème"
    assert output("web.get_text", url=f"{server}/plain") == "naïve"


def test_http_errors_unreachable_servers_and_timeouts_fail_with_a_clear_message(server):
    assert failure("web.get_text", url=f"{server}/nothing") == (
        f"ConnectionError: {server}/nothing answered HTTP 404 Not Found"
    )
    assert failure("web.get_json", url=f"{server}/page").startswith(
        f"ValueError: {server}/page did not answer JSON: Expecting value"
    )
    assert failure("web.get_text", url=f"{server}/slow", timeout="0.2") == (
        f"ConnectionError: cannot get {server}/slow: no answer within 0.2 s"
    )
    closed = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port = closed.server_address[1]
    closed.server_close()  # nothing listens on that port any more
    refused = failure("web.get_text", url=f"http://127.0.0.1:{port}/")
    assert refused.startswith(f"ConnectionError: cannot get http://127.0.0.1:{port}/: ")
    assert "refused" in refused


def test_only_http_addresses_are_fetched():
    assert failure("web.get_text", url="file:///etc/passwd") == (
        "ValueError: not an http:// or https:// address: 'file:///etc/passwd'"
    )
    assert "timeout must be more than 0" in failure("web.get_json", timeout="0")


def test_a_downloaded_table_feeds_the_table_and_statistics_nodes(server):
    result = run_chain(
        ("get", "web.get_json", {"url": f"{server}/readings.json"}),
        ("col", "tables.column", {"column": "value"}),
        ("mean", "stats.mean", {}),
        links=(("get:out", "col:rows"), ("col:out", "mean:values")),
        executor="process",
    )
    assert result.ok, result.nodes
    assert result.output("mean") == 2.0
