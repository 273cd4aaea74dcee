"""The nudge delay moving from users.User to integrations.Preferences keeps every choice."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [("users", "0006_event_kinds_registered"), ("integrations", "0001_initial")]
AFTER = [("users", "0007_event_nudge_minutes_moved_to_integrations"), ("integrations", "0002_preferences")]


def migrate(targets):
    """Migrate the test database to targets; the models as they were there."""
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def to_latest_after():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("to_latest_after")
def test_each_persons_delay_survives_the_move_and_the_way_back():
    user_model = migrate(BEFORE).get_model("users", "User")
    chose_30 = user_model.objects.create(email="thirty@example.com", event_nudge_minutes=30)
    chose_never = user_model.objects.create(email="never@example.com", event_nudge_minutes=0)
    kept_default = user_model.objects.create(email="default@example.com")

    preferences = migrate(AFTER).get_model("integrations", "Preferences")
    kept = dict(preferences.objects.values_list("user_id", "event_nudge_minutes"))
    assert kept == {chose_30.pk: 30, chose_never.pk: 0}  # the default needs no row

    restored = dict(
        migrate(BEFORE).get_model("users", "User").objects.values_list("pk", "event_nudge_minutes")
    )
    assert restored == {chose_30.pk: 30, chose_never.pk: 0, kept_default.pk: 15}
