"""The built-in statistics nodes (resources/nodes/stats.json), run through ``run_flow``."""

from __future__ import annotations

import statistics

import pytest
from builtin_nodes import failure, output, run_chain

DATA = [2, 4, 4, 4, 5, 5, 7, 9]


def test_mean_median_and_stdev():
    assert output("stats.mean", values=DATA) == 5.0
    assert output("stats.median", values=DATA) == 4.5
    assert output("stats.median", values="3, 1, 2") == 2.0
    assert output("stats.stdev", values=DATA) == pytest.approx(statistics.stdev(DATA))
    assert output("stats.stdev", values=DATA, sample="false") == 2.0
    assert failure("stats.mean", values="") == "ValueError: the mean of no numbers is undefined"
    assert failure("stats.stdev", values="5") == (
        "ValueError: a sample standard deviation needs at least 2 numbers, got 1"
    )


def test_quantiles_are_the_cut_points():
    assert output("stats.quantiles", values=DATA) == [4.0, 4.5, 6.5]
    assert output("stats.quantiles", values=DATA, method="inclusive") == [4.0, 4.5, 5.5]
    assert len(output("stats.quantiles", values=list(range(101)), n="100")) == 99
    assert "use exclusive or inclusive" in failure("stats.quantiles", method="linear")


def test_histogram_counts_edges_and_table():
    row = run_chain(("h", "stats.histogram", {"values": DATA, "bins": "7"})).node("h")
    assert row["status"] == "success"
    counts, edges, table = (output["value"] for output in row["outputs"])
    assert counts == [1, 0, 3, 2, 0, 1, 1]  # the last bin holds its upper edge: 9
    assert edges == pytest.approx([2, 3, 4, 5, 6, 7, 8, 9])
    assert table[2] == {"from": pytest.approx(4.0), "to": pytest.approx(5.0), "count": 3}
    assert failure("stats.histogram", bins="0") == "ValueError: bins must be at least 1, not 0"


def test_correlation_pearson_and_spearman():
    x, y = [1, 2, 3, 4, 5], [1, 4, 9, 16, 100]
    assert output("stats.correlation", x=x, y=y) == pytest.approx(statistics.correlation(x, y))
    assert output("stats.correlation", x=x, y=y, method="spearman") == pytest.approx(1.0)
    assert output("stats.correlation", x=x, y=[5, 4, 4, 2, 1], method="Spearman") == (
        pytest.approx(-0.9746794344808963)
    )
    assert failure("stats.correlation", x="1, 2", y="1, 2, 3") == (
        "ValueError: x has 2 numbers and y 3: they must be as many"
    )


def test_summary_of_a_list_and_of_one_number():
    summary = output("stats.summary", values=DATA)
    assert summary == {
        "count": 8,
        "mean": 5.0,
        "stdev": pytest.approx(statistics.stdev(DATA)),
        "min": 2.0,
        "q1": 4.0,
        "median": 4.5,
        "q3": 5.5,
        "max": 9.0,
    }
    one = output("stats.summary", values="7")
    assert (one["count"], one["stdev"], one["q1"], one["median"], one["max"]) == (1, None, 7, 7, 7)


def test_statistics_take_a_table_column_of_numbers_and_numeric_text():
    result = run_chain(
        ("c", "tables.column", {"rows": [{"v": 1}, {"v": "2.5"}, {"v": 4}], "column": "v"}),
        ("m", "stats.mean", {}),
        links=(("c:out", "m:values"),),
    )
    assert result.ok and result.output("m") == 2.5
