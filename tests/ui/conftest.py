"""Fixtures for the Qt tests: isolated settings, a small repository, a main window."""

from __future__ import annotations

import gc

import pytest
from PySide6 import QtWidgets

from pyflow_desktop.repository import (
    Flow,
    Link,
    NodeInstance,
    NodeSpec,
    Port,
    Repository,
    save_repository,
)
from pyflow_desktop.ui.window.user_settings import DATA_DIR


def pytest_configure(config):
    # NodeGraphQt uses distutils' LooseVersion and QDropEvent.pos(), both deprecated upstream.
    config.addinivalue_line("filterwarnings", "ignore::DeprecationWarning:NodeGraphQt.*")


@pytest.fixture(scope="session")
def qapp_cls():
    """The application's own class (it hands on the files the system opens with it)."""
    from pyflow_desktop.ui.window.file_open import Application

    return Application


@pytest.fixture(scope="package", autouse=True)
def gui_thread_collector(qapp):
    """As in the application: its names (they place its data folder), and garbage collected
    on the GUI thread only."""
    from pyflow_desktop.ui.window.app import GuiThreadCollector
    from pyflow_desktop.ui.window.user_settings import APPLICATION, ORGANIZATION

    qapp.setOrganizationName(ORGANIZATION)
    qapp.setApplicationName(APPLICATION)
    collector = GuiThreadCollector()
    yield collector
    collector.stop()
    gc.collect()


@pytest.fixture(autouse=True)
def no_unexpected_dialogs(request, monkeypatch):
    """A modal dialog a test did not answer fails that test at once instead of waiting for a
    click that never comes (tests answer the dialogs they expect by patching them, or work
    the real one when marked ``real_dialogs``)."""
    if request.node.get_closest_marker("real_dialogs"):
        return

    def refuse(dialog, *_args):
        text = dialog.text() if isinstance(dialog, QtWidgets.QMessageBox) else ""
        raise AssertionError(f"unexpected dialog {dialog.windowTitle()!r}: {text}")

    monkeypatch.setattr(QtWidgets.QDialog, "exec", refuse)
    monkeypatch.setattr(QtWidgets.QMessageBox, "exec", refuse)


@pytest.fixture(autouse=True)
def isolated_settings(qapp, tmp_path, monkeypatch):
    """QSettings and the data folder (autosaved recoveries, My nodes) go to a throw-away
    folder, never the user's real ones, on every system (``PYFLOW_DESKTOP_DATA_DIR``; the
    programs a test starts inherit it)."""
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv(DATA_DIR, str(tmp_path / "data"))
    yield


def make_repository() -> Repository:
    """Specs for add, multiply, a failing node and a boolean switch; one flow ``calc``.

    Their code is not the built-in library's (which runs without a trust question), so a
    file of them is code from outside."""
    repo = Repository()
    repo.add_spec(
        NodeSpec(
            "math.add",
            "Add",
            [Port("a", "Int", 0), Port("b", "Int", 1)],
            [Port("out", "Int")],
            "def func(a, b):\n    return a + b  # the tests' own\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "math.mul",
            "Multiply",
            [Port("a", "Float", 0), Port("b", "Float", 1)],
            [Port("out", "Float")],
            "def func(a, b):\n    return a * b  # the tests' own\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "text.join",
            "Join",
            [Port("a", "String", 0), Port("b", "String", 1)],
            [Port("out", "String")],
            "def func(a, b):\n    return f'{a}{b}'\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "logic.pick",
            "Pick",
            [Port("flag", "Boolean", 0)],
            [Port("out", "String")],
            "def func(flag):\n    return 'yes' if flag else 'no'\n",
        )
    )
    repo.add_spec(
        NodeSpec(
            "debug.fail",
            "Fail",
            [Port("x", "Int", 0)],
            [Port("out", "Int")],
            "def func(x):\n    raise ValueError('boom')\n",
        )
    )
    flow = Flow("calc", "Calculation")
    flow.add_node(NodeInstance("n1", "math.add", values={"a": "2", "b": "3"}, x=0, y=0))
    flow.add_node(NodeInstance("n2", "math.mul", values={"b": "10"}, x=300, y=0, is_end=True))
    flow.add_link(Link("n1", "out", "n2", "a"))
    repo.add_flow(flow)
    broken = Flow("broken", "Broken")
    broken.add_node(NodeInstance("f1", "debug.fail", values={"x": "1"}))
    broken.add_node(NodeInstance("f2", "math.add", values={"b": "1"}, x=300))
    broken.add_link(Link("f1", "out", "f2", "a"))
    repo.add_flow(broken)
    return repo


@pytest.fixture
def repo() -> Repository:
    return make_repository()


@pytest.fixture
def repo_file(tmp_path):
    """``make_repository()`` saved in our native format."""
    path = tmp_path / "repo.json"
    save_repository(make_repository(), path, "native")
    return path


@pytest.fixture
def window(qtbot, repo):
    """A main window showing ``repo`` that never asks questions on close."""
    from pyflow_desktop.ui.window.main_window import MainWindow

    win = MainWindow(ask_on_close=False)
    qtbot.addWidget(win)
    win.set_repository(repo, None)
    win.show()
    win.resize(1280, 800)  # the offscreen screen is small; give the canvas a desktop's room
    return win


@pytest.fixture
def run_and_wait(qtbot):
    """Run the current flow of a window as F5 does, wait for the end, return whether it
    succeeded."""

    def run(win, targets="all", timeout=10_000) -> bool:
        with qtbot.waitSignal(win.runs.run_done, timeout=timeout) as blocker:
            assert win.runs.run_current(targets)
        return blocker.args[0]

    return run
