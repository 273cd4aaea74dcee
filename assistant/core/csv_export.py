"""CSV files that a spreadsheet opens as data, never as formulas.

Exports carry text other people typed (names, e-mail addresses, user agents, request paths).
A cell starting with `=`, `+`, `-` or `@` is evaluated as a formula by Excel, LibreOffice and
Google Sheets (`=HYPERLINK(...)` leaks data on a click, DDE runs commands), and a leading tab
or carriage return is stripped before that test. OWASP's answer, applied here to every text
cell: a leading single quote, which makes the spreadsheet show the cell as text.
"""

import csv
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """value as a CSV cell that cannot start a formula; numbers stay numbers (-5 is data)."""
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def csv_rows_write(
    stream: "SupportsWrite[str]", *, header: Iterable[object], rows: Iterable[Iterable[object]]
) -> None:
    """The header and rows as CSV into stream, every cell through csv_cell."""
    writer = csv.writer(stream)
    writer.writerow([csv_cell(value) for value in header])
    writer.writerows([csv_cell(value) for value in row] for row in rows)
