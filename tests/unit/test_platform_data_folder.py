"""Where the settings and the data folder (My nodes, recoveries) are, on each system.

Qt puts them in the system's places: the registry and ``%APPDATA%`` on Windows, which no
environment variable moves, ``~/Library`` on macOS, the XDG folders on Linux.
``PYFLOW_DESKTOP_DATA_DIR`` moves both anywhere; the self-test and the tests use it so that
they never write into the user's own, and it is checked here with Qt's data location set
where Windows would put it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA_DIR = "PYFLOW_DESKTOP_DATA_DIR"

WHERE = """
import json, os, sys
from PySide6 import QtCore
from pyflow_desktop.ui.window import self_test, user_settings

# Windows' place, which neither HOME nor the XDG variables move:
real = QtCore.QStandardPaths.writableLocation
QtCore.QStandardPaths.writableLocation = lambda kind: sys.argv[1]
if sys.argv[2] == "self-test":
    self_test._isolate()
print(json.dumps({
    "data": str(user_settings.data_folder()),
    "settings": user_settings.settings().fileName(),
    "home": os.environ.get("HOME"),
}))
"""


def where(tmp_path: Path, *, mode: str = "", **env: str) -> dict[str, str]:
    appdata = str(tmp_path / "AppData" / "Roaming" / "PyFlow Desktop" / "PyFlow Desktop")
    done = subprocess.run(
        [sys.executable, "-c", WHERE, appdata, mode],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != DATA_DIR} | env,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_the_self_test_keeps_out_of_the_users_data_folder_and_settings(tmp_path):
    found = where(tmp_path, mode="self-test")
    home = Path(found["home"])
    assert home.name.startswith("pyflow-self-test-") and home != Path.home()
    assert Path(found["data"]).is_relative_to(home)
    assert Path(found["settings"]).is_relative_to(home)
    assert "AppData" not in found["data"]


def test_the_data_dir_variable_holds_the_settings_and_the_data(tmp_path):
    found = where(tmp_path, **{DATA_DIR: str(tmp_path / "mine")})
    assert found["data"] == str(tmp_path / "mine")
    assert Path(found["settings"]) == tmp_path / "mine" / "settings.ini"


def test_without_it_the_data_folder_is_qts(tmp_path):
    found = where(tmp_path)
    assert "AppData" in found["data"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG folders are Linux's")
def test_on_linux_my_nodes_follows_xdg_data_home(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != DATA_DIR}
    done = subprocess.run(
        [sys.executable, "-m", "pyflow_desktop", "library", "--json"],
        capture_output=True,
        encoding="utf-8",
        timeout=60,
        env={**env, "HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")},
    )
    assert done.returncode == 0, done.stderr
    user = json.loads(done.stdout)["sections"][1]
    assert user["paths"] == [str(tmp_path / "data" / "PyFlow Desktop" / "PyFlow Desktop" / "nodes")]
