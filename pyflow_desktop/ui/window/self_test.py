"""``pyflow-desktop --self-test``: the installed program (or a bundle) proves it works.

It checks that every module the built-in nodes import can be found (a bundle holds only
what it was given), starts the real window (offscreen when there is no display), opens the
built-in library, runs an example flow through the window's own run path on the process executor, streams a
generator node, and checks every result on the window's widgets. Settings and data go to a
throw-away folder, so the user's are never touched. Exit 0 when everything holds; else each
failure is said on stderr and the exit code is 1.
"""

from __future__ import annotations

import ast
import importlib
import os
import sys
import tempfile
import time
from collections.abc import Callable

from .user_settings import DATA_DIR

EXPECTED_MATH = {"n1": "5.0", "n2": "25.0", "n3": "16.0", "n4": "4.0", "n6": "1.33"}
STREAM_NODE, STREAM_LAST = "n1", "19"
# Modules of optional extras (`pip install 'pyflow-desktop[images]'`): their nodes say what to
# install when they are missing. A bundle carries Pillow, not the [data] extra (pandas and
# pyarrow would take it past its size limit).
EXTRAS = ("PIL", "pandas", "pyarrow")
NOT_BUNDLED = ("pandas", "pyarrow")
RUN_SECONDS = 120


def _isolate() -> str:
    """Settings and the data folder in a fresh temporary folder, before Qt reads them (on
    every system: ``user_settings.DATA_DIR``)."""
    home = tempfile.mkdtemp(prefix="pyflow-self-test-")
    os.environ["HOME"] = home
    os.environ[DATA_DIR] = os.path.join(home, "data")
    if not any(os.environ.get(name) for name in ("LC_ALL", "LC_CTYPE", "LANG")):
        os.environ["LANG"] = "C.UTF-8"  # a bare environment: Qt wants a UTF-8 locale
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        os.environ[name] = os.path.join(home, name.lower())
    return home


def main() -> int:
    _isolate()
    from PySide6 import QtCore

    from ...engine import NodeOutput
    from ...library.sections import read_builtin
    from ...repository import load_repository
    from ...resources import BUILTIN_LIBRARY, resource_path
    from ..run.settings import RunSettings
    from .app import application
    from .main_window import MainWindow

    app = application()
    failures: list[str] = []

    def check(ok: bool, what: str) -> bool:
        print(f"{'ok' if ok else 'FAILED'}: {what}", file=sys.stdout if ok else sys.stderr)
        if not ok:
            failures.append(what)
        return ok

    def wait(done: Callable[[], bool], seconds: float) -> bool:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            app.processEvents(QtCore.QEventLoop.ProcessEventsFlag.AllEvents, 20)
        return done()

    missing = _missing_imports(read_builtin().specs)
    check(not missing, f"the built-in nodes' imports are all there{_named(missing)}")
    window = MainWindow(ask_on_close=False)
    window.trust.asking = False  # the user's own request, as --run
    window.show()
    library = load_repository(resource_path(BUILTIN_LIBRARY))
    window.set_repository(library, None)
    check(bool(library.flows) and bool(library.specs), "the built-in library opens")
    window.runs.runner.settings = RunSettings(executor="process", workers=2, cache=False)
    partials: list[NodeOutput] = []
    window.runs.runner.batch_ready.connect(
        lambda events: partials.extend(e for e in events if isinstance(e, NodeOutput))
    )

    def run(flow_id: str) -> bool | None:
        outcome: list[bool] = []
        window.runs.run_done.connect(outcome.append)
        canvas = window.tabs.open_flow(flow_id)
        started = window.runs.run_all()
        if started:
            wait(lambda: bool(outcome), RUN_SECONDS)
        window.runs.run_done.disconnect(outcome.append)
        check(started and outcome == [True], f"{flow_id} runs in worker processes")
        return canvas if outcome == [True] else None

    canvas = run("examples.math")
    if canvas is not None:
        for node_id, shown in EXPECTED_MATH.items():
            got = canvas.flow_node(node_id).preview("out")
            check(got == shown, f"examples.math {node_id} shows {shown} (it shows {got!r})")
    canvas = run("examples.streaming")
    if canvas is not None:
        streamed = [e for e in partials if e.node == STREAM_NODE]
        check(len(streamed) > 1, f"a generator streams ({len(streamed)} values arrived)")
        got = canvas.flow_node(STREAM_NODE).preview("out")
        check(got == STREAM_LAST, f"its last value {STREAM_LAST} is shown (it shows {got!r})")
    window.close()
    app.processEvents()
    print("self-test passed" if not failures else f"self-test FAILED: {len(failures)} problem(s)")
    return 0 if not failures else 1


def _missing_imports(specs) -> list[str]:
    """The modules the built-in nodes' code imports that do not import here, sorted. Found is not
    enough: a bundled library whose binary is damaged is found and then fails to load."""
    wanted = set()
    for spec, _file in specs:
        for node in ast.walk(ast.parse(spec.func)):
            if isinstance(node, ast.Import):
                wanted.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                wanted.add(node.module)
    optional = NOT_BUNDLED if getattr(sys, "frozen", False) else EXTRAS
    return sorted(
        name for name in wanted if name.split(".")[0] not in optional and not _imports(name)
    )


def _imports(name: str) -> bool:
    try:
        importlib.import_module(name)
    except (ImportError, OSError):  # missing, or a binary the system cannot load
        return False
    return True


def _named(names: list[str]) -> str:
    return f" (missing: {', '.join(names)})" if names else ""
