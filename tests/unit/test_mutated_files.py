"""A property: valid files, mutated at random, are loaded, planned, checked and saved either
successfully or with a ``RepositoryError`` — never another exception — and what is saved
loads back the same.

Mutations act on the JSON tree (replace a value by a hostile one, delete it, JSON-encode it
as the original did, move a subtree elsewhere, add a key) and on the text (NaN, huge numbers,
a key twice, truncation, bytes that are not UTF-8, a BOM).
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pytest
from flows import add_nodes, basic_repo, link
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pyflow_desktop.engine import plan_run
from pyflow_desktop.repository import (
    FORMATS,
    Flow,
    RepositoryError,
    check_file,
    dump_repository,
    load_repository,
    repository_to_dict,
)
from pyflow_desktop.repository import save_repository as save

EXAMPLES = 2000


def _bases() -> list:
    repo = basic_repo()
    flow = Flow("f", "Flow")
    add_nodes(flow, ("c", "const", {"v": "2"}), ("a", "add", {"b": "3"}), ("g", "count", {}))
    flow.nodes["a"].is_end = True
    link(flow, "c:out", "a:a")
    link(flow, "a:out", "g:n")
    repo.add_flow(flow)
    native = repository_to_dict(repo, "native")
    original = repository_to_dict(repo, "original")
    for domain in ("flow", "nodespec"):  # the original's JSON-encoded values
        original[domain] = {key: json.dumps(value) for key, value in original[domain].items()}
    original["nodespec"] = json.dumps(original["nodespec"])
    return [native, original]


BASES = _bases()


def copied(value):
    """A deep copy without deep recursion in Python (``copy.deepcopy`` takes two frames a
    level, too many for the nested values drawn here)."""
    return json.loads(json.dumps(value))


def nested(depth: int) -> list:
    value: list = []
    for _ in range(depth):
        value = [value]
    return value


SCALARS = st.one_of(
    st.sampled_from(["3", "", "c", "a", "add", "const", "count", "b", "out", 1, True]),
    st.none(),
    st.booleans(),
    st.integers(),
    st.sampled_from([10**400, -(10**4000), 2**63, -1, 0]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=8),
    st.sampled_from(
        [
            "\ud800",
            "x\udfff",
            "160px",
            "-1e999px",
            "1" * 400 + "px",
            "n1:out",
            "c:out",
            "a:a",
            ":",
            "Int",
            "Json",
            "List",
            "String",
            "def func(:",
            "def func(a, b):\n\treturn a\n",
            "def func():\n    return " + "-" * 20_000 + "1\n",
            "import os\nos._exit(3)\n",
            "[[[[",
            '{"a": NaN}',
            "1e999",
            "\x00",
        ]
    ),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
) | st.integers(90, 300).map(nested)


def slots(doc) -> list[tuple]:
    """Every (container, key) of ``doc``, outermost first."""
    found, stack = [], [doc]
    while stack:
        item = stack.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in list(pairs):
            found.append((item, key))
            if isinstance(value, (dict, list)):
                stack.append(value)
    return found


@st.composite
def mutated_tree(draw):
    doc = copied(draw(st.sampled_from(BASES)))
    for _ in range(draw(st.integers(1, 3))):
        places = slots(doc)
        if not places:
            break
        parent, key = draw(st.sampled_from(places))
        action = draw(st.sampled_from(["replace", "delete", "encode", "move", "add", "decode"]))
        if action == "replace":
            parent[key] = draw(VALUES)
        elif action == "delete":
            del parent[key]
        elif action == "encode":
            parent[key] = json.dumps(parent[key])
        elif action == "decode" and isinstance(parent[key], str):
            try:
                parent[key] = json.loads(parent[key])
            except ValueError:
                pass
        elif action == "move":
            other, other_key = draw(st.sampled_from(places))
            parent[key] = copied(other[other_key])
        elif isinstance(parent[key], dict):
            parent[key][draw(st.text(max_size=6))] = draw(VALUES)
        elif isinstance(parent[key], list):
            parent[key].append(copied(draw(st.sampled_from(parent[key] or [None]))))
    return doc


@st.composite
def mutated_bytes(draw) -> bytes:
    doc = draw(mutated_tree())
    try:
        text = json.dumps(doc)
    except (ValueError, RecursionError):  # an int too long to write: the text mutations do it
        text = json.dumps(BASES[0])
    kind = draw(st.sampled_from(["none"] * 4 + ["number", "key", "truncate", "bytes", "bom"]))
    at = draw(st.integers(0, len(text)))
    if kind == "number":
        deep = "[" * 3000 + "]" * 3000
        token = draw(st.sampled_from(["NaN", "-Infinity", "1e999", "9" * 5000, "1.5e308", deep]))
        text = text[:at] + text[at:].replace("1", token, 1)
    elif kind == "key":
        text = text[:at] + text[at:].replace('{"', '{"k": 1, "k": 2, "', 1)
    elif kind == "truncate":
        text = text[:at]
    data = text.encode("utf-8", "surrogatepass")
    if kind == "bytes":
        data = data[:at] + draw(st.binary(min_size=1, max_size=4)) + data[at:]
    elif kind == "bom":
        data = b"\xef\xbb\xbf" + data
    return data


@pytest.fixture(scope="module")
def folder():
    """A folder in memory where there is one (saves fsync; the disk would only slow them)."""
    shm = Path("/dev/shm")
    with tempfile.TemporaryDirectory(
        dir=shm if shm.is_dir() and os.access(shm, os.W_OK) else None
    ) as name:
        yield Path(name)


def _planned(repo) -> None:
    for flow in repo.flows.values():
        for targets in ("all", "end", list(flow.nodes)[:1]):
            try:
                plan_run(repo, flow.id, targets)
            except RepositoryError:
                pass


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=mutated_bytes())
def test_mutated_files_load_plan_check_and_save_or_raise_repository_errors(folder, data):
    path = folder / "mutated.json"
    path.write_bytes(data)
    problems = check_file(path)
    try:
        repo = load_repository(path)
    except RepositoryError as error:
        assert problems, "check found nothing in a file load refused"
        event(f"refused: {type(error).__name__}")
        return
    event("loaded")
    _planned(repo)
    for fmt in FORMATS:
        out = folder / f"saved.{fmt}.json"
        try:
            save(repo, out, fmt)
        except RepositoryError:
            continue
        again = load_repository(out)  # what we write, we read
        assert dump_repository(again, fmt) == dump_repository(repo, fmt)
