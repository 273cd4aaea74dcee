"""Reads for SMS rows, and what staff may read of them."""

import re

from django.db.models import QuerySet

from assistant.users.models import User
from sms.models import InboundSMS, OutboundSMS, PhoneVerification

MASK = "•"
# A verification code someone texted back to us: as good as the one we sent.
_CODE = re.compile(rf"(?<!\d)\d{{{PhoneVerification.CODE_DIGITS}}}(?!\d)")


def inbound_sms_for_user(*, user: User) -> QuerySet[InboundSMS]:
    return InboundSMS.objects.filter(user=user).order_by("-received_at", "-id")


def outbound_sms_for_user(*, user: User) -> QuerySet[OutboundSMS]:
    return OutboundSMS.objects.filter(user=user).order_by("-created_at", "-id")


def outbound_sms_text(*, outbound: OutboundSMS) -> str:
    """The message as sent, but a verification code never: whoever read it could claim the number."""
    if outbound.purpose == OutboundSMS.Purpose.VERIFICATION:
        return re.sub(r"\d", MASK, outbound.body)
    return outbound.body


def inbound_sms_text(*, inbound: InboundSMS) -> str:
    """What the person texted, with anything shaped like a verification code masked, for the
    same reason."""
    return _CODE.sub(lambda match: MASK * len(match.group()), inbound.body)
