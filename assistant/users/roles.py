"""The four roles and their permissions, kept in step by a data migration and post_migrate.

This app grants its own permissions below; an app above it grants its models' permissions
from its AppConfig.ready() with `role_permissions_grant`, so users never names them.
"""

from django.apps.registry import Apps
from django.core.exceptions import ImproperlyConfigured

from assistant.users.models import Role

# "app_label.codename" or "app_label.*"; "*" is every permission.
_role_permissions: dict[str, set[str]] = {
    Role.USER: set(),
    Role.STAFF: {
        "users.view_user",
        "users.change_user",
        "users.view_auditevent",
        "users.view_securityevent",
        # The support desk answers "I'm locked out", "I lost my phone", "close my account".
        "users.support_unlock",
        "users.support_sign_out",
        "users.support_mfa_reset",
        "users.support_deactivate",
        "users.support_reactivate",
        "users.support_phone_code_resend",
        # Support answers a person's written request to erase their account.
        "users.erase_user",
    },
    Role.OPS: {
        "users.view_user",
        "users.view_auditevent",
        "users.view_securityevent",
        "django_celery_beat.*",
    },
    Role.ADMIN: {"*"},
}
STAFF_ROLES = {Role.STAFF, Role.OPS, Role.ADMIN}


def role_permissions_grant(role: Role, *patterns: str) -> None:
    """Give a role these permissions ("app_label.codename" or "app_label.*") from now on;
    the groups follow at the next migrate."""
    if role not in _role_permissions:
        raise ImproperlyConfigured(f"No role {role!r} to grant {patterns} to.")
    _role_permissions[role].update(patterns)


def roles_sync(apps: Apps) -> None:
    """Create the role groups and give each exactly its permissions that exist so far."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, patterns in _role_permissions.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = permission_model.objects.none()
        for pattern in sorted(patterns):
            if pattern == "*":
                permissions = permissions | permission_model.objects.all()
                continue
            app_label, codename = pattern.split(".", 1)
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            permissions = permissions | matching
        group.permissions.set(permissions)
