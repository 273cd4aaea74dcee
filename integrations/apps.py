from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from assistant.planner.agenda import agenda_source_register
        from integrations import selectors

        # The agenda and "what's next" show synced events and tasks without the planner
        # importing this app.
        agenda_source_register(selectors.AgendaSource())
