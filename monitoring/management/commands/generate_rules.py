"""Write the Prometheus alert rules defined in monitoring/alerting.py (see that module)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring import alerting, generated


class Command(BaseCommand):
    help = (
        "Write deploy/prometheus/rules/{critical,warning,info}.yml from monitoring/alerting.py. "
        "With --check, write nothing and fail when the files there differ from what would be written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "deploy" / "prometheus" / "rules",
            help="Directory of the rule files (default: deploy/prometheus/rules).",
        )
        parser.add_argument(
            "--check", action="store_true", help="Fail (exit 1) when the files are missing or stale."
        )
        parser.add_argument(
            "--runbook-base-url",
            default=alerting.RUNBOOK_BASE_URL,
            help=f"What runbook_url links start with (default: {alerting.RUNBOOK_BASE_URL}).",
        )

    def handle(
        self, *args: object, output: Path, check: bool, runbook_base_url: str, **options: object
    ) -> None:
        files = alerting.render_rule_files(runbook_base_url=runbook_base_url)
        if check:
            stale = generated.stale(output, files)
            if stale:
                raise CommandError(
                    f"Stale alert rules in {output}: {', '.join(stale)}. "
                    "Run `python manage.py generate_rules` and commit the result."
                )
            self.stdout.write(f"Alert rules in {output} are up to date ({len(files)} files).")
            return
        generated.write(output, files)
        count = len(alerting.all_rules())
        self.stdout.write(f"Wrote {count} alert rules to {', '.join(str(output / name) for name in files)}.")
