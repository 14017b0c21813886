"""The built-in DataFrame nodes (resources/nodes/dataframes.json): pandas, the optional extra
``pyflow-desktop[data]``. Each takes a DataFrame, a list of records or their JSON. Without
pandas they fail saying what to install; that is checked in a process where pandas cannot be
imported."""

from __future__ import annotations

import json

import pytest
from builtin_nodes import chain, failure, output, run_chain, run_without

pd = pytest.importorskip("pandas")

HINT = (
    "ModuleNotFoundError: this node needs pandas, which is not installed: "
    "pip install 'pyflow-desktop[data]' (or pip install pandas)"
)
RAIN = [
    {"site": "north", "month": "Jan", "rain": 70.0},
    {"site": "north", "month": "Feb", "rain": 60.0},
    {"site": "south", "month": "Jan", "rain": 30.0},
    {"site": "south", "month": "Feb", "rain": 40.0},
    {"site": "south", "month": "Feb", "rain": 50.0},
]


def test_without_pandas_the_dataframe_nodes_say_what_to_install(here):
    (here / "rain.csv").write_text("site,rain\nnorth,1\n", encoding="utf-8")
    repo = chain(
        ("r", "dataframes.read_csv", {"path": "rain.csv"}),
        ("d", "dataframes.describe", {}),
        ("m", "dataframes.from_records", {}),
    )
    done = run_without("pandas", repo, here / "frames.json")
    assert done.returncode == 1, done.stderr
    rows = {row["id"]: row for row in json.loads(done.stdout)}
    for node in ("r", "d", "m"):
        assert (rows[node]["status"], rows[node]["error"]) == ("fail", HINT)


def test_read_csv_infers_types_takes_a_delimiter_and_a_missing_header(here):
    (here / "data").mkdir()
    (here / "data" / "rain.csv").write_text("site;rain;wet\nnorth;7.5;true\nsouth;3;false\n")
    frame = output("dataframes.read_csv", path="data/rain.csv", sep=";")
    assert list(frame.columns) == ["site", "rain", "wet"]
    assert frame["rain"].dtype == "float64" and frame["wet"].dtype == bool
    bare = output("dataframes.read_csv", path="data/rain.csv", sep=";", header=False)
    assert list(bare.columns) == [0, 1, 2] and len(bare) == 3
    assert "no such file: " + str(here / "gone.csv") in failure(
        "dataframes.read_csv", path="gone.csv"
    )


def test_parquet_round_trip_keeps_dtypes(here):
    pytest.importorskip("pyarrow")
    frame = pd.DataFrame({"n": [1, 2], "x": [0.5, 1.5], "when": pd.to_datetime(["2026-01-01"] * 2)})
    frame.to_parquet(here / "frame.parquet")
    back = output("dataframes.read_parquet", path="frame.parquet")
    pd.testing.assert_frame_equal(back, frame)


def test_records_to_a_dataframe_and_back_as_plain_json_values():
    frame = output("dataframes.from_records", rows=RAIN)
    assert frame.shape == (5, 3) and list(frame.columns) == ["site", "month", "rain"]
    assert output("dataframes.from_records", rows=json.dumps(RAIN[:2])).shape == (2, 3)
    with_gaps = pd.DataFrame(
        {"n": [1, None], "when": pd.to_datetime(["2026-12-06", None]), "ok": [True, False]}
    )
    records = output("dataframes.to_records", frame=with_gaps)
    assert records == [
        {"n": 1.0, "when": "2026-12-06T00:00:00.000", "ok": True},
        {"n": None, "when": None, "ok": False},
    ]
    assert json.loads(json.dumps(records)) == records
    assert "rows is a int, not a DataFrame or a list of records" in failure(
        "dataframes.from_records", rows=5
    )


