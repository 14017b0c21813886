"""Saves killed at random points: the file and its ``.bak`` each hold the old content or the
new, whole, every time; the next save removes the temp files the killed one left.

A helper process imports the package once and forks one saver per round (forking is cheap,
importing is not); the saver saves two versions in turn, as fast as it can, until the test
SIGKILLs it after a random delay.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from flows import add_nodes, basic_repo

from pyflow_desktop.repository import Flow, dump_repository, load_repository, save_repository

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a saver per round")

ROUNDS = 60

SAVER = textwrap.dedent(
    """
    import os, sys
    from pyflow_desktop.repository import load_repository, save_repository
    target, versions = sys.argv[1], [load_repository(p) for p in sys.argv[2:4]]
    for _ in sys.stdin:  # one line per round
        pid = os.fork()
        if pid == 0:
            turn = 0
            while True:
                save_repository(versions[turn % 2], target)
                turn += 1
        print(pid, flush=True)
        os.waitpid(pid, 0)
        print("reaped", flush=True)
    """
)


def version(name: str, nodes: int = 200):
    """A repository big enough that a save takes a few milliseconds."""
    repo = basic_repo()
    flow = Flow("f", name)
    add_nodes(flow, *[(f"n{i}", "const", {"v": str(i)}) for i in range(nodes)])
    repo.add_flow(flow)
    return repo


def temps(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_save_killed_anywhere_leaves_whole_files_and_its_temps_go_next_time(tmp_path):
    old, new = version("old"), version("new")
    texts = {dump_repository(old): "old", dump_repository(new): "new"}
    sources = []
    for repo, name in ((old, "old"), (new, "new")):
        sources.append(tmp_path / f"{name}.src")
        save_repository(repo, sources[-1])
    work = tmp_path / "work"
    work.mkdir()
    target, backup = work / "repo.json", work / "repo.json.bak"
    save_repository(old, target)
    save_repository(old, target)
    helper = subprocess.Popen(
        [sys.executable, "-c", SAVER, str(target), *map(str, sources)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    rng = random.Random(13)
    seen = {"file": set(), "bak": set()}
    left_behind = 0
    try:
        for _ in range(ROUNDS):
            helper.stdin.write("go\n")
            helper.stdin.flush()
            saver = int(helper.stdout.readline())
            time.sleep(rng.uniform(0.002, 0.05))
            os.kill(saver, signal.SIGKILL)
            assert helper.stdout.readline().strip() == "reaped"
            for name, path in (("file", target), ("bak", backup)):
                content = path.read_text(encoding="utf-8")
                assert content in texts, f"the {name} is neither version after a kill"
                seen[name].add(texts[content])
            left_behind += bool(temps(work))
            save_repository(old, target)  # the next save
            assert temps(work) == []
            assert load_repository(target).flows["f"].name == "old"
    finally:
        helper.stdin.close()
        helper.wait(timeout=10)
    # The kills did land inside saves: both versions were seen, and temps were left behind.
    assert seen == {"file": {"old", "new"}, "bak": {"old", "new"}}
    assert left_behind >= 1
