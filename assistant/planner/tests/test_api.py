from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.utils import timezone

from assistant.planner import services
from assistant.planner.models import Reminder, Todo
from assistant.planner.tests.test_dispatch import make
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import sign_in
from tests import sql

pytestmark = pytest.mark.django_db


DUE = datetime(2026, 11, 27, 10, 1, tzinfo=UTC)  # when test_dispatch's make() is due


def in_an_hour() -> str:
    return (timezone.now() + timedelta(hours=1)).isoformat()


class TestTodos:
    def test_create_list_complete_and_delete(self, auth_client):
        created = auth_client.post(
            "/api/v1/todos", {"title": "call the dentist", "priority": 3}, format="json"
        )
        assert created.status_code == 201, created.content
        todo_id = created.json()["id"]

        done = auth_client.patch(f"/api/v1/todos/{todo_id}", {"status": "done"}, format="json")
        assert done.json()["status"] == "done"
        assert done.json()["completed_at"]

        listed = auth_client.get("/api/v1/todos?status=done").json()
        assert [item["id"] for item in listed["results"]] == [todo_id]
        assert auth_client.delete(f"/api/v1/todos/{todo_id}").status_code == 204
        assert not Todo.objects.exists()

    def test_filters_by_due_date(self, auth_client):
        for title, due in [("early", "2026-12-01"), ("late", "2026-12-20"), ("undated", None)]:
            auth_client.post("/api/v1/todos", {"title": title, "due_date": due}, format="json")

        before = auth_client.get("/api/v1/todos?due_before=2026-12-10").json()["results"]
        after = auth_client.get("/api/v1/todos?due_after=2026-12-10").json()["results"]

        assert [item["title"] for item in before] == ["early"]
        assert [item["title"] for item in after] == ["late"]

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({}, "title"),
            ({"title": ""}, "title"),
            ({"title": "x" * 201}, "title"),
            ({"title": "a", "priority": 9}, "priority"),
            ({"title": "a", "due_date": "tomorrow"}, "due_date"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, auth_client, body, field):
        response = auth_client.post("/api/v1/todos", body, format="json")

        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
        assert not Todo.objects.exists()

    def test_a_position_past_the_columns_range_is_a_400_not_a_500(self, auth_client):
        """Regression (fuzz): PATCH position=13630384235255084 was a 500 on PostgreSQL."""
        todo_id = auth_client.post("/api/v1/todos", {"title": "a"}, format="json").json()["id"]

        too_far = auth_client.patch(f"/api/v1/todos/{todo_id}", {"position": 2**31}, format="json")
        last = auth_client.patch(f"/api/v1/todos/{todo_id}", {"position": 2**31 - 1}, format="json")

        assert too_far.status_code == 400
        assert "position" in too_far.json()["error"]["fields"]
        assert last.status_code == 200
        assert last.json()["position"] == 2**31 - 1

    def test_bad_filter_is_a_400(self, auth_client):
        response = auth_client.get("/api/v1/todos?status=maybe")

        assert response.status_code == 400
        assert "status" in response.json()["error"]["fields"]

    def test_another_users_todo_is_invisible_and_untouchable(self, auth_client, password):
        other = UserFactory(password=password)
        theirs = (
            sign_in(other.email, password).post("/api/v1/todos", {"title": "secret"}, format="json").json()
        )

        assert auth_client.get(f"/api/v1/todos/{theirs['id']}").status_code == 404
        assert (
            auth_client.patch(f"/api/v1/todos/{theirs['id']}", {"title": "x"}, format="json").status_code
            == 404
        )
        assert auth_client.delete(f"/api/v1/todos/{theirs['id']}").status_code == 404
        assert auth_client.get("/api/v1/todos").json()["count"] == 0
        assert Todo.objects.get(pk=theirs["id"]).title == "secret"


