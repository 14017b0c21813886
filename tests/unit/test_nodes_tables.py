"""The built-in tables nodes (resources/nodes/tables.json): tables are lists of dicts, as
Read CSV makes them. Run through ``run_flow``."""

from __future__ import annotations

import pytest
from builtin_nodes import failure, output, run_chain

READINGS = [
    {"station": "north", "day": 1, "temp": 12.5, "status": "ok"},
    {"station": "south", "day": 1, "temp": "18", "status": "ok"},
    {"station": "north", "day": 2, "temp": 14.5, "status": "ok"},
    {"station": "south", "day": 2, "temp": -999, "status": "error"},
    {"station": "east", "day": 2, "temp": "", "status": "missing"},
]


def test_select_keeps_the_named_columns_in_order_and_names_a_missing_one():
    assert output("tables.select", rows=READINGS[:2], columns="temp, station") == [
        {"temp": 12.5, "station": "north"},
        {"temp": "18", "station": "south"},
    ]
    assert output("tables.select", rows=[{"a": 1}, {"b": 2}], columns='["b"]') == [
        {"b": None},
        {"b": 2},
    ]
    assert failure("tables.select", rows=READINGS, columns="temp, tmep") == (
        "LookupError: no column 'tmep'; the table has 'station', 'day', 'temp', 'status'"
    )
    assert output("tables.select", rows=[], columns="anything") == []


def test_column_values_row_by_row():
    assert output("tables.column", rows=READINGS, column="day") == [1, 1, 2, 2, 2]
    assert "no column 'x'" in failure("tables.column", rows=READINGS, column="x")


@pytest.mark.parametrize(
    ("column", "op", "value", "stations"),
    [
        ("temp", ">", "13", ["south", "north"]),  # "18" and 14.5: numbers compared as numbers
        ("temp", "<=", "12.5", ["north", "south"]),
        ("temp", "==", "18", ["south"]),  # the text "18" equals the number 18
        ("status", "!=", "ok", ["south", "east"]),
        ("status", "==", "ok", ["north", "south", "north"]),
        ("station", "<", "o", ["north", "north", "east"]),  # text compared as text
        ("station", "contains", "th", ["north", "south", "north", "south"]),
        ("station", "not  contains", "th", ["east"]),
        ("station", "Starts With", "no", ["north", "north"]),
        ("station", "ends with", "st", ["east"]),
        ("temp", "is empty", "", ["east"]),
        ("temp", "is not empty", "", ["north", "south", "north", "south"]),
        ("temp", ">", "abc", []),  # not a number: compared as text, and digits sort first
    ],
)
def test_filter_compares_a_column_with_a_value(column, op, value, stations):
    rows = output("tables.filter", rows=READINGS, column=column, op=op, value=value)
    assert [row["station"] for row in rows] == stations


def test_filter_takes_only_operators_of_its_list_and_never_evaluates():
    error = failure("tables.filter", rows=READINGS, column="temp", op="__import__('os')")
    assert error.startswith("ValueError: unknown operator \"__import__('os')\"; use one of: ==")
    assert "no column 'nope'" in failure("tables.filter", rows=READINGS, column="nope")


def test_sort_by_number_then_text_with_empty_cells_last():
    rows = [*READINGS, {"station": "west", "day": 3, "temp": "n/a", "status": "ok"}]
    up = output("tables.sort", rows=rows, column="temp")
    assert [row["temp"] for row in up] == [-999, 12.5, 14.5, "18", "n/a", ""]
    down = output("tables.sort", rows=rows, column="temp", descending="true")
    assert [row["temp"] for row in down] == ["n/a", "18", 14.5, 12.5, -999, ""]
    by_name = output("tables.sort", rows=READINGS, column="station")
    assert [row["station"] for row in by_name] == ["east", "north", "north", "south", "south"]


