"""The palette: built-in, My nodes and node packages, read without running anything, listed
by ``pyflow-desktop library`` (through a real subprocess)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pyflow_desktop.library import (
    BUILTIN,
    USER,
    Palette,
    differs,
    module_folders,
    read_builtin,
    read_palette,
    read_user,
)
from pyflow_desktop.repository import load_repository
from pyflow_desktop.resources import BUILTIN_LIBRARY, BUILTIN_NODES, resource_path

DATA_DIR = "PYFLOW_DESKTOP_DATA_DIR"  # the program's settings and data folder (user_settings)
GREET = 'spec = {"id": "my.greet", "title": "Greet"}\n\ndef func(name: str = "you"):\n    return name\n'


def nodemaker(spec_id: str, title: str, marker: Path | None = None) -> str:
    """A nodemaker module; with ``marker``, one that writes that file if it is ever run."""
    run = f"open({str(marker)!r}, 'w').write('ran')\n" if marker else ""
    return f'{run}spec = {{"id": "{spec_id}", "title": "{title}"}}\n\ndef func(x: int = 1):\n    return x\n'


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return folder / name


def test_the_built_in_section_is_the_shipped_library_then_the_node_groups():
    section = read_builtin()
    library = resource_path(BUILTIN_LIBRARY)
    groups = sorted(resource_path(BUILTIN_NODES).glob("*.json"))
    expected = [(spec_id, str(library)) for spec_id in load_repository(library).specs]
    for group in groups:
        expected += [(spec_id, str(group)) for spec_id in load_repository(group).specs]
    assert [(spec.id, file) for spec, file in section.specs] == expected
    assert [group.stem for group in groups] == [
        "arrays", "dataframes", "dates", "files", "images", "stats", "tables", "text", "web"
    ]
    assert section.paths == [str(library), str(resource_path(BUILTIN_NODES))]
    assert section.broken == []


def test_my_nodes_reads_python_and_json_files_and_never_runs_them(tmp_path):
    folder = tmp_path / "nodes"
    marker = tmp_path / "ran"
    write(folder, "greet.py", GREET)
    write(folder, "side_effect.py", nodemaker("my.effect", "Effect", marker))
    write(folder, "__init__.py", f"open({str(marker)!r}, 'w')\n")  # not a node file
    write(folder, "notes.txt", "not a node file")
    repo = {"nodespec": {"my.half": {"id": "my.half", "title": "Half", "port": {"input": []},
                                     "func": "def func():\n    return 0.5\n"}}, "flow": {}}
    write(folder, "more.json", json.dumps(repo))
    section = read_user(folder)
    assert [(spec.id, Path(file).name) for spec, file in section.specs] == [
        ("my.greet", "greet.py"),
        ("my.half", "more.json"),
        ("my.effect", "side_effect.py"),
    ]
    assert [port.name for port in section.specs[0][0].inputs] == ["name"]
    assert section.broken == []
    assert not marker.exists()


def test_a_broken_file_is_listed_with_its_error_and_hides_nothing(tmp_path):
    folder = tmp_path / "nodes"
    write(folder, "a_bad.py", "def func(:\n")
    write(folder, "b_empty.json", "")
    write(folder, "c_no_spec.py", "def func():\n    return 1\n")
    write(folder, "greet.py", GREET)
    section = read_user(folder)
    assert [spec.id for spec, _ in section.specs] == ["my.greet"]
    errors = {Path(broken.file).name: broken.error for broken in section.broken}
    assert set(errors) == {"a_bad.py", "b_empty.json", "c_no_spec.py"}
    assert "line 1" in errors["a_bad.py"] and "syntax error" in errors["a_bad.py"]
    assert "spec = {...}" in errors["c_no_spec.py"]
    assert str(folder) not in errors["a_bad.py"]  # the file is listed beside its error


def test_a_missing_my_nodes_folder_is_an_empty_section(tmp_path):
    section = read_user(tmp_path / "not yet made")
    assert section.specs == [] and section.broken == []


def test_the_first_section_offering_an_id_wins_and_the_others_are_shadowed(tmp_path):
    folder = tmp_path / "nodes"
    write(folder, "add.py", nodemaker("math.add", "My add"))
    write(folder, "greet.py", GREET)
    write(folder, "greet_again.py", GREET.replace('"Greet"', '"Greet again"'))
    palette = Palette([read_builtin(), read_user(folder)])
    assert palette.get("math.add").section.name == BUILTIN
    assert palette.get("my.greet").spec.title == "Greet"
    shadowed = {(e.spec.title, e.shadowed_by) for e in palette.entries if e.shadowed_by}
    assert shadowed == {("My add", BUILTIN), ("Greet again", USER)}
    assert [e.spec.id for e in palette.used()].count("math.add") == 1
    listing = palette.to_json()
    assert [s["section"] for s in listing["sections"]] == [BUILTIN, USER]
    mine = [s for s in listing["specs"] if s["section"] == USER]
    assert mine == [
        {"id": "math.add", "title": "My add", "section": USER,
         "file": str(folder / "add.py"), "shadowed_by": BUILTIN},
        {"id": "my.greet", "title": "Greet", "section": USER,
         "file": str(folder / "greet.py"), "shadowed_by": None},
        {"id": "my.greet", "title": "Greet again", "section": USER,
         "file": str(folder / "greet_again.py"), "shadowed_by": USER},
    ]


def test_a_copy_saved_in_a_file_does_not_differ_and_an_edit_does(tmp_path):
    from pyflow_desktop.repository import Repository, save_repository

    library = read_palette(tmp_path / "nodes").get("math.add").spec
    repo = Repository()
    repo.add_spec(library.copy())
    save_repository(repo, tmp_path / "f.json")
    copy = load_repository(tmp_path / "f.json").specs["math.add"]
    assert not differs(copy, library)
    assert differs(copy.copy(func=copy.func + "\n"), library)
    assert differs(copy.copy(title="Plus"), library)


def test_a_module_folder_is_found_without_importing_it_or_its_parents(tmp_path, monkeypatch):
    marker = tmp_path / "ran"
    write(tmp_path / "pkg_a", "__init__.py", f"open({str(marker)!r}, 'w')\n")
    write(tmp_path / "pkg_a" / "nodes", "__init__.py", f"open({str(marker)!r}, 'w')\n")
    write(tmp_path, "lone_module.py", f"open({str(marker)!r}, 'w')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert module_folders("pkg_a.nodes") == [tmp_path / "pkg_a" / "nodes"]
    assert module_folders("lone_module") == [tmp_path]
    assert module_folders("pkg_a.missing") == [] and module_folders("no_such_module") == []
    assert not marker.exists()
    assert "pkg_a" not in sys.modules


# -- pyflow-desktop library, through a subprocess ----------------------------------------


def installed_package(site: Path, name: str, version: str, entry_points: dict[str, str]) -> None:
    """A distribution as pip leaves it in site-packages: its dist-info with entry points."""
    dist = site / f"{name.replace('-', '_')}-{version}.dist-info"
    lines = "\n".join(f"{key} = {value}" for key, value in entry_points.items())
    write(dist, "METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    write(dist, "entry_points.txt", f"[pyflow_desktop.nodes]\n{lines}\n")


def library_cli(tmp_path: Path, *args: str, site: Path | None = None):
    env = {**os.environ, "HOME": str(tmp_path / "home"), DATA_DIR: str(tmp_path / "data")}
    if site is not None:
        env["PYTHONPATH"] = str(site)
    return subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "library", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


def my_nodes(tmp_path: Path) -> Path:
    """Where the window and the command find My nodes, with their data folder in ``tmp_path``."""
    return tmp_path / "data" / "nodes"


@pytest.fixture
def site(tmp_path) -> Path:
    """Two installed node packages (zeta-nodes, then alpha-nodes: listed by name) that both
    offer ``pkg.shared``, and one whose entry point names no module. Importing any of their
    modules would write ``ran``."""
    site = tmp_path / "site"
    marker = tmp_path / "ran"
    effect = f"open({str(marker)!r}, 'w').write('imported')\n"
    write(site / "zeta_nodes", "__init__.py", effect)
    write(site / "zeta_nodes", "shared.py", nodemaker("pkg.shared", "Zeta's", marker))
    write(site / "alpha_nodes", "__init__.py", effect)
    write(site / "alpha_nodes" / "nodes", "__init__.py", effect)
    write(site / "alpha_nodes" / "nodes", "shared.py", nodemaker("pkg.shared", "Alpha's"))
    write(site / "alpha_nodes" / "nodes", "broken.py", "spec = 1\n")
    installed_package(site, "zeta-nodes", "2.0", {"main": "zeta_nodes"})
    installed_package(site, "alpha-nodes", "1.5", {"main": "alpha_nodes.nodes"})
    installed_package(site, "ghost-nodes", "0.1", {"main": "ghost_nodes_missing"})
    return site


def test_library_json_lists_every_section_spec_and_broken_file(tmp_path, site):
    write(my_nodes(tmp_path), "greet.py", GREET)
    write(my_nodes(tmp_path), "bad.py", "spec = {\n")
    done = library_cli(tmp_path, "--json", site=site)
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    assert set(listing) == {"sections", "specs", "broken"}
    sections = [s["section"] for s in listing["sections"]]
    assert sections == [BUILTIN, USER, "alpha-nodes 1.5", "ghost-nodes 0.1", "zeta-nodes 2.0"]
    alpha = listing["sections"][2]
    assert alpha["package"] == "alpha-nodes" and alpha["version"] == "1.5"
    assert alpha["paths"] == [str(site / "alpha_nodes" / "nodes")]
    assert alpha["entry_points"] == ["main = alpha_nodes.nodes"]
    assert listing["sections"][1]["paths"] == [str(my_nodes(tmp_path))]
    by_title = {s["title"]: s for s in listing["specs"]}
    assert by_title["Greet"] == {"id": "my.greet", "title": "Greet", "section": USER,
                                 "file": str(my_nodes(tmp_path) / "greet.py"),
                                 "shadowed_by": None}
    assert by_title["Alpha's"]["shadowed_by"] is None
    assert by_title["Zeta's"]["shadowed_by"] == "alpha-nodes 1.5"
    assert by_title["Add"]["section"] == BUILTIN
    broken = {(b["section"], Path(b["file"]).name) for b in listing["broken"]}
    assert broken == {(USER, "bad.py"), ("alpha-nodes 1.5", "broken.py"),
                      ("ghost-nodes 0.1", "ghost_nodes_missing")}
    assert not (tmp_path / "ran").exists()  # no package module, no node file ran


def test_library_prints_a_readable_listing(tmp_path, site):
    write(my_nodes(tmp_path), "add.py", nodemaker("math.add", "My add"))
    write(my_nodes(tmp_path), "bad.py", "spec = {\n")
    done = library_cli(tmp_path, site=site)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("sections")
    assert any(line.split()[0] == USER and line.endswith(str(my_nodes(tmp_path))) for line in lines)
    header = next(line for line in lines if line.startswith("ID"))
    assert header.split() == ["ID", "TITLE", "SECTION", "FILE"]
    mine = next(line for line in lines if "My add" in line)
    assert mine.split()[0] == "math.add" and "add.py  (shadowed by builtin)" in mine
    assert any(line.startswith("math.add") and "builtin" in line for line in lines)
    broken = lines[lines.index("broken files:") + 1 :]
    assert any(line.startswith("  user: ") and "bad.py" in line for line in broken)
    assert not (tmp_path / "ran").exists()


def test_library_needs_no_display(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "library", "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**env, "HOME": str(tmp_path), DATA_DIR: str(tmp_path / "data")},
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["specs"]


def test_the_example_package_installs_into_a_fresh_venv_and_lists_its_nodes(tmp_path):
    """examples/node-package, pip-installed as a user would, found by the installed command.
    The venv sees the dev venv's packages through a path file, so only the two projects
    are built, each from a copy (a build writes beside its sources)."""
    root = Path(__file__).resolve().parents[2]
    project, example = tmp_path / "project", tmp_path / "node-package"
    for name in ("pyflow_desktop", "resources"):
        shutil.copytree(root / name, project / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, project / name)
    shutil.copytree(root / "examples" / "node-package", example)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()
    dev_site = [p for p in sys.path if p.endswith("site-packages")]
    Path(purelib, "dev-venv.pth").write_text("\n".join(dev_site) + "\n")
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--no-deps",
         str(project), str(example)],
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    command = venv / ("Scripts/pyflow-desktop.exe" if os.name == "nt" else "bin/pyflow-desktop")
    env = {**os.environ, "HOME": str(tmp_path), DATA_DIR: str(tmp_path / "data")}
    env.pop("PYTHONPATH", None)
    done = subprocess.run(
        [str(command), "library", "--json"], capture_output=True, text=True, timeout=60,
        env=env, cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    listing = json.loads(done.stdout)
    folder = Path(purelib, "pyflow_example_nodes")
    package = [s for s in listing["sections"] if s["package"] == "pyflow-example-nodes"]
    assert package == [{"section": "pyflow-example-nodes 0.1.0",
                        "title": "pyflow-example-nodes 0.1.0", "paths": [str(folder)],
                        "package": "pyflow-example-nodes", "version": "0.1.0",
                        "entry_points": ["example = pyflow_example_nodes"]}]
    nodes = {s["id"]: s for s in listing["specs"] if s["section"] == package[0]["section"]}
    assert nodes == {
        "example.greet": {"id": "example.greet", "title": "Greet",
                          "section": "pyflow-example-nodes 0.1.0",
                          "file": str(folder / "greet.py"), "shadowed_by": None},
        "example.celsius_to_fahrenheit": {
            "id": "example.celsius_to_fahrenheit", "title": "Celsius to Fahrenheit",
            "section": "pyflow-example-nodes 0.1.0", "file": str(folder / "units.json"),
            "shadowed_by": None},
    }
    assert listing["broken"] == []
    # The dev venv, which did not install it, does not see it.
    mine = library_cli(tmp_path, "--json")
    assert "pyflow-example-nodes" not in mine.stdout


def test_the_example_package_nodes_read_as_documented():
    folder = Path(__file__).resolve().parents[2] / "examples" / "node-package"
    text = (folder / "pyproject.toml").read_text()
    assert '[project.entry-points."pyflow_desktop.nodes"]' in text
    section = read_user(folder / "pyflow_example_nodes")
    greet = dict((spec.id, spec) for spec, _ in section.specs)["example.greet"]
    assert [(p.name, p.type, p.default) for p in greet.inputs] == [
        ("name", "String", "world"), ("times", "Int", 1)
    ]
