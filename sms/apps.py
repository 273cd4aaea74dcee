from django.apps import AppConfig


class SmsConfig(AppConfig):
    name = "sms"
    verbose_name = "SMS"

    def ready(self) -> None:
        from assistant.planner.notifications import channel_register
        from sms import services

        # Reminders for users who prefer SMS now go through the outbox.
        channel_register("sms", services.sms_notifications_deliver)
