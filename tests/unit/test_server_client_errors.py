"""A client's mistake is never a 500 and never logs a traceback: a malformed Authorization
header is a 401, a bad path a 400 (or a 403 outside the folder), an unknown id a 404, and
random headers, paths and bodies (Hypothesis) get no 500. Writes through ``/dumprepo`` stay
inside the served folder while a folder in it is swapped for a symbolic link. All against a
real server process on loopback, spoken to over a raw socket so that any bytes can be sent."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from server_helpers import Server, start_server, stop_server, write_own_fixture

TOKEN = "s3cret-token"


def raw_request(server: Server, method: bytes, target: bytes, headers: list, body: bytes) -> int:
    """Send one HTTP/1.1 request of exactly these bytes; the status of the answer."""
    host, port = server.url.removeprefix("http://").rsplit(":", 1)
    lines = [method + b" " + target + b" HTTP/1.1", b"Host: " + host.encode()]
    lines += [name + b": " + value for name, value in headers]
    lines += [b"Content-Length: " + str(len(body)).encode(), b"Connection: close"]
    with socket.create_connection((host, int(port)), timeout=60) as conn:
        conn.sendall(b"\r\n".join(lines) + b"\r\n\r\n" + body)
        answer = b""
        while b"\r\n" not in answer:
            piece = conn.recv(4096)
            if not piece:
                break
            answer += piece
    status_line = answer.split(b"\r\n", 1)[0]
    assert status_line.startswith(b"HTTP/1.1 "), answer[:200]
    return int(status_line.split()[1])


@pytest.fixture
def guarded(tmp_path):
    """A server with a token; asserts at the end that it logged no traceback."""
    server = start_server(write_own_fixture(tmp_path), "--token", TOKEN, token=TOKEN)
    yield server
    stop_server(server)
    log = server.process.stderr.read()
    assert "Traceback" not in log and "Exception" not in log, log


def bearer(value: bytes) -> list:
    return [(b"Authorization", value)]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer é".encode("latin-1"),
        "Bearer ünïcödé".encode(),
        b"Bearer " + TOKEN.encode() + b"\xff",
        b"Bearer \x80\x81\xfe",
        b"\xff\xfe",
        b"Bearer",
        b"Basic " + TOKEN.encode(),
    ],
)
def test_a_malformed_authorization_header_is_a_401(guarded, header):
    assert raw_request(guarded, b"GET", b"/nodes", bearer(header), b"") == 401
    assert raw_request(guarded, b"GET", b"/nodes", bearer(b"Bearer " + TOKEN.encode()), b"") == 200


@pytest.mark.parametrize(
    ("route", "path", "status", "words"),
    [
        ("/dumprepo", "a\0b.json", 400, "NUL byte"),
        ("/loadrepo", "a\0b.json", 400, "NUL byte"),
        ("/dumprepo", "x" * 300 + ".json", 400, "too long"),
        ("/loadrepo", "x" * 300 + ".json", 400, "too long"),
        ("/dumprepo", "a/" * 3000 + "x.json", 400, "cannot write"),
        ("/dumprepo", "missing/x.json", 400, "No such file"),
        ("/dumprepo", ".", 400, "is a folder"),
        ("/dumprepo", "sub/..", 400, "is a folder"),
        ("/dumprepo", "sub/../../x.json", 403, "leads out of the folder"),
        ("/dumprepo", "/tmp/x.json", 403, "not a path relative to the folder"),
        ("/dumprepo", "served.json/x.json", 400, "is not a folder"),
    ],
)
def test_a_bad_path_is_a_400_or_a_403_saying_why(guarded, route, path, status, words):
    (guarded.file.parent / "sub").mkdir(exist_ok=True)
    answer = guarded.call("POST", route, {"path": path})
    assert answer.status == status, answer.body
    assert words in answer.body["error"], answer.body


def test_unknown_ids_are_404(guarded):
    spec = {"id": "x", "title": "X", "port": {"input": []}, "func": "def func(): pass"}
    for method, path in [
        ("GET", "/nodes/no.such"),
        ("DELETE", "/nodes/no.such"),
        ("GET", "/flows/no.such"),
        ("DELETE", "/flows/no.such"),
        ("GET", "/nodes/%00"),
        ("GET", "/flows/" + "y" * 5000),
    ]:
        assert guarded.call(method, path).status == 404, (method, path)
    assert guarded.call("PUT", "/nodes/%00", spec).status == 400  # the body's id differs


# -- random requests ---------------------------------------------------------------------

ROUTES = [  # the routes the server has (an id after a trailing slash), and two it has not
    *[(b"GET", route) for route in ["/nodes", "/nodes/", "/flows", "/flows/", "/nodestree"]],
    *[(b"GET", route) for route in ["/ports/types", "/docs", "/openapi.json", "/"]],
    *[(b"POST", route) for route in ["/nodes", "/flows", "/runflow", "/dumprepo", "/loadrepo"]],
    *[(b"PUT", "/nodes/"), (b"DELETE", "/nodes/"), (b"DELETE", "/flows/"), (b"PATCH", "/x")],
]
JSON_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=10),
    st.sampled_from(["NaN", "-Infinity", "1e999", '"\\ud800"', "7" * 5000, "[" * 150]),
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["id", "path", "nodes", "links", "port", "x"]), inner)
    ),
    max_leaves=12,
)


def json_text(value) -> bytes:
    """JSON-like text of ``value``: strings found among the scalars are sent bare (they hold
    hostile literals such as NaN), the rest as JSON."""
    if isinstance(value, str):
        return value.encode("utf-8", "surrogatepass")
    if isinstance(value, list):
        return b"[" + b", ".join(map(json_text, value)) + b"]"
    if isinstance(value, dict):
        return (
            b"{"
            + b", ".join(b'"%s": %s' % (k.encode(), json_text(v)) for k, v in value.items())
            + b"}"
        )
    return (
        repr(value)
        .replace("None", "null")
        .replace("True", "true")
        .replace("False", "false")
        .encode()
    )


ANY = JSON_VALUES | JSON_SCALARS
SHAPED = st.one_of(  # bodies shaped like the routes' own, with random values in them
    st.fixed_dictionaries(
        {"id": st.text(max_size=8), "func": st.sampled_from(["def func(a): pass", "x ="])},
        optional={"title": ANY, "port": st.fixed_dictionaries({"input": ANY}), "extra": ANY},
    ),
    st.fixed_dictionaries(
        {"id": st.text(max_size=8)},
        optional={
            "nodes": st.lists(
                st.fixed_dictionaries(
                    {"id": st.text(max_size=4), "spec_id": st.sampled_from(["math.add", "x"])},
                    optional={"ports": ANY, "ui": ANY, "is_end": ANY},
                ),
                max_size=3,
            ),
            "links": ANY,
            "interface": ANY,
        },
    ),
    st.fixed_dictionaries({"path": st.text(max_size=30) | st.sampled_from(["d.json", "./x"])}),
)


@st.composite
def requests(draw) -> tuple:
    method, route = draw(st.sampled_from(ROUTES))
    if draw(st.sampled_from([False, False, False, True])):
        method = draw(st.sampled_from([b"GET", b"POST", b"PUT", b"DELETE", b"OPTIONS"]))
    route = route.encode()
    if route.endswith(b"/") or draw(st.sampled_from([False, False, False, True])):
        tail = draw(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
        route += b"".join(b"%%%02X" % byte for byte in tail)
    header_value = st.binary(max_size=60).map(lambda b: b.replace(b"\r", b"").replace(b"\n", b""))
    right = draw(st.sampled_from([True, True, True, False]))  # mostly past the token
    wrong = draw(st.sampled_from([b"", b"Bearer ", b"bearer  "])) + draw(header_value)
    headers = [(b"Authorization", b"Bearer " + TOKEN.encode() if right else wrong)]
    kind = draw(
        st.sampled_from(
            [b"application/json", b"application/x-www-form-urlencoded", b"text/plain"]
            + [b"multipart/form-data; boundary=xyz", b"multipart/form-data"]
        )
        | header_value
    )
    headers.append((b"Content-Type", kind))
    value = JSON_VALUES | SHAPED
    body = draw(
        value.map(json_text)
        | st.binary(max_size=200)
        | value.map(lambda v: b"data=" + json_text(v))
        | value.map(
            lambda v: (
                b'--xyz\r\nContent-Disposition: form-data; name="data"\r\n\r\n'
                + json_text(v)
                + b"\r\n--xyz--\r\n"
            )
        )
    )
    return method, route, headers, body


def test_random_requests_never_get_a_500_nor_log_a_traceback(guarded):
    statuses: Counter = Counter()

    @settings(
        max_examples=300,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(requests())
    def probe(request):
        status = raw_request(guarded, *request)
        statuses[status] += 1
        assert status < 500, request

    probe()
    assert statuses[401] and statuses[400] and statuses[404], statuses


# -- writes stay inside the served folder ----------------------------------------------------


def test_dumping_while_a_folder_is_swapped_for_a_link_never_writes_outside(tmp_path):
    served, outside = tmp_path / "served", tmp_path / "outside"
    served.mkdir()
    outside.mkdir()
    sub, aside = served / "sub", served / "sub.aside"
    sub.mkdir()
    server = start_server(write_own_fixture(served))
    stop = threading.Event()

    def swap() -> None:  # sub: a folder, then a link to outside, then the folder again...
        while not stop.is_set():
            os.rename(sub, aside)
            os.symlink(outside, sub)
            time.sleep(0.001)  # pacing, not waiting: each state lasts long enough to be met
            os.unlink(sub)
            os.rename(aside, sub)
            time.sleep(0.001)

    swapper = threading.Thread(target=swap)
    swapper.start()
    try:
        answers = [
            server.call("POST", "/dumprepo", {"path": "sub/dumped.json"}) for _ in range(300)
        ]
    finally:
        stop.set()
        swapper.join()
        stop_server(server)
    statuses = Counter(answer.status for answer in answers)
    assert list(outside.iterdir()) == [], statuses
    assert statuses[200] > 0 and set(statuses) <= {200, 400, 403}, [a.body for a in answers[:5]]
    assert (sub / "dumped.json").exists()
    assert "Traceback" not in server.process.stderr.read()


def test_a_symbolic_link_inside_the_folder_is_not_followed(tmp_path):
    served, outside = tmp_path / "served", tmp_path / "outside"
    served.mkdir()
    outside.mkdir()
    (served / "to_outside").symlink_to(outside)
    (served / "file_link.json").symlink_to(outside / "target.json")
    server = start_server(write_own_fixture(served))
    try:
        for path in ("to_outside/x.json", "file_link.json"):
            answer = server.call("POST", "/dumprepo", {"path": path})
            assert answer.status == 403 and "symbolic link" in answer.body["error"], answer.body
        (outside / "target.json").write_text('{"flow": {}}')
        for path in ("to_outside/target.json", "file_link.json"):
            answer = server.call("POST", "/loadrepo", {"path": path})
            assert answer.status == 403 and "symbolic link" in answer.body["error"], answer.body
        (outside / "target.json").unlink()
    finally:
        stop_server(server)
    assert list(outside.iterdir()) == []
    assert Path(served / "file_link.json").is_symlink()
