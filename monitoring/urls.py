"""/monitoring/...: the staff status board and Alertmanager's webhook."""

from django.urls import URLPattern, URLResolver, path

from monitoring import board
from monitoring.webhook import AlertmanagerWebhookView

app_name = "monitoring"
urlpatterns: list[URLPattern | URLResolver] = [
    path("status/", board.status_board, name="status-board"),
    path("alerts/webhook", AlertmanagerWebhookView.as_view(), name="alerts-webhook"),
]
