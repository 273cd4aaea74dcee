"""The SMS app's share of a person's export and erasure (see assistant/users/data_rights.py).

Texts from and to a person are found by their account and, once they proved it theirs, by their
number (a reply to a number before it was linked, a STOP). The erasure keeps what accounting
needs of each text (date, direction, segments, price, status) and nothing else.
"""

from django.db.models import CharField, Q, Value
from django.db.models.functions import Cast, Concat

from assistant.users.data_rights import DataRightsPart, Section, iso
from assistant.users.models import User
from sms.models import InboundSMS, OutboundSMS, PhoneOptOut, PhoneVerification
from sms.services import INBOUND_PERSONAL_BLANK, OUTBOUND_PERSONAL_BLANK


def _own_number(user: User) -> str | None:
    """The number only if proven theirs: an unverified claim may be someone else's."""
    return user.phone_number if user.phone_verified and user.phone_number else None


def _inbound(user: User) -> Q:
    number = _own_number(user)
    return Q(user=user) | Q(from_number=number) if number else Q(user=user)


def _outbound(user: User) -> Q:
    number = _own_number(user)
    return Q(user=user) | Q(to_number=number) if number else Q(user=user)


def _export(user: User) -> Section:
    number = _own_number(user)
    return {
        "inbound": [
            {
                "from_number": sms.from_number,
                "to_number": sms.to_number,
                "body": sms.shown_body,
                "reply": sms.reply,
                "result": sms.result,
                "received_at": sms.received_at.isoformat(),
            }
            for sms in InboundSMS.objects.filter(_inbound(user)).order_by("received_at", "id")
        ],
        "outbound": [
            {
                "to_number": sms.to_number,
                "body": sms.shown_body,
                "purpose": sms.purpose,
                "status": sms.status,
                "segments": sms.segments,
                "cost_usd": str(sms.cost_usd) if sms.cost_usd is not None else None,
                "created_at": sms.created_at.isoformat(),
            }
            for sms in OutboundSMS.objects.filter(_outbound(user)).order_by("created_at", "id")
        ],
        "opt_outs": [
            {
                "phone_number": opt_out.phone_number,
                "keyword": opt_out.keyword,
                "at": opt_out.created_at.isoformat(),
            }
            for opt_out in PhoneOptOut.objects.filter(phone_number=number or "")
        ],
        "phone_verifications": [
            {
                "phone_number": verification.phone_number,
                "created_at": verification.created_at.isoformat(),
                "verified_at": iso(verification.verified_at),
            }
            for verification in PhoneVerification.objects.filter(user=user).order_by("created_at", "id")
        ],
    }


def _erase(user: User) -> Section:
    number = _own_number(user)
    outbound = OutboundSMS.objects.filter(_outbound(user))
    # Not sent yet: with no number left, never.
    outbound.filter(status__in=[OutboundSMS.Status.QUEUED, OutboundSMS.Status.SENDING]).update(
        status=OutboundSMS.Status.FAILED, error_code="erased"
    )
    # Unlike data retention's purge, the erasure drops Twilio's SIDs too: the person asked that
    # nothing lead back to them (a late status callback then finds no SID: the cost stays the
    # estimate).
    outbound_count = outbound.update(
        **OUTBOUND_PERSONAL_BLANK, user=None, provider_sid=None, reminder_delivery=None
    )
    # An inbound SID only stops a retried webhook being handled twice: a unique placeholder keeps
    # the row (a retry after the erasure is answered as from a stranger).
    inbound_count = InboundSMS.objects.filter(_inbound(user)).update(
        **INBOUND_PERSONAL_BLANK,
        user=None,
        message_sid=Concat(Value("erased-"), Cast("pk", output_field=CharField())),
    )
    return {
        "inbound": inbound_count,
        "outbound": outbound_count,
        # Twilio keeps honouring a STOP itself (it refuses sends to the number, error 21610);
        # ours linked the number to the person and goes with them.
        "opt_outs": PhoneOptOut.objects.filter(phone_number=number or "").delete()[0],
        "phone_verifications": PhoneVerification.objects.filter(user=user).delete()[0],
    }


PART = DataRightsPart(
    name="sms",
    export=_export,
    erase=_erase,
    exported=("sms.inboundsms", "sms.outboundsms", "sms.phoneoptout", "sms.phoneverification"),
)
