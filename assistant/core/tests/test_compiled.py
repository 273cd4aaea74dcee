"""Reads compiled once: the rows the ORM would give, for the values of each call, and a read
whose SQL depends on its values refused when compiled. Run on SQLite and on PostgreSQL
(DATABASE_URL): the placeholders and the backend's converters differ between them."""

from datetime import date, datetime, timedelta
from unittest import mock

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, transaction
from django.db.models import F, Q, QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from knox.models import get_token_model

from assistant.core.compiled import CompiledRead, CompiledReadError, all_of, compiled_read, together
from assistant.users.models import AuthToken, User
from assistant.users.tests.factories import UserFactory
from tests import sql

pytestmark = pytest.mark.django_db


@compiled_read
def _tokens_since(since: datetime, user_id: int) -> QuerySet[AuthToken]:
    # The parameters in the other order than the SQL's: each lands where it is used.
    return (
        AuthToken.objects.filter(user_id=user_id, created__gte=since)
        .select_related("user")
        .order_by("created")
    )


@compiled_read
def _named(name: str, joined_by: date) -> QuerySet[User, dict[str, object]]:
    # One value used twice, constants beside them, a date through a transform, values() dicts.
    return (
        User.objects.filter(
            Q(email=name) | Q(display_name=name), is_active=True, date_joined__date__lte=joined_by
        )
        .order_by("email")
        .values("email", "date_joined", "is_staff", "language", tokens=F("auth_token_set__digest"))
    )


@pytest.fixture
def people():
    ada, bob = UserFactory(display_name="ada"), UserFactory(display_name="ada")
    for person in (ada, ada, bob):
        get_token_model().objects.create(user=person, expiry=timedelta(hours=1))
    return ada, bob


def test_model_rows_are_the_orm_rows_with_their_related_row(people, django_assert_num_queries):
    ada, _bob = people
    since = timezone.now() - timedelta(minutes=1)
    expected = list(
        AuthToken.objects.filter(user=ada, created__gte=since).select_related("user").order_by("created")
    )

    with django_assert_num_queries(1):
        tokens = _tokens_since(since, ada.pk)

    assert [model_to_dict(token) for token in tokens] == [model_to_dict(token) for token in expected]
    assert [model_to_dict(token.user) for token in tokens] == [model_to_dict(ada)] * 2
    assert all(token.user.get_deferred_fields() == set() for token in tokens)
    assert all(token._state.db == DEFAULT_DB_ALIAS and not token._state.adding for token in tokens)
    assert isinstance(tokens[0].created, datetime)
    assert tokens[0].created.tzinfo is not None
    assert _tokens_since(since=timezone.now() + timedelta(minutes=1), user_id=ada.pk) == []


def test_values_rows_are_the_orm_dicts(people):
    ada, bob = people
    User.objects.filter(pk=bob.pk).update(is_active=False)  # the constant: bob is not read
    today = timezone.now().date()
    expected = list(
        User.objects.filter(
            Q(email="ada") | Q(display_name="ada"), is_active=True, date_joined__date__lte=today
        )
        .order_by("email")
        .values("email", "date_joined", "is_staff", "language", tokens=F("auth_token_set__digest"))
    )

    rows = _named("ada", today)

    assert rows == expected
    assert len(rows) == 2
    assert rows[0]["is_staff"] is False  # SQLite's 0, converted
    assert _named(ada.email, today)[0]["email"] == ada.email  # the same value, in either place
    assert _named("ada", today - timedelta(days=400)) == []


def test_the_sql_is_compiled_once_per_database():
    @compiled_read
    def read(email: str) -> QuerySet[User]:
        return User.objects.filter(email=email)

    with mock.patch.object(SQLCompiler, "as_sql", autospec=True, side_effect=SQLCompiler.as_sql) as as_sql:
        read("a@example.com")
        compiled = as_sql.call_count
        read("b@example.com")
        read.on(DEFAULT_DB_ALIAS, email="c@example.com")

    assert compiled == 2  # the two sets of placeholders
    assert as_sql.call_count == compiled


def test_a_value_of_another_type_is_refused(people):
    with pytest.raises(TypeError, match="since: expected datetime"):
        _tokens_since(timezone.now().date(), people[0].pk)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="user_id: expected int"):
        _tokens_since(timezone.now(), str(people[0].pk))  # type: ignore[arg-type]


def test_a_value_computed_in_the_read_is_refused_when_compiled():
    @compiled_read
    def read(since: datetime) -> QuerySet[User]:
        return User.objects.filter(date_joined__gte=since - timedelta(days=1))

    with pytest.raises(CompiledReadError, match="computed"):
        read(timezone.now())


def test_a_value_changed_on_the_way_is_refused_when_compiled():
    @compiled_read
    def read(name: str) -> QuerySet[User]:
        return User.objects.filter(display_name__contains=name)  # the SQL's value is %name%

    with pytest.raises(CompiledReadError, match="computed"):
        read("ada")


