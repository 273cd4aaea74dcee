from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self) -> None:
        from assistant.core.retention import retention_purger_register
        from assistant.planner.notifications import channel_register
        from assistant.users.activity import activity_panel_register
        from assistant.users.data_rights import data_rights_register
        from assistant.users.events import security_kinds_register
        from assistant.users.support import support_phone_code_sender_register
        from sms import data_rights, services
        from sms.activity import INBOUND_PANEL, OUTBOUND_PANEL
        from sms.events import SecurityKind

        security_kinds_register(SecurityKind)
        data_rights_register(data_rights.PART)
        # Staff read a person's texts, both ways, on the person's admin page.
        activity_panel_register(INBOUND_PANEL)
        activity_panel_register(OUTBOUND_PANEL)

        # Twilio's API-call histogram is defined beside the backends, not in sms/metrics.py:
        # loaded here, it exists at 0 from start in every process (and stays 0 where another
        # backend sends), rather than from the first text or health check.
        import sms.backends.metrics  # noqa: F401

        # Reminders for users who prefer SMS go through the outbox; deferred: it reports each
        # delivery later (sent, delivered, or failed over to chat).
        channel_register("sms", services.sms_notifications_deliver, deferred=True)
        retention_purger_register("inbound_sms", services.inbound_sms_purge)
        retention_purger_register("outbound_sms", services.outbound_sms_purge)
        # Staff resend a phone code from the admin under the same caps as the API.
        support_phone_code_sender_register(services.phone_verification_resend)
