"""One-row INSERTs written by hand for the hot paths.

For a single row, the ORM's insert compiler costs more CPU than the database takes to insert
it, and a statement of our own can carry another write with it (in a WITH, on PostgreSQL),
which saves a round trip. The names come from the model's meta and the values go through each
field as the ORM sends them, so the row is the one `save()` would have written.
"""

import functools
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Field, Model


def insert_sql(row: Model, *, expressions: Mapping[str, str] | None = None) -> tuple[str, list[Any]]:
    """`INSERT INTO table (columns) VALUES (...)` for the unsaved `row` (every column but the
    id) and its parameters. `expressions`: SQL to insert in place of a column's value, by column
    name, such as an id another part of the same statement returns."""
    sql, fields = _statement(type(row), tuple(sorted((expressions or {}).items())), connection.vendor)
    return sql, [field.get_db_prep_save(field.pre_save(row, True), connection) for field in fields]


@functools.cache
def _statement(
    model: type[Model], expressions: tuple[tuple[str, str], ...], vendor: str
) -> tuple[str, list[Field[Any, Any]]]:
    """The SQL and the fields whose values it takes, built once per model and expressions
    (`vendor`: the quoting is the backend's)."""
    meta, quote, replaced = model._meta, connection.ops.quote_name, dict(expressions)
    columns = [(column, f) for f in meta.concrete_fields if (column := f.column) and not f.primary_key]
    names = ", ".join(quote(column) for column, _ in columns)
    values = ", ".join(replaced.get(column, "%s") for column, _ in columns)
    sql = f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({values})"  # noqa: S608
    return sql, [f for column, f in columns if column not in replaced]


def inserted(row: Model, pk: Any) -> None:
    """Mark `row` saved with its new primary key, as `save()` leaves it."""
    row.pk, row._state.adding, row._state.db = pk, False, connection.alias
