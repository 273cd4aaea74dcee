"""Reads whose shape never changes, compiled to SQL once per process and database.

Django compiles a queryset to SQL each time it is evaluated. For the small reads of the hot
paths (the token of every request, the rows of an agenda) that costs several times what the
database takes to answer. A compiled read is a function that builds its queryset from its
parameters: it is built and compiled once per database alias with placeholder values, and each
call runs that SQL with the call's values and builds the rows as the ORM would (model instances,
`select_related` ones included, or `values()` dicts), with the backend's converters applied.

    @compiled_read
    def _open_todos(user_id: int, due_by: date) -> QuerySet[Todo]:
        return Todo.objects.filter(user_id=user_id, status="open", due_date__lte=due_by)

    todos = _open_todos(user.pk, today)  # a list of Todo

Parameters are `int`, `str`, `date` or `datetime` (annotated), each used as is in the queryset:
compiling twice with two sets of distinct placeholders finds where each lands in the SQL, and a
read whose SQL or constants depend on the values (a computed bound, an `__in` list, a branch on
a value), or that changes a value on the way (`contains`, an encrypted field), is refused when
it is first compiled rather than run wrong.

Several reads that do not depend on each other can share a round trip: `deferred()` binds a
read to its values without running it, `together()` and `all_of()` combine such reads, and
`run()` sends them at once (see `Deferred.run`).

    reads = together(_next_reminders.deferred(user.pk, now), _open_todos.deferred(user.pk, today))
    reminders, todos = reads.run()

On PostgreSQL a compiled read is also a prepared statement of each connection (`PREPARE`, sent
with its first use there, then `EXECUTE name(values)`): the server plans it once instead of on
every call. For the agenda's reads planning cost the server five times what running them did.
`DATABASE_PREPARED_READS=false` turns that off (PgBouncer in transaction mode hands each
transaction another server connection, which would not hold the statement).
"""

import hashlib
import inspect
import itertools
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any, Generic, ParamSpec, TypeVar, get_type_hints, overload

from django.conf import settings
from django.db import DatabaseError, connections, router
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, RelatedPopulator, ValuesIterable, get_related_populators
from django.db.models.sql.compiler import SQLCompiler

P = ParamSpec("P")
T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
A = TypeVar("A")
B = TypeVar("B")
C = TypeVar("C")

# Two sets of placeholders per type, distinct from each other and from any value a read would
# hold as a constant.
_PLACEHOLDERS: dict[type, Callable[[int, int], Any]] = {
    int: lambda variant, index: -7_340_000_000 - 1000 * variant - index,
    str: lambda variant, index: f"compiled-read-placeholder-{variant}-{index}",
    date: lambda variant, index: date(1901, 1 + variant, 1 + index),
    datetime: lambda variant, index: datetime(1901, 1 + variant, 1 + index, 1, 2, 3, tzinfo=UTC),
}


# The type each kind of parameter is declared with in a PREPARE. A string is left `unknown`,
# as its literal is in the plain SQL: the server takes the type of what it is compared with.
_PREPARED_TYPES = {int: "bigint", str: "unknown", date: "date", datetime: "timestamptz"}


class CompiledReadError(TypeError):
    """The read cannot be compiled once: its SQL depends on the values it is called with."""


def _adapter(kind: type, connection: BaseDatabaseWrapper) -> Callable[[Any], Any]:
    """What the ORM does to a value of this kind before handing it to the driver (the
    placeholders check that it does nothing else for this read)."""
    if kind is datetime:
        return connection.ops.adapt_datetimefield_value
    if kind is date:
        return connection.ops.adapt_datefield_value
    return lambda value: value


def _check(name: str, kind: type, value: Any) -> None:
    # bool is an int and datetime a date, but the ORM would store neither as the other.
    if (
        not isinstance(value, kind)
        or isinstance(value, bool)
        or (kind is date and isinstance(value, datetime))
    ):
        raise TypeError(f"{name}: expected {kind.__name__}, got {type(value).__name__}")


@dataclass(frozen=True)
class _Preparation:
    """A compiled read as a prepared statement: its PREPARE (the constants as parameters)."""

    name: str
    sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class _Statement:
    """A read bound to its values: its SQL, and what must have prepared it on the connection."""

    sql: str
    params: tuple[Any, ...]
    preparation: _Preparation | None = None


