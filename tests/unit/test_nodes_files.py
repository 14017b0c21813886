"""The built-in files nodes (resources/nodes/files.json), run through ``run_flow`` on real
files. A relative path starts from the folder the node runs in: these tests run there."""

from __future__ import annotations

import csv
import json
import os

import pytest
from builtin_nodes import chain, failure, output, run_chain, run_node

from pyflow_desktop.engine import run_flow
from pyflow_desktop.engine.process_executor import ProcessExecutor, WorkerPool
from pyflow_desktop.repository import load_repository, save_repository

MEASUREMENTS = "station;temp;code\nnorth;12.5;007\nsouth;-3;010\n\neast;1e3;\n"


def test_text_is_written_appended_and_read_back(here):
    written = output("files.write_text", text="héllo\n", path="out/notes.txt")
    assert written == str(here / "out" / "notes.txt")
    output("files.write_text", text="again\n", path="out/notes.txt", append="true")
    assert output("files.read_text", path="out/notes.txt") == "héllo\nagain\n"
    (here / "latin.txt").write_bytes("café".encode("latin-1"))
    assert output("files.read_text", path="latin.txt", encoding="latin-1") == "café"


def test_a_missing_file_fails_naming_where_it_was_looked_for(here):
    error = failure("files.read_text", path="nowhere.txt")
    assert error == f"FileNotFoundError: no such file: {here / 'nowhere.txt'}"
    assert failure("files.read_csv", path="  ") == "ValueError: no path given"


def test_csv_reads_rows_with_numbers_delimiter_and_missing_cells(here):
    (here / "m.csv").write_text(MEASUREMENTS, encoding="utf-8-sig")  # with a BOM
    rows = output("files.read_csv", path="m.csv", delimiter=";")
    assert rows == [
        {"station": "north", "temp": 12.5, "code": "007"},
        {"station": "south", "temp": -3, "code": "010"},
        {"station": "east", "temp": 1000.0, "code": ""},
    ]
    assert isinstance(rows[1]["temp"], int)
    as_text = output("files.read_csv", path="m.csv", delimiter=";", numbers="false")
    assert as_text[0] == {"station": "north", "temp": "12.5", "code": "007"}
    no_header = output("files.read_csv", path="m.csv", delimiter=";", header="false")
    assert no_header[0] == {"col1": "station", "col2": "temp", "col3": "code"}
    assert no_header[1] == {"col1": "north", "col2": 12.5, "col3": "007"}


def test_csv_tab_delimiter_and_a_row_longer_than_its_header(here):
    (here / "t.tsv").write_text("a\tb\n1\t2\n", encoding="utf-8")
    assert output("files.read_csv", path="t.tsv", delimiter="tab") == [{"a": 1, "b": 2}]
    assert output("files.read_csv", path="t.tsv", delimiter="\\t") == [{"a": 1, "b": 2}]
    (here / "long.csv").write_text("a,b\n1,2\n1,2,3\n", encoding="utf-8")
    assert failure("files.read_csv", path="long.csv") == (
        "ValueError: line 3 has 3 cells, the header 2 columns"
    )
    assert "one character" in failure("files.read_csv", path="long.csv", delimiter=";;")


def test_csv_written_then_read_back_is_the_same_table(here):
    rows = [{"name": "Ada", "born": 1815}, {"name": "Grace, Hopper", "born": 1906, "note": "x"}]
    path = output("files.write_csv", rows=rows, path="people.csv")
    with open(path, newline="", encoding="utf-8") as handle:
        assert list(csv.reader(handle)) == [
            ["name", "born", "note"],
            ["Ada", "1815", ""],
            ["Grace, Hopper", "1906", "x"],
        ]
    back = output("files.read_csv", path="people.csv")
    assert back == [{"name": "Ada", "born": 1815, "note": ""}, {**rows[1]}]
    output("files.write_csv", rows=rows[:1], path="bare.csv", delimiter=";", header="false")
    assert (here / "bare.csv").read_bytes() == b"Ada;1815\r\n"
    assert failure("files.write_csv", rows=[1, 2]) == "TypeError: row 1 is a int, not a dict"


