"""System: the hosts (node_exporter) and whether every scrape target answers."""

from assistant.core import thresholds
from monitoring.alerting import HTTP_LATENCY, USER_TRAFFIC
from monitoring.dashboards import application
from monitoring.dashboards.base import DashboardSpec, Section
from monitoring.dashboards.panels import (
    FULL,
    QUARTER,
    UP_STATES,
    Prom,
    gauge_panel,
    heatmap_panel,
    stat_panel,
    table_panel,
    timeseries_panel,
)
from monitoring.dashboards.promql import aggregate, series, sum_rate
from monitoring.promql import REAL_FILESYSTEMS

# Real network interfaces, not the container runtime's virtual ones.
INTERFACES = 'device!~"lo|veth.*|docker.*|br-.*|cni.*|flannel.*"'

IDLE_CPU = series("node_cpu_seconds_total", 'mode="idle"')
CPU_USAGE = f"1 - avg by (instance) (rate({IDLE_CPU}[5m]))"
MEMORY_TOTAL = series("node_memory_MemTotal_bytes")
MEMORY_AVAILABLE = series("node_memory_MemAvailable_bytes")
MEMORY_USAGE = f"1 - {MEMORY_AVAILABLE} / {MEMORY_TOTAL}"
FILESYSTEM_USAGE = (
    f"1 - {series('node_filesystem_avail_bytes', REAL_FILESYSTEMS)}"
    f" / {series('node_filesystem_size_bytes', REAL_FILESYSTEMS)}"
)
DISK_BUSY = f"rate({series('node_disk_io_time_seconds_total')}[5m])"
# The web processes' request latency buckets: this dashboard's $job is node, so the app's job
# is named here, and probes and scrapes are left out as in the HighResponseTime alert. The
# histogram by scope, created at 0 when a process starts, so the first request shows.
REQUEST_LATENCY_BUCKETS = sum_rate(
    f"{HTTP_LATENCY}_bucket",
    f'job=~"{application.DASHBOARD.jobs}"',
    USER_TRAFFIC,
    by=("le",),
    scope=(),
)


def _network(direction: str) -> str:
    return sum_rate(f"node_network_{direction}_bytes_total", INTERFACES, by=("instance",))


def _network_problems() -> str:
    counters = [
        f"node_network_{direction}_{kind}_total"
        for direction in ("receive", "transmit")
        for kind in ("errs", "drop")
    ]
    return " + ".join(sum_rate(counter, INTERFACES, by=("instance",)) for counter in counters)


