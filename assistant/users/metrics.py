"""Authentication, security and audit metrics (names kept from the monitoring guide).

Labels only take values from the fixed sets named in each help text; the fixed sets of this
module exist at 0 from import on, so the first event counts in rate() and increase(). (The
security and audit kinds are registries: users creates its own at 0 in UsersConfig.ready().)
"""

from prometheus_client import Counter

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

for _reason in (
    "invalid_credentials",
    "invalid_otp",
    "mfa_required",
    "mfa_not_enrolled",
    "locked_out",
    "inactive",
):
    authentication_failures_total.labels(reason=_reason)
for _action in ("enrol", "confirm", "disable", "backup_codes"):
    mfa_setup_total.labels(action=_action)
for _result in ("success", "failure"):
    mfa_verification_total.labels(result=_result)
for _stage in ("requested", "limited", "completed"):
    password_reset_total.labels(stage=_stage)
