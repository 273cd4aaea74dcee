"""Business: who signs up, who comes back, what they use, how much they talk to the assistant.

The business gauges (active sessions, daily and monthly active users, retention, onboarding,
feature adoption) are computed from the database and every process exports the same value, so
they are read with `max`, never summed.
"""

from monitoring.dashboards.base import DashboardSpec, Section
from monitoring.dashboards.panels import (
    THIRD,
    Prom,
    bargauge_panel,
    stat_panel,
    timeseries_panel,
)
from monitoring.dashboards.promql import aggregate, sum_increase, sum_rate


def _latest(gauge: str) -> str:
    return aggregate("max", gauge)


def sections() -> list[Section]:
    return [
        Section(
            "Users",
            [
                stat_panel(
                    "Active sessions",
                    "Sign-in sessions (API tokens) not expired: user_active_sessions.",
                    Prom(_latest("user_active_sessions")),
                    unit="short",
                ),
                stat_panel(
                    "Daily active users",
                    "Users who did something in the last 24 hours: daily_active_users.",
                    Prom(_latest("daily_active_users")),
                    unit="short",
                ),
                stat_panel(
                    "Monthly active users",
                    "Users who did something in the last 30 days: monthly_active_users.",
                    Prom(_latest("monthly_active_users")),
                    unit="short",
                ),
                stat_panel(
                    "Registrations today",
                    "Accounts created over the last 24 hours (user_registration_total).",
                    Prom(sum_increase("user_registration_total", window="1d")),
                    unit="short",
                ),
                timeseries_panel(
                    "Registrations and sign-ins per hour",
                    "Accounts created and successful sign-ins (by channel) over the hour before each point.",
                    Prom(sum_increase("user_registration_total"), "registrations"),
                    Prom(sum_increase("user_login_total", by=("channel",)), "sign-ins {{channel}}"),
                    unit="short",
                ),
                timeseries_panel(
                    "Active users and sessions",
                    "Daily and monthly active users and open sessions over time.",
                    Prom(_latest("daily_active_users"), "daily active users"),
                    Prom(_latest("monthly_active_users"), "monthly active users"),
                    Prom(_latest("user_active_sessions"), "active sessions"),
                    unit="short",
                ),
            ],
        ),
        Section(
            "Engagement",
            [
                timeseries_panel(
                    "Retention and onboarding",
                    "Share of users who came back (user_retention_rate) and share who finished "
                    "onboarding (user_onboarding_completion_rate): the conversion funnel's last "
                    "steps.",
                    Prom(_latest("user_retention_rate"), "retention"),
                    Prom(_latest("user_onboarding_completion_rate"), "onboarding completed"),
                    unit="percentunit",
                ),
                timeseries_panel(
                    "Chat messages per minute",
                    "Messages per minute by channel (api, sms) and direction (in: what users "
                    "wrote; out: replies and reminders).",
                    Prom(
                        f"60 * {sum_rate('chat_message_total', by=('channel', 'direction'))}",
                        "{{channel}} {{direction}}",
                    ),
                    unit="mpm",
                ),
                timeseries_panel(
                    "What people ask for",
                    "Intents the command engine understood per hour; a rising 'unknown' means "
                    "people write things it does not get.",
                    Prom(sum_increase("assistant_intent_total", by=("intent",)), "{{intent}}"),
                    unit="short",
                    stacked=True,
                ),
            ],
        ),
        Section(
            "Features",
            [
                bargauge_panel(
                    "Feature adoption",
                    "Share of active users who used each feature (feature_adoption_rate).",
                    Prom(aggregate("max", "feature_adoption_rate", by=("feature",)), "{{feature}}"),
                    unit="percentunit",
                    max_value=1,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Feature usage per hour",
                    "Uses of each feature (todos, reminders, recurring reminders, snooze, agenda, "
                    "chat) over the hour before each point.",
                    Prom(sum_increase("feature_usage_total", by=("feature",)), "{{feature}}"),
                    unit="short",
                    stacked=True,
                    width=THIRD,
                ),
                timeseries_panel(
                    "Todos and reminders per hour",
                    "Todos created and completed, and reminders created by kind, per hour.",
                    Prom(sum_increase("todo_created_total"), "todos created"),
                    Prom(sum_increase("todo_completed_total"), "todos completed"),
                    Prom(sum_increase("reminder_created_total", by=("kind",)), "reminders {{kind}}"),
                    unit="short",
                    width=THIRD,
                ),
            ],
        ),
        Section(
            "Integrations",
            [
                timeseries_panel(
                    "Connected integrations",
                    'Integrations connected per provider (oauth_integrations_active, status="connected").',
                    Prom(
                        aggregate("max", "oauth_integrations_active", 'status="connected"', by=("provider",)),
                        "{{provider}}",
                    ),
                    unit="short",
                ),
                timeseries_panel(
                    "Integration connects per hour",
                    "Connect-flow outcomes per provider per hour (oauth_integration_total): "
                    "connected, denied, disconnected...",
                    Prom(
                        sum_increase("oauth_integration_total", by=("provider", "result")),
                        "{{provider}} {{result}}",
                    ),
                    unit="short",
                ),
            ],
        ),
    ]


DASHBOARD = DashboardSpec(
    slug="business",
    title="Business",
    description="User engagement and feature usage: sign-ups, active users, retention, features, chat.",
    guide_section="Business Dashboard",
    jobs="assistant-api|celery-worker",
    key_metrics={
        "User registration and login rates": ("Registrations today", "Registrations and sign-ins per hour"),
        "Active user sessions": (
            "Active sessions",
            "Daily active users",
            "Monthly active users",
            "Active users and sessions",
        ),
        "Feature usage statistics": (
            "Feature adoption",
            "Feature usage per hour",
            "Todos and reminders per hour",
        ),
        "Chat message volume": ("Chat messages per minute", "What people ask for"),
        "OAuth integration usage": ("Connected integrations", "Integration connects per hour"),
    },
    sections=sections,
)
