"""Syncing calendars and tasks from the providers' fakes: full and incremental, deletions,
odd payloads, rate limits, expired tokens; and what the user then sees and is told."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from assistant.chat.models import Message
from assistant.planner.models import Reminder
from assistant.planner.services import reminders_dispatch
from integrations import services
from integrations.models import Event, ExternalTask, Integration
from integrations.tests.conftest import connect

pytestmark = pytest.mark.django_db


def resync(integration: Integration) -> services.SyncOutcome:
    """A sync now, whatever the schedule says."""
    Integration.objects.filter(pk=integration.pk).update(next_sync_at=None)
    return services.integration_sync(integration_id=integration.pk)


def today() -> date:
    """Today for the test user (UTC), which is what the fakes' due dates are read in."""
    return timezone.now().date()


def soon(hours: float) -> datetime:
    return (timezone.now() + timedelta(hours=hours)).replace(microsecond=0)


@pytest.fixture
def connected_google(auth_client, google, django_capture_on_commit_callbacks) -> Integration:
    return connect(auth_client, google, "google", django_capture_on_commit_callbacks)


# --- Google Calendar -----------------------------------------------------------------------


def test_a_first_sync_reads_every_page_of_the_window(auth_client, google, django_capture_on_commit_callbacks):
    google.page_size = 2
    for hour in range(1, 6):
        google.add_event(f"Event {hour}", soon(hour), soon(hour + 0.5))
    google.add_event("Too far", soon(24 * 10), soon(24 * 10 + 1))

    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    assert sorted(Event.objects.values_list("title", flat=True)) == [f"Event {hour}" for hour in range(1, 6)]
    listings = google.requests_to("/calendar/v3/calendars/primary/events")
    assert len(listings) == 3  # 2 + 2 + 1
    assert "sync_token" in integration.sync_state["calendar:primary"]


def test_later_syncs_ask_only_for_changes_and_honour_deletions(connected_google, google):
    dentist = google.add_event("Dentist", soon(3), soon(4))
    gym = google.add_event("Gym", soon(5), soon(6))
    resync(connected_google)
    earlier = soon(2)
    google.update_event(
        dentist["id"], summary="Dentist (moved)", start=earlier, end=earlier + timedelta(hours=1)
    )
    google.delete_event(gym["id"])

    outcome = resync(connected_google)

    assert outcome.result == "success"
    assert list(Event.objects.values_list("title", "starts_at")) == [("Dentist (moved)", earlier)]
    last = google.requests_to("/calendar/v3/calendars/primary/events")[-1]
    assert "syncToken" in last.query
    assert "timeMin" not in last.query


def test_an_expired_sync_token_starts_a_full_sync_again(connected_google, google):
    google.add_event("Dentist", soon(3), soon(4))
    resync(connected_google)
    google.invalidate_sync_tokens()
    google.add_event("Gym", soon(5), soon(6))

    outcome = resync(connected_google)

    assert outcome.result == "success"
    assert Event.objects.count() == 2
    statuses = [request.status for request in google.requests_to("/calendar/v3")][-2:]
    assert statuses == [410, 200]


