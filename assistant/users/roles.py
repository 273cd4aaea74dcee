"""The four roles and their permissions, kept in step by a data migration and post_migrate."""

from django.apps.registry import Apps

from assistant.users.models import Role

# "app_label.codename" or "app_label.*"; "*" is every permission.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.USER: [],
    Role.STAFF: [
        "users.view_user",
        "users.change_user",
        "users.view_auditevent",
        "users.view_securityevent",
        "integrations.view_integration",
        "integrations.change_integration",
        "monitoring.view_alertevent",
    ],
    Role.OPS: [
        "users.view_user",
        "users.view_auditevent",
        "users.view_securityevent",
        "django_celery_beat.*",
        "integrations.view_integration",
        "integrations.change_integration",
        "monitoring.view_alertevent",
    ],
    Role.ADMIN: ["*"],
}
STAFF_ROLES = {Role.STAFF, Role.OPS, Role.ADMIN}


def roles_sync(apps: Apps) -> None:
    """Create the role groups and give each exactly its permissions that exist so far."""
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for role, patterns in ROLE_PERMISSIONS.items():
        group, _ = group_model.objects.get_or_create(name=role)
        permissions = permission_model.objects.none()
        for pattern in patterns:
            if pattern == "*":
                permissions = permissions | permission_model.objects.all()
                continue
            app_label, codename = pattern.split(".", 1)
            matching = permission_model.objects.filter(content_type__app_label=app_label)
            if codename != "*":
                matching = matching.filter(codename=codename)
            permissions = permissions | matching
        group.permissions.set(permissions)
