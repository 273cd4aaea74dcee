from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self) -> None:
        from assistant.core.retention import retention_purger_register
        from assistant.planner.notifications import channel_register
        from assistant.users.data_rights import data_rights_register
        from assistant.users.events import security_kinds_register
        from sms import data_rights, services
        from sms.events import SecurityKind

        security_kinds_register(SecurityKind)
        data_rights_register(data_rights.PART)

        # Twilio's API-call histogram is defined beside the backends, not in sms/metrics.py:
        # loaded here, it exists at 0 from start in every process (and stays 0 where another
        # backend sends), rather than from the first text or health check.
        import sms.backends.metrics  # noqa: F401

        # Reminders for users who prefer SMS go through the outbox; deferred: it reports each
        # delivery later (sent, delivered, or failed over to chat).
        channel_register("sms", services.sms_notifications_deliver, deferred=True)
        retention_purger_register("inbound_sms", services.inbound_sms_purge)
        retention_purger_register("outbound_sms", services.outbound_sms_purge)
