"""Outbound bodies written in clear before they were encrypted get encrypted, and back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from assistant.core import crypto

BEFORE = [("sms", "0003_cap_indexes")]
AFTER = [("sms", "0004_outboundsms_body_encrypted")]
TEXT = "Your verification code is 123456"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def stored_body() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM sms_outboundsms")
        ((body,),) = cursor.fetchall()
    return body


@pytest.fixture
def to_latest_after():
    yield
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("to_latest_after")
def test_bodies_written_in_clear_are_encrypted_and_decrypted_on_the_way_back():
    migrate(BEFORE).get_model("sms", "OutboundSMS").objects.create(
        to_number="+33612345678", body=TEXT, purpose="verification"
    )

    migrate(AFTER)
    assert "123456" not in stored_body()
    assert crypto.decrypt(stored_body()) == TEXT

    migrate(BEFORE)
    assert stored_body() == TEXT
