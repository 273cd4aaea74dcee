"""What every dashboard has in common: its variables, links, layout, ids, and how it is built."""

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.cog.builder import Builder
from grafana_foundation_sdk.cog.encoder import JSONEncoder
from grafana_foundation_sdk.models import dashboard as dashboard_models

from monitoring.dashboards.datasources import PROMETHEUS

TAG = "tdah-assistant"
GRID_WIDTH = 24
ALL = dashboard_models.VariableOption(selected=True, text="All", value="$__all")


@dataclass(frozen=True)
class Section:
    """A row of the dashboard: a title and the panels under it, left to right."""

    title: str
    panels: Sequence[Builder[dashboard_models.Panel]]


@dataclass(frozen=True)
class DashboardSpec:
    slug: str  # file name and uid
    title: str
    description: str
    guide_section: str  # the heading of this dashboard in the monitoring guide
    # The Prometheus jobs whose series `$job` selects (a regex, also its "All" value).
    jobs: str
    # Each "Key Metrics" bullet of the guide -> the titles of the panels that answer it.
    key_metrics: Mapping[str, tuple[str, ...]]
    # Builds fresh panel builders on each call: builders are mutable, the output must not be.
    sections: Callable[[], list[Section]]

    @property
    def uid(self) -> str:
        return f"tdah-{self.slug}"

    @property
    def filename(self) -> str:
        return f"{self.slug}.json"

    def build(self) -> dashboard_models.Dashboard:
        builder = (
            dashboard_builders.Dashboard(f"TDAH Assistant / {self.title}")
            .uid(self.uid)
            .description(self.description)
            .tags([TAG, "generated"])
            .readonly()
            .time("now-6h", "now")
            .refresh("1m")
            .timezone("browser")
            .tooltip(dashboard_models.DashboardCursorSync.CROSSHAIR)
            .with_variable(_job_variable(self.jobs))
            .with_variable(_instance_variable())
            .link(
                dashboard_builders.DashboardLink("Dashboards")
                .type(dashboard_models.DashboardLinkType.DASHBOARDS)
                .tags([TAG])
                .as_dropdown(True)
                .keep_time(True)
                .include_vars(False)
                .target_blank(False)
                .icon("external link")
                .tooltip("The other TDAH Assistant dashboards")
            )
        )
        for section in self.sections():
            builder.with_row(dashboard_builders.Row(section.title))
            for panel in section.panels:
                builder.with_panel(panel)
        dashboard = builder.build()
        _lay_out(dashboard.panels or [])
        for panel_id, built in enumerate(dashboard.panels or [], start=1):
            built.id_val = panel_id
        return dashboard

    def to_json(self) -> str:
        """The dashboard as Grafana reads it: sorted keys, stable ids, no timestamps."""
        return JSONEncoder(sort_keys=True, indent=2).encode(self.build()) + "\n"


def _lay_out(panels: list[dashboard_models.Panel | dashboard_models.RowPanel]) -> None:
    """Place panels left to right, wrapping to a new line when one would cross the grid's edge."""
    x = y = line_height = 0
    for panel in panels:
        position = panel.grid_pos
        assert position is not None  # every builder gives its panel one
        if isinstance(panel, dashboard_models.RowPanel):
            x, y, line_height = 0, y + line_height, 0
            position.x, position.y = 0, y
            y += position.h
            continue
        if x + position.w > GRID_WIDTH:
            x, y, line_height = 0, y + line_height, 0
        position.x, position.y = x, y
        x += position.w
        line_height = max(line_height, position.h)


def _job_variable(jobs: str) -> dashboard_builders.QueryVariable:
    return (
        dashboard_builders.QueryVariable("job")
        .label("Job")
        .description(f"Prometheus jobs whose series the app panels show ({jobs}).")
        .datasource(PROMETHEUS.ref)
        .query(f'label_values(up{{job=~"{jobs}"}}, job)')
        .definition(f'label_values(up{{job=~"{jobs}"}}, job)')
        .refresh(dashboard_models.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dashboard_models.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(jobs)
        .current(ALL)
    )


def _instance_variable() -> dashboard_builders.QueryVariable:
    return (
        dashboard_builders.QueryVariable("instance")
        .label("Instance")
        .description("Scrape targets (host:port) of the selected jobs.")
        .datasource(PROMETHEUS.ref)
        .query('label_values(up{job=~"$job"}, instance)')
        .definition('label_values(up{job=~"$job"}, instance)')
        .refresh(dashboard_models.VariableRefresh.ON_TIME_RANGE_CHANGED)
        .sort(dashboard_models.VariableSort.ALPHABETICAL_ASC)
        .multi(True)
        .include_all(True)
        .all_value(".*")
        .current(ALL)
    )
