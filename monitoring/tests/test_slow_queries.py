"""The slow-query execute wrapper: installed once per connection, counts and logs slow
statements without their parameters, and feeds every duration to the health p95."""

from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import pytest
from django.db import DEFAULT_DB_ALIAS, connection
from prometheus_client import REGISTRY

from assistant.users.models import User
from monitoring import health
from monitoring.db import (
    SQL_SHAPE_MAX_CHARS,
    StatementWrapper,
    hold_statement_durations,
    install_statement_wrapper,
    observe_held_statement_durations,
    sql_shape,
)
from monitoring.health import QueryDurations

pytestmark = pytest.mark.django_db


def slow_queries(alias: str = DEFAULT_DB_ALIAS) -> float:
    return REGISTRY.get_sample_value("database_slow_queries_total", {"alias": alias}) or 0.0


@pytest.fixture
def every_query_is_slow() -> Iterator[None]:
    """A second wrapper with a 0 ms threshold: the installed one keeps the configured 500 ms."""
    with connection.execute_wrapper(
        StatementWrapper(alias=DEFAULT_DB_ALIAS, vendor=connection.vendor, threshold_seconds=0)
    ):
        yield


def test_each_connection_has_exactly_one_wrapper_however_often_it_reconnects():
    other = connection.copy()  # as a new thread gets one
    try:
        for _ in range(3):
            other.connect()  # with the pool, what each request does: borrow again
            other.close()
    finally:
        other.close()

    wrappers = [wrapper for wrapper in other.execute_wrappers if isinstance(wrapper, StatementWrapper)]
    assert len(wrappers) == 1
    assert wrappers[0].alias == DEFAULT_DB_ALIAS
    assert wrappers[0].threshold_seconds == pytest.approx(0.5)  # DATABASE_SLOW_QUERY_MS


def test_the_wrapper_is_installed_for_any_alias_and_outside_wrappers_already_there():
    theirs = object()
    other = SimpleNamespace(alias="replica", vendor="postgresql", execute_wrappers=[theirs])

    install_statement_wrapper(connection=other)

    # Outermost: a `connection.execute_wrapper()` block pops the last entry when it ends.
    mine, last = other.execute_wrappers
    assert isinstance(mine, StatementWrapper)
    assert mine.alias == "replica"
    assert last is theirs


def test_a_slow_statement_is_counted_and_logged_with_its_shape_only(every_query_is_slow, logs):
    before = slow_queries()

    User.objects.filter(email="someone.private@example.com", phone_number="+15551234567").exists()

    assert slow_queries() == before + 1
    (line,) = [line for line in logs.lines() if line["event"] == "slow_query"]
    assert line["level"] == "WARNING"
    assert line["alias"] == DEFAULT_DB_ALIAS
    assert isinstance(line["duration_ms"], float)
    assert line["duration_ms"] >= 0
    assert '"users_user"."email" = %s' in line["sql"]
    assert "someone.private" not in logs.searchable()
    assert "1234567" not in logs.searchable()


def test_a_fast_statement_is_neither_counted_nor_logged(logs):
    before = slow_queries()

    User.objects.exists()

    assert slow_queries() == before
    assert not [line for line in logs.lines() if line["event"] == "slow_query"]


def test_a_statement_that_fails_slowly_is_counted_too():
    wrapper = StatementWrapper(alias="other", vendor=connection.vendor, threshold_seconds=0)
    before = slow_queries("other")

    def failing(*_: Any) -> None:
        raise RuntimeError("canceling statement due to statement timeout")

    with pytest.raises(RuntimeError):
        wrapper(failing, "SELECT pg_sleep(%s)", [60], False, {})

    assert slow_queries("other") == before + 1


def test_every_statement_feeds_the_health_p95(monkeypatch):
    # A fresh buffer: the process-wide one is bounded and may already be full.
    durations = QueryDurations()
    monkeypatch.setattr(health, "query_durations", durations)

    User.objects.exists()
    User.objects.count()

    summary = durations.summary(slow_seconds=0.5)
    assert summary.sample_size == 2
    assert summary.slow_count == 0


def test_held_durations_are_observed_at_the_end_and_a_slow_statement_is_logged_at_once(logs, monkeypatch):
    """What a request does (monitoring.middleware): its statements are written once it ends."""
    every_statement_slow = StatementWrapper(alias="held", vendor=connection.vendor, threshold_seconds=0)
    labels = {"alias": "held", "vendor": connection.vendor}
    User.objects.exists()  # connected: the installed wrapper is there too
    durations = QueryDurations()
    monkeypatch.setattr(health, "query_durations", durations)

    held = hold_statement_durations()
    with connection.execute_wrapper(every_statement_slow):
        User.objects.exists()
        User.objects.count()
    observed_meanwhile = REGISTRY.get_sample_value("django_db_query_duration_seconds_count", labels)
    logged_meanwhile = [line for line in logs.lines() if line["event"] == "slow_query"]
    slow_meanwhile = slow_queries("held")
    observe_held_statement_durations(held)

    assert observed_meanwhile == 0  # nothing written yet
    assert len(logged_meanwhile) == 2
    assert slow_meanwhile == 2
    assert REGISTRY.get_sample_value("django_db_query_duration_seconds_count", labels) == 2
    # Both wrappers' durations (the installed one's and this one's) reach the health p95.
    assert durations.summary(slow_seconds=0.5).sample_size == 4
    User.objects.exists()  # no longer held: observed at once
    assert REGISTRY.get_sample_value("django_db_query_duration_seconds_count", labels) == 2
    assert durations.summary(slow_seconds=0.5).sample_size == 5


def test_the_sql_shape_blanks_literals_folds_placeholder_runs_and_is_bounded():
    sql = "SELECT *\n  FROM t WHERE email = 'a@b.c' AND note = 'it''s' AND id IN (%s, %s, %s, %s)"

    assert sql_shape(sql) == "SELECT * FROM t WHERE email = '?' AND note = '?' AND id IN (%s, ...)"
    long = sql_shape(", ".join(f"column_{n}" for n in range(200)))
    assert len(long) == SQL_SHAPE_MAX_CHARS
    assert long.endswith("…")
