"""A person takes everything we hold about them, then erases it: across every app, through
the registry each app adds its part to (assistant/users/data_rights.py), with the providers'
revocation endpoints answered by the local fakes."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from assistant.chat.models import Conversation, Message
from assistant.planner.models import Reminder, ReminderDelivery, Todo
from assistant.users import services as user_services
from assistant.users.data_rights import data_rights_parts, subject_hash
from assistant.users.models import AuditEvent, SecurityEvent, User
from assistant.users.tests.helpers import enable_totp_with_backup_codes, fresh_code
from integrations.models import AuthorizationRequest, Preferences
from integrations.tests.conftest import (  # noqa: F401 - fixtures, used by name
    PASSWORD,
    connect,
    google,
    microsoft,
    notion,
)
from sms.models import InboundSMS, OutboundSMS, PhoneOptOut, PhoneVerification
from tests.fakes.google_server import google_fake  # noqa: F401 - fixtures, used by name
from tests.fakes.microsoft_server import microsoft_fake  # noqa: F401 - fixtures, used by name
from tests.fakes.notion_server import notion_fake  # noqa: F401 - fixtures, used by name

pytestmark = pytest.mark.django_db

# Values that belong to this person alone, so finding one anywhere after the erasure is a leak.
USER_ID = 987_654
EMAIL = "quillon.erasable@example.org"
DISPLAY_NAME = "Quillonette"
PHONE = "+33612349876"
IP = "203.0.113.77"
TODO_TITLE = "Buy quetzal feathers"
REMINDER_TEXT = "Water the zanthoxylum"
DELIVERY_REASON = "Carrier refused the xylograph"
CHAT_TEXT = "remind me about the vibraphone recital"
SMS_IN = "call the plumber about the zebrawood sink"
SMS_OUT = "Reminder: pick up the marimba"
VERIFICATION_CODE = "482913"
EVENT_TITLE = "Dentist in Ouagadougou"
TASK_TITLE = "Renew the pangolin permit"
PERSONAL = [
    EMAIL,
    DISPLAY_NAME,
    PHONE,
    IP,
    TODO_TITLE,
    REMINDER_TEXT,
    DELIVERY_REASON,
    CHAT_TEXT,
    SMS_IN,
    SMS_OUT,
    EVENT_TITLE,
    TASK_TITLE,
    str(USER_ID),
]


@pytest.fixture
def person(google, microsoft, notion, django_capture_on_commit_callbacks):  # noqa: F811
    """One of every kind of row a person can have, made through the real flows where they exist."""
    user = User.objects.create_user(
        EMAIL,
        PASSWORD,
        pk=USER_ID,
        display_name=DISPLAY_NAME,
        phone_number=PHONE,
        phone_verified=True,
        timezone="Europe/Paris",
    )
    api = APIClient(REMOTE_ADDR=IP)
    signed_in = api.post("/api/v1/auth/login", {"email": EMAIL, "password": PASSWORD}, format="json")
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {signed_in.json()['token']}")
    with pytest.raises(user_services.ServiceError):  # a security event with the address tried
        user_services.user_authenticate(email=EMAIL, password="wrong password", otp_code="", ip=IP)

    # Integrations, through the providers' consent and first sync (an event, a task).
    now = timezone.now()
    google.add_event(EVENT_TITLE, now + timedelta(hours=3), now + timedelta(hours=4))
    microsoft.add_task(TASK_TITLE)
    for provider, fake in (("google", google), ("microsoft", microsoft), ("notion", notion)):
        connect(api, fake, provider, django_capture_on_commit_callbacks)
    Preferences.objects.create(user=user, event_nudge_minutes=30)
    AuthorizationRequest.objects.create(
        user=user, provider="google", link_hash="a" * 64, expires_at=now + timedelta(minutes=5)
    )

    todo = Todo.objects.create(user=user, title=TODO_TITLE, notes=f"ask {DISPLAY_NAME}")
    reminder = Reminder.objects.create(
        user=user, text=REMINDER_TEXT, due_at=now, starts_at=now, fire_at=now, timezone="Europe/Paris"
    )
    delivery = ReminderDelivery.objects.create(
        reminder=reminder, occurrence=now, channel="sms", outcome="failed_over", reason=DELIVERY_REASON
    )
    ReminderDelivery.objects.create(
        reminder=reminder, occurrence=now, channel="chat", outcome="delivered", fallback_for=delivery
    )
    conversation = Conversation.objects.create(user=user, channel="api")
    question = Message.objects.create(conversation=conversation, direction="in", text=CHAT_TEXT)
    Message.objects.create(conversation=conversation, direction="out", text="Noted.", in_reply_to=question)

    InboundSMS.objects.create(
        message_sid="SM" + "7" * 32, from_number=PHONE, to_number="+15005550006", body=SMS_IN, user=user
    )
    OutboundSMS.objects.create(
        user=user,
        to_number=PHONE,
        body=SMS_OUT,
        purpose="reminder",
        status="delivered",
        provider_sid="SM" + "8" * 32,
        cost_usd=Decimal("0.0079"),
        reminder_delivery=delivery,
    )
    OutboundSMS.objects.create(
        user=user, to_number=PHONE, body=f"Your code is {VERIFICATION_CODE}", purpose="verification"
    )
    PhoneOptOut.objects.create(phone_number=PHONE, keyword="STOP")
    PhoneVerification.objects.create(
        user=user, phone_number=PHONE, code_hash="b" * 64, expires_at=now, verified_at=now
    )

    # Admin edits (their records name what was edited), a browser session, and a
    # second factor, last: turning it on signs every other session out.
    staff = User.objects.create_user("staff.member@example.com", PASSWORD, is_staff=True)
    for edited in (user, todo):  # staff edits of the account and of one of its rows
        LogEntry.objects.create(
            user=staff,
            content_type=ContentType.objects.get_for_model(edited),
            object_id=str(edited.pk),
            object_repr=str(edited),
            action_flag=CHANGE,
            change_message="[]",
        )
    Client().force_login(user)
    totp, backup_codes = enable_totp_with_backup_codes(user, PASSWORD)
    return {"user": user, "api": api, "todo": todo, "totp": totp, "backup_codes": backup_codes}


# Where each exported model's row shows in the export: a new exported model needs a line here.
EXPORT_MARKERS = {
    "users.user": EMAIL,
    "users.authtoken": '"sessions": [{"id": ',
    "users.totpdevice": '"mfa_enabled": true',
    "users.auditevent": '"action": "login"',
    "users.securityevent": '"kind": "login_failed"',
    "planner.todo": TODO_TITLE,
    "planner.reminder": REMINDER_TEXT,
    "planner.reminderdelivery": DELIVERY_REASON,
    "chat.conversation": '"channel": "api"',
    "chat.message": CHAT_TEXT,
    "sms.inboundsms": SMS_IN,
    "sms.outboundsms": SMS_OUT,
    "sms.phoneoptout": '"keyword": "STOP"',
    "sms.phoneverification": '"verified_at": "',
    "integrations.integration": '"provider": "notion"',
    "integrations.event": EVENT_TITLE,
    "integrations.externaltask": TASK_TITLE,
    "integrations.preferences": '"event_nudge_minutes": 30',
    "social_django.usersocialauth": '"provider_account_id": "',
}


def _personal_models() -> set[str]:
    """Models that hold a person's data: a link to the user, a phone number, or a link to
    another such model (a delivery of their reminder, a message of their conversation)."""
    found = {settings.AUTH_USER_MODEL.lower()}
    concrete = [model for model in apps.get_models() if not model._meta.proxy]
    grew = True
    while grew:
        grew = False
        for model in concrete:
            label = model._meta.label_lower
            if label in found:
                continue
            for field in model._meta.concrete_fields:
                linked = field.related_model is not None and field.related_model._meta.label_lower in found
                phone = isinstance(field, models.CharField) and (
                    "phone" in field.name or field.name.endswith("_number")
                )
                if linked or phone:
                    found.add(label)
                    grew = True
                    break
    return found


def test_every_model_holding_a_persons_data_is_exported_or_left_out_with_a_reason():
    exported = {label for part in data_rights_parts() for label in part.exported}
    left_out = {label: reason for part in data_rights_parts() for label, reason in part.left_out.items()}

    missing = _personal_models() - exported - left_out.keys()

    assert not missing, f"Neither exported nor left out with a reason: {sorted(missing)}"
    assert all(len(reason) > 20 for reason in left_out.values())
    known = {model._meta.label_lower for model in apps.get_models()}
    assert (exported | left_out.keys()) <= known, "a part names a model that does not exist"
    assert exported <= EXPORT_MARKERS.keys(), "an exported model has no marker in this test"


def test_the_export_holds_one_of_every_kind_of_row_and_masks_verification_codes(person):
    response = person["api"].get("/api/v1/auth/me/export")

    assert response.status_code == 200
    body = response.json()
    assert body["format"] == "assistant-data-export/2"
    text = json.dumps(body, ensure_ascii=False)
    for label, marker in EXPORT_MARKERS.items():
        assert marker in text, f"{label}: {marker!r} is not in the export"
    assert PHONE in text  # their own number, in full
    assert VERIFICATION_CODE not in text
    assert "Your code is ••••••" in text
    for secret in ("access_token", "refresh_token", "secret", "code_hash", "digest"):
        assert f'"{secret}"' not in text


def _values_everywhere() -> list[tuple[str, str, str]]:
    """Every text, JSON and address column of every table, read through the ORM (encrypted
    fields decrypted), but the hashes kept on purpose."""
    kinds = (models.CharField, models.TextField, models.JSONField, models.GenericIPAddressField)
    found = []
    for model in apps.get_models():
        fields = [
            field.name
            for field in model._meta.concrete_fields
            if isinstance(field, kinds) and field.name != "subject_hash"
        ]
        if model._meta.proxy or not fields:
            continue
        for row in model._default_manager.values_list(*fields):
            for name, value in zip(fields, row, strict=True):
                if value not in (None, "", {}, []):
                    text = value if isinstance(value, str) else json.dumps(value)
                    found.append((model._meta.label, name, text))
    return found


def test_erasing_leaves_nothing_personal_anywhere_and_revokes_every_grant(person, google, microsoft, notion):  # noqa: F811
    api, totp = person["api"], person["totp"]
    before = _values_everywhere()
    unseen = [item for item in PERSONAL if not any(item in value for _, _, value in before)]
    assert not unseen, f"the scan would not see {unseen}"

    response = api.delete("/api/v1/auth/me", {"password": PASSWORD, "code": fresh_code(totp)}, format="json")

    assert response.status_code == 204, response.content
    leaks = [
        (table, column) for table, column, value in _values_everywhere() for item in PERSONAL if item in value
    ]
    assert not leaks, f"Personal data left in {sorted(set(leaks))}"
    assert not User.objects.filter(pk=USER_ID).exists()
    for model in apps.get_models():  # no link to the account left in any table
        for field in model._meta.concrete_fields:
            if field.related_model is User:
                assert not model._default_manager.filter(**{field.attname: USER_ID}).exists(), model
    assert not any(
        str(session.get_decoded().get("_auth_user_id")) == str(USER_ID) for session in Session.objects.all()
    )
    # The grants are revoked where the provider offers it; Microsoft has no such endpoint.
    assert [request.status for request in google.requests_to("/revoke")] == [200]
    assert [request.status for request in notion.requests_to("/v1/oauth/revoke")] == [200]
    erased = AuditEvent.objects.get(action="account_erased")
    assert erased.subject_hash == subject_hash(USER_ID)
    assert erased.actor is None
    assert erased.ip is None
    assert erased.details["by"] == "self"
    assert erased.details["summary"]["integrations"]["revocations"] == {
        "google": "revoked",
        "microsoft": "not_offered",
        "notion": "revoked",
    }
    assert erased.details["summary"]["planner"] == {"todos": 1, "reminders": 2, "deliveries": 2}
    # What security and accounting need stays, about a hash.
    assert AuditEvent.objects.filter(subject_hash=subject_hash(USER_ID), action="login").exists()
    assert SecurityEvent.objects.filter(subject_hash=subject_hash(USER_ID), kind="login_failed").exists()
    costs = OutboundSMS.objects.filter(purpose="reminder").values_list("cost_usd", "created_at")
    assert [cost for cost, created_at in costs if created_at] == [Decimal("0.0079")]

    # Erasing twice is harmless: the token went with the account.
    again = api.delete(
        "/api/v1/auth/me", {"password": PASSWORD, "code": person["backup_codes"][0]}, format="json"
    )
    assert again.status_code == 401
    assert AuditEvent.objects.filter(action="account_erased").count() == 1


def test_a_revocation_that_fails_does_not_stop_the_erasure_and_is_recorded(person, google):  # noqa: F811
    google.fail_next(500, path_prefix="/revoke")

    response = person["api"].delete(
        "/api/v1/auth/me", {"password": PASSWORD, "code": person["backup_codes"][0]}, format="json"
    )

    assert response.status_code == 204
    assert not User.objects.filter(pk=USER_ID).exists()
    erased = AuditEvent.objects.get(action="account_erased")
    assert erased.details["summary"]["integrations"]["revocations"]["google"] == "revocation_failed"
