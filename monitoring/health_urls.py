"""/health/...: probes for load balancers, orchestrators and operators (see docs/monitoring.md)."""

urlpatterns: list = []
