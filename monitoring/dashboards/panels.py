"""One helper per kind of panel, shared by the six dashboards.

A dashboard module says what to show (title, description, queries) and which threshold of
`assistant/core/thresholds.py` colours it. These helpers give every panel the same shape: its
datasource by uid, its unit, threshold steps drawn from that module (never a number typed
here), refIds, legend and size.
"""

import string
from dataclasses import dataclass
from typing import TypeVar

from grafana_foundation_sdk.builders import (
    bargauge,
    gauge,
    heatmap,
    logs,
    loki,
    prometheus,
    stat,
    table,
    timeseries,
)
from grafana_foundation_sdk.builders import common as common_builders
from grafana_foundation_sdk.builders import dashboard as dashboard_builders
from grafana_foundation_sdk.models import common
from grafana_foundation_sdk.models import dashboard as dashboard_models
from grafana_foundation_sdk.models import heatmap as heatmap_models
from grafana_foundation_sdk.models.prometheus import PromQueryFormat

from assistant.core.thresholds import Threshold, threshold_name
from monitoring.dashboards.datasources import LOKI, PROMETHEUS
from monitoring.dashboards.logql import LogQuery

OK, WARNING, CRITICAL, NEUTRAL = "green", "yellow", "red", "blue"
REF_IDS = string.ascii_uppercase

# Panel sizes on Grafana's 24-column grid.
FULL, HALF, THIRD, QUARTER = 24, 12, 8, 6
GRAPH_HEIGHT, STAT_HEIGHT, LOGS_HEIGHT = 8, 5, 10

P = TypeVar("P", timeseries.Panel, stat.Panel, gauge.Panel, bargauge.Panel, table.Panel, heatmap.Panel)


@dataclass(frozen=True)
class Prom:
    """One PromQL query of a panel, and how its series are named in the legend."""

    expr: str
    legend: str = ""


# Said by every ratio panel: with no traffic in its window there is nothing to divide by (see
# monitoring.promql.ratio), which Grafana shows as no data or NaN; a ratio of 0 is a real 0.
NO_TRAFFIC_NO_RATIO = "No data or NaN: no traffic in the window."

# Value mappings of health_check_status and other 1 / 0.5 / 0 gauges.
HEALTH_STATES = dashboard_models.ValueMap(
    options={
        "1": dashboard_models.ValueMappingResult(text="healthy", color=OK, index=0),
        "0.5": dashboard_models.ValueMappingResult(text="degraded", color=WARNING, index=1),
        "0": dashboard_models.ValueMappingResult(text="unhealthy", color=CRITICAL, index=2),
    }
)
UP_STATES = dashboard_models.ValueMap(
    options={
        "1": dashboard_models.ValueMappingResult(text="up", color=OK, index=0),
        "0": dashboard_models.ValueMappingResult(text="down", color=CRITICAL, index=1),
    }
)


# --- Thresholds --------------------------------------------------------------------------------


def threshold_steps(threshold: Threshold | None) -> list[tuple[float | None, str]]:
    """(value, colour) steps, lowest first; the first step has no value (it starts at -inf)."""
    if threshold is None:
        return [(None, NEUTRAL)]
    warning, critical = threshold.warning, threshold.critical
    if threshold.lower_is_worse:
        steps: list[tuple[float | None, str]] = [(None, CRITICAL if critical is not None else WARNING)]
        if critical is not None:
            steps.append((critical, WARNING if warning is not None else OK))
        if warning is not None:
            steps.append((warning, OK))
        return steps
    steps = [(None, OK)]
    if warning is not None:
        steps.append((warning, WARNING))
    if critical is not None:
        steps.append((critical, CRITICAL))
    return steps


def _thresholds_config(threshold: Threshold | None) -> dashboard_builders.ThresholdsConfig:
    steps = [
        dashboard_models.Threshold(value=value, color=colour) for value, colour in threshold_steps(threshold)
    ]
    return dashboard_builders.ThresholdsConfig().mode(dashboard_models.ThresholdsMode.ABSOLUTE).steps(steps)


def _format_value(value: float, unit: str) -> str:
    if unit == "percentunit":
        return f"{value * 100:g}%"
    if unit == "s":
        return f"{value:g} s"
    return f"{value:g}"