class TestReminders:
    def test_create_snooze_and_cancel(self, auth_client, user):
        created = auth_client.post(
            "/api/v1/reminders", {"text": "stretch", "due_at": in_an_hour()}, format="json"
        )
        assert created.status_code == 201, created.content
        body = created.json()
        assert (body["status"], body["timezone"], body["channel"]) == ("scheduled", user.timezone, "chat")

        snoozed = auth_client.post(f"/api/v1/reminders/{body['id']}/snooze", {"minutes": 20}, format="json")
        assert snoozed.status_code == 200
        assert snoozed.json()["snoozed_until"]

        assert auth_client.delete(f"/api/v1/reminders/{body['id']}").status_code == 204
        assert Reminder.objects.get().status == "cancelled"

    def test_recurring_reminder_with_an_rrule(self, auth_client):
        response = auth_client.post(
            "/api/v1/reminders",
            {"text": "meds", "due_at": in_an_hour(), "rrule": "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"},
            format="json",
        )

        assert response.status_code == 201
        assert response.json()["rrule"] == "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"

    @pytest.mark.parametrize(
        ("body", "field"),
        [
            ({"text": "x", "due_at": "2020-01-01T00:00:00Z"}, "due_at"),
            ({"text": "x", "due_at": "soon"}, "due_at"),
            ({"text": "x", "due_at": "2030-01-01T00:00:00Z", "rrule": "EVERY SO OFTEN"}, "rrule"),
            ({"text": "", "due_at": "2030-01-01T00:00:00Z"}, "text"),
            ({"text": "x", "due_at": "2030-01-01T00:00:00Z", "channel": "pigeon"}, "channel"),
        ],
    )
    def test_bad_input_is_a_400_naming_the_field(self, auth_client, body, field):
        response = auth_client.post("/api/v1/reminders", body, format="json")

        assert response.status_code == 400
        assert field in response.json()["error"]["fields"]
        assert not Reminder.objects.exists()

    def test_filters_by_status_and_time(self, auth_client):
        soon = auth_client.post(
            "/api/v1/reminders", {"text": "soon", "due_at": in_an_hour()}, format="json"
        ).json()
        later = (timezone.now() + timedelta(days=2)).isoformat()
        auth_client.post("/api/v1/reminders", {"text": "later", "due_at": later}, format="json")

        cutoff = (timezone.now() + timedelta(days=1)).isoformat().replace("+00:00", "Z")
        before = auth_client.get("/api/v1/reminders", {"due_before": cutoff}).json()["results"]

        assert [item["id"] for item in before] == [soon["id"]]
        assert auth_client.get("/api/v1/reminders?status=cancelled").json()["count"] == 0

    def test_another_users_reminder_cannot_be_snoozed(self, auth_client, password):
        other = UserFactory(password=password)
        theirs = (
            sign_in(other.email, password)
            .post("/api/v1/reminders", {"text": "private", "due_at": in_an_hour()}, format="json")
            .json()
        )

        response = auth_client.post(f"/api/v1/reminders/{theirs['id']}/snooze", {"minutes": 5}, format="json")

        assert response.status_code == 404
        assert Reminder.objects.get(pk=theirs["id"]).snoozed_until is None


