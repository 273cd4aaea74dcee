import prometheus_client
from django.apps import AppConfig


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        # The *_created gauges double the series count and no dashboard or rule reads them.
        prometheus_client.disable_created_metrics()
