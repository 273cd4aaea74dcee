"""The registry the apps above users fill with their parts of the user's admin page."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from assistant.users import activity
from assistant.users.activity import ActivityLookup, ActivityPanel, Column


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch):
    monkeypatch.setattr(activity, "_panels", dict(activity._panels))
    monkeypatch.setattr(activity, "_lookups", dict(activity._lookups))


def panel(key: str, title: str, position: int) -> ActivityPanel:
    return ActivityPanel(
        key=key, title=title, rows=lambda user: [], columns=[Column("A", str)], position=position
    )


def test_every_app_registers_its_panels_shown_in_their_order():
    keys = [registered.key for registered in activity.activity_panels()]

    assert keys == ["deliveries", "sms_in", "sms_out", "integrations", "security", "audit"]


def test_a_panel_registered_again_is_harmless_but_another_under_its_key_is_refused():
    activity.activity_panel_register(panel("notes", "Notes", 5))
    activity.activity_panel_register(panel("notes", "Notes", 5))  # ready() run twice

    assert next(registered.key for registered in activity.activity_panels()) == "notes"
    with pytest.raises(ImproperlyConfigured, match="notes"):
        activity.activity_panel_register(panel("notes", "Other notes", 5))


def test_a_search_term_with_a_registered_prefix_names_its_rows_owners_and_any_other_does_not():
    activity.activity_lookup_register(
        ActivityLookup(prefix="note", example="note:7", user_ids=lambda value: value)
    )

    assert activity.activity_lookup_find("note:7") == "7"
    assert activity.activity_lookup_find(" NOTE : 7 ") == "7"
    assert activity.activity_lookup_find("todo:7") is None
    assert activity.activity_lookup_find("note") is None
    assert activity.activity_lookup_examples() == ["note:7", "reminder:42"]
    with pytest.raises(ImproperlyConfigured, match="note"):
        activity.activity_lookup_register(ActivityLookup(prefix="note", example="note:8", user_ids=str))
