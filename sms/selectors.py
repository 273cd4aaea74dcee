"""Reads for SMS rows (what staff may read of a text: the models' `shown_body`)."""

from django.db.models import QuerySet

from assistant.users.models import User
from sms.models import InboundSMS, OutboundSMS


def inbound_sms_for_user(*, user: User) -> QuerySet[InboundSMS]:
    return InboundSMS.objects.filter(user=user).order_by("-received_at", "-id")


def outbound_sms_for_user(*, user: User) -> QuerySet[OutboundSMS]:
    return OutboundSMS.objects.filter(user=user).order_by("-created_at", "-id")
