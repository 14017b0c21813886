"""Views: what the window sees of a value, as JSON data only (``engine.views``)."""

from __future__ import annotations

import base64
import json
import math
from collections import namedtuple

import numpy as np
import pytest

from pyflow_desktop.engine.view_pictures import IMAGE_SIDE, SERIES_POINTS
from pyflow_desktop.engine.views import (
    REPR_LIMIT,
    TABLE_ROWS,
    VALUE_LIMIT,
    fetch_data,
    make_view,
    summary,
)


def json_view(value):
    """The view, through JSON text and back, as the window reads it."""
    return json.loads(json.dumps(make_view(value), allow_nan=False))


@pytest.mark.parametrize(
    "value",
    [None, True, 7, 2.5, "text", [1, "a", None], {"a": [1, 2], "b": {"c": False}}, []],
)
def test_a_value_json_holds_comes_whole(value):
    view = json_view(value)
    assert view["value"] == value and view["type"] == type(value).__name__


def test_tuples_and_numpy_scalars_come_as_json_holds_them():
    assert json_view((1, 2))["value"] == [1, 2]
    assert json_view(np.float64(2.5))["value"] == 2.5
    assert json_view({"n": np.int64(3)})["value"] == {"n": 3}


@pytest.mark.parametrize(
    "value",
    [float("nan"), {1: "a"}, {"a": object()}, {1, 2}, b"bytes", [[[]]] * 0 + [float("inf")]],
)
def test_what_json_does_not_hold_as_it_is_is_not_sent_whole(value):
    assert "value" not in json_view(value)


