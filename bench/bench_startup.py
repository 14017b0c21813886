"""Start-up of the ``pyflow-desktop`` command: wall time and the heavy packages each path loads.

Starts ``python -m pyflow_desktop`` as a user would for ``--version``, ``run FILE --json`` (a
one-node flow) and the window (``FILE --quit``, offscreen), each ``--repeat`` times, and
``python -c pass`` as the baseline measured alongside; prints the median milliseconds, the
ratio to the baseline and which of Qt, FastAPI, uvicorn and dask each one imported (read from
``python -X importtime``). Usage:

    python bench/bench_startup.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("PySide6", "NodeGraphQt", "pyqtgraph", "fastapi", "uvicorn", "dask", "distributed")
ONE_NODE = (
    '{"nodespec": {"one": {"id": "one", "title": "One", "port": {"input": []},'
    ' "func": "def func():\\n    return 1\\n"}},'
    ' "flow": {"f": {"id": "f", "nodes": [{"id": "n", "spec_id": "one"}], "links": []}}}'
)


def wall_ms(command: list[str], env: dict[str, str]) -> float:
    """Milliseconds from start to exit of ``command`` (which must exit 0)."""
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, capture_output=True, cwd=ROOT)
    return (time.perf_counter() - start) * 1000


def heavy_imports(command: list[str], env: dict[str, str]) -> list[str]:
    """The packages of ``HEAVY`` that ``command`` imports."""
    done = subprocess.run(
        [command[0], "-X", "importtime", *command[1:]],
        env=env,
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    loaded = {line.rsplit("|", 1)[-1].strip().split(".")[0] for line in done.stderr.splitlines()}
    return [name for name in HEAVY if name in loaded]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    options = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    with tempfile.TemporaryDirectory() as folder:
        flow = Path(folder) / "one.json"
        flow.write_text(ONE_NODE, encoding="utf-8")
        env["XDG_CONFIG_HOME"] = env["XDG_DATA_HOME"] = folder  # the window's settings
        program = [sys.executable, "-m", "pyflow_desktop"]
        cases = {
            "python -c pass (baseline)": [sys.executable, "-c", "pass"],
            "--version": [*program, "--version"],
            "run FILE --json": [*program, "run", str(flow), "--json"],
            "window FILE --quit": [*program, str(flow), "--quit"],
        }
        baseline = None
        for name, command in cases.items():
            times = [wall_ms(command, env) for _ in range(options.repeat)]
            median = statistics.median(times)
            baseline = baseline or median
            loaded = ", ".join(heavy_imports(command, env)) or "none"
            print(f"{name:28} {median:8.1f} ms  x{median / baseline:5.1f}  heavy: {loaded}")


if __name__ == "__main__":
    main()
