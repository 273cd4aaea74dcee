from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from assistant.planner.agenda import agenda_source_register
        from assistant.users.events import audit_actions_register, security_kinds_register
        from integrations import selectors
        from integrations.events import AuditAction, SecurityKind

        audit_actions_register(AuditAction)
        security_kinds_register(SecurityKind)

        # The agenda and "what's next" show synced events and tasks without the planner
        # importing this app.
        agenda_source_register(selectors.AgendaSource())
