"""The built-in arrays nodes (numpy; resources/nodes/arrays.json), run through ``run_flow``
on the thread and process executors (arrays cross the process boundary as numpy arrays)."""

from __future__ import annotations

import numpy as np
import pytest
from builtin_nodes import failure, output, run_chain

MATRIX = [[1, 2, 3], [4, 5, 6]]


def test_from_list_makes_an_array_of_a_dtype():
    made = output("arrays.from_list", values=MATRIX)
    assert isinstance(made, np.ndarray) and made.dtype == float and made.tolist() == MATRIX
    assert output("arrays.from_list", values="[1.0, 2]", dtype="int").tolist() == [1, 2]
    assert "fractional part" in failure("arrays.from_list", values="[1.7, 2]", dtype="int")
    assert output("arrays.from_list", values="0, 1", dtype="bool").tolist() == [False, True]
    assert "not a regular array" in failure("arrays.from_list", values="[[1, 2], [3]]")
    assert failure("arrays.from_list", values="1, two") == "ValueError: not numbers: ['1', 'two']"
    assert "unknown dtype 'complex'" in failure("arrays.from_list", dtype="complex")


def test_shape_of_an_array_a_list_and_json_text():
    assert output("arrays.shape", array=MATRIX) == [2, 3]
    assert output("arrays.shape", array="[[[1], [2]]]") == [1, 2, 1]
    assert output("arrays.shape", array="7") == []
    assert failure("arrays.shape", array="{nope").startswith("ValueError: not an array nor JSON")


@pytest.mark.parametrize(
    ("index", "expected"),
    [
        (":, 1:", [[2, 3], [5, 6]]),
        ("-1", [4, 5, 6]),
        ("0, -1", 3),
        ("::-1, ::2", [[4, 6], [1, 3]]),
        ("", MATRIX),
        (" 1 : , : 2 ", [[4, 5]]),
    ],
)
def test_slice_by_numpy_index_notation(index, expected):
    got = output("arrays.slice", array=MATRIX, index=index)
    assert (got.tolist() if isinstance(got, np.ndarray) else got) == expected


def test_slice_text_is_parsed_never_run():
    assert failure("arrays.slice", array=MATRIX, index="__import__('os')") == (
        "ValueError: \"__import__('os')\" in \"__import__('os')\" is not a whole number"
    )
    assert failure("arrays.slice", array=MATRIX, index="0, 0, 0") == (
        "IndexError: '0, 0, 0' has 3 entries for 2 axes"
    )
    assert "more than start:stop:step" in failure("arrays.slice", index="1:2:3:4")


def test_element_wise_math_with_broadcasting_and_functions():
    assert output("arrays.math", a=MATRIX).tolist() == [[10, 20, 30], [40, 50, 60]]
    assert output("arrays.math", a=MATRIX, op="subtract", b="[1, 2, 3]").tolist() == [
        [0, 0, 0],
        [3, 3, 3],
    ]
    assert output("arrays.math", a="2", op="power", b="10") == 1024
    assert output("arrays.math", a="[1, 9]", op="maximum", b="[5, 5]").tolist() == [5, 9]
    assert "shapes (2, 3) and (2,) do not fit" in failure("arrays.math", a=MATRIX, b="[1, 2]")
    assert "unknown op 'xor'" in failure("arrays.math", op="xor")
    assert output("arrays.apply", array="[1, 4, 9]").tolist() == [1.0, 2.0, 3.0]
    assert output("arrays.apply", array="[-1.5, 2]", function="ABS").tolist() == [1.5, 2.0]
    assert "unknown function 'eval'" in failure("arrays.apply", function="eval")


def test_reductions_over_all_or_along_an_axis():
    assert output("arrays.reduce", array=MATRIX) == 21
    assert output("arrays.reduce", array=MATRIX, op="mean", axis="0").tolist() == [2.5, 3.5, 4.5]
    assert output("arrays.reduce", array=MATRIX, op="max", axis="-1").tolist() == [3, 6]
    assert output("arrays.reduce", array=MATRIX, op="median") == 3.5
    assert output("arrays.reduce", array="[2, 4, 4, 4, 5, 5, 7, 9]", op="std") == 2.0
    assert "axis 2 is out of range for 2 axes" in failure("arrays.reduce", array=MATRIX, axis="2")
    assert "axis must be blank or a whole number" in failure("arrays.reduce", axis="rows")


def test_normalize_minmax_zscore_and_unit():
    assert output("arrays.normalize").tolist() == [0.0, 0.25, 0.5, 1.0]
    zscore = output("arrays.normalize", array="[1, 2, 3]", method="zscore")
    assert zscore.mean() == pytest.approx(0) and zscore.std() == pytest.approx(1)
    assert output("arrays.normalize", array="[3, 4]", method="unit").tolist() == [0.6, 0.8]
    assert failure("arrays.normalize", array="[5, 5]") == (
        "ValueError: cannot normalize by minmax: every value is the same"
    )
    assert failure("arrays.normalize", array="[]") == "ValueError: no values to normalize"


@pytest.mark.parametrize("executor", ["thread", "process"])
def test_an_array_chain_hands_numpy_arrays_between_nodes(executor):
    result = run_chain(
        ("a", "arrays.from_list", {"values": MATRIX}),
        ("n", "arrays.normalize", {"method": "minmax"}),
        ("s", "arrays.slice", {"index": "1, :"}),
        ("r", "arrays.reduce", {"op": "sum"}),
        links=(("a:out", "n:array"), ("n:out", "s:array"), ("s:out", "r:array")),
        executor=executor,
    )
    assert result.ok, result.nodes
    assert result.output("s").tolist() == [0.6, 0.8, 1.0]
    assert result.output("r") == pytest.approx(2.4)