def test_json_written_then_read_back(here):
    value = {"name": "PyFlow", "tags": ["flow", "ünïcode"], "n": 2}
    path = output("files.write_json", value=value, path="data/v.json", indent="0")
    assert (here / "data" / "v.json").read_text(encoding="utf-8") == json.dumps(
        value, ensure_ascii=False
    ) + "\n"
    assert path == str(here / "data" / "v.json")
    assert output("files.read_json", path="data/v.json") == value
    (here / "bad.json").write_text("{nope", encoding="utf-8")
    assert failure("files.read_json", path="bad.json").startswith(
        f"ValueError: {here / 'bad.json'} is not JSON: Expecting property name"
    )


def test_list_files_by_pattern_in_and_below_a_folder(here):
    for name in ("b.txt", "a.txt", "c.csv", "sub/d.txt", "sub/deeper/e.txt", ".hidden.txt"):
        (here / "docs" / name).parent.mkdir(parents=True, exist_ok=True)
        (here / "docs" / name).write_text(name, encoding="utf-8")
    (here / "docs" / "folder.txt").mkdir()
    assert output("files.list", folder="docs", pattern="*.txt") == [
        os.path.join("docs", "a.txt"),
        os.path.join("docs", "b.txt"),
    ]
    assert output("files.list", folder="docs", pattern="**/*.txt") == [
        os.path.join("docs", *name.split("/"))
        for name in ("a.txt", "b.txt", "sub/d.txt", "sub/deeper/e.txt")
    ]
    assert (
        failure("files.list", folder="nope")
        == f"NotADirectoryError: no such folder: {here / 'nope'}"
    )


def test_file_info_of_a_file_a_folder_and_nothing(here):
    (here / "report.csv").write_text("a\n1\n", encoding="utf-8")
    info = output("files.info", path="report.csv")
    assert info["path"] == str(here / "report.csv") and info["name"] == "report.csv"
    assert (info["suffix"], info["folder"], info["size"]) == (".csv", str(here), 4)
    assert (info["exists"], info["is_file"], info["is_dir"]) == (True, True, False)
    assert info["modified"][:4].isdigit() and info["modified"][-6] in "+-"
    folder = output("files.info", path=".")
    assert (folder["is_dir"], folder["is_file"]) == (True, False)
    missing = output("files.info", path="gone.txt")
    assert (missing["exists"], missing["size"], missing["modified"]) == (False, None, None)


def test_listed_files_are_read_as_texts(here):
    for name, text in (("one.txt", "alpha"), ("two.txt", "beta")):
        (here / name).write_text(text, encoding="utf-8")
    result = run_chain(
        ("ls", "files.list", {"folder": ".", "pattern": "*.txt"}),
        ("read", "files.read_texts", {}),
        links=(("ls:out", "read:paths"),),
    )
    assert result.ok and result.output("read") == ["alpha", "beta"]


@pytest.mark.parametrize("executor", ["thread", "process", "dask"])
def test_relative_paths_start_from_the_folder_the_program_runs_in_on_every_executor(
    tmp_path, monkeypatch, executor
):
    """A program started in the flow file's folder, its data beside it (process workers are
    the program's own, started there)."""
    (tmp_path / "in.txt").write_text("from beside the flow", encoding="utf-8")
    repo = chain(
        ("r", "files.read_text", {"path": "in.txt"}),
        ("w", "files.write_text", {"path": "out.txt"}),
        links=(("r:out", "w:text"),),
    )
    save_repository(repo, tmp_path / "flow.json", "native")
    monkeypatch.chdir(tmp_path)
    pool = WorkerPool()  # started here, as a program's first run starts them
    runner = ProcessExecutor(2, pool) if executor == "process" else executor
    try:
        result = run_flow(load_repository("flow.json"), "f", executor=runner, workers=2)
    finally:
        pool.shutdown()
    assert result.ok, result.nodes
    assert (tmp_path / "out.txt").read_text(encoding="utf-8") == "from beside the flow"
    assert result.output("w") == str(tmp_path / "out.txt")


def test_write_text_on_its_defaults_writes_output_txt_in_the_working_folder(here):
    assert run_node("files.write_text")["outputs"]["out"] == str(here / "output.txt")
    assert (here / "output.txt").read_text(encoding="utf-8") == "Hello from PyFlow Desktop\n"