@dataclass(frozen=True)
class _Compiled:
    sql: str
    slots: list[tuple[int | None, Any]]  # per SQL parameter: the call's value at this index, or a constant
    preparation: _Preparation | None  # on PostgreSQL: then `sql` is its EXECUTE
    adapters: list[Callable[[Any], Any]]  # per call parameter
    compiler: SQLCompiler
    converters: dict[int, Any]
    column_count: int | None  # when the SQL selects more than is returned (ordering columns)
    make: Callable[[list[Any]], Any]  # a row, as the queryset would yield it


class CompiledRead(Generic[P, T]):
    """See the module. Calling it returns the rows as a list."""

    def __init__(self, build: Callable[P, QuerySet[Any, T]]) -> None:
        self._build: Callable[..., QuerySet[Any, T]] = build  # called with placeholders too
        self._name = f"{build.__module__}.{build.__qualname__}"
        self._signature = inspect.signature(build)
        hints = get_type_hints(build)
        self._kinds: list[tuple[str, type]] = []
        for parameter in self._signature.parameters.values():
            kind = hints.get(parameter.name)
            if kind not in _PLACEHOLDERS:
                raise CompiledReadError(
                    f"{self._name}: parameter {parameter.name} must be one of int, str, date, datetime"
                )
            self._kinds.append((parameter.name, kind))
        self._by_alias: dict[str, _Compiled] = {}

    @cached_property
    def _model(self) -> type[Model]:  # not at import: apps may not be ready then
        return self._build(*self._placeholders(0)).model

    def __call__(self, *args: P.args, **kwargs: P.kwargs) -> list[T]:
        """On the database the router reads this model from."""
        return self.deferred(*args, **kwargs).run()

    def on(self, alias: str, /, *args: P.args, **kwargs: P.kwargs) -> list[T]:
        """On the database `alias`, in its current transaction."""
        return self.deferred_on(alias, *args, **kwargs).run()

    def deferred(self, *args: P.args, **kwargs: P.kwargs) -> "Deferred[list[T]]":
        """Bound to these values, to run later, with other reads (see the module)."""
        return self.deferred_on(router.db_for_read(self._model), *args, **kwargs)

    def deferred_on(self, alias: str, /, *args: P.args, **kwargs: P.kwargs) -> "Deferred[list[T]]":
        compiled = self._by_alias.get(alias) or self._compile(alias)
        bound = self._signature.bind(*args, **kwargs)
        bound.apply_defaults()
        values = []
        for (name, kind), adapt in zip(self._kinds, compiled.adapters, strict=True):
            value = bound.arguments[name]
            _check(name, kind, value)
            values.append(adapt(value))
        if compiled.preparation is None:
            params = tuple(constant if index is None else values[index] for index, constant in compiled.slots)
        else:
            params = tuple(values)

        def finish(results: list[Sequence[Any]]) -> list[T]:
            (rows,) = results
            if compiled.column_count is not None:
                rows = [row[: compiled.column_count] for row in rows]
            if compiled.converters:
                rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
            return [compiled.make(row) for row in rows]

        return Deferred(alias, (_Statement(compiled.sql, params, compiled.preparation),), finish)

    def _placeholders(self, variant: int) -> list[Any]:
        return [_PLACEHOLDERS[kind](variant, index) for index, (_, kind) in enumerate(self._kinds)]

    def _compile(self, alias: str) -> _Compiled:
        connection = connections[alias]
        adapters = [_adapter(kind, connection) for _, kind in self._kinds]
        compiled = []
        for variant in (0, 1):
            placeholders = [
                adapt(value) for adapt, value in zip(adapters, self._placeholders(variant), strict=True)
            ]
            queryset = self._build(*self._placeholders(variant))
            compiler = queryset.query.get_compiler(alias)
            sql, params = compiler.as_sql()
            compiled.append((queryset, compiler, sql, list(params), placeholders))
        (
            (queryset, compiler, sql, params, placeholders),
            (_, _, other_sql, other_params, other_placeholders),
        ) = compiled
        if sql != other_sql or len(params) != len(other_params):
            raise CompiledReadError(f"{self._name}: its SQL depends on the values it is called with")
        slots = self._slots(params, other_params, placeholders, other_placeholders)
        preparation = self._preparation(sql, slots) if _prepares_reads(connection) else None
        result = _Compiled(
            sql=sql if preparation is None else _execute_sql(preparation.name, len(self._kinds)),
            slots=slots,
            preparation=preparation,
            adapters=adapters,
            compiler=compiler,
            converters=compiler.get_converters(
                [column for column, _, _ in compiler.select[: compiler.col_count]]
            ),
            column_count=compiler.col_count if compiler.has_extra_select else None,
            make=self._rows(queryset, compiler, alias),
        )
        self._by_alias[alias] = result
        return result

    def _slots(
        self,
        params: list[Any],
        other_params: list[Any],
        placeholders: list[Any],
        other_placeholders: list[Any],
    ) -> list[tuple[int | None, Any]]:
        """Per SQL parameter of the two compilations: the index of the call's value that lands
        there (its placeholder in both), or the constant it holds (the same in both)."""
        pairs = list(zip(placeholders, other_placeholders, strict=True))
        slots: list[tuple[int | None, Any]] = []
        for position, (param, other) in enumerate(zip(params, other_params, strict=True)):
            index = next(
                (
                    index
                    for index, pair in enumerate(pairs)
                    if _same(param, pair[0]) and _same(other, pair[1])
                ),
                None,
            )
            if index is None and not _same(param, other):
                raise CompiledReadError(
                    f"{self._name}: SQL parameter {position} is computed from a value, not the value itself"
                )
            slots.append((index, None if index is not None else param))
        used = {index for index, _ in slots}
        if unused := [name for index, (name, _) in enumerate(self._kinds) if index not in used]:
            raise CompiledReadError(f"{self._name}: parameters {unused} are not used as they are")
        return slots

    def _preparation(self, sql: str, slots: list[tuple[int | None, Any]]) -> _Preparation:
        """The PREPARE of this SQL: each call's value becomes its $n, the constants stay
        parameters of the PREPARE itself (bound client-side, as in the plain SQL)."""
        placeholders = iter(slots)

        def placeholder(match: re.Match[str]) -> str:
            if match.group() == "%%":
                return "%%"
            index, _ = next(placeholders)
            return "%s" if index is None else f"${index + 1}"

        body = re.sub(r"%s|%%", placeholder, sql)
        types = ", ".join(_PREPARED_TYPES[kind] for _, kind in self._kinds)
        # The read's name says what it is in pg_stat_activity and the slow-query log; the hash
        # of its text tells two reads of one name apart (tests define several `read`s).
        digest = hashlib.sha1(f"{types}|{body}".encode(), usedforsecurity=False).hexdigest()[:10]
        name = f"{re.sub(r'[^a-z0-9]+', '_', self._name.lower())[-50:].strip('_')}_{digest}"
        return _Preparation(
            name=name,
            sql=f"PREPARE {name} ({types}) AS {body}" if types else f"PREPARE {name} AS {body}",
            params=tuple(constant for index, constant in slots if index is None),
        )

    def _rows(
        self, queryset: QuerySet[Any, T], compiler: SQLCompiler, alias: str
    ) -> Callable[[list[Any]], Any]:
        """How a row becomes what the queryset yields: as ModelIterable and ValuesIterable do."""
        if queryset._prefetch_related_lookups or queryset._known_related_objects:  # type: ignore[attr-defined]
            raise CompiledReadError(f"{self._name}: prefetches and related managers' rows are not compiled")
        iterable = queryset._iterable_class
        if iterable is ValuesIterable:
            query = queryset.query
            names = list(
                query.selected or [*query.extra_select, *query.values_select, *query.annotation_select]
            )
            return lambda row: dict(zip(names, row, strict=True))
        if iterable is not ModelIterable:
            raise CompiledReadError(f"{self._name}: only model instances and values() dicts are compiled")
        klass_info, select = compiler.klass_info, compiler.select
        assert klass_info is not None  # a model query always has one
        model: type[Model] = klass_info["model"]
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators: list[RelatedPopulator] = get_related_populators(klass_info, select, alias)  # type: ignore[call-arg]  # the stubs': Django 6's
        annotations = list(compiler.annotation_col_map.items())

        def make(row: list[Any]) -> Model:
            instance = model.from_db(alias, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in annotations:
                setattr(instance, name, row[position])
            return instance

        return make


@dataclass(frozen=True)
class Deferred(Generic[R]):
    """Reads bound to their values and not run yet, and what to make of their rows."""

    alias: str | None  # None when there is nothing to read
    statements: tuple[_Statement, ...]
    finish: Callable[[list[Sequence[Any]]], R]  # from the rows of each statement, in order

    def then(self, step: Callable[[R], S]) -> "Deferred[S]":
        """The same reads, and `step` applied to what they make."""
        finish = self.finish
        return Deferred(self.alias, self.statements, lambda results: step(finish(results)))

    def run(self) -> R:
        """In one round trip where the driver allows it: on PostgreSQL, whose driver binds the
        values client-side (Django's default), the statements go as one query, joined by
        semicolons, and their results are read in turn (the PREPAREs the connection still
        lacks go first in the same query); elsewhere one after the other. Django's query count
        and our statement timings see one statement per round trip."""
        if self.alias is None:
            return self.finish([])
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            if _sends_together(connection):
                results = _run_together(connection, cursor, self.statements)
            else:
                results = []
                for statement in self.statements:
                    cursor.execute(statement.sql, statement.params)
                    results.append(cursor.fetchall())
        return self.finish(results)


def _run_together(
    connection: BaseDatabaseWrapper, cursor: Any, statements: Sequence[_Statement]
) -> list[Sequence[Any]]:
    """The statements as one query, after the PREPAREs the connection still lacks; the rows of
    each statement."""
    wanted = {s.preparation.name: s.preparation for s in statements if s.preparation is not None}
    prepared = _prepared_names(connection, cursor) if wanted else set()
    preparations = [preparation for name, preparation in wanted.items() if name not in prepared]
    sent: list[_Preparation | _Statement] = [*preparations, *statements]
    try:
        cursor.execute("; ".join(s.sql for s in sent), [param for s in sent for param in s.params])
    except DatabaseError:
        # Which of the PREPAREs ran is unknown now: the next read asks the server.
        _prepared_by_connection[connection.connection] = None
        raise
    prepared.update(preparation.name for preparation in preparations)
    for _ in preparations:  # a PREPARE returns no rows
        cursor.nextset()
    results = []
    for index in range(len(statements)):
        if index:
            cursor.nextset()
        results.append(cursor.fetchall())
    return results


def _sends_together(connection: BaseDatabaseWrapper) -> bool:
    """Whether several statements can go in one query: PostgreSQL binding values client-side."""
    return connection.vendor == "postgresql" and not connection.settings_dict["OPTIONS"].get(
        "server_side_binding"
    )


def _prepares_reads(connection: BaseDatabaseWrapper) -> bool:
    return _sends_together(connection) and settings.DATABASE_PREPARED_READS


def _execute_sql(name: str, parameters: int) -> str:
    return f"EXECUTE {name}({', '.join(['%s'] * parameters)})" if parameters else f"EXECUTE {name}"


# Per driver connection (a pool hands the same one to many requests), the reads prepared on it;
# None after an error, when which ones are is to be asked.
_prepared_by_connection: "weakref.WeakKeyDictionary[Any, set[str] | None]" = weakref.WeakKeyDictionary()


def _prepared_names(connection: BaseDatabaseWrapper, cursor: Any) -> set[str]:
    driver_connection = connection.connection
    if driver_connection not in _prepared_by_connection:
        prepared: set[str] = set()  # a new connection holds none
    elif (known := _prepared_by_connection[driver_connection]) is not None:
        return known
    else:
        cursor.execute("SELECT name FROM pg_prepared_statements")
        prepared = {name for (name,) in cursor.fetchall()}
    _prepared_by_connection[driver_connection] = prepared
    return prepared


def all_of(reads: Sequence[Deferred[R]]) -> Deferred[list[R]]:
    """The reads as one, making the list of what each makes."""
    aliases = {read.alias for read in reads if read.alias is not None}
    if len(aliases) > 1:
        raise ValueError(f"reads on different databases cannot share a round trip: {sorted(aliases)}")
    bounds = list(itertools.accumulate((len(read.statements) for read in reads), initial=0))

    def finish(results: list[Sequence[Any]]) -> list[R]:
        return [
            read.finish(results[start:end])
            for read, start, end in zip(reads, bounds[:-1], bounds[1:], strict=True)
        ]

    return Deferred(next(iter(aliases), None), tuple(s for read in reads for s in read.statements), finish)


@overload
def together(first: Deferred[A], second: Deferred[B], /) -> Deferred[tuple[A, B]]: ...
@overload
def together(first: Deferred[A], second: Deferred[B], third: Deferred[C], /) -> Deferred[tuple[A, B, C]]: ...
def together(*reads: Deferred[Any]) -> Deferred[tuple[Any, ...]]:
    """Reads of different kinds as one, making the tuple of what each makes."""
    return all_of(reads).then(tuple)


def _same(value: Any, other: Any) -> bool:
    """Equal and of the same type (True is not 1, a date is not a datetime)."""
    return type(value) is type(other) and bool(value == other)


def compiled_read(build: Callable[P, QuerySet[Any, T]]) -> CompiledRead[P, T]:
    """Declare a read compiled once: see the module."""
    return CompiledRead(build)
