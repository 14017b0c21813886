"""to_jsonable never overflows the stack, however deep a value is nested."""

from __future__ import annotations

import json

from pyflow_desktop.engine import to_jsonable


def nested(levels: int) -> list:
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def test_a_list_nested_thousands_deep_becomes_a_bounded_repr():
    data = to_jsonable(nested(5000))
    text = json.dumps(data)
    assert text.startswith("[[[[") and "..." in text and len(text) < 1000


def test_a_deep_dict_and_an_object_with_a_deep_repr_do_not_raise():
    class Deep:
        def __repr__(self) -> str:
            return repr(nested(5000))

    value: dict = {}
    for _ in range(5000):
        value = {"k": value}
    assert json.dumps(to_jsonable(value))
    assert isinstance(to_jsonable(Deep()), str)


def test_plain_data_is_unchanged():
    assert to_jsonable({"a": [1, 2.5, "x", None, True], "b": (1,)}) == {
        "a": [1, 2.5, "x", None, True],
        "b": [1],
    }
    assert to_jsonable({3, 1, 2}) == [1, 2, 3]
    assert to_jsonable(float("nan")) == "nan"
