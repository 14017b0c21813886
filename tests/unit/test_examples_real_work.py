"""The three example repositories of real work (resources/examples/), each run with the data
beside it: measurements (CSV → filter → group by → mean → plot), word counts (a folder of
texts → top 20 table) and a JSON endpoint (→ table → statistics, from a loopback server)."""

from __future__ import annotations

import collections
import csv
import functools
import json
import re
import statistics
import subprocess
import sys
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from pyflow_desktop.engine import run_flow
from pyflow_desktop.library import differs, read_builtin
from pyflow_desktop.repository import check_file, load_repository
from pyflow_desktop.resources import EXAMPLES, resource_path

ROOT = resource_path(EXAMPLES)
MEASUREMENTS = ROOT / "measurements" / "measurements.json"
WORD_COUNTS = ROOT / "word-counts" / "word_counts.json"
ENDPOINT = ROOT / "json-endpoint" / "json_endpoint.json"
README = Path(__file__).resolve().parents[2] / "README.md"


def run_cli(example: Path) -> dict[str, dict]:
    """``pyflow-desktop run EXAMPLE --json`` in the example's folder: each node's row by id."""
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "run", example.name, "--json"],
        cwd=example.parent,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return {row["id"]: row for row in json.loads(done.stdout)}


def out(row: dict, port: str = "out"):
    return next(output["value"] for output in row["outputs"] if output["name"] == port)


@pytest.mark.parametrize("example", [MEASUREMENTS, WORD_COUNTS, ENDPOINT], ids=lambda p: p.stem)
def test_an_example_is_valid_and_holds_the_built_in_specs_it_uses(example):
    assert check_file(example) == []
    repo = load_repository(example)
    builtin = {spec.id: spec for spec, _file in read_builtin().specs}
    (flow,) = repo.flows.values()
    assert {node.spec_id for node in flow.nodes.values()} == set(repo.specs)
    for spec in repo.specs.values():
        assert not differs(spec, builtin[spec.id]), f"{spec.id} is not the built-in one"


def test_measurements_filter_the_bad_readings_and_plot_the_mean_per_day():
    with open(MEASUREMENTS.parent / "measurements.csv", newline="", encoding="utf-8") as handle:
        readings = list(csv.DictReader(handle))
    by_day = collections.defaultdict(list)
    for reading in readings:
        if reading["status"] == "ok":
            by_day[reading["day"]].append(float(reading["temperature"]))
    rows = run_cli(MEASUREMENTS)
    assert [row["status"] for row in rows.values()] == ["success"] * 4
    kept = out(rows["n2"])
    assert len(kept) == sum(map(len, by_day.values())) < len(readings)
    assert all(row["temperature"] > -50 for row in kept)  # the -999 of failed sensors is gone
    assert [row["day"] for row in out(rows["n3"])] == list(by_day)
    plotted = out(rows["n4"])
    assert len(plotted) == 14
    assert plotted == pytest.approx([statistics.fmean(values) for values in by_day.values()])


def test_word_counts_give_the_top_20_words_of_the_folder():
    texts = sorted((WORD_COUNTS.parent / "texts").glob("*.txt"))
    flow = load_repository(WORD_COUNTS).flows["examples.word_counts"]
    ignored = {word.strip() for word in flow.nodes["n3"].values["ignore"].split(",")}
    counts = collections.Counter(
        word
        for path in texts
        for word in re.findall(r"[^\W\d_]+(?:'[^\W\d_]+)*", path.read_text("utf-8").lower())
        if len(word) >= 3 and word not in ignored
    )
    expected = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))[:20]
    rows = run_cli(WORD_COUNTS)
    assert out(rows["n1"]) == [f"texts/{path.name}" for path in texts]
    top = out(rows["n4"])
    assert [(row["word"], row["count"]) for row in top] == expected
    assert top[0] == {"word": "river", "count": 17}


@pytest.fixture
def endpoint():
    """The example's folder served over HTTP on loopback, as its README section says."""
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(ENDPOINT.parent))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(10)


def test_json_endpoint_readings_become_a_table_and_its_statistics(endpoint):
    repo = load_repository(ENDPOINT)
    flow = repo.flows["examples.json_endpoint"]
    assert flow.nodes["n1"].values["url"] == "http://127.0.0.1:8000/readings.json"
    assert "python -m http.server 8000 --bind 127.0.0.1" in README.read_text(encoding="utf-8")
    flow.set_value("n1", "url", f"{endpoint}/readings.json")
    result = run_flow(repo, flow, executor="process")
    assert result.ok, result.nodes
    data = json.loads((ENDPOINT.parent / "readings.json").read_text(encoding="utf-8"))
    values = [reading["value"] for reading in data["readings"]]
    assert result.output("n2") == data["readings"]
    summary = result.output("n4")
    assert summary["count"] == len(values) == 40
    assert summary["mean"] == pytest.approx(statistics.fmean(values))
    assert summary["median"] == pytest.approx(statistics.median(values))
    assert (summary["min"], summary["max"]) == (min(values), max(values))
    assert sum(result.output("n5", "counts")) == len(values)
