"""The built-in text (regular expressions, numbers, dates in text, word counts) and dates
nodes (resources/nodes/text.json, dates.json), run through ``run_flow``."""

from __future__ import annotations

import datetime

import pytest
from builtin_nodes import failure, output, run_node

SAMPLE = "Order 17 shipped on 2024-03-14, order 23 on 2024-04-02."


def test_regex_match_gives_found_match_groups_and_named_groups():
    row = run_node("text.regex_match", text=SAMPLE, pattern=r"order (?P<n>\d+) on (\S+),?")
    assert row["outputs"] == {
        "found": True,
        "match": "order 23 on 2024-04-02.",
        "groups": ["23", "2024-04-02."],
        "named": {"n": "23"},
    }
    missing = run_node("text.regex_match", text=SAMPLE, pattern="invoice", ignore_case="false")
    assert missing["outputs"] == {"found": False, "match": "", "groups": [], "named": {}}
    case = run_node("text.regex_match", text=SAMPLE, pattern="^order", ignore_case="false")
    assert case["outputs"]["found"] is False
    assert failure("text.regex_match", pattern="(unclosed").startswith(
        "ValueError: bad pattern '(unclosed': missing ), unterminated subpattern"
    )


def test_find_all_replace_and_split():
    assert output("text.find_all", text=SAMPLE) == ["2024-03-14", "2024-04-02"]
    assert output("text.find_all", text=SAMPLE, pattern=r"order (\d+)", ignore_case="true") == [
        "17",
        "23",
    ]
    assert output("text.find_all", text=SAMPLE, pattern=r"(\d{4})-(\d\d)") == [
        ["2024", "03"],
        ["2024", "04"],
    ]
    assert output("text.regex_replace", text=SAMPLE) == (
        "Order 17 shipped on 14.03.2024, order 23 on 02.04.2024."
    )
    assert (
        output("text.regex_replace", text="a-b", pattern=r"(?P<x>\w)", replacement=r"<\g<x>>")
        == "<a>-<b>"
    )
    assert failure("text.regex_replace", replacement=r"\9").startswith(
        "ValueError: bad replacement '\\\\9': invalid group reference 9"
    )
    assert output("text.regex_split", text="a, b;c  d") == ["a", "b", "c", "d"]
    assert output("text.regex_split", text="a, b;c  d", max_splits="1") == ["a", "b;c  d"]


def test_reformat_date_and_its_error():
    assert output("text.format_date", text=" 14/03/2024 ") == "2024-03-14"
    assert (
        output(
            "text.format_date",
            text="2024-03-14 09:05",
            from_format="%Y-%m-%d %H:%M",
            to_format="%d %B %Y at %H:%M",
        )
        == "14 March 2024 at 09:05"
    )
    assert failure("text.format_date", text="2024-03-14").startswith(
        "ValueError: '2024-03-14' is not a date in the format '%d/%m/%Y'"
    )


@pytest.mark.parametrize(
    ("text", "decimal", "thousands", "number"),
    [
        ("Total: $1,234.50", ".", ",", 1234.5),
        ("-3.5 °C", ".", ",", -3.5),
        ("1.234.567,8 €", ",", ".", 1234567.8),
        ("1 234,5", ",", " ", 1234.5),
        ("about .5 of it", ".", ",", 0.5),
        ("2e3 items", ".", "", 2000.0),
        ("version 12", ".", ",", 12.0),
    ],
)
def test_parse_number_reads_the_first_number_with_its_separators(text, decimal, thousands, number):
    assert output("text.parse_number", text=text, decimal=decimal, thousands=thousands) == number


def test_parse_number_fails_clearly():
    assert failure("text.parse_number", text="none here") == "ValueError: no number in 'none here'"
    assert "must differ" in failure("text.parse_number", decimal=",", thousands=",")


def test_word_counts_of_a_text_or_a_list_of_texts():
    table = output("text.word_counts", text="The cat saw the other cat. THE END, isn't it?")
    assert table[:3] == [
        {"word": "the", "count": 3},
        {"word": "cat", "count": 2},
        {"word": "end", "count": 1},
    ]
    assert {"word": "isn't", "count": 1} in table
    kept = output(
        "text.word_counts",
        text=["Über alles über", "Straße 12 Straße"],
        lowercase="false",
        min_length="5",
        ignore="alles",
    )
    assert kept == [{"word": "Straße", "count": 2}]
    assert failure("text.word_counts", text=[1, 2]) == "TypeError: item 1 is a int, not text"


def test_dates_now_is_this_moment_with_an_offset():
    before = datetime.datetime.now(datetime.UTC).replace(microsecond=0)
    local = datetime.datetime.fromisoformat(output("dates.now"))
    utc = output("dates.now", utc="true")
    after = datetime.datetime.now(datetime.UTC)
    assert utc.endswith("+00:00")
    for moment in (local, datetime.datetime.fromisoformat(utc)):
        assert moment.tzinfo is not None and before <= moment <= after


def test_dates_parse_format_and_difference():
    assert output("dates.parse") == "2024-03-14T00:00:00"
    assert output("dates.parse", text="2024-03-14 09:30", format="") == "2024-03-14T09:30:00"
    assert output("dates.parse", text="03/14/24 5pm", format="%m/%d/%y %I%p") == (
        "2024-03-14T17:00:00"
    )
    assert output("dates.format") == "Thursday 14 March 2024, 09:30"
    assert output("dates.format", date="2024-03-14T09:30:00+01:00", format="%H:%M %z") == (
        "09:30 +0100"
    )
    assert output("dates.difference") == 73.5
    assert (
        output("dates.difference", start="2024-03-14T12:00", end="2024-03-14T09:30", unit="minutes")
        == -150.0
    )
    assert (
        output(
            "dates.difference",
            start="2024-01-01T00:00+02:00",
            end="2024-01-01T00:00+00:00",
            unit="hours",
        )
        == 2.0
    )
    assert failure("dates.difference", start="2024-01-01T00:00+02:00") == (
        "ValueError: one date has a UTC offset and the other not: give both or neither"
    )
    assert failure("dates.format", date="14.3.2024") == (
        "ValueError: date '14.3.2024' is not an ISO 8601 date (2024-03-14T09:30:00)"
    )
    assert "unknown unit 'months'" in failure("dates.difference", unit="months")
