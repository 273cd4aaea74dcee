"""Run the health checks now, in this process (nothing cached), and exit with the status:
0 healthy, 1 degraded, 2 unhealthy; 3 for an unknown component. Fit for a container's
HEALTHCHECK: `python manage.py health_check --component database`.
"""

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring import health
from monitoring.health import HealthReport, Status

EXIT_CODES = {Status.HEALTHY: 0, Status.DEGRADED: 1, Status.UNHEALTHY: 2}
UNKNOWN_COMPONENT_EXIT_CODE = 3


@contextmanager
def _logs_to_stderr() -> Iterator[None]:
    """The JSON log handler writes to stdout; while --json prints, stdout must hold nothing
    but the report, so a library's warning (django-redis, kombu) goes to stderr instead."""
    moved = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout
    ]
    for handler in moved:
        handler.setStream(sys.stderr)
    try:
        yield
    finally:
        for handler in moved:
            handler.setStream(sys.stdout)


class Command(BaseCommand):
    help = (
        "Run the health checks now (not cached) and exit 0 when healthy, 1 when degraded, "
        "2 when unhealthy. With --component, the worst of the named components decides."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--component",
            action="append",
            dest="components",
            metavar="NAME",
            help="Check only this component (repeatable): database, cache, broker, celery_workers, ...",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            dest="as_json",
            help="Print the report as JSON (/health/overall's shape).",
        )

    def handle(self, *args: Any, components: list[str] | None, as_json: bool, **options: Any) -> None:
        try:
            checks = health.monitor.checks_for(components)
        except health.UnknownComponentError as error:
            raise CommandError(str(error), returncode=UNKNOWN_COMPONENT_EXIT_CODE) from None
        with _logs_to_stderr() if as_json else nullcontext():
            report = HealthReport(health.run_checks(checks))
            # Named components: any of them unhealthy is what the caller asked about.
            status = health.worst_status(report.results.values()) if components else report.status
            self.stdout.write(self._as_json(report, status) if as_json else self._as_table(report, status))
        if EXIT_CODES[status]:
            sys.exit(EXIT_CODES[status])

    @staticmethod
    def _as_json(report: HealthReport, status: Status) -> str:
        return json.dumps({**report.as_dict(), "status": status.value}, indent=2)

    @staticmethod
    def _as_table(report: HealthReport, status: Status) -> str:
        rows = [("COMPONENT", "STATUS", "LATENCY", "DETAIL")] + [
            (
                component,
                result.status.value,
                f"{result.duration_seconds * 1000:.1f} ms",
                result.error or result.detail,
            )
            for component, result in report.results.items()
        ]
        widths = [max(len(row[column]) for row in rows) for column in range(3)]
        lines = [
            f"{name:<{widths[0]}}  {state:<{widths[1]}}  {latency:>{widths[2]}}  {detail}".rstrip()
            for name, state, latency, detail in rows
        ]
        return "\n".join([*lines, "", f"overall: {status.value}"])
