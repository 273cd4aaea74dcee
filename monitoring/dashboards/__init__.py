"""The six Grafana dashboards of the monitoring guide, built in Python with grafana-foundation-sdk.

`manage.py generate_dashboards` writes them, with Grafana's provisioning files, under
`deploy/grafana/`. Panel thresholds come from `assistant/core/thresholds.py`, like the alert rules';
every LogQL query lives in `logql.py`.
"""

import warnings

# The SDK marks its v1 dashboard model deprecated in favour of the v2 (Kubernetes-style) one, but
# v1 is what Grafana's file provisioning reads and what our schemas describe: keep it, quietly.
# (The warnings fire once, when the SDK's modules are first imported.)
with warnings.catch_warnings():
    warnings.filterwarnings("ignore", "Prefer using dashboardv2", DeprecationWarning)
    from monitoring.dashboards import application, business, oauth, sms, system, tasks
    from monitoring.dashboards.base import DashboardSpec

DASHBOARDS: tuple[DashboardSpec, ...] = (
    system.DASHBOARD,
    application.DASHBOARD,
    business.DASHBOARD,
    sms.DASHBOARD,
    oauth.DASHBOARD,
    tasks.DASHBOARD,
)