def _description(text: str, threshold: Threshold | None) -> str:
    """The panel's description, naming the threshold that colours it and where it lives."""
    if threshold is None:
        return text
    direction = "below" if threshold.lower_is_worse else "at"
    levels = [
        f"{colour} {direction} {_format_value(value, threshold.unit)}"
        for value, colour in ((threshold.warning, WARNING), (threshold.critical, CRITICAL))
        if value is not None
    ]
    return (
        f"{text} Turns {' and '.join(levels)} ({threshold_name(threshold)} in assistant/core/thresholds.py)."
    )


def _unit(unit: str | None, threshold: Threshold | None) -> str:
    if threshold is not None:
        if unit is not None and unit != threshold.unit:
            raise ValueError(f"unit {unit!r} differs from the threshold's {threshold.unit!r}")
        return threshold.unit
    if unit is None:
        raise ValueError("a panel without a threshold needs a unit")
    return unit


def _common(
    panel: P,
    *,
    title: str,
    description: str,
    unit: str | None,
    width: int,
    threshold: Threshold | None = None,
    height: int = GRAPH_HEIGHT,
) -> P:
    return (
        panel.title(title)
        .description(_description(description, threshold))
        .unit(_unit(unit, threshold))
        .thresholds(_thresholds_config(threshold))
        .span(width)
        .height(height)
    )


def _with_prometheus_targets(
    panel: P, queries: tuple[Prom, ...], *, instant: bool = False, query_format: PromQueryFormat | None = None
) -> P:
    if not queries or len(queries) > len(REF_IDS):
        raise ValueError(f"a panel takes 1 to {len(REF_IDS)} queries, not {len(queries)}")
    panel.datasource(PROMETHEUS.ref)
    for ref_id, query in zip(REF_IDS, queries, strict=False):
        target = prometheus.Dataquery().expr(query.expr).ref_id(ref_id).datasource(PROMETHEUS.ref)
        if query.legend:
            target.legend_format(query.legend)
        if instant:
            target.instant()
        if query_format:
            target.format(query_format)
        panel.with_target(target)
    return panel


def _last_value() -> common_builders.ReduceDataOptions:
    return common_builders.ReduceDataOptions().calcs(["lastNotNull"]).values(False)


# --- Panels ------------------------------------------------------------------------------------


def timeseries_panel(
    title: str,
    description: str,
    *queries: Prom,
    unit: str | None = None,
    threshold: Threshold | None = None,
    stacked: bool = False,
    width: int = HALF,
) -> timeseries.Panel:
    """A graph over time; the threshold, if any, is drawn as dashed lines."""
    panel = (
        timeseries.Panel()
        .min(0)
        .fill_opacity(10 if not stacked else 40)
        .line_width(1)
        .show_points(common.VisibilityMode.NEVER)
        .legend(
            common_builders.VizLegendOptions()
            .display_mode(common.LegendDisplayMode.TABLE)
            .placement(common.LegendPlacement.BOTTOM)
            .show_legend(True)
            .calcs(["mean", "max", "lastNotNull"])
        )
        .tooltip(
            common_builders.VizTooltipOptions()
            .mode(common.TooltipDisplayMode.MULTI)
            .sort(common.SortOrder.DESCENDING)
        )
        .thresholds_style(
            common_builders.GraphThresholdsStyleConfig().mode(
                common.GraphThresholdsStyleMode.DASHED if threshold else common.GraphThresholdsStyleMode.OFF
            )
        )
    )
    if stacked:
        panel.stacking(common_builders.StackingConfig().mode(common.StackingMode.NORMAL))
    _common(
        panel,
        title=title,
        description=description,
        unit=unit,
        threshold=threshold,
        width=width,
        height=GRAPH_HEIGHT,
    )
    return _with_prometheus_targets(panel, queries)


def stat_panel(
    title: str,
    description: str,
    *queries: Prom,
    unit: str | None = None,
    threshold: Threshold | None = None,
    mappings: list[dashboard_models.ValueMapping] | None = None,
    width: int = QUARTER,
) -> stat.Panel:
    """One big number per series (its last value), coloured by the threshold, with a sparkline."""
    panel = (
        stat.Panel()
        .reduce_options(_last_value())
        .graph_mode(common.BigValueGraphMode.AREA)
        .color_mode(common.BigValueColorMode.BACKGROUND if mappings else common.BigValueColorMode.VALUE)
        .text_mode(common.BigValueTextMode.AUTO)
        .justify_mode(common.BigValueJustifyMode.AUTO)
        .orientation(common.VizOrientation.AUTO)
    )
    if mappings:
        panel.mappings(mappings)
    _common(
        panel,
        title=title,
        description=description,
        unit=unit,
        threshold=threshold,
        width=width,
        height=STAT_HEIGHT,
    )
    return _with_prometheus_targets(panel, queries)


