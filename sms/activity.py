"""The SMS app's part of the user's admin page (assistant/users/activity.py): the texts the
person sent us and those we sent them, numbers masked and verification codes never shown."""

from assistant.core.masking import mask_phone
from assistant.users.activity import ActivityPanel, Column
from sms import selectors
from sms.models import OutboundSMS


def _outbound_error(outbound: OutboundSMS) -> str:
    return " ".join(part for part in (outbound.error_code, outbound.error_message) if part)


INBOUND_PANEL = ActivityPanel(
    key="sms_in",
    title="SMS received from this person",
    rows=lambda user: selectors.inbound_sms_for_user(user=user),
    columns=[
        Column("Received", lambda inbound: inbound.received_at),
        Column("From", lambda inbound: mask_phone(inbound.from_number)),
        Column("Text", lambda inbound: inbound.shown_body),
        Column("Result", lambda inbound: inbound.get_result_display()),
    ],
    position=20,
)

OUTBOUND_PANEL = ActivityPanel(
    key="sms_out",
    title="SMS sent to this person",
    rows=lambda user: selectors.outbound_sms_for_user(user=user),
    columns=[
        Column("Created", lambda outbound: outbound.created_at),
        Column("To", lambda outbound: mask_phone(outbound.to_number)),
        Column("Purpose", lambda outbound: outbound.get_purpose_display()),
        Column("Text", lambda outbound: outbound.shown_body),
        Column("Status", lambda outbound: outbound.get_status_display()),
        Column("Error", _outbound_error),
    ],
    position=30,
)