def sections() -> list[Section]:
    return [
        Section(
            "Now",
            [
                gauge_panel(
                    "CPU busy (busiest host)",
                    "Share of CPU time not idle on the busiest host, averaged over its cores, "
                    "last 5 minutes.",
                    Prom(f"max({CPU_USAGE})"),
                    threshold=thresholds.CPU_USAGE_RATIO,
                ),
                gauge_panel(
                    "Memory in use (fullest host)",
                    "Share of memory not available to new processes (MemAvailable) on the fullest host.",
                    Prom(f"max({MEMORY_USAGE})"),
                    threshold=thresholds.MEMORY_USAGE_RATIO,
                ),
                gauge_panel(
                    "Fullest filesystem",
                    "Share of the fullest real filesystem in use (tmpfs and overlays left out).",
                    Prom(f"max({FILESYSTEM_USAGE})"),
                    threshold=thresholds.DISK_USAGE_RATIO,
                ),
                stat_panel(
                    "Targets down",
                    "Scrape targets that did not answer Prometheus' last scrape, all jobs. "
                    "Anything above 0 is a service down.",
                    Prom("count(up == 0) or vector(0)"),
                    unit="short",
                    width=QUARTER,
                ),
            ],
        ),
        Section(
            "CPU and memory",
            [
                timeseries_panel(
                    "CPU usage per host",
                    "Share of CPU time not idle, per host, averaged over its cores (node_exporter). "
                    "Every service on a host shares it; per-container CPU needs cAdvisor, which is "
                    "not deployed.",
                    Prom(CPU_USAGE, "{{instance}}"),
                    threshold=thresholds.CPU_USAGE_RATIO,
                ),
                timeseries_panel(
                    "CPU time by mode",
                    "Cores' worth of CPU time spent per mode (user, system, iowait...), all hosts.",
                    Prom(sum_rate("node_cpu_seconds_total", 'mode!="idle"', by=("mode",)), "{{mode}}"),
                    unit="short",
                    stacked=True,
                ),
                timeseries_panel(
                    "Memory usage per host",
                    "Share of memory in use (1 - MemAvailable / MemTotal), per host.",
                    Prom(MEMORY_USAGE, "{{instance}}"),
                    threshold=thresholds.MEMORY_USAGE_RATIO,
                ),
                timeseries_panel(
                    "Memory in use",
                    "Bytes of memory in use (MemTotal - MemAvailable) per host: the trend shows leaks.",
                    Prom(f"{MEMORY_TOTAL} - {MEMORY_AVAILABLE}", "{{instance}}"),
                    unit="bytes",
                ),
            ],
        ),
        Section(
            "Disks",
            [
                timeseries_panel(
                    "Disk I/O busy",
                    "Share of time each disk was busy with I/O (node_disk_io_time_seconds_total).",
                    Prom(DISK_BUSY, "{{instance}} {{device}}"),
                    threshold=thresholds.DISK_IO_BUSY_RATIO,
                ),
                timeseries_panel(
                    "Disk throughput",
                    "Bytes read and written per second, per host.",
                    Prom(sum_rate("node_disk_read_bytes_total", by=("instance",)), "{{instance}} read"),
                    Prom(sum_rate("node_disk_written_bytes_total", by=("instance",)), "{{instance}} written"),
                    unit="Bps",
                ),
                timeseries_panel(
                    "Filesystem usage",
                    "Share of each real filesystem in use (node_filesystem_avail_bytes / size).",
                    Prom(FILESYSTEM_USAGE, "{{instance}} {{mountpoint}}"),
                    threshold=thresholds.DISK_USAGE_RATIO,
                ),
            ],
        ),
        Section(
            "Network",
            [
                timeseries_panel(
                    "Network traffic",
                    "Bytes received and sent per second on physical interfaces, per host.",
                    Prom(_network("receive"), "{{instance}} received"),
                    Prom(_network("transmit"), "{{instance}} sent"),
                    unit="Bps",
                ),
                timeseries_panel(
                    "Network errors and drops",
                    "Packets per second received or sent with errors, or dropped, per host. "
                    "node_exporter measures no latency: errors and drops are what degrades it on "
                    "the host; see 'Scrape duration' for round trips.",
                    Prom(_network_problems(), "{{instance}}"),
                    unit="pps",
                ),
                timeseries_panel(
                    "Scrape duration per job",
                    "How long Prometheus took to fetch each job's metrics over the network, slowest "
                    "target per job: the stand-in for network latency between the services.",
                    Prom("max by (job) (scrape_duration_seconds)", "{{job}}"),
                    unit="s",
                ),
            ],
        ),
        Section(
            "Performance patterns",
            [
                heatmap_panel(
                    "Request latency heatmap",
                    "How the web processes' request durations spread over the latency buckets "
                    "(http_request_duration_seconds), requests per second per bucket, last 5 "
                    "minutes; health probes and metrics scrapes left out. A band "
                    "climbing to higher buckets is the service slowing down.",
                    Prom(REQUEST_LATENCY_BUCKETS, "{{le}}"),
                    unit="s",
                ),
            ],
        ),
        Section(
            "Services",
            [
                stat_panel(
                    "Service health (scrape targets up)",
                    "Whether each job's targets answered the last scrape (up), the lowest per job: "
                    "the health of every container Prometheus watches (web, Celery worker and beat, "
                    "PostgreSQL, Redis, node, Prometheus, Alertmanager).",
                    Prom(aggregate("min", "up", by=("job",), scope=()), "{{job}}"),
                    unit="short",
                    mappings=[UP_STATES],
                    width=FULL,
                ),
                table_panel(
                    "Firing alerts",
                    "Alerts firing now (Prometheus' ALERTS series), by name and severity. Empty is good.",
                    Prom('sum by (alertname, severity) (ALERTS{alertstate="firing"})'),
                    unit="short",
                    width=FULL,
                ),
            ],
        ),
    ]


DASHBOARD = DashboardSpec(
    slug="system",
    title="System",
    description="Infrastructure health and resource use: hosts, disks, network, and every scrape target.",
    guide_section="System Dashboard",
    jobs="node",
    key_metrics={
        "CPU usage across all services": (
            "CPU busy (busiest host)",
            "CPU usage per host",
            "CPU time by mode",
        ),
        "Memory consumption and trends": (
            "Memory in use (fullest host)",
            "Memory usage per host",
            "Memory in use",
        ),
        "Disk I/O and storage usage": (
            "Disk I/O busy",
            "Disk throughput",
            "Filesystem usage",
            "Fullest filesystem",
        ),
        "Network traffic and latency": (
            "Network traffic",
            "Network errors and drops",
            "Scrape duration per job",
        ),
        "Container health status": ("Service health (scrape targets up)", "Targets down", "Firing alerts"),
    },
    sections=sections,
)
