"""One-row INSERTs written by hand for the hot paths.

For a single row, the ORM's insert compiler costs more CPU than the database takes to insert
it, and a statement of our own can carry another write with it (in a WITH, on PostgreSQL),
which saves a round trip. The names come from the model's meta and the values go through each
field as the ORM sends them, so the row is the one `save()` would have written.
"""

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Model


def insert_sql(row: Model, *, expressions: Mapping[str, str] | None = None) -> tuple[str, list[Any]]:
    """`INSERT INTO table (columns) VALUES (...)` for the unsaved `row` (every column but the
    id) and its parameters. `expressions`: SQL to insert in place of a column's value, by column
    name, such as an id another part of the same statement returns."""
    expressions = expressions or {}
    meta, quote = row._meta, connection.ops.quote_name
    columns = [(column, f) for f in meta.concrete_fields if (column := f.column) and not f.primary_key]
    names = ", ".join(quote(column) for column, _ in columns)
    values = ", ".join(expressions.get(column, "%s") for column, _ in columns)
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({values})"  # noqa: S608
    params = [
        f.get_db_prep_save(f.pre_save(row, True), connection)
        for column, f in columns
        if column not in expressions
    ]
    return sql, params


def inserted(row: Model, pk: Any) -> None:
    """Mark `row` saved with its new primary key, as `save()` leaves it."""
    row.pk, row._state.adding, row._state.db = pk, False, connection.alias
