from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "assistant.planner"
    label = "planner"
    verbose_name = "Todos and reminders"

    def ready(self) -> None:
        from assistant.core.retention import retention_purger_register
        from assistant.planner import data_rights, services
        from assistant.planner.activity import DELIVERIES_PANEL, REMINDER_LOOKUP
        from assistant.planner.notifications import notify_on_own_channel
        from assistant.users.activity import activity_lookup_register, activity_panel_register
        from assistant.users.data_rights import data_rights_register
        from assistant.users.support import support_channel_register

        retention_purger_register("reminder_delivery", services.reminder_deliveries_purge)
        data_rights_register(data_rights.PART)
        # Support's notices that belong on the person's own channel (users imports no planner).
        support_channel_register(notify_on_own_channel)
        # Staff read what became of a person's reminders on the person's admin page, and find
        # the person from a reminder's id.
        activity_panel_register(DELIVERIES_PANEL)
        activity_lookup_register(REMINDER_LOOKUP)