def test_a_value_over_the_limit_is_not_sent_whole_but_measured():
    big = ["x" * 1000] * (VALUE_LIMIT // 1000 + 1)
    view = json_view(big)
    assert "value" not in view and view["length"] == len(big)
    assert len(view["repr"]) <= REPR_LIMIT
    fits, over = [1] * 340_000, [1] * 350_000  # 1,020,000 and 1,050,000 bytes of JSON
    assert json_view(fits)["value"] == fits and "value" not in json_view(over)


def test_an_object_of_a_class_of_its_own_is_named_and_shown():
    class Reading:
        def __repr__(self):
            return "Reading(42)" + "!" * 5000

    view = json_view(Reading())
    assert (
        view["type"]
        == "test_views.test_an_object_of_a_class_of_its_own_is_named_and_shown.<locals>.Reading"
    )
    assert view["repr"].startswith("Reading(42)") and len(view["repr"]) == REPR_LIMIT
    assert set(view) == {"type", "repr"}


def test_a_value_whose_methods_raise_still_has_a_view():
    class Hostile:
        def __repr__(self):
            raise RuntimeError("no")

        def __len__(self):
            raise RuntimeError("no")

        @property
        def shape(self):
            raise RuntimeError("no")

    view = json_view(Hostile())
    assert view["repr"].startswith("<Hostile instance at") and set(view) == {"type", "repr"}


def test_a_namedtuple_comes_whole_as_a_list_and_named_by_its_type():
    Point = namedtuple("Point", "x y")
    view = json_view(Point(1, 2))
    assert view["value"] == [1, 2] and view["type"].endswith("Point")


def test_a_dataframe_is_a_table_of_its_first_rows_with_its_dtypes():
    import pandas as pd

    frame = pd.DataFrame(
        {
            "day": pd.date_range("2026-01-01", periods=1000),
            "value": np.arange(1000) * 0.5,
            "name": ["a", None] * 500,
        }
    )
    frame.loc[3, "value"] = float("nan")
    view = json_view(frame)
    assert view["type"] == "pandas.DataFrame" and view["shape"] == [1000, 3]
    table = view["table"]
    assert table["columns"] == ["day", "value", "name"] and table["row_count"] == 1000
    assert table["dtypes"] == [str(kind) for kind in frame.dtypes]
    assert table["dtypes"][0].startswith("datetime64") and table["dtypes"][1] == "float64"
    assert len(table["rows"]) == TABLE_ROWS
    assert table["rows"][1][1:] == [0.5, None] and table["rows"][3][1] is None
    assert table["rows"][0][0] == "2026-01-01 00:00:00" and "index" not in table
    assert "value" not in view


def test_a_dataframe_with_an_index_of_its_own_shows_it():
    import pandas as pd

    frame = pd.DataFrame({"n": [1, 2]}, index=["x", "y"])
    assert json_view(frame)["table"]["index"] == ["x", "y"]


def test_records_and_rows_are_tables():
    records = [{"a": 1, "b": "x"}, {"a": 2, "c": 3.5}] * 300
    table = json_view(records)["table"]
    assert table["columns"] == ["a", "b", "c"] and table["row_count"] == 600
    assert table["rows"][:2] == [[1, "x", None], [2, None, 3.5]]
    assert table["dtypes"] == ["int", "str", "float"] and len(table["rows"]) == TABLE_ROWS
    rows = json_view([[1, "a"], [2, "b"]])["table"]
    assert rows["columns"] == ["0", "1"] and rows["rows"] == [[1, "a"], [2, "b"]]
    assert "table" not in json_view([[1], [2, 3]])


def test_a_long_series_keeps_its_peaks_within_the_point_limit():
    values = np.zeros(10_000_000)
    values[1_234_567] = 9.0
    values[7_654_321] = -4.0
    view = json_view(values)
    series = view["series"]
    assert series["length"] == 10_000_000 and len(series["y"]) <= SERIES_POINTS
    assert max(series["y"]) == 9.0 and min(series["y"]) == -4.0
    peak = series["x"][series["y"].index(9.0)]
    assert peak == 1_234_567 and series["x"] == sorted(series["x"])
    assert view["shape"] == [10_000_000] and view["dtype"] == "float64"


def test_a_short_series_comes_point_by_point_with_gaps_for_nan():
    series = json_view([1, 2.5, float("nan")])["series"]
    assert series == {"y": [1.0, 2.5, None], "length": 3}
    assert json_view(np.arange(5))["series"]["y"] == [0.0, 1.0, 2.0, 3.0, 4.0]


def decode(image: dict) -> np.ndarray:
    data = base64.b64decode(image["data"])
    return np.frombuffer(data, dtype=image["dtype"]).reshape(image["shape"])


def test_a_big_array_is_a_thumbnail_that_keeps_its_values():
    array = np.arange(3000 * 2000, dtype=np.float64).reshape(3000, 2000)
    view = json_view(array)
    pixels = decode(view["image"])
    assert max(pixels.shape) <= IMAGE_SIDE and pixels.dtype == np.float32
    assert pixels[0, 0] == 0.0 and pixels[-1, -1] > 5_000_000
    assert view["shape"] == [3000, 2000] and "value" not in view


def test_colour_pixels_and_pil_images_are_uint8_thumbnails():
    rgb = np.random.default_rng(1).random((100, 80, 3))
    pixels = decode(json_view(rgb)["image"])
    assert pixels.shape == (100, 80, 3) and pixels.dtype == np.uint8
    from PIL import Image

    image = Image.new("RGBA", (1024, 256), (255, 0, 0, 255))
    view = json_view(image)
    pixels = decode(view["image"])
    assert pixels.shape == (128, 512, 4) and tuple(pixels[0, 0]) == (255, 0, 0, 255)
    assert view["type"].startswith("PIL.")


def test_a_matplotlib_figure_is_a_png():
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().plot([1, 3, 2])
    png = base64.b64decode(json_view(figure)["figure"]["png"])
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_a_summary_is_what_a_result_prints_of_a_value_json_does_not_hold():
    import pandas as pd

    assert summary(make_view(pd.DataFrame({"a": [1, 2]}))) == {
        "type": "pandas.DataFrame",
        "repr": "   a\n0  1\n1  2",
        "shape": [2, 1],
    }
    assert summary(make_view(object()))["shape"] is None


def test_every_view_is_json_text_whatever_the_value():
    class Weird:
        shape = (math.inf,)
        dtype = object()

    for value in (Weird(), np.array([np.nan, np.inf]), {"a": float("nan")}, [object()] * 3):
        json.dumps(make_view(value), allow_nan=False)


def test_sorting_a_table_puts_empty_cells_last_and_mixed_kinds_in_groups():
    import pandas as pd

    frame = pd.DataFrame({"x": [2.0, None, 1.0, 3.0], "o": [1, "b", None, "a"]})
    up = fetch_data(frame, "rows", 0, 10, sort=0)
    assert [row[0] for row in up["rows"]] == [1.0, 2.0, 3.0, None] and up["index"] == [2, 0, 3, 1]
    down = fetch_data(frame, "rows", 0, 10, sort=0, descending=True)
    assert [row[0] for row in down["rows"]] == [3.0, 2.0, 1.0, None]
    mixed = fetch_data(frame, "rows", 0, 10, sort=1)  # numbers, then text, empty last
    assert [row[1] for row in mixed["rows"]] == [1, "a", "b", None]
    rows = [[2, "b"], [1, "a"], [None, "c"]]
    assert fetch_data(rows, "rows", 0, 10, sort=0)["rows"] == [[1, "a"], [2, "b"], [None, "c"]]
