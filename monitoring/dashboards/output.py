"""What `generate_dashboards` writes under deploy/grafana/, and every query the dashboards run."""

import json
from dataclasses import dataclass
from pathlib import Path

from monitoring import generated
from monitoring.dashboards import DASHBOARDS
from monitoring.dashboards.promql import expand_variables
from monitoring.dashboards.provisioning import dashboards_yaml, datasources_yaml

DASHBOARDS_DIR = "dashboards"
DATASOURCES_FILE = "provisioning/datasources/datasources.yml"
DASHBOARD_PROVIDERS_FILE = "provisioning/dashboards/dashboards.yml"


def generated_files() -> dict[str, str]:
    """Path relative to the output directory -> content. Same input, same bytes."""
    files = {f"{DASHBOARDS_DIR}/{spec.filename}": spec.to_json() for spec in DASHBOARDS}
    files[DATASOURCES_FILE] = datasources_yaml()
    files[DASHBOARD_PROVIDERS_FILE] = dashboards_yaml()
    return dict(sorted(files.items()))


def _unexpected_dashboards(directory: Path, expected: dict[str, str]) -> list[str]:
    """Dashboard JSON left in the output by a dashboard that no longer exists."""
    found = (path.relative_to(directory).as_posix() for path in (directory / DASHBOARDS_DIR).glob("*.json"))
    return sorted(name for name in found if name not in expected)


def stale_files(directory: Path) -> list[str]:
    """Files under `directory` that are missing, differ from what would be generated, or are left over."""
    expected = generated_files()
    return sorted(generated.stale(directory, expected) + _unexpected_dashboards(directory, expected))


def write_files(directory: Path) -> list[str]:
    """Write every generated file that changed, remove left-over dashboards; return what changed."""
    expected = generated_files()
    left_over = _unexpected_dashboards(directory, expected)
    for name in left_over:
        (directory / name).unlink()
    return sorted(generated.write(directory, expected) + left_over)


@dataclass(frozen=True)
class PanelQuery:
    """One query of one panel, as the generated JSON holds it."""

    dashboard: str  # the dashboard's uid
    panel: str  # the panel's title
    ref_id: str
    datasource: str  # "prometheus" or "loki"
    expr: str
    jobs: str  # the dashboard's $job scope

    @property
    def evaluable(self) -> str:
        """The expression as Grafana sends it with "All" selected for `$job` and `$instance`."""
        return expand_variables(self.expr, jobs=self.jobs)


def panel_queries() -> list[PanelQuery]:
    """Every query of every panel of the six dashboards, read back from the generated JSON."""
    queries = []
    for spec in DASHBOARDS:
        for panel in json.loads(spec.to_json())["panels"]:
            for target in panel.get("targets", []):
                queries.append(
                    PanelQuery(
                        dashboard=spec.uid,
                        panel=panel["title"],
                        ref_id=target["refId"],
                        datasource=target["datasource"]["type"],
                        expr=target["expr"],
                        jobs=spec.jobs,
                    )
                )
    return queries