def test_all_day_events_keep_their_dates_in_the_users_time_zone(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    user.timezone = "America/Los_Angeles"
    user.save()
    day = timezone.now().astimezone(ZoneInfo("America/Los_Angeles")).date() + timedelta(days=2)
    google.add_event("Holiday", day, all_day=True)

    connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    event = Event.objects.get()
    assert (event.all_day, event.start_date, event.end_date) == (True, day, day + timedelta(days=1))
    assert event.starts_at == datetime.combine(
        day, datetime.min.time(), tzinfo=ZoneInfo("America/Los_Angeles")
    )
    assert event.nudge is None  # an all-day event has no "in 15 minutes"


def test_odd_payloads_are_skipped_or_mended_never_fatal(connected_google, google):
    google.add_event("No end", soon(3))  # a timed event without an end
    google.add_raw_event({"id": "broken", "status": "confirmed", "summary": "No start", "end": {"date": "x"}})
    google.add_raw_event({"status": "confirmed", "summary": "No id"})
    google.add_raw_event({"id": "bad-time", "start": {"dateTime": "tomorrow-ish"}, "end": {}})

    outcome = resync(connected_google)

    assert outcome.result == "success"
    assert outcome.malformed == 3
    event = Event.objects.get()
    assert (event.title, event.ends_at) == ("No end", event.starts_at)


def test_a_rate_limit_is_waited_out_as_told(connected_google, google):
    google.fail_next(429, retry_after=120, path_prefix="/calendar")
    before = timezone.now()

    outcome = resync(connected_google)

    connected_google.refresh_from_db()
    assert outcome.result == "rate_limited"
    assert connected_google.next_sync_at >= before + timedelta(seconds=120)
    assert connected_google.status == Integration.Status.CONNECTED
    assert services.integration_sync(integration_id=connected_google.pk).result == "skipped"  # not yet


def test_server_errors_back_off_and_end_in_error_status(connected_google, google, settings):
    settings.INTEGRATION_SYNC_MAX_FAILURES = 2
    google.fail_next(500, times=2, path_prefix="/calendar")

    first, second = resync(connected_google), resync(connected_google)

    connected_google.refresh_from_db()
    assert (first.result, second.result) == ("transient_error", "transient_error")
    assert connected_google.status == Integration.Status.ERROR
    assert "500" in connected_google.last_error
    assert resync(connected_google).result == "success"
    connected_google.refresh_from_db()
    assert (connected_google.status, connected_google.last_error) == (Integration.Status.CONNECTED, "")


def test_a_token_rejected_mid_sync_is_refreshed_and_the_sync_goes_on(connected_google, google):
    google.add_event("Dentist", soon(3), soon(4))
    old_token = connected_google.access_token
    google.expire_access_tokens()

    outcome = resync(connected_google)

    connected_google.refresh_from_db()
    assert outcome.result == "success"
    assert connected_google.access_token != old_token
    assert Event.objects.count() == 1
    assert google.requests_to("/token")[-1].form["grant_type"] == "refresh_token"


def test_an_expired_token_is_refreshed_before_syncing(connected_google, google):
    Integration.objects.filter(pk=connected_google.pk).update(
        token_expires_at=timezone.now() - timedelta(minutes=1)
    )

    assert resync(connected_google).result == "success"

    calendar_calls = google.requests_to("/calendar")
    assert all(request.status == 200 for request in calendar_calls)  # no 401 first


# --- Microsoft Graph -----------------------------------------------------------------------


def test_outlook_events_and_todo_tasks_sync_with_delta_links(
    auth_client, microsoft, django_capture_on_commit_callbacks
):
    microsoft.page_size = 2
    standup = microsoft.add_event("Standup", soon(2), soon(2.5))
    microsoft.add_event("Review", soon(4), soon(5), location="Room 4")
    microsoft.add_event("Offsite", today() + timedelta(days=3), today() + timedelta(days=4), all_day=True)
    taxes = microsoft.add_task("File taxes", due=today() + timedelta(days=1))
    microsoft.add_task("Done already", status="completed")

    integration = connect(auth_client, microsoft, "microsoft", django_capture_on_commit_callbacks)

    assert Event.objects.count() == 3
    assert Event.objects.get(title="Review").location == "Room 4"
    assert Event.objects.get(title="Offsite").all_day
    assert sorted(ExternalTask.objects.values_list("title", "completed")) == [
        ("Done already", True),
        ("File taxes", False),
    ]
    assert {"calendar:default", f"todo:{microsoft.default_list_id}"} <= set(integration.sync_state)

    microsoft.delete_event(standup["id"])
    microsoft.update_task(taxes["id"], status="completed")
    assert resync(integration).result == "success"

    assert not Event.objects.filter(title="Standup").exists()
    assert ExternalTask.objects.get(title="File taxes").completed
    assert "$deltatoken" in microsoft.requests_to("/v1.0/me/calendarView")[-1].query


# --- Notion --------------------------------------------------------------------------------


def test_notion_tasks_come_from_the_database_the_user_picks(
    auth_client, notion, django_capture_on_commit_callbacks
):
    source = notion.add_data_source("Tasks")
    rent = notion.add_page(source, "Pay rent", due=today() + timedelta(days=2))
    notion.add_page(source, "Call mum", done=True)
    notion.add_data_source("Reading list")
    integration = connect(auth_client, notion, "notion", django_capture_on_commit_callbacks)
    assert not ExternalTask.objects.exists()  # nothing picked yet

    databases = auth_client.get("/api/v1/integrations/notion/databases").json()
    assert sorted(database["title"] for database in databases) == ["Reading list", "Tasks"]
    with django_capture_on_commit_callbacks(execute=True):
        response = auth_client.put(
            "/api/v1/integrations/notion/database", {"database_id": source}, format="json"
        )

    assert response.status_code == 200
    assert response.json()["task_database_id"] == source
    assert sorted(ExternalTask.objects.values_list("title", "completed", "due_date")) == [
        ("Call mum", True, None),
        ("Pay rent", False, today() + timedelta(days=2)),
    ]

    notion.archive_page(rent["id"])
    assert resync(integration).result == "success"
    assert list(ExternalTask.objects.values_list("title", flat=True)) == ["Call mum"]


def test_picking_a_database_that_was_not_shared_is_a_400(
    auth_client, notion, django_capture_on_commit_callbacks
):
    connect(auth_client, notion, "notion", django_capture_on_commit_callbacks)

    response = auth_client.put("/api/v1/integrations/notion/database", {"database_id": "nope"}, format="json")

    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "database_id": ["Not one of the databases you shared with the assistant."]
    }


