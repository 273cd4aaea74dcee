from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.db.models.signals import post_migrate


class UsersConfig(AppConfig):
    default = True
    name = "assistant.users"
    label = "users"
    verbose_name = "Users and security"

    def ready(self) -> None:
        from assistant.users import signals
        from assistant.users.activity import activity_panel_register
        from assistant.users.admin_activity import AUDIT_EVENTS_PANEL, SECURITY_EVENTS_PANEL
        from assistant.users.events import audit_actions_register, security_kinds_register
        from assistant.users.models import AuditEvent, SecurityEvent

        audit_actions_register(AuditEvent.Action)
        security_kinds_register(SecurityEvent.Kind)
        activity_panel_register(SECURITY_EVENTS_PANEL)
        activity_panel_register(AUDIT_EVENTS_PANEL)

        # Models added by later migrations get their permissions into the roles too.
        post_migrate.connect(signals.roles_resync, dispatch_uid="users.roles_resync")


class AssistantAdminConfig(admin_apps.AdminConfig):
    """The admin, on a site that can demand a second factor from staff."""

    default = False  # listed by its full path in INSTALLED_APPS

    default_site = "assistant.users.admin_site.AssistantAdminSite"
