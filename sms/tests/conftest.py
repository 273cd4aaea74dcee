"""Fixtures for the sms app's tests."""

import pytest

from sms.backends import locmem
from tests.fakes.twilio_server import twilio_fake  # noqa: F401 - a fixture, used by name


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    """Like Django's mail.outbox: each test starts with no sent SMS and no scripted failures."""
    locmem.reset()
    yield
    locmem.reset()


PHONE = "+33612345678"


@pytest.fixture
def texter(db):
    """A user whose verified (French) phone is PHONE, who prefers SMS and reads English."""
    from assistant.users.tests.factories import UserFactory

    return UserFactory(phone_number=PHONE, preferred_channel="sms", phone_verified=True, language="en")