class TestReminderDeliveries:
    def test_a_reminder_not_yet_due_has_no_last_delivery(self, auth_client):
        created = auth_client.post("/api/v1/reminders", {"text": "x", "due_at": in_an_hour()}, format="json")

        assert created.json()["last_delivery"] is None
        assert auth_client.get(f"/api/v1/reminders/{created.json()['id']}").json()["last_delivery"] is None

    def test_a_delivered_reminder_says_so(self, auth_client, user):
        reminder = make(user)
        services.reminders_dispatch(now=DUE)

        last = auth_client.get(f"/api/v1/reminders/{reminder.pk}").json()["last_delivery"]

        assert (last["channel"], last["outcome"], last["reason"], last["fallback"]) == (
            "chat",
            "delivered",
            "",
            None,
        )
        assert datetime.fromisoformat(last["occurrence"]) == DUE

    def test_a_failed_over_reminder_shows_why_and_where_it_went(self, auth_client, failed_over):
        body = auth_client.get(f"/api/v1/reminders/{failed_over.pk}").json()

        last = body["last_delivery"]
        assert (last["channel"], last["outcome"], last["reason"]) == (
            "pager",
            "failed_over",
            "number refused",
        )
        assert (last["fallback"]["channel"], last["fallback"]["outcome"]) == ("chat", "delivered")
        assert last["fallback"]["fallback_for"] == last["id"]

    def test_the_deliveries_of_a_reminder_newest_first(self, auth_client, failed_over):
        response = auth_client.get(f"/api/v1/reminders/{failed_over.pk}/deliveries")

        assert response.status_code == 200
        rows = response.json()["results"]
        assert [(row["channel"], row["outcome"]) for row in rows] == [
            ("chat", "delivered"),
            ("pager", "failed_over"),
        ]

    def test_another_users_deliveries_are_a_404(self, auth_client, password):
        other = UserFactory(password=password)
        theirs = make(other)
        services.reminders_dispatch(now=DUE)

        assert auth_client.get(f"/api/v1/reminders/{theirs.pk}/deliveries").status_code == 404

    def test_the_list_reads_every_last_delivery_in_one_query(
        self, auth_client, user, django_assert_num_queries
    ):
        def listed() -> list:
            return auth_client.get("/api/v1/reminders").json()["results"]

        make(user, rrule="FREQ=HOURLY")
        services.reminders_dispatch(now=DUE)
        with django_assert_num_queries(LIST_QUERIES):
            assert len(listed()) == 1
        for i in range(5):
            make(user, text=f"reminder {i}", rrule="FREQ=HOURLY")
        services.reminders_dispatch(now=DUE)

        with django_assert_num_queries(LIST_QUERIES):
            rows = listed()
        assert len(rows) == 6
        assert all(row["last_delivery"]["outcome"] == "delivered" for row in rows)


# The token with its user, the page, the page's last deliveries (a first page shorter than the
# page size is not counted).
LIST_QUERIES = 3


def midday_zone() -> str:
    """A zone where it is now between 12:00 and 13:00, so "in an hour" is still today there."""
    offset = (12 - timezone.now().astimezone(UTC).hour + 12) % 24 - 12
    return "Etc/GMT" if offset == 0 else f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"


def test_agenda_shows_todays_items_in_the_users_time_zone(auth_client, user):
    user.timezone = midday_zone()
    user.save()
    auth_client.post("/api/v1/reminders", {"text": "soon", "due_at": in_an_hour()}, format="json")
    far = (timezone.now() + timedelta(days=3)).isoformat()
    auth_client.post("/api/v1/reminders", {"text": "far", "due_at": far}, format="json")
    auth_client.post("/api/v1/todos", {"title": "overdue", "due_date": "2020-01-01"}, format="json")
    auth_client.post("/api/v1/todos", {"title": "someday"}, format="json")

    body = auth_client.get("/api/v1/agenda").json()

    start = datetime.fromisoformat(body["start"])
    assert start.astimezone(ZoneInfo(user.timezone)).time() == time(0, 0)
    assert [item["text"] for item in body["reminders"]] == ["soon"]
    assert [item["title"] for item in body["todos"]] == ["overdue"]


class TestQueryCounts:
    """Hot endpoints pin their SQL statements: a regression fails here."""

    def test_the_todo_list_is_the_token_and_the_page(self, auth_client, user, django_assert_num_queries):
        for n in range(10):
            Todo.objects.create(user=user, title=f"todo {n}", position=n)

        # The token with its user, then the page (shorter than the page size: not counted).
        with django_assert_num_queries(2):
            body = auth_client.get("/api/v1/todos").json()
        assert body["count"] == len(body["results"]) == 10

    def test_the_agenda_is_three_round_trips(self, auth_client, user, django_assert_num_queries):
        for text in ("soon", "later"):
            auth_client.post("/api/v1/reminders", {"text": text, "due_at": in_an_hour()}, format="json")
        for n in range(5):
            Todo.objects.create(user=user, title=f"todo {n}", due_date=timezone.localdate(), position=n)

        # The token with its user; the reminders, the todos and the synced calendar events and
        # external tasks (one statement), sent together on PostgreSQL (one after the other
        # elsewhere); the reminders' last deliveries.
        with django_assert_num_queries(3 if connection.vendor == "postgresql" else 5) as statements:
            body = auth_client.get("/api/v1/agenda", {"day": "week"}).json()
        assert len(sql.reads(statements.captured_queries)) == 5
        assert (len(body["reminders"]), len(body["todos"])) == (2, 5)
