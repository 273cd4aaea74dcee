"""What the HealthMonitor tests share (no tests here)."""

import threading

# The checks /health/overall runs, in the order it reports them.
OVERALL_COMPONENTS = [
    "database",
    "cache",
    "broker",
    "celery_workers",
    "celery_beat",
    "disk",
    "memory",
    "twilio",
    "google",
    "microsoft",
    "notion",
]
REFRESH_THREAD = "health-refresh"  # the name HealthMonitor gives its background refresh


def wait_for_background_refresh(timeout: float = 5) -> None:
    """Return once the background refreshes running now have finished."""
    for thread in threading.enumerate():
        if thread.name == REFRESH_THREAD:
            thread.join(timeout=timeout)