def test_a_status_property_named_done_completes_a_notion_task(
    auth_client, notion, django_capture_on_commit_callbacks
):
    source = notion.add_data_source("Tasks", completion="status")
    notion.add_page(source, "Ship it", done="Done")
    notion.add_page(source, "Plan it", done="In progress")
    integration = connect(auth_client, notion, "notion", django_capture_on_commit_callbacks)
    Integration.objects.filter(pk=integration.pk).update(task_source_id=source)

    resync(integration)

    assert dict(ExternalTask.objects.values_list("title", "completed")) == {"Ship it": True, "Plan it": False}


# --- What the user sees and is told --------------------------------------------------------


def test_the_agenda_shows_synced_events_and_tasks(
    auth_client, google, microsoft, django_capture_on_commit_callbacks
):
    google.add_event("Dentist", soon(1), soon(2), location="Rue de Rivoli")
    microsoft.add_task("Pay the bill", due=today())
    connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    connect(auth_client, microsoft, "microsoft", django_capture_on_commit_callbacks)

    agenda = auth_client.get("/api/v1/agenda", {"day": "week"}).json()

    assert [(event["source"], event["title"], event["location"]) for event in agenda["events"]] == [
        ("google", "Dentist", "Rue de Rivoli")
    ]
    assert [(task["source"], task["title"]) for task in agenda["tasks"]] == [("microsoft", "Pay the bill")]
    assert agenda["reminders"] == []  # the event's nudge is not listed as a reminder of the user's


def test_whats_next_names_the_next_event(auth_client, google, django_capture_on_commit_callbacks):
    google.add_event("Dentist", soon(1), soon(2))
    connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    reply = auth_client.post("/api/v1/chat/messages", {"text": "what's next"}, format="json").json()

    assert "Dentist" in reply["reply"]["text"]


def test_an_event_soon_nudge_goes_out_exactly_once(
    user, auth_client, google, django_capture_on_commit_callbacks
):
    auth_client.patch("/api/v1/auth/me", {"event_nudge_minutes": 30}, format="json")
    start = soon(2)
    google.add_event("Dentist", start, start + timedelta(hours=1))
    integration = connect(auth_client, google, "google", django_capture_on_commit_callbacks)
    resync(integration)  # a second sync of the same event schedules nothing more

    nudge = Reminder.objects.get(origin=Reminder.Origin.EVENT)
    assert nudge.due_at == start - timedelta(minutes=30)
    assert nudge.text.startswith("In 30 min: Dentist at ")

    first = reminders_dispatch(now=nudge.due_at + timedelta(seconds=5))
    second = reminders_dispatch(now=nudge.due_at + timedelta(seconds=40))

    assert (first.sent, second.sent) == (1, 0)
    assert Message.objects.filter(conversation__user=user, text=nudge.text).count() == 1


def test_a_moved_event_moves_its_nudge_and_a_deleted_one_cancels_it(connected_google, google):
    dentist = google.add_event("Dentist", soon(3), soon(4))
    resync(connected_google)
    later = soon(5)
    google.update_event(dentist["id"], start=later, end=later + timedelta(hours=1))
    resync(connected_google)

    nudge = Reminder.objects.get(origin=Reminder.Origin.EVENT)
    assert nudge.due_at == later - timedelta(minutes=15)

    google.delete_event(dentist["id"])
    resync(connected_google)
    nudge.refresh_from_db()
    assert nudge.status == Reminder.Status.CANCELLED


def test_nudges_can_be_turned_off(user, auth_client, google, django_capture_on_commit_callbacks):
    auth_client.patch("/api/v1/auth/me", {"event_nudge_minutes": 0}, format="json")
    google.add_event("Dentist", soon(3), soon(4))

    connect(auth_client, google, "google", django_capture_on_commit_callbacks)

    assert Event.objects.count() == 1
    assert not Reminder.objects.exists()