def test_describe_numbers_and_everything():
    described = output("dataframes.describe", frame=RAIN)
    assert list(described.columns) == ["statistic", "site", "month", "rain"]
    by_name = described.set_index("statistic")
    assert by_name.loc["count", "rain"] == 5 and by_name.loc["mean", "rain"] == 50.0
    assert by_name.loc["unique", "site"] == 2 and by_name.loc["top", "site"] == "south"
    numeric = output("dataframes.describe", frame=RAIN, numeric_only=True)
    assert list(numeric.columns) == ["statistic", "rain"]
    assert list(numeric["statistic"]) == ["count", "mean", "std", "min", "25%", "50%", "75%", "max"]


@pytest.mark.parametrize(
    ("aggregate", "north", "south"),
    [("mean", 65.0, 40.0), ("sum", 130.0, 120.0), ("count", 2, 3), ("max", 70.0, 50.0)],
)
def test_group_by_reduces_a_value_per_group(aggregate, north, south):
    grouped = output("dataframes.group_by", frame=RAIN, by="site", value="rain", aggregate=aggregate)
    assert grouped.to_dict("records") == [
        {"site": "north", "rain": north},
        {"site": "south", "rain": south},
    ]


def test_group_by_several_columns_every_other_column_and_its_errors():
    grouped = output(
        "dataframes.group_by", frame=RAIN, by=["site", "month"], value="", aggregate="count"
    )
    assert grouped.to_dict("records")[-1] == {"site": "south", "month": "Jan", "rain": 1}
    assert "no column 'town'; the DataFrame has 'site', 'month', 'rain'" in failure(
        "dataframes.group_by", frame=RAIN, by="town"
    )
    assert "aggregate 'import os' is not one of count, sum" in failure(
        "dataframes.group_by", frame=RAIN, aggregate="import os"
    )


def test_merge_inner_left_and_on_the_common_columns():
    heights = [{"site": "north", "height": 120}, {"site": "east", "height": 5}]
    inner = output("dataframes.merge", left=RAIN, right=heights, on="site", how="inner")
    assert len(inner) == 2 and set(inner["height"]) == {120}
    left = output("dataframes.merge", left=RAIN, right=heights, on="", how="left")
    assert len(left) == 5 and left["height"].isna().sum() == 3
    clash = [{"site": "north", "rain": 1.0}]
    both = output("dataframes.merge", left=RAIN, right=clash, on="site", how="inner")
    assert {"rain_left", "rain_right"} <= set(both.columns)
    assert "how 'cross join' is not one of inner, left, right, outer" in failure(
        "dataframes.merge", left=RAIN, right=heights, on="site", how="cross join"
    )
    assert "no key column in right 'month'" in failure(
        "dataframes.merge", left=RAIN, right=heights, on="month"
    )


def test_pivot_puts_an_aggregate_in_each_cell():
    pivoted = output(
        "dataframes.pivot", frame=RAIN, index="site", columns="month", values="rain"
    )
    assert pivoted.to_dict("records") == [
        {"site": "north", "Feb": 60.0, "Jan": 70.0},
        {"site": "south", "Feb": 45.0, "Jan": 30.0},
    ]
    counted = output("dataframes.pivot", frame=RAIN, aggregate="count")
    assert counted.set_index("site").loc["south", "Feb"] == 2


def test_a_csv_read_grouped_and_merged_comes_out_as_records(here):
    (here / "rain.csv").write_text(
        "site,rain\n" + "".join(f"{row['site']},{row['rain']}\n" for row in RAIN)
    )
    result = run_chain(
        ("read", "dataframes.read_csv", {"path": "rain.csv"}),
        ("mean", "dataframes.group_by", {"by": "site", "value": "rain"}),
        ("heights", "dataframes.from_records", {"rows": '[{"site": "north", "m": 120}]'}),
        ("merge", "dataframes.merge", {"on": "site", "how": "left"}),
        ("out", "dataframes.to_records", {}),
        links=(
            ("read:out", "mean:frame"),
            ("mean:out", "merge:left"),
            ("heights:out", "merge:right"),
            ("merge:out", "out:frame"),
        ),
    )
    assert result.output("out") == [
        {"site": "north", "rain": 65.0, "m": 120},
        {"site": "south", "rain": 40.0, "m": None},
    ]
