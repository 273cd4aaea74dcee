"""The user's admin page answers "what happened to this person?" (assistant/users/activity.py):
every app's panel, paginated on its own, numbers masked and codes never shown, at a statement
count that does not grow with the rows; and the user list finds a person by e-mail, by the last
digits of their phone, or by the id of one of their reminders."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from assistant.users.admin_activity import PANEL_PAGE_SIZE
from assistant.users.models import Role
from assistant.users.tests.factories import UserFactory
from tests.activity import OTHER_PHONE, PHONE, activity_rows_create

pytestmark = pytest.mark.django_db

PANELS = ["deliveries", "sms_in", "sms_out", "integrations", "security", "audit"]


def staff_in(role: str):
    user = UserFactory()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=role))
    return user


@pytest.fixture
def staff():
    return staff_in(Role.STAFF)


@pytest.fixture
def person():
    return UserFactory(email="ada@example.com")


def page_of(client, user, **query) -> str:
    response = client.get(reverse("admin:users_user_change", args=[user.pk]), query)
    assert response.status_code == 200
    return response.content.decode()


def panels_of(html: str) -> str:
    """The panels' part of the page (the form above shows the person's own number, to edit)."""
    return html[html.index('class="activity-panels"') :]


def panel(html: str, key: str) -> str:
    section = re.search(rf'<section[^>]*id="activity-{key}".*?</section>', html, re.S)
    assert section is not None, f"no {key} panel"
    return section.group()


def test_every_panel_shows_its_rows_with_numbers_masked_and_no_code(client, staff, person):
    activity = activity_rows_create(user=person, staff=staff)
    client.force_login(staff)

    html = panels_of(page_of(client, person))

    assert re.findall(r'<section[^>]*id="activity-(\w+)"', html) == PANELS
    deliveries = panel(html, "deliveries")
    assert f"#{activity.reminder.pk}</a> call the pharmacy" in deliveries
    assert "Failed over" in deliveries
    assert "to chat: Delivered" in deliveries
    assert "SMS cap reached (user_day)" in deliveries
    assert "from sms" in deliveries
    inbound = panel(html, "sms_in")
    assert "remind me to call the pharmacy at 5" in inbound
    assert "my code is ••••••" in inbound
    outbound = panel(html, "sms_out")
    assert "Reminder: call the pharmacy" in outbound
    assert "21610" in outbound
    assert "Your TDAH Assistant code is ••••••" in outbound
    integrations = panel(html, "integrations")
    assert "Google Calendar" in integrations
    assert "Error" in integrations
    assert "Google answered 503 five times" in integrations
    assert "Not connected" in integrations  # Microsoft and Notion
    assert "Login Failed" in panel(html, "security")
    assert "203.0.113.7" in panel(html, "security")
    audit = panel(html, "audit")
    assert "Profile Updated" in audit
    assert staff.email in audit
    assert "198.51.100.2" in audit
    # Masked numbers, never the full ones, and never a code.
    assert "+1******1234" in inbound
    assert "+1******1234" in outbound
    assert "+1******9876" in outbound
    for secret in (
        PHONE,
        PHONE[1:],
        OTHER_PHONE,
        OTHER_PHONE[1:],
        activity.verification_code,
        activity.texted_code,
    ):
        assert secret not in html


def test_each_panel_pages_on_its_own(client, staff, person):
    activity_rows_create(user=person, staff=staff, rows=PANEL_PAGE_SIZE + 3)
    client.force_login(staff)

    first = panels_of(page_of(client, person))
    second = panels_of(page_of(client, person, deliveries_page=2, security_page=2))

    # 13 occurrences, each an SMS delivery and its chat fallback: 26 rows, three pages.
    assert "Page 1 of 3 (26 in all)" in panel(first, "deliveries")
    assert "Page 2 of 3 (26 in all)" in panel(second, "deliveries")
    assert "Page 2 of 2 (13 in all)" in panel(second, "security")
    assert panel(second, "security").count("<tr>") == 1 + 3  # the head and the last three
    assert "Page 1 of 2 (14 in all)" in panel(second, "sms_in")  # the others stay where they were
    # A panel's links keep the other panels' pages.
    older = re.search(r'href="([^"]*)" rel="next"', panel(second, "deliveries")).group(1)
    assert "deliveries_page=3" in older
    assert "security_page=2" in older
    # A page past the end shows the last one rather than an error.
    assert "Page 3 of 3" in panel(panels_of(page_of(client, person, deliveries_page=99)), "deliveries")


# The admin's own 9 (session, staff member and their permissions, the person, the roles and
# permissions the form offers), then two per panel that pages a queryset (its count and its page)
# and one for the integrations' list.
PAGE_STATEMENTS = 20


@pytest.mark.parametrize("rows", [1, 2 * PANEL_PAGE_SIZE + 5])
def test_the_page_costs_the_same_statements_however_many_rows(
    client, staff, person, rows, django_assert_num_queries
):
    activity_rows_create(user=person, staff=staff, rows=rows)
    client.force_login(staff)
    page_of(client, person)  # the first page also fills the process's content-type cache

    with django_assert_num_queries(PAGE_STATEMENTS):
        page_of(client, person)


def test_staff_without_the_view_permission_for_users_cannot_see_the_page(client, person):
    activity_rows_create(user=person, staff=staff_in(Role.STAFF))
    outsider = UserFactory()
    outsider.is_staff = True  # staff, but in no role: no permission on users
    outsider.save(update_fields=["is_staff"])
    client.force_login(outsider)

    response = client.get(reverse("admin:users_user_change", args=[person.pk]))

    assert response.status_code == 403
    assert b"activity-panels" not in response.content


def test_operations_who_may_only_view_users_see_the_panels_read_only(client, person):
    activity_rows_create(user=person, staff=staff_in(Role.STAFF))
    client.force_login(staff_in(Role.OPS))

    html = page_of(client, person)

    assert 'name="_save"' not in html
    assert "SMS cap reached (user_day)" in panel(panels_of(html), "deliveries")


def found(client, term: str) -> list[str]:
    response = client.get(reverse("admin:users_user_changelist"), {"q": term})
    assert response.status_code == 200
    return sorted(user.email for user in response.context["cl"].result_list)


def test_staff_find_a_person_by_email_phone_digits_or_reminder_id(client, staff, person):
    activity = activity_rows_create(user=person, staff=staff)
    other = UserFactory(email="bob@example.com", phone_number="+15551234000")
    client.force_login(staff)

    assert found(client, "ada@example") == ["ada@example.com"]
    assert found(client, "1234") == ["ada@example.com"]  # the last digits, not any four in a row
    assert found(client, "555-1234") == ["ada@example.com"]
    assert found(client, "+1 555 555 1234") == ["ada@example.com"]
    assert found(client, "4000") == [other.email]
    assert found(client, f"reminder:{activity.reminder.pk}") == ["ada@example.com"]
    assert found(client, f"Reminder: {activity.reminder.pk}") == ["ada@example.com"]
    assert found(client, "reminder:999999") == []
    assert found(client, "reminder:abc") == []
    help_text = str(client.get(reverse("admin:users_user_changelist")).context["cl"].search_help_text)
    assert "reminder:42" in help_text
    assert "last digits" in help_text
