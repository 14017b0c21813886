"""A file reopened comes back as it was left: its tabs in order, the flow in front, each
canvas's view, and the viewers of the flow in front (``ui/window/sessions.py``)."""

from __future__ import annotations

from helpers import fresh_window, settle


def test_reopening_a_file_brings_back_its_tabs_viewers_and_view(qtbot, repo_file, run_and_wait):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    win.trust.trust(win.repo.specs.values())  # the user's own file
    win.tabs.open_flow("broken")
    calc = win.tabs.open_flow("calc")
    settle(qtbot)  # its first frame, before the view is set
    calc.set_view(123.0, 45.0, 0.9)
    assert run_and_wait(win)
    win.panels.viewers.open_viewer("n2", "out", "calc")
    win.files.new_repository()  # leave the file
    assert list(win.tabs.canvases) == ["flow_1"]  # the new file's empty flow
    assert win.files.open_path(repo_file)
    settle(qtbot)  # the views the tabs come back with
    order = [win.tabs.widget.widget(i).property("flow_id") for i in range(win.tabs.widget.count())]
    assert order == ["calc", "broken"]  # the first flow came first, then the one opened
    assert win.tabs.current()[1].flow.id == "calc"
    x, y, scale = win.tabs.current()[0].view_state()
    assert abs(scale - 0.9) < 0.01 and abs(x - 123) < 2 and abs(y - 45) < 2
    assert ("calc", "n2", "out") in win.panels.viewers.viewers
    win.close()
    # And after the window closed, a new window opening the file shows the same.
    again = fresh_window(qtbot)
    assert again.files.open_path(repo_file)
    assert ("calc", "n2", "out") in again.panels.viewers.viewers


def test_reopening_shows_only_the_viewers_of_the_flow_in_front(qtbot, repo_file):
    win = fresh_window(qtbot)
    assert win.files.open_path(repo_file)
    win.tabs.open_flow("broken")
    win.panels.viewers.open_viewer("f2", "out", "broken")
    win.tabs.open_flow("calc")
    win.panels.viewers.open_viewer("n2", "out", "calc")
    win.files.new_repository()
    assert win.files.open_path(repo_file)
    settle(qtbot)  # the views the tabs come back with
    assert win.tabs.current()[1].flow.id == "calc"
    viewers = win.panels.viewers.viewers
    assert viewers[("calc", "n2", "out")].isVisible()
    assert not viewers[("broken", "f2", "out")].isVisible()
