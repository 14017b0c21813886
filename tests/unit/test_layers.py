"""The layout holds: the core is Qt-free, imports go one way and every package installs."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "pyflow_desktop"

BLOCKER = textwrap.dedent(
    """
    import sys
    BLOCKED = ("PySide6", "NodeGraphQt", "pyqtgraph", "Qt", "shiboken6")

    class Blocker:
        def find_spec(self, name, path=None, target=None):
            if name.split(".")[0] in BLOCKED:
                raise ImportError(f"{name} is blocked: the core must not import it")
            return None

    sys.meta_path.insert(0, Blocker())
    """
)


def run_blocked(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", BLOCKER + textwrap.dedent(code)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_the_core_the_services_and_the_command_line_import_without_qt():
    """Every module of the command line too (``cli`` imports Qt only to open a window)."""
    done = run_blocked(
        """
        import pyflow_desktop, pyflow_desktop.repository, pyflow_desktop.engine
        import pyflow_desktop.spec_test, pyflow_desktop.export.script, pyflow_desktop.library
        import pyflow_desktop.server.app, pyflow_desktop.server.listening
        import pyflow_desktop.cli
        loaded = [m for m in sys.modules if m.split(".")[0] in BLOCKED]
        assert not loaded, loaded
        print("ok")
        """
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_blocker_really_blocks():
    done = run_blocked("import PySide6")
    assert done.returncode != 0 and "blocked" in done.stderr


def test_headless_run_works_with_qt_blocked(tmp_path):
    path = tmp_path / "r.json"
    path.write_text(
        '{"nodespec": {"one": {"id": "one", "title": "One", "port": {"input": []},'
        ' "func": "def func():\\n    return 1\\n"}},'
        ' "flow": {"f": {"id": "f", "nodes": [{"id": "n", "spec_id": "one"}], "links": []}}}'
    )
    done = run_blocked(
        f"""
        from pyflow_desktop.cli import main
        raise SystemExit(main(["run", {str(path)!r}, "--json"]))
        """
    )
    assert done.returncode == 0, done.stderr
    assert '"value": 1' in done.stdout


def test_import_contracts_hold():
    """import-linter's contracts (pyproject.toml): layers, no Qt in the core, only ngqt imports
    NodeGraphQt, the rooms of ui, and no import cycles — TYPE_CHECKING imports included."""
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint, "import-linter is not installed (it is a dev dependency)"
    done = subprocess.run(
        [lint, "--no-cache", "--no-logo", "--config", str(ROOT / "pyproject.toml")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_every_package_is_installed():
    """A sub-package missing from pyproject's list would be absent from a plain install."""
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in PACKAGE.rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert found - listed == set()


def test_every_resource_file_is_package_data():
    """A data file of resources/ that no package-data pattern names would be absent from a
    plain install (the bundle takes the whole folder)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    resources = ROOT / config["package-dir"]["pyflow_desktop.resources"]
    patterns = config["package-data"]["pyflow_desktop.resources"]
    shipped = {path for pattern in patterns for path in resources.glob(pattern) if path.is_file()}
    data = {
        path
        for path in resources.rglob("*")
        if path.is_file() and path.suffix not in (".py", ".pyc") and "__pycache__" not in path.parts
    }
    assert sorted(map(str, data - shipped)) == []