def gauge_panel(
    title: str,
    description: str,
    *queries: Prom,
    threshold: Threshold,
    width: int = QUARTER,
) -> gauge.Panel:
    """A dial of the current value of a ratio (0-1), with its threshold markers."""
    panel = (
        gauge.Panel()
        .reduce_options(_last_value())
        .min(0)
        .max(1)
        .show_threshold_markers(True)
        .show_threshold_labels(False)
    )
    _common(
        panel,
        title=title,
        description=description,
        unit=None,
        threshold=threshold,
        width=width,
        height=STAT_HEIGHT,
    )
    return _with_prometheus_targets(panel, queries, instant=True)


def bargauge_panel(
    title: str,
    description: str,
    *queries: Prom,
    unit: str,
    max_value: float | None = None,
    width: int = HALF,
) -> bargauge.Panel:
    """One bar per series, for comparing the current values of a small set (features, providers)."""
    panel = (
        bargauge.Panel()
        .reduce_options(_last_value())
        .orientation(common.VizOrientation.HORIZONTAL)
        .display_mode(common.BarGaugeDisplayMode.GRADIENT)
        .show_unfilled(True)
        .min(0)
    )
    if max_value is not None:
        panel.max(max_value)
    _common(
        panel,
        title=title,
        description=description,
        unit=unit,
        width=width,
    )
    return _with_prometheus_targets(panel, queries, instant=True)


def table_panel(
    title: str,
    description: str,
    *queries: Prom,
    unit: str,
    width: int = HALF,
) -> table.Panel:
    """The current series of an instant query as rows (one column per label)."""
    panel = table.Panel().show_header(True).cell_height(common.TableCellHeight.SM)
    _common(
        panel,
        title=title,
        description=description,
        unit=unit,
        width=width,
    )
    return _with_prometheus_targets(panel, queries, instant=True, query_format=PromQueryFormat.TABLE)


def heatmap_panel(
    title: str, description: str, buckets: Prom, *, unit: str, width: int = FULL
) -> heatmap.Panel:
    """How a histogram's observations spread over its buckets through time: one row per bucket
    (the query keeps `le`), darker where more observations fell."""
    panel = (
        heatmap.Panel()
        .calculate(False)  # the buckets are Prometheus' own: Grafana must not re-bucket them
        .color(
            heatmap.HeatmapColorOptions()
            .mode(heatmap_models.HeatmapColorMode.SCHEME)
            .scheme("Oranges")
            .scale(heatmap_models.HeatmapColorScale.EXPONENTIAL)
            .exponent(0.5)
            .steps(64)
        )
        .y_axis(heatmap.YAxisConfig().unit(unit))
        .cell_values(heatmap.CellValues().unit("reqps"))
        .rows_frame(heatmap.RowsHeatmapOptions().layout(common.HeatmapCellLayout.LE))
        .tooltip(heatmap.HeatmapTooltip().mode(common.TooltipDisplayMode.SINGLE).y_histogram(True))
        .show_legend()
    )
    _common(
        panel,
        title=title,
        description=description,
        unit=unit,
        width=width,
    )
    return _with_prometheus_targets(panel, (buckets,), query_format=PromQueryFormat.HEATMAP)


def logs_panel(query: LogQuery, *, width: int = HALF) -> logs.Panel:
    """The lines of one LogQL query of monitoring/dashboards/logql.py, newest first.

    Log lines have no unit: this is the only kind of panel without one.
    """
    return (
        logs.Panel()
        .title(query.title)
        .description(f"{query.description} LogQL: {query.expr}")
        .datasource(LOKI.ref)
        .show_time(True)
        .wrap_log_message(True)
        .enable_log_details(True)
        .prettify_log_message(False)
        .show_labels(False)
        .show_common_labels(False)
        .sort_order(common.LogsSortOrder.DESCENDING)
        .dedup_strategy(common.LogsDedupStrategy.NONE)
        .span(width)
        .height(LOGS_HEIGHT)
        .with_target(loki.Dataquery().expr(query.expr).ref_id("A").datasource(LOKI.ref).query_type("range"))
    )