def test_sql_that_depends_on_the_values_is_refused_when_compiled():
    @compiled_read
    def read(user_id: int) -> QuerySet[User]:
        return User.objects.filter(pk__in=range(1 + user_id % 7))  # as many placeholders as the value says

    with pytest.raises(CompiledReadError, match="depends on the values"):
        read(1)


def test_a_parameter_of_a_kind_without_distinct_placeholders_is_refused():
    with pytest.raises(CompiledReadError, match="active"):

        @compiled_read
        def read(active: bool) -> QuerySet[User]:
            return User.objects.filter(is_active=active)


def test_a_prefetch_is_refused_when_compiled():
    @compiled_read
    def read(user_id: int) -> QuerySet[User]:
        return User.objects.filter(pk=user_id).prefetch_related("auth_token_set")

    with pytest.raises(CompiledReadError, match="prefetch"):
        read(1)


def test_a_parameter_the_read_does_not_use_as_it_is_is_refused_when_compiled():
    @compiled_read
    def read(email: str, since: datetime) -> QuerySet[User]:
        return User.objects.filter(email=email)

    with pytest.raises(CompiledReadError, match="since"):
        read("a@example.com", timezone.now())


class TestReadsTogether:
    def test_reads_together_give_what_each_gives_alone_in_one_round_trip_on_postgresql(
        self, people, django_assert_num_queries
    ):
        ada, bob = people
        since = timezone.now() - timedelta(minutes=1)
        alone = (
            _tokens_since(since, ada.pk),
            _named("ada", timezone.localdate()),
            _tokens_since(since, bob.pk),
        )

        round_trips = 1 if connection.vendor == "postgresql" else 3
        with django_assert_num_queries(round_trips) as statements:
            first, second, third = together(
                _tokens_since.deferred(since, ada.pk),
                _named.deferred("ada", timezone.localdate()),
                _tokens_since.deferred(since, bob.pk).then(len),
            ).run()

        assert [model_to_dict(token) for token in first] == [model_to_dict(token) for token in alone[0]]
        assert [token.user for token in first] == [ada, ada]
        assert second == alone[1]
        assert third == len(alone[2]) == 1
        assert len(sql.reads(statements.captured_queries)) == 3

    def test_an_empty_read_in_the_middle_still_hands_each_its_own_rows(self, people):
        ada, _bob = people
        since = timezone.now() - timedelta(minutes=1)
        nobody, everyone = all_of(
            [_tokens_since.deferred(since, -1), _tokens_since.deferred(since, ada.pk)]
        ).run()
        assert (nobody, len(everyone)) == ([], 2)

    def test_nothing_to_read_is_no_round_trip(self, django_assert_num_queries):
        with django_assert_num_queries(0):
            assert all_of([]).then(len).run() == 0


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
class TestPreparedOnPostgreSQL:
    @staticmethod
    def _read() -> CompiledRead[[str, datetime], User]:
        @compiled_read
        def read(email: str, since: datetime) -> QuerySet[User]:
            # A constant holding "%" and "_" beside the values: it stays a parameter of the PREPARE.
            return User.objects.filter(email=email, date_joined__gte=since, display_name__startswith="a%_")

        return read

    def test_a_read_is_prepared_with_its_first_use_on_a_connection_then_only_executed(self, people):
        ada, _bob = people
        User.objects.filter(pk=ada.pk).update(display_name="a%_da")
        read, since = self._read(), timezone.now() - timedelta(minutes=1)

        with CaptureQueriesContext(connection) as first:
            rows = read(ada.email, since)
        with CaptureQueriesContext(connection) as second:
            again = read(ada.email, since)

        assert rows == again == [ada]
        ((prepare_and_execute,), (execute,)) = ([q["sql"] for q in first], [q["sql"] for q in second])
        assert prepare_and_execute.startswith("PREPARE ")
        assert f"; {execute}" in prepare_and_execute
        assert execute.startswith("EXECUTE ")
        assert read("nobody@example.com", since) == []

    def test_a_statement_the_server_dropped_is_prepared_again(self, people):
        ada, _bob = people
        User.objects.filter(pk=ada.pk).update(display_name="a%_da")
        read, since = self._read(), timezone.now() - timedelta(minutes=1)
        assert read(ada.email, since) == [ada]
        with connection.cursor() as cursor:
            cursor.execute("DEALLOCATE ALL")  # as an operator, or a pooler handing over another session

        with pytest.raises(DatabaseError, match="does not exist"), transaction.atomic():
            read(ada.email, since)
        with CaptureQueriesContext(connection) as recovered:
            assert read(ada.email, since) == [ada]

        asked, prepared_again = [q["sql"] for q in recovered]
        assert "pg_prepared_statements" in asked
        assert prepared_again.startswith("PREPARE ")

    def test_switched_off_a_read_is_plain_sql(self, people, settings):
        settings.DATABASE_PREPARED_READS = False
        ada, _bob = people
        User.objects.filter(pk=ada.pk).update(display_name="a%_da")
        read = self._read()  # compiled under the setting

        with CaptureQueriesContext(connection) as plain:
            assert read(ada.email, timezone.now() - timedelta(minutes=1)) == [ada]

        assert [q["sql"][:7] for q in plain] == ["SELECT "]
