from django.apps import AppConfig
from django.conf import settings
from django.utils.module_loading import import_string


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self) -> None:
        from assistant.planner.notifications import channel_register
        from assistant.users.events import security_kinds_register
        from sms import services
        from sms.events import SecurityKind

        security_kinds_register(SecurityKind)

        # The backend's module defines its metrics (Twilio's API calls): loaded now, they exist
        # at 0 from start instead of from the first text.
        import_string(settings.SMS_BACKEND)

        # Reminders for users who prefer SMS go through the outbox; deferred: it reports each
        # delivery later (sent, delivered, or failed over to chat).
        channel_register("sms", services.sms_notifications_deliver, deferred=True)