@pytest.mark.parametrize(
    ("aggregate", "column", "expected"),
    [
        ("mean", "temp", [("north", 13.5), ("south", -490.5), ("east", None)]),
        ("sum", "temp", [("north", 27.0), ("south", -981.0), ("east", 0)]),
        ("min", "temp", [("north", 12.5), ("south", -999), ("east", None)]),
        ("max", "temp", [("north", 14.5), ("south", 18.0), ("east", None)]),
        ("count", "", [("north", 2), ("south", 2), ("east", 1)]),
    ],
)
def test_group_by_aggregates_a_column_per_group_in_first_met_order(aggregate, column, expected):
    table = output(
        "tables.group_by", rows=READINGS, by="station", column=column, aggregate=aggregate
    )
    name = "count" if aggregate == "count" else f"temp_{aggregate}"
    assert [(row["station"], row[name]) for row in table] == expected
    assert all(set(row) == {"station", name} for row in table)


def test_group_by_several_columns_and_its_errors():
    table = output("tables.group_by", rows=READINGS, by="day, status", column="", aggregate="count")
    assert table == [
        {"day": 1, "status": "ok", "count": 2},
        {"day": 2, "status": "ok", "count": 1},
        {"day": 2, "status": "error", "count": 1},
        {"day": 2, "status": "missing", "count": 1},
    ]
    assert failure("tables.group_by", rows=READINGS, by="day", column="station") == (
        "ValueError: row 1: station is 'north', not a number"
    )
    assert "unknown aggregate 'median'; use one of: count, sum, mean, min, max" in failure(
        "tables.group_by", rows=READINGS, by="day", aggregate="median"
    )


def test_join_inner_and_left_with_numbers_matching_text_and_clashing_columns():
    people = [{"id": 1, "name": "Ada"}, {"id": 2, "name": "Grace"}, {"id": 3, "name": "Alan"}]
    roles = [
        {"person": "1", "name": "Countess", "role": "maths"},
        {"person": 2, "name": "Admiral", "role": "navy"},
        {"person": 2, "name": "Professor", "role": "teaching"},
    ]
    inner = output("tables.join", left=people, right=roles, key="id", right_key="person")
    assert inner == [
        {"id": 1, "name": "Ada", "name_right": "Countess", "role": "maths"},
        {"id": 2, "name": "Grace", "name_right": "Admiral", "role": "navy"},
        {"id": 2, "name": "Grace", "name_right": "Professor", "role": "teaching"},
    ]
    left = output("tables.join", left=people, right=roles, key="id", right_key="person", how="LEFT")
    assert left[-1] == {"id": 3, "name": "Alan", "name_right": None, "role": None}
    assert "use inner or left" in failure("tables.join", how="outer")
    assert "no column 'person'" in failure(
        "tables.join", left=people, right=people, key="id", right_key="person"
    )


def test_add_column_fills_a_template_from_each_row_without_running_it():
    rows = output(
        "tables.add_column",
        rows=READINGS[:2],
        name="label",
        template="{station}: {temp:>6} °C {{raw}}",
    )
    assert [row["label"] for row in rows] == ["north:   12.5 °C {raw}", "south:     18 °C {raw}"]
    assert rows[0]["station"] == "north"  # the other cells stay
    numbered = output("tables.add_column", rows=[{"x": 2.0}], name="x", template="{x:.3f}")
    assert numbered == [{"x": "2.000"}]  # a column of that name is replaced
    assert failure("tables.add_column", rows=[{"x": 1}], template="{x.__class__}") == (
        "ValueError: row 1: no column 'x.__class__' for the template"
    )
    assert failure("tables.add_column", rows=[{"x": 1}], template="{0}") == (
        "ValueError: row 1: a field needs a column name: {column}"
    )


def test_a_table_from_csv_text_flows_through_filter_group_and_sort():
    result = run_chain(
        ("f", "tables.filter", {"rows": READINGS, "column": "status", "op": "==", "value": "ok"}),
        ("g", "tables.group_by", {"by": "station", "column": "temp", "aggregate": "max"}),
        ("s", "tables.sort", {"column": "temp_max", "descending": "true"}),
        links=(("f:out", "g:rows"), ("g:out", "s:rows")),
    )
    assert result.ok, result.nodes
    assert result.output("s") == [
        {"station": "south", "temp_max": 18.0},
        {"station": "north", "temp_max": 14.5},
    ]
