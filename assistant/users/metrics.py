"""Authentication, security and audit metrics (names kept from the monitoring guide).

Labels only take the values declared at the end of this module; every combination exists at
0 from process start on, so the first event counts in rate() and increase().
"""

from prometheus_client import Counter

from assistant.core.metric_labels import label_values
from assistant.users import events

user_registration_total = Counter("user_registration_total", "Accounts created.")
user_login_total = Counter(
    "user_login_total",
    "Successful logins, by channel (api, admin) and whether a second factor was used.",
    ["channel", "mfa"],
)
authentication_failures_total = Counter(
    "authentication_failures_total",
    "Refused logins, by reason (invalid_credentials, invalid_otp, mfa_required, "
    "mfa_not_enrolled, locked_out, inactive).",
    ["reason"],
)
mfa_setup_total = Counter(
    "mfa_setup_total", "TOTP set-up steps, by action (enrol, confirm, disable, backup_codes).", ["action"]
)
mfa_verification_total = Counter(
    "mfa_verification_total", "TOTP and backup codes checked, by result (success, failure).", ["result"]
)
password_reset_total = Counter(
    "password_reset_total", "Password resets, by stage (requested, limited, completed).", ["stage"]
)
security_event_total = Counter(
    "security_event_total", "Security events recorded, by kind and severity.", ["kind", "severity"]
)
audit_log_total = Counter("audit_log_total", "Audit events recorded, by action.", ["action"])
access_denied_total = Counter(
    "access_denied_total",
    "API requests refused, by reason (unauthenticated, invalid_token, permission_denied).",
    ["reason"],
)
role_assignment_total = Counter(
    "role_assignment_total",
    "Role (group) changes, by role (user, staff, ops, admin, other) and action (added, removed).",
    ["role", "action"],
)


# The label values: those of the registries and of the models are read once every app is
# ready (assistant/core/metric_labels.py), when every combination is created at 0.
ROLE_OTHER = "other"


def _roles() -> list[str]:
    from assistant.users.models import Role

    return [*Role.values, ROLE_OTHER]


def _security_kinds() -> list[str]:
    return [value for value, _ in events.security_kind_choices()]


def _security_severities() -> list[str]:
    from assistant.users.models import SecurityEvent

    return list(SecurityEvent.Severity.values)


def _audit_actions() -> list[str]:
    return [value for value, _ in events.audit_action_choices()]


label_values(user_login_total, channel=("api", "admin"), mfa=("true", "false"))
label_values(
    authentication_failures_total,
    reason=(
        "invalid_credentials",
        "invalid_otp",
        "mfa_required",
        "mfa_not_enrolled",
        "locked_out",
        "inactive",
    ),
)
label_values(mfa_setup_total, action=("enrol", "confirm", "disable", "backup_codes"))
label_values(mfa_verification_total, result=("success", "failure"))
label_values(password_reset_total, stage=("requested", "limited", "completed"))
label_values(security_event_total, kind=_security_kinds, severity=_security_severities)
label_values(audit_log_total, action=_audit_actions)
label_values(access_denied_total, reason=("unauthenticated", "invalid_token", "permission_denied"))
label_values(role_assignment_total, role=_roles, action=("added", "removed"))
