"""convert_value: manual (typed-in) values to port types, and the errors when that fails;
check_value: whether a value fits a port's type."""

from __future__ import annotations

import json
import math
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pyflow_desktop.repository import (
    ORIGINAL_TYPES,
    PORT_TYPES,
    ConversionError,
    check_value,
    convert_value,
)


def test_type_lists():
    assert ORIGINAL_TYPES == ("Boolean", "Int", "Long", "Float", "String", "List", "Json")
    assert set(ORIGINAL_TYPES) <= set(PORT_TYPES)
    assert "FloatArray" in PORT_TYPES


def test_conversion_error_is_a_value_error():
    assert issubclass(ConversionError, ValueError)


# -- successful conversions ------------------------------------------------------------------

CONVERSIONS = [
    # String
    ("hello", "String", "hello"),
    ("  keep spaces  ", "String", "  keep spaces  "),
    ("", "String", ""),
    (42, "String", "42"),
    (1.5, "String", "1.5"),
    (True, "String", "true"),
    ([1, "a"], "String", '[1, "a"]'),
    ({"k": 1}, "String", '{"k": 1}'),
    # Int / Long
    ("42", "Int", 42),
    ("  -7 ", "Int", -7),
    ("0", "Int", 0),
    (12, "Int", 12),
    (3.0, "Int", 3),
    ("12345678901234567890", "Long", 12345678901234567890),
    ("-5", "Long", -5),
    (9, "Long", 9),
    # Float
    ("2.5", "Float", 2.5),
    (" -1e3 ", "Float", -1000.0),
    ("7", "Float", 7.0),
    (3, "Float", 3.0),
    (0.25, "Float", 0.25),
    # Boolean
    ("true", "Boolean", True),
    ("false", "Boolean", False),
    ("yes", "Boolean", True),
    ("no", "Boolean", False),
    ("1", "Boolean", True),
    ("0", "Boolean", False),
    ("on", "Boolean", True),
    ("off", "Boolean", False),
    ("TRUE", "Boolean", True),
    ("False", "Boolean", False),
    ("YeS", "Boolean", True),
    ("  On  ", "Boolean", True),
    ("\tno\n", "Boolean", False),
    ("y", "Boolean", True),
    ("n", "Boolean", False),
    (" Y ", "Boolean", True),
    ("N", "Boolean", False),
    ("", "Boolean", False),  # an empty field, as in the original
    ("  ", "Boolean", False),
    (True, "Boolean", True),
    (False, "Boolean", False),
    (1, "Boolean", True),
    (0, "Boolean", False),
    # List
    ("[1, 2, 3]", "List", [1, 2, 3]),
    ('["a", {"b": null}]', "List", ["a", {"b": None}]),
    ("  [ ]  ", "List", []),
    ("a,b,c", "List", ["a", "b", "c"]),
    ("  a , b ,c  ", "List", ["a", "b", "c"]),
    ("single", "List", ["single"]),
    ("", "List", []),
    ("   ", "List", []),
    ("[not json, really", "List", ["[not json", "really"]),
    ([1, 2], "List", [1, 2]),
    ((1, 2), "List", [1, 2]),
    # Json
    ('{"a": [1, 2]}', "Json", {"a": [1, 2]}),
    ("[1, 2]", "Json", [1, 2]),
    ("3", "Json", 3),
    ('"text"', "Json", "text"),
    ("null", "Json", None),
    ("true", "Json", True),
    ({"already": "parsed"}, "Json", {"already": "parsed"}),
    # FloatArray
    ("1, 2.5, -3", "FloatArray", [1.0, 2.5, -3.0]),
    ("[1, 2.5]", "FloatArray", [1.0, 2.5]),
    ("", "FloatArray", []),
    ([1, 2], "FloatArray", [1.0, 2.0]),
    (["1.5", " 2 "], "FloatArray", [1.5, 2.0]),
]


@pytest.mark.parametrize(
    ("value", "port_type", "expected"), CONVERSIONS, ids=[f"{t}:{v!r}" for v, t, _ in CONVERSIONS]
)
def test_convert_value(value, port_type, expected):
    result = convert_value(value, port_type)
    assert result == expected
    assert type(result) is type(expected)


def test_float_array_items_are_floats():
    assert all(type(item) is float for item in convert_value("1, 2, 3", "FloatArray"))


@pytest.mark.parametrize("port_type", PORT_TYPES)
def test_none_means_no_value_for_every_type(port_type):
    assert convert_value(None, port_type) is None


@pytest.mark.parametrize("port_type", ["Any", "Image", "NoSuchType"])
def test_types_without_a_converter_pass_values_through(port_type):
    value = {"anything": [1, 2]}
    assert convert_value(value, port_type) is value


def test_list_result_is_a_new_list():
    original = [1, 2]
    result = convert_value(original, "List")
    result.append(3)
    assert original == [1, 2]


# -- failing conversions ---------------------------------------------------------------------

