"""Every statement, timed once: an execute wrapper on every database connection feeds
django_db_query_duration_seconds and django_db_errors_total (django-prometheus's names, in
place of its engines' cursor wrapper), the p95 of /health/database/performance, and counts and
logs the statements slower than DATABASE_SLOW_QUERY_MS.

During a request (monitoring.middleware holds them) the durations are observed when it ends,
each histogram's sum once and each bucket once with its count, instead of two mmap writes per
statement: the same counts, later by the request's length. Elsewhere (tasks, commands) each
statement is observed as it ends. A slow statement is counted and logged at once either way.

The log line carries the SQL's shape (placeholders, string literals blanked) and never its
parameters: they hold emails, phone numbers and message text.
"""

import bisect
import collections
import logging
import re
import time
from collections.abc import Callable, Sequence
from contextvars import ContextVar, Token
from typing import Any

from django.conf import settings
from django.db.backends.base.base import BaseDatabaseWrapper
from prometheus_client import Histogram

from monitoring.django_metrics import db_errors, db_query_duration
from monitoring.health import record_query_durations
from monitoring.metrics import database_slow_queries_total

logger = logging.getLogger(__name__)

SQL_SHAPE_MAX_CHARS = 300

_STRING_LITERAL = re.compile(r"'(?:[^']|'')*'")
# "IN (%s, %s, ... 500 times)" would fill the shape with placeholders.
_PLACEHOLDER_RUN = re.compile(r"%s(?:\s*,\s*%s)+")
_WHITESPACE = re.compile(r"\s+")

Execute = Callable[[str, Any, bool, dict[str, Any]], Any]


def observe_all(histogram: Histogram, amounts: Sequence[float]) -> None:
    """`histogram.observe(amount)` for each amount, written as one sum and one increment per
    bucket hit: prometheus_client writes two mmap values per observation, and has no bulk
    call. Its storage is per-bucket (made cumulative when collected), so a bucket's count is
    its observations; the bucket is observe()'s, the first upper bound >= the amount."""
    if len(amounts) == 1:
        histogram.observe(amounts[0])
        return
    histogram._sum.inc(sum(amounts))
    bounds = histogram._upper_bounds
    for index, count in collections.Counter(bisect.bisect_left(bounds, amount) for amount in amounts).items():
        histogram._buckets[index].inc(count)


def sql_shape(sql: object) -> str:
    """The statement without anything a caller inlined: Django passes values as parameters,
    but hand-written SQL may quote them into the text."""
    shape = _STRING_LITERAL.sub("'?'", str(sql))
    shape = _PLACEHOLDER_RUN.sub("%s, ...", shape)
    shape = _WHITESPACE.sub(" ", shape).strip()
    return shape if len(shape) <= SQL_SHAPE_MAX_CHARS else shape[: SQL_SHAPE_MAX_CHARS - 1] + "…"


class StatementWrapper:
    """Runs on every statement, so the fast path is two clock reads, an append (to the
    request's held durations, or the health p95's with a histogram observation outside a
    request) and a compare."""

    def __init__(self, *, alias: str, vendor: str, threshold_seconds: float) -> None:
        self.alias = alias
        self.vendor = vendor
        self.threshold_seconds = threshold_seconds
        self._duration = db_query_duration.labels(alias, vendor)
        self._slow_queries = database_slow_queries_total.labels(alias=alias)

    def __call__(self, execute: Execute, sql: str, params: Any, many: bool, context: dict[str, Any]) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        except Exception as error:
            # Django re-raises the driver's error as its own (IntegrityError...); the driver's
            # class (UniqueViolation...) is the label django-prometheus's cursor reported.
            driver_error = error.__cause__ or error
            db_errors.labels(self.alias, self.vendor, type(driver_error).__name__).inc()
            raise
        finally:
            # A statement that failed slowly (a lock wait, a timeout) was slow all the same.
            seconds = time.perf_counter() - started
            held = _held.get()
            if held is None:
                self.observe((seconds,))
            else:
                held.append((self, seconds))
            if seconds >= self.threshold_seconds:
                self._report(sql, seconds)

    def observe(self, durations: Sequence[float]) -> None:
        """Into the histogram and the health p95: as each statement ends outside a request,
        and for all of a request's at its end."""
        observe_all(self._duration, durations)
        record_query_durations(durations)

    def _report(self, sql: str, seconds: float) -> None:
        self._slow_queries.inc()
        logger.warning(
            "slow query",
            extra={
                "event": "slow_query",
                "duration_ms": round(seconds * 1000, 1),
                "alias": self.alias,
                "sql": sql_shape(sql),
            },
        )


# The (wrapper, seconds) of the statements the running request made; None outside a request.
_Held = list[tuple[StatementWrapper, float]]
_held: ContextVar[_Held | None] = ContextVar("held_statement_durations", default=None)


def hold_statement_durations() -> Token[_Held | None]:
    """From now on, statements keep their durations for `observe_held_statement_durations`."""
    return _held.set([])


def observe_held_statement_durations(token: Token[_Held | None]) -> None:
    """Observe what was held since `hold_statement_durations` returned `token`, and stop holding."""
    held = _held.get()
    _held.reset(token)
    by_wrapper: dict[StatementWrapper, list[float]] = {}
    for wrapper, seconds in held or ():
        by_wrapper.setdefault(wrapper, []).append(seconds)
    for wrapper, durations in by_wrapper.items():
        wrapper.observe(durations)


def install_statement_wrapper(*, connection: BaseDatabaseWrapper) -> None:
    """Time `connection`'s statements, once (monitoring/backends, with its first connection).
    First in the list, i.e. outermost: `connection.execute_wrapper()` blocks pop
    the last entry on exit, which must stay theirs."""
    if any(isinstance(wrapper, StatementWrapper) for wrapper in connection.execute_wrappers):
        return
    wrapper = StatementWrapper(
        alias=connection.alias,
        vendor=connection.vendor,
        threshold_seconds=settings.DATABASE_SLOW_QUERY_MS / 1000,
    )
    connection.execute_wrappers.insert(0, wrapper)
