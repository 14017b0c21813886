"""The core is Qt-free: repository, engine and the headless CLI import no GUI library."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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


def test_repository_and_engine_import_without_qt():
    done = run_blocked(
        """
        import pyflow_desktop, pyflow_desktop.repository, pyflow_desktop.engine
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
