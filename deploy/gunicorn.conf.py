"""Gunicorn in production: `gunicorn -c deploy/gunicorn.conf.py` from the project root.

Every setting can be changed from the environment, so one image serves every deployment.
"""

import glob
import multiprocessing
import os
import subprocess
import sys
import tempfile
from typing import Any

from gunicorn import glogging

# Set before anything imports prometheus_client: it picks its storage once, at import.
# Workers are forked after this file is read (no preload), so they inherit the variable and
# each writes its own files, which /metrics then sums.
PROMETHEUS_MULTIPROC_DIR = os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", os.path.join(tempfile.gettempdir(), "assistant-prometheus-multiproc")
)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

wsgi_app = "config.wsgi:application"

# A container listens on every interface; the proxy in front is what faces the network.
bind = [address.strip() for address in os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")]
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
# Only the threaded and async worker classes keep connections open; sync closes each one.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# Recycling is off by default: each recycled worker leaves its metric files behind, and
# every scrape reads all of them.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "0"))
max_requests_jitter = int(os.environ.get("GUNICORN_MAX_REQUESTS_JITTER", "0"))

# The heartbeat file is touched constantly; on a disk-backed /tmp (common in containers)
# that can stall workers long enough for the master to kill them. Memory-backed instead;
# gunicorn creates its own unlinked file there, so a shared directory is no risk.
_SHM = "/dev/shm"  # noqa: S108
if os.path.isdir(_SHM):
    worker_tmp_dir = _SHM

# Only these proxies may set X-Forwarded-Proto/For, which decide what is "https".
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# gunicorn's runtime control socket (resize, reload) is off unless a path is given: nothing
# here uses it, and by default every instance of a user would share one path in $HOME.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]


class LoggerWithoutAccessLines(glogging.Logger):
    """gunicorn's logger minus its access line. The app's RequestLogMiddleware writes one JSON
    line per request, with its request id and user; gunicorn writes its own as soon as a
    `logconfig_dict` is set (whatever `accesslog` says), which doubled every request's log and
    cost the worker a second formatted line."""

    def access(self, resp: Any, req: Any, environ: Any, request_time: Any) -> None:
        pass


logger_class = LoggerWithoutAccessLines
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's own lines (worker boots, timeouts, kills) in the app's JSON with its `level`, so
# they reach the Errors panel. The master never loads Django settings, so it is told the
# service name the settings would give.
logconfig_dict = {
    "formatters": {
        "json": {
            "()": "assistant.core.logging.JsonFormatter",
            "service": os.environ.get("SERVICE_NAME", "assistant-api"),
        }
    },
    "handlers": {
        "stderr": {"class": "logging.StreamHandler", "stream": "ext://sys.stderr", "formatter": "json"}
    },
    "root": {"level": "WARNING", "handlers": ["stderr"]},
    "loggers": {"gunicorn.error": {"level": loglevel.upper(), "handlers": ["stderr"], "propagate": False}},
}


def on_starting(server: Any) -> None:
    """Refuse an incomplete configuration, then start from an empty metrics directory (a
    previous run's files would be counted again)."""
    _system_checks_pass_or_exit(server.log)
    os.makedirs(PROMETHEUS_MULTIPROC_DIR, exist_ok=True)
    # Only prometheus_client's own files, in case the directory was pointed somewhere shared.
    for path in glob.glob(os.path.join(PROMETHEUS_MULTIPROC_DIR, "*.db")):
        os.remove(path)


def _system_checks_pass_or_exit(log: Any) -> None:
    """Django's system checks, as `migrate` runs them: under production settings an error names
    each missing piece (assistant/core/checks.py), and no worker starts. In a child process, so
    the master stays free of Django and its metrics, as with no preload. Its report goes into
    one JSON line of the master's, like every other line."""
    env = {key: value for key, value in os.environ.items() if key != "PROMETHEUS_MULTIPROC_DIR"}
    manage = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "manage.py")
    checked = subprocess.run(  # noqa: S603
        [sys.executable, manage, "check", "--fail-level", "ERROR"],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if checked.returncode != 0:
        log.error(
            "the system checks failed; not starting",
            extra={"event": "system_checks_failed", "report": checked.stderr},
        )
        sys.exit(1)


def child_exit(server: Any, worker: Any) -> None:
    """Drop the dead worker's live gauges; its counters stay, so totals never go backwards."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    """Run the health checks once in the background as the worker starts, so the first probe
    (an orchestrator's readiness check) is answered from results rather than waiting for them.
    peek() first prepares the checks here, in the worker's main thread: what they import is
    imported before any of their threads starts (monitoring/health.py)."""
    from monitoring.health import monitor

    monitor.peek()
