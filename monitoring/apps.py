import prometheus_client
from django.apps import AppConfig, apps
from django.core.exceptions import ImproperlyConfigured


class MonitoringConfig(AppConfig):
    name = "monitoring"
    verbose_name = "Monitoring"

    def ready(self) -> None:
        from assistant.users.models import Role
        from assistant.users.roles import role_permissions_grant

        # Support and operations read the alerts history.
        for role in (Role.STAFF, Role.OPS):
            role_permissions_grant(role, "monitoring.view_alertevent")

        # The *_created gauges double the series count and no dashboard or rule reads them.
        prometheus_client.disable_created_metrics()

        # Every declared label combination at 0 from the start, so that the first event counts
        # in rate() and increase() (assistant/core/metric_labels.py). Django runs the ready()
        # methods in INSTALLED_APPS order: last, monitoring sees every audit action and security
        # kind the other apps registered in theirs.
        if list(apps.get_app_configs())[-1] is not self:
            raise ImproperlyConfigured("monitoring must be the last of INSTALLED_APPS.")
        from assistant.core.metric_labels import declared_labels_zero_init
        from monitoring.views import app_metric_modules

        app_metric_modules()
        declared_labels_zero_init()

        # Task, worker, queue and beat metrics: importing the module connects its Celery signal
        # handlers. Celery's Django fixup runs django.setup() (so this) when a worker or beat
        # loads its modules, before it sends worker_init or beat_init.
        from monitoring import celery_metrics  # noqa: F401
