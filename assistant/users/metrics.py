"""Authentication, security and audit metrics (names kept from the monitoring guide).

Labels only take values from the fixed sets named in each help text.
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
    "mfa_setup_total", "TOTP set-up steps, by action (enrol, confirm, disable).", ["action"]
)
mfa_verification_total = Counter(
    "mfa_verification_total", "TOTP codes checked, by result (success, failure).", ["result"]
)
password_reset_total = Counter(
    "password_reset_total", "Password resets, by stage (requested, completed).", ["stage"]
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
