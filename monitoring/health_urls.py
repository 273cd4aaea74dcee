"""/health/...: probes for load balancers, orchestrators and operators (see docs/monitoring.md)."""

from django.urls import URLPattern, URLResolver, path

from monitoring import health_views

urlpatterns: list[URLPattern | URLResolver] = [
    path("live", health_views.live, name="health-live"),
    path("ready", health_views.ready, name="health-ready"),
    path("overall", health_views.overall, name="health-overall"),
    path("database", health_views.database, name="health-database"),
    path("database/performance", health_views.database_performance, name="health-database-performance"),
    path("redis", health_views.redis, name="health-redis"),
    path("celery", health_views.celery, name="health-celery"),
]