FAILURES = [
    ("abc", "Int"),
    ("1.5", "Int"),
    ("", "Int"),
    ("  ", "Int"),
    (2.5, "Int"),
    ([1], "Int"),
    ({"a": 1}, "Int"),
    ("ten", "Long"),
    (2.5, "Long"),
    ([1], "Long"),
    ("abc", "Float"),
    ("", "Float"),
    ("1,5", "Float"),
    (True, "Float"),
    ([1.0], "Float"),
    ("maybe", "Boolean"),
    ("2", "Boolean"),
    ("truely", "Boolean"),
    (2, "Boolean"),
    (1.0, "Boolean"),
    ([True], "Boolean"),
    (5, "List"),
    ({"a": 1}, "List"),
    ("{", "Json"),
    ("{'single': 'quotes'}", "Json"),
    ("", "Json"),
    ("a, b", "FloatArray"),
    ('[1, "x"]', "FloatArray"),
    ([1.0, "x"], "FloatArray"),
    ([1.0, None], "FloatArray"),
    ([1.0, True], "FloatArray"),
    ({"a": 1}, "FloatArray"),
    (7, "FloatArray"),
]


@pytest.mark.parametrize(("value", "port_type"), FAILURES, ids=[f"{t}:{v!r}" for v, t in FAILURES])
def test_failed_conversion_raises_conversion_error_naming_value_and_type(value, port_type):
    with pytest.raises(ConversionError) as info:
        convert_value(value, port_type)
    message = str(info.value)
    assert repr(value) in message
    # The whole word, so "Float" does not pass for FloatArray nor "Int" for Long.
    assert re.search(rf"\b{port_type}\b", message), message


def test_conversion_error_is_raised_without_chained_noise():
    with pytest.raises(ConversionError) as info:
        convert_value("abc", "Int")
    assert info.value.__cause__ is None


# -- properties ------------------------------------------------------------------------------

_word = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), exclude_characters=","
    ),
    min_size=1,
).filter(lambda s: s == s.strip())


@given(st.integers())
def test_ints_round_trip_through_str(number):
    assert convert_value(str(number), "Int") == number
    assert convert_value(str(number), "Long") == number
    assert convert_value(f"  {number}\t", "Int") == number


@given(st.integers())
def test_int_values_pass_through_unchanged(number):
    assert convert_value(number, "Int") == number


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_floats_round_trip_through_repr(number):
    assert convert_value(repr(number), "Float") == number
    assert convert_value(number, "Float") == number


@given(st.lists(st.floats(allow_nan=False, allow_infinity=False), max_size=20))
def test_float_arrays_round_trip_through_comma_text_and_json(numbers):
    as_text = ", ".join(repr(n) for n in numbers)
    assert convert_value(as_text, "FloatArray") == numbers
    assert convert_value(json.dumps(numbers), "FloatArray") == numbers


@given(st.booleans(), st.sampled_from(["true", "yes", "1", "on"]), st.data())
def test_boolean_words_any_case_and_padding(truth, word, data):
    words = {"true": "false", "yes": "no", "1": "0", "on": "off"}
    text = word if truth else words[word]
    cased = "".join(data.draw(st.sampled_from([c.lower(), c.upper()])) for c in text)
    padded = data.draw(st.sampled_from(["", " ", "\t", "  "])) + cased
    assert convert_value(padded + data.draw(st.sampled_from(["", " ", "\n"])), "Boolean") is truth


@given(st.text())
def test_strings_stay_as_they_are(text):
    assert convert_value(text, "String") == text


@given(st.lists(_word, min_size=1, max_size=10))
def test_comma_lists_round_trip(words):
    assert convert_value(", ".join(words), "List") == words
    assert convert_value(",".join(words), "List") == words


@given(st.lists(st.one_of(st.integers(), st.text(), st.booleans(), st.none()), max_size=10))
def test_json_lists_round_trip_as_list(items):
    assert convert_value(json.dumps(items), "List") == items


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.text()
    | st.floats(allow_nan=False, allow_infinity=False),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@given(_json_values)
def test_json_round_trips_through_dumps(value):
    assert convert_value(json.dumps(value), "Json") == value


@given(st.text())
def test_int_conversion_either_succeeds_or_raises_conversion_error(text):
    try:
        result = convert_value(text, "Int")
    except ConversionError as exc:
        assert repr(text) in str(exc)
    else:
        assert isinstance(result, int)


@given(st.one_of(st.text(), st.integers(), st.floats(), st.booleans(), st.lists(st.integers())))
def test_float_conversion_never_leaks_other_errors(value):
    try:
        result = convert_value(value, "Float")
    except ConversionError:
        return
    assert isinstance(result, float)
    if isinstance(value, int | float) and not isinstance(value, bool) and not math.isnan(value):
        assert result == float(value)  # ints past 2**53 round, as float() does


def test_numpy_scalars_are_checked_by_their_kind():
    np = pytest.importorskip("numpy")
    assert check_value(np.float64(1.0) > 0, "Boolean") is None
    assert check_value(np.int64(3), "Int") is None and check_value(np.float32(2), "Float") is None
    assert check_value(np.float64(1.5), "Int") is not None
    assert check_value(np.array("abc"), "Float") is not None
