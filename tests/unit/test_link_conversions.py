"""Linked values are converted by the input's type, by one table."""

from __future__ import annotations

import pytest
from flows import add_nodes, basic_repo, link, spec

from pyflow_desktop.engine import run_flow
from pyflow_desktop.repository import (
    PORT_TYPES,
    ConversionError,
    Flow,
    convert_linked,
    link_conversion,
    value_type,
)

# One value of each type, as a node's output would be.
SAMPLES = {
    "String": "41",
    "Int": 7,
    "Long": 7,
    "Float": 2.0,
    "Boolean": True,
    "List": [1, 2],
    "Json": {"a": 1},
    "FloatArray": [1.0, 2.5],
    "Image": [[1.0, 2.0], [3.0, 4.0]],
}


def pass_through(source_type: str, target_type: str):
    """A flow: a node returning SAMPLES[source_type] linked into a `target_type` input."""
    repo = basic_repo()
    repo.add_spec(spec("src", f"def func():\n    return {SAMPLES[source_type]!r}\n"))
    repo.add_spec(spec("take", "def func(x):\n    return x\n", [f"x:{target_type}"]))
    flow = Flow("f")
    add_nodes(flow, ("s", "src", {}), ("t", "take", {}))
    link(flow, "s:out", "t:x")
    repo.add_flow(flow)
    return repo, run_flow(repo, flow)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        ("Int", "String", "7"),
        ("String", "Int", 41),
        ("String", "Float", 41.0),
        ("Float", "Int", 2),
        ("Float", "String", "2.0"),
        ("Boolean", "String", "true"),
        ("List", "String", "[1, 2]"),
        ("Json", "String", '{"a": 1}'),
        ("List", "FloatArray", [1.0, 2.0]),
        ("Int", "Json", 7),
        ("Image", "Any", [[1.0, 2.0], [3.0, 4.0]]),
    ],
)
def test_a_linked_value_is_converted_by_the_input_type(source, target, expected):
    _, result = pass_through(source, target)
    assert result.ok, result.nodes
    got = result.output("t")
    assert got == expected and type(got) is type(expected)
    assert result.node("t")["inputs"][0]["value"] == expected


def test_int_into_float_gives_a_float():
    _, result = pass_through("Int", "Float")
    assert result.output("t") == 7.0 and type(result.output("t")) is float


def test_a_float_with_a_fraction_into_int_fails_naming_port_type_and_value_type():
    repo = basic_repo()
    repo.add_spec(spec("half", "def func():\n    return 2.5\n"))
    repo.add_spec(spec("take", "def func(count):\n    return count\n", ["count:Int"]))
    flow = Flow("f")
    add_nodes(flow, ("h", "half", {}), ("t", "take", {}))
    link(flow, "h:out", "t:count")
    repo.add_flow(flow)
    error = run_flow(repo, flow).node("t")["error"]
    assert "'count'" in error and "(Int)" in error and "float 2.5" in error
    assert "fractional" in error and "h:out" in error


@pytest.mark.parametrize(
    ("source", "target"), [("Boolean", "Int"), ("List", "Float"), ("Json", "Int")]
)
def test_a_value_without_a_conversion_fails_the_node(source, target):
    _, result = pass_through(source, target)
    node = result.node("t")
    assert node["status"] == "fail"
    assert f"({target})" in node["error"] and f"no conversion from {source}" in node["error"]


def test_text_that_is_not_a_number_fails_into_int():
    with pytest.raises(ConversionError, match=r"\(Int\) cannot take str 'abc'"):
        convert_linked("abc", "Int")


def test_any_takes_anything_as_it_is():
    thing = object()
    assert convert_linked(thing, "Any") is thing
    assert convert_linked([1, "x"], "Any") == [1, "x"]


def test_a_linked_none_falls_back_to_the_default():
    repo = basic_repo()
    repo.add_spec(spec("nothing", "def func():\n    return None\n"))
    repo.add_spec(spec("pair", "def func(a, b):\n    return [a, b]\n", ["a:Int", "b:Int"]))
    repo.specs["pair"].inputs[0].default = "5"
    flow = Flow("f")
    add_nodes(flow, ("n", "nothing", {}), ("p", "pair", {"a": "99"}))
    link(flow, "n:out", "p:a")
    link(flow, "n:out", "p:b")
    repo.add_flow(flow)
    assert run_flow(repo, flow).output("p") == [5, None]  # the default, not the manual 99


def test_an_untyped_input_converts_a_linked_value_as_a_string_input_does():
    repo = basic_repo()
    repo.add_spec(spec("src", "def func():\n    return [1, 2]\n"))
    repo.add_spec(spec("take", "def func(x):\n    return x\n", ["x:String"]))
    repo.specs["take"].inputs[0].typed = False
    flow = Flow("f")
    add_nodes(flow, ("s", "src", {}), ("t", "take", {}))
    link(flow, "s:out", "t:x")
    repo.add_flow(flow)
    assert run_flow(repo, flow).output("t") == "[1, 2]"


def test_numpy_values_convert_like_plain_ones():
    np = pytest.importorskip("numpy")
    assert convert_linked(np.int64(3), "Float") == 3.0
    assert type(convert_linked(np.float32(4.0), "Int")) is int
    assert convert_linked(np.arange(3.0), "String") == "[0.0, 1.0, 2.0]"
    assert convert_linked(np.arange(2.0), "Json") == [0.0, 1.0]
    arr = np.zeros((2, 2))
    assert convert_linked(arr, "Image") is arr
    assert value_type(np.bool_(True)) == "Boolean"


def test_the_table_answers_for_declared_types():
    assert link_conversion("Int", "Int") == "exact"
    assert link_conversion("Int", "Long") == "exact"
    assert link_conversion("Int", "String") == "convert"
    assert link_conversion("String", "Int") == "convert"
    assert link_conversion("Any", "Int") == "convert"
    assert link_conversion("Image", "Any") == "exact"
    assert link_conversion("Boolean", "Float") is None
    assert link_conversion("Image", "String") is None


@pytest.mark.parametrize("source", ["String", "Int", "Float", "Boolean", "List", "Json"])
@pytest.mark.parametrize("target", PORT_TYPES)
def test_the_run_does_what_the_table_says(source, target):
    """The canvas's answer (the table) and what a run does with such a value agree."""
    sample = {"String": "1", "List": [1.0, 2.0]}.get(source, SAMPLES[source])
    assert value_type(sample) == source
    kind = link_conversion(source, target)
    if kind is None:
        with pytest.raises(ConversionError, match="no conversion"):
            convert_linked(sample, target)
    elif kind == "exact":
        assert convert_linked(sample, target) == sample
    elif target != "Image":
        convert_linked(sample, target)  # "1" and [1.0, 2.0] convert wherever allowed
