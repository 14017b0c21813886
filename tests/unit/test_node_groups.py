"""The built-in node groups (resources/nodes/*.json): valid files, documented and typed
specs whose code imports the standard library and numpy only (Pillow and pandas only through
the images and DataFrame nodes' install hints), each spec run by a test, and every spec runs on
its defaults."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

import pytest
from builtin_nodes import BUILTIN, func_def, imported_modules

from pyflow_desktop.engine import run_flow
from pyflow_desktop.repository import (
    PORT_TYPES,
    Flow,
    NodeInstance,
    Repository,
    check_file,
    convert_value,
    load_repository,
)
from pyflow_desktop.resources import BUILTIN_LIBRARY, BUILTIN_NODES, resource_path

GROUPS = sorted(resource_path(BUILTIN_NODES).glob("*.json"))
SPECS = {spec_id: group for group in GROUPS for spec_id in load_repository(group).specs}
TESTS = Path(__file__).parent
ALLOWED_IMPORTS = set(sys.stdlib_module_names) | {"numpy"}
NEEDS_A_SERVER = {"web.get_text", "web.get_json"}  # tested against one in test_nodes_web.py


def test_the_groups_are_valid_native_files_of_specs_only():
    assert [group.stem for group in GROUPS] == [
        "arrays",
        "dataframes",
        "dates",
        "files",
        "images",
        "stats",
        "tables",
        "text",
        "web",
    ]
    for group in GROUPS:
        assert check_file(group) == []
        data = json.loads(group.read_text(encoding="utf-8"))
        assert data["pyflow_desktop"] == {"format_version": 1} and data["flow"] == {}


def test_ids_are_named_after_their_group_and_never_shadow_another_built_in_spec():
    library = set(load_repository(resource_path(BUILTIN_LIBRARY)).specs)
    seen = set(library)
    for group in GROUPS:
        for spec_id in load_repository(group).specs:
            assert spec_id.split(".")[0] == group.stem
            assert spec_id not in seen, f"{spec_id} is offered twice"
            seen.add(spec_id)
    assert len(SPECS) >= 45


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_spec_is_documented_typed_and_defaulted(spec_id):
    spec = BUILTIN[spec_id]
    assert spec.title and spec.title != spec_id
    assert len(spec.description) > 30 and spec.description.strip().endswith(".")
    assert spec.outputs
    for port in spec.inputs + spec.outputs:
        assert port.type in PORT_TYPES
    for port in spec.inputs:
        assert port.default is not None, f"input {port.name!r} has no default"
        convert_value(port.default, port.type)


@pytest.mark.parametrize("spec_id", sorted(SPECS))
def test_func_takes_its_ports_and_imports_only_what_ships(spec_id):
    source = BUILTIN[spec_id].func
    func = func_def(source)
    assert [arg.arg for arg in func.args.args] == [
        p.name for p in BUILTIN[spec_id].ordered_inputs()
    ]
    modules = imported_modules(source)
    if spec_id.startswith("images."):
        assert "this node needs Pillow" in source and "pyflow-desktop[images]" in source
        modules.discard("PIL")
    if spec_id.startswith("dataframes."):
        assert "this node needs pandas" in source and "pyflow-desktop[data]" in source
        modules.discard("pandas")
    assert modules <= ALLOWED_IMPORTS


def test_every_spec_of_the_groups_has_a_test_that_runs_it():
    tested = "".join(path.read_text(encoding="utf-8") for path in TESTS.glob("test_nodes_*.py"))
    untested = [spec_id for spec_id in SPECS if f'"{spec_id}"' not in tested]
    assert untested == []


def test_every_spec_runs_on_its_own_defaults(tmp_path, monkeypatch):
    """In a folder holding the files the defaults name, as a user's first try would be."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "notes.txt").write_text("first notes\n", encoding="utf-8")
    (tmp_path / "data.csv").write_text("a,b\n1,x\n", encoding="utf-8")
    (tmp_path / "data.json").write_text('{"a": 1}', encoding="utf-8")
    pandas = importlib.util.find_spec("pandas") is not None
    if pandas:
        import pandas as pd

        pd.DataFrame({"a": [1, 2]}).to_parquet(tmp_path / "data.parquet")
    pillow = importlib.util.find_spec("PIL") is not None
    if pillow:
        from PIL import Image

        Image.new("RGB", (3, 2), "teal").save(tmp_path / "image.png")
    repo, flow = Repository(), Flow("f", "f")
    for spec_id in sorted(set(SPECS) - NEEDS_A_SERVER):
        repo.add_spec(BUILTIN[spec_id])
        flow.add_node(NodeInstance(spec_id, spec_id, name=spec_id))
    repo.add_flow(flow)
    result = run_flow(repo, "f", targets="all")
    for row in result.nodes:
        if row["id"].startswith("images.") and not pillow:
            assert "pip install 'pyflow-desktop[images]'" in row["error"]
            continue
        if row["id"].startswith("dataframes.") and not pandas:
            assert "pip install 'pyflow-desktop[data]'" in row["error"]
            continue
        assert row["status"] == "success", (row["id"], row["error"])
