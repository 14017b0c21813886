"""The Log writes what it is given in order; while hidden it keeps it for when it shows,
making run lines only then, and no more than it can hold."""

from __future__ import annotations

from pyflow_desktop.ui.window.log_panel import MAX_LINES, LogPanel


def test_a_hidden_log_writes_nothing_until_it_shows_then_all_in_order(qtbot):
    log = LogPanel()
    qtbot.addWidget(log)
    made = []

    def lines():
        made.append(True)
        return "node a: success\nnode b: success"

    log.add("— run")
    log.add_later(lines, 2)
    log.add("— done")
    assert made == [] and log.document().blockCount() == 1  # nothing written yet
    log.show()
    qtbot.waitExposed(log)
    assert made == [True]
    assert log.document().toPlainText().splitlines() == [
        "— run",
        "node a: success",
        "node b: success",
        "— done",
    ]
    log.add("— next")  # shown: written at once
    assert log.document().toPlainText().endswith("— next")


def test_asking_for_the_text_writes_what_waits_and_a_long_wait_keeps_the_last_lines(qtbot):
    log = LogPanel()
    qtbot.addWidget(log)
    for index in range(MAX_LINES + 500):
        log.add_later(lambda index=index: f"line {index}", 1)
    text = log.toPlainText().splitlines()
    assert len(text) <= MAX_LINES and text[-1] == f"line {MAX_LINES + 499}"
    assert text[0] == "line 500"
