from django.apps import AppConfig


class PlannerConfig(AppConfig):
    name = "assistant.planner"
    label = "planner"
    verbose_name = "Todos and reminders"

    def ready(self) -> None:
        from assistant.planner import data_rights
        from assistant.users.data_rights import data_rights_register

        data_rights_register(data_rights.PART)
