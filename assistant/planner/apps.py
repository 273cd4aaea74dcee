from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "assistant.planner"
    label = "planner"
    verbose_name = "Todos and reminders"

    def ready(self) -> None:
        from assistant.core.retention import retention_purger_register
        from assistant.planner import data_rights, services
        from assistant.users.data_rights import data_rights_register

        retention_purger_register("reminder_delivery", services.reminder_deliveries_purge)
        data_rights_register(data_rights.PART)
