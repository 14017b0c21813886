"""A link's arrow points the way its value goes: from the output to the input."""

from __future__ import annotations

import math

import pytest

from pyflow_desktop.ui.canvas.pipes import FlowPipe


@pytest.mark.parametrize(
    ("out_x", "out_y", "in_x", "in_y"),
    [
        (0, 0, 300, 0),  # a short link on one row: the curve's control points cross
        (0, 0, 2000, 0),  # a long one
        (0, 0, 300, 400),  # down to the next row
        (900, 0, 0, 200),  # back to the start of the next row (the math example's)
    ],
)
def test_the_arrow_points_from_the_output_to_the_input(window, out_x, out_y, in_x, in_y):
    flow = window.repo.flows["calc"]
    flow.move_node("n1", out_x, out_y)
    flow.move_node("n2", in_x, in_y)
    canvas = window.tabs.open_flow("calc")
    in_port = canvas.flow_node("n2").inputs()["a"].view
    (pipe,) = in_port.connected_pipes
    assert isinstance(pipe, FlowPipe) and pipe._arrow is not None
    tip, base = pipe._arrow[1], (pipe._arrow[0] + pipe._arrow[2]) / 2  # as in _ARROW
    start, end = pipe.output_port.scenePos(), pipe.input_port.scenePos()
    towards, along = end - start, tip - base
    assert along.x() * towards.x() + along.y() * towards.y() > 0


@pytest.mark.parametrize(
    ("gap", "drop"),
    [(40, 4), (40, -12), (120, 4), (120, 12), (200, -12)],  # close ports: a small S
)
def test_the_arrow_of_a_nearly_level_link_points_along_it_to_the_input(window, gap, drop):
    """A nearly level link bends into a small S whose middle runs steeply: its arrow points
    along the link, not across it."""
    flow = window.repo.flows["calc"]
    canvas = window.tabs.open_flow("calc")
    width = canvas.flow_node("n1").item.boundingRect().width()
    flow.move_node("n1", 0, 0)
    flow.move_node("n2", width + gap, drop)
    (pipe,) = canvas.flow_node("n2").inputs()["a"].view.connected_pipes
    tip, base = pipe._arrow[1], (pipe._arrow[0] + pipe._arrow[2]) / 2
    towards = pipe.input_port.centre() - pipe.output_port.centre()
    along = tip - base
    turn = math.degrees(math.atan2(along.y(), along.x()) - math.atan2(towards.y(), towards.x()))
    assert abs(turn) < 20
