from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "integrations"
    verbose_name = "Integrations"

    def ready(self) -> None:
        from assistant.planner.agenda import agenda_source_register
        from assistant.users.activity import activity_panel_register
        from assistant.users.data_rights import data_rights_register
        from assistant.users.events import audit_actions_register, security_kinds_register
        from assistant.users.models import Role
        from assistant.users.profile import profile_extension_register
        from assistant.users.roles import role_permissions_grant
        from integrations import data_rights, selectors
        from integrations.activity import INTEGRATIONS_PANEL
        from integrations.api.profile import NudgeProfileExtension
        from integrations.events import AuditAction, SecurityKind

        audit_actions_register(AuditAction)
        security_kinds_register(SecurityKind)
        # Support and operations look after people's connections (refresh, sync, re-auth).
        for role in (Role.STAFF, Role.OPS):
            role_permissions_grant(role, "integrations.view_integration", "integrations.change_integration")
        # event_nudge_minutes is kept here and shown and changed on /auth/me.
        profile_extension_register(NudgeProfileExtension())
        # Staff read the state of a person's connections on the person's admin page.
        activity_panel_register(INTEGRATIONS_PANEL)
        # A person's export and erasure take their connections, revoked at the provider first.
        data_rights_register(data_rights.PART)

        # The agenda and "what's next" show synced events and tasks without the planner
        # importing this app.
        agenda_source_register(selectors.AgendaSource())
