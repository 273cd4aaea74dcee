"""A person with rows of every kind the user's admin page shows (assistant/users/activity.py),
for the page's tests and its screenshots."""

import re
from dataclasses import dataclass
from datetime import timedelta
from itertools import count

from django.utils import timezone
from social_django.models import UserSocialAuth

from assistant.planner import services as planner_services
from assistant.planner.models import Reminder, ReminderDelivery
from assistant.users import services as users_services
from assistant.users.models import AuditEvent, SecurityEvent, User
from integrations.models import Integration
from sms import services as sms_services
from sms.models import InboundSMS, OutboundSMS

PHONE = "+15555551234"
OTHER_PHONE = "+15555559876"  # the number a verification code is sent to
_sid = count()


@dataclass(frozen=True)
class Activity:
    reminder: Reminder
    verification_code: str  # as texted to the person: the page must never show it
    texted_code: str  # a code the person texted back to us


def activity_rows_create(*, user: User, staff: User, rows: int = 1) -> Activity:
    """`rows` of each kind (deliveries come two by two: an SMS that failed over to chat), and
    a verification text sent by the real service."""
    now = timezone.now()
    user.phone_number, user.phone_verified = PHONE, True
    user.save(update_fields=["phone_number", "phone_verified"])
    reminder = planner_services.reminder_create(
        user=user, text="call the pharmacy", due_at=now + timedelta(hours=1), channel="sms"
    )
    for index in range(rows):
        occurrence = now - timedelta(days=index)
        failed = ReminderDelivery.objects.create(
            reminder=reminder,
            occurrence=occurrence,
            channel="sms",
            outcome=ReminderDelivery.Outcome.FAILED_OVER,
            reason="SMS cap reached (user_day)",
        )
        ReminderDelivery.objects.create(
            reminder=reminder,
            occurrence=occurrence,
            channel="chat",
            outcome=ReminderDelivery.Outcome.DELIVERED,
            fallback_for=failed,
        )
        OutboundSMS.objects.create(
            user=user,
            to_number=PHONE,
            body="Reminder: call the pharmacy",
            purpose=OutboundSMS.Purpose.REMINDER,
            status=OutboundSMS.Status.FAILED,
            error_code="21610",
            error_message="Attempt to send to unsubscribed recipient",
            reminder_delivery=failed,
        )
        InboundSMS.objects.create(
            message_sid=f"SM{next(_sid):032d}",
            from_number=PHONE,
            to_number="+15550000000",
            body="remind me to call the pharmacy at 5",
            user=user,
            result=InboundSMS.Result.ROUTED,
        )
        users_services.security_event_record(
            kind=SecurityEvent.Kind.LOGIN_FAILED, severity="warning", ip="203.0.113.7", user=user
        )
        users_services.audit_event_record(
            actor=staff, action=AuditEvent.Action.PROFILE_UPDATED, target=user, ip="198.51.100.2"
        )
    texted_code = "482913"
    InboundSMS.objects.create(
        message_sid=f"SM{next(_sid):032d}",
        from_number=PHONE,
        to_number="+15550000000",
        body=f"my code is {texted_code}",
        user=user,
        result=InboundSMS.Result.ROUTED,
    )
    sms_services.phone_verification_start(user=user, phone_number=OTHER_PHONE)
    verification = OutboundSMS.objects.get(user=user, purpose=OutboundSMS.Purpose.VERIFICATION)
    social = UserSocialAuth.objects.create(user=user, provider="google-oauth2", uid=f"uid-{user.pk}")
    Integration.objects.create(
        user=user,
        provider="google",
        social=social,
        status=Integration.Status.ERROR,
        access_token="token",
        last_error="Google answered 503 five times",
        last_error_at=now,
    )
    code = re.search(r"\d{6}", verification.body)
    assert code is not None, verification.body
    return Activity(reminder=reminder, verification_code=code.group(), texted_code=texted_code)
