"""Whether JSON data a worker sent has the shape of a view's part (``engine.views``), checked
before a viewer reads it: what does not is not shown (the viewer says so)."""

from __future__ import annotations

from typing import Any


def table_ok(table: Any) -> bool:
    """Whether ``table`` (from a worker) has a view's table's shape: lists of columns, dtypes
    and rows (each a list), labels a list if any, a row count."""
    return (
        isinstance(table, dict)
        and all(isinstance(table.get(key), list) for key in ("columns", "dtypes", "rows"))
        and all(isinstance(row, list) for row in table["rows"])
        and isinstance(table.get("index", []), list)
        and type(table.get("row_count")) is int
    )


def series_ok(series: Any) -> bool:
    """Whether ``series`` (from a worker) has a view's series' shape."""
    return (
        isinstance(series, dict)
        and isinstance(series.get("y"), list)
        and type(series.get("length")) is int
        and all(y is None or isinstance(y, (int, float)) for y in series["y"])
    )
