"""Write the six Grafana dashboards and Grafana's provisioning files (or check they are current)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from monitoring.dashboards.output import generated_files, stale_files, write_files


class Command(BaseCommand):
    help = (
        "Build the Grafana dashboards from monitoring/dashboards/ and write them, with the "
        "datasource and dashboard provisioning files, under --output (default deploy/grafana). "
        "With --check, write nothing and fail if the files there are not what would be written."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--output",
            type=Path,
            default=Path(settings.BASE_DIR) / "deploy" / "grafana",
            help="Directory to write into (default: deploy/grafana of the project).",
        )
        parser.add_argument(
            "--check",
            action="store_true",
            help="Exit non-zero, naming the files, when the output directory is stale.",
        )

    def handle(self, *args: object, output: Path, check: bool, **options: object) -> None:
        if check:
            stale = stale_files(output)
            if stale:
                names = "\n".join(f"  {output / name}" for name in stale)
                raise CommandError(
                    f"{len(stale)} generated Grafana file(s) are stale; run `manage.py "
                    f"generate_dashboards`:\n{names}"
                )
            self.stdout.write(f"{len(generated_files())} Grafana files in {output} are up to date.")
            return
        changed = write_files(output)
        for name in changed:
            self.stdout.write(f"wrote {output / name}")
        self.stdout.write(
            self.style.SUCCESS(f"{len(generated_files())} Grafana files in {output}, {len(changed)} changed.")
        )
