import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import models

from assistant.users import services
from assistant.users.events import audit_action_choices, audit_actions_register, security_kinds_register
from assistant.users.models import AuditEvent, SecurityEvent

pytestmark = pytest.mark.django_db


def test_an_audit_action_nobody_registered_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match="made_up"):
        services.audit_event_record(actor=None, action="made_up")

    assert not AuditEvent.objects.exists()


def test_a_security_kind_nobody_registered_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError, match="made_up"):
        services.security_event_record(kind="made_up", severity=SecurityEvent.Severity.INFO, ip=None)

    assert not SecurityEvent.objects.exists()


def test_the_fields_offer_this_apps_own_values_with_their_labels():
    action_choices = dict(AuditEvent._meta.get_field("action").choices)
    kind_choices = dict(SecurityEvent._meta.get_field("kind").choices)

    assert action_choices.items() >= set(AuditEvent.Action.choices)
    assert kind_choices.items() >= set(SecurityEvent.Kind.choices)


def test_a_value_registered_again_with_another_meaning_is_refused_whole():
    class Clashing(models.TextChoices):
        SIGN_IN = "login", "Sign in"
        NEW_ONE = "new_one"

    before = audit_action_choices()

    with pytest.raises(ImproperlyConfigured, match="login"):
        audit_actions_register(Clashing)

    assert audit_action_choices() == before


def test_registering_the_same_values_again_changes_nothing():
    before = dict(SecurityEvent._meta.get_field("kind").choices)

    security_kinds_register(SecurityEvent.Kind)

    assert dict(SecurityEvent._meta.get_field("kind").choices) == before
