"""/monitoring/...: the staff status board and Alertmanager's webhook."""

app_name = "monitoring"
urlpatterns: list = []
