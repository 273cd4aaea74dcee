"""/monitoring/...: the staff status board and Alertmanager's webhook."""

from django.urls import URLPattern, URLResolver, path

from monitoring import board, health_views
from monitoring.webhook import AlertmanagerWebhookView

app_name = "monitoring"
urlpatterns: list[URLPattern | URLResolver] = [
    path("status/", board.status_board, name="status-board"),
    # What the board refreshes from: /health/overall's answer where the public edge serves it
    # (nginx lets only /health/live and /health/ready out), with the same rule on who reads it.
    path("status/checks", health_views.overall, name="status-checks"),
    path("alerts/webhook", AlertmanagerWebhookView.as_view(), name="alerts-webhook"),
]
