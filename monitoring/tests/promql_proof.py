"""What the Prometheus proof evaluates, and how: the queries of the generated dashboards (with
their template variables filled in as Grafana would), the shipped rules, and the signals behind
each alert condition, run through Prometheus' HTTP API.

An alert expression is empty whenever its condition is not met, which says nothing about
whether it could ever fire. So each alert is also split into its signals: the operands of its
top-level `and` / `or` / `unless`, each with a comparison against a constant taken off
(`rate(x[5m]) > 0.05` -> `rate(x[5m])`). A signal with data shows the metric the alert watches
exists under that name and those labels.
"""

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
import yaml

from deploy.local.render import duration_seconds

# Grafana's built-in variables, as a dashboard over the last hours with a 15 s scrape sees them.
GRAFANA_BUILTINS: dict[str, str] = {
    "__rate_interval": "1m",
    "__interval": "15s",
    "__interval_ms": "15000",
    "__range": "6h",
    "__range_s": "21600",
    "__range_ms": "21600000",
}
_VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
_LABEL_VALUES = re.compile(r"^\s*label_values\(\s*(?:(?P<match>.+?)\s*,\s*)?(?P<label>\w+)\s*\)\s*$")
_COMPARISONS = ("==", "!=", ">=", "<=", ">", "<")
_SET_OPERATORS = ("or", "unless", "and")  # lowest precedence first
_NAME_CHAR = re.compile(r"[A-Za-z0-9_:]")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$|^[+-]?(Inf|NaN)$", re.IGNORECASE)
_ABSENT = re.compile(r"^absent(?:_over_time)?\s*\(")
_MODIFIER = re.compile(
    r"^\s*(?:bool\s*)?(?:(?:on|ignoring)\s*\([^)]*\)\s*)?(?:(?:group_left|group_right)\s*(?:\([^)]*\))?)?"
)


@dataclass(frozen=True)
class Result:
    error: str | None
    series: int  # vector/matrix elements (a scalar or string counts as one)
    labels: tuple[str, ...] = ()  # the first few series' labels, for a report
    values: tuple[float, ...] = ()  # every element's value (NaN and infinities included)

    @property
    def empty(self) -> bool:
        return self.error is None and self.series == 0


class PrometheusApi:
    """The few endpoints of Prometheus' HTTP API (/api/v1) the proof needs."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.session = requests.Session()

    def _get(self, path: str, **params: Any) -> dict[str, Any]:
        response = self.session.get(f"{self.base_url}/api/v1/{path}", params=params, timeout=10)
        body = response.json()
        if body.get("status") != "success":
            raise PrometheusError(f"{path}: {body.get('errorType')}: {body.get('error')}")
        return body["data"]

    def query(self, expr: str) -> Result:
        try:
            data = self._get("query", query=expr)
        except PrometheusError as error:
            return Result(error=str(error), series=0)
        result = data["result"]
        if data["resultType"] == "scalar":
            return Result(error=None, series=1, values=(float(result[1]),))
        if data["resultType"] != "vector":
            return Result(error=None, series=1 if data["resultType"] == "string" else len(result))
        labels = tuple(
            "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(item["metric"].items())) + "}"
            for item in result[:3]
        )
        values = tuple(float(item["value"][1]) for item in result)
        return Result(error=None, series=len(result), labels=labels, values=values)

    def targets(self) -> list[dict[str, Any]]:
        return self._get("targets", state="active")["activeTargets"]

    def rule_groups(self) -> list[dict[str, Any]]:
        return self._get("rules")["groups"]

    def alerts(self) -> list[dict[str, Any]]:
        """Alerts pending or firing now (state, labels, activeAt)."""
        return self._get("alerts")["alerts"]

    def label_values(self, label: str, match: str | None) -> list[str]:
        params = {"match[]": match} if match else {}
        return self._get(f"label/{label}/values", **params)


class PrometheusError(RuntimeError):
    pass


def parse_time(value: str) -> float:
    """Prometheus' RFC 3339 timestamps carry nanoseconds; Python reads at most microseconds."""
    head, _, fraction = value.rstrip("Z").partition(".")
    return datetime.fromisoformat(f"{head}.{(fraction or '0')[:6]}+00:00").timestamp()


@dataclass(frozen=True)
class Query:
    key: str  # what the allow-list and the report call it
    expr: str  # as written in the dashboard or rule file
    query: str  # as sent to Prometheus


# --- dashboards -------------------------------------------------------------------------------


def dashboard_queries(paths: list[Path], api: PrometheusApi) -> list[Query]:
    """Every PromQL target of every panel (rows' nested panels too); Loki targets are left out."""
    queries = []
    for path in paths:
        dashboard = json.loads(path.read_text())
        variables = _resolve_variables(dashboard, api)
        for panel in all_panels(dashboard.get("panels") or []):
            for target in panel.get("targets") or []:
                if datasource_type(target, panel) != "prometheus" or not target.get("expr"):
                    continue
                queries.append(
                    Query(
                        key=f"{dashboard['title']} / {panel.get('title', '?')} [{target.get('refId', '?')}]",
                        expr=target["expr"],
                        query=interpolate(target["expr"], variables),
                    )
                )
    return queries


def all_panels(panels: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for panel in panels:
        yield panel
        yield from all_panels(panel.get("panels") or [])  # a collapsed row keeps its panels inside


def datasource_type(target: dict[str, Any], panel: dict[str, Any]) -> str | None:
    source = target.get("datasource") or panel.get("datasource")
    if isinstance(source, dict):
        return source.get("type")
    return None


def interpolate(expr: str, variables: Mapping[str, str]) -> str:
    """Replace `$name`, `${name}`, `${name:format}` and `[[name]]` as Grafana does."""

    def value(match: re.Match[str]) -> str:
        name = next(group for group in match.groups() if group)
        if name in variables:
            return variables[name]
        if name in GRAFANA_BUILTINS:
            return GRAFANA_BUILTINS[name]
        raise KeyError(f"{expr!r} uses ${name}, which is neither a dashboard variable nor a known built-in")

    return _VARIABLE.sub(value, expr)


def _resolve_variables(dashboard: dict[str, Any], api: PrometheusApi) -> dict[str, str]:
    """Each variable's value with its saved selection ("All": its allValue, or every value)."""
    resolved: dict[str, str] = {}
    for variable in (dashboard.get("templating") or {}).get("list") or []:
        name, current = variable["name"], (variable.get("current") or {}).get("value")
        selected = current if isinstance(current, list) else [current]
        if variable.get("includeAll") and "$__all" in selected:
            if variable.get("allValue"):
                resolved[name] = variable["allValue"]
            else:
                resolved[name] = _alternation(_variable_values(variable, resolved, api))
        elif current not in (None, "", []):
            resolved[name] = _alternation(selected) if len(selected) > 1 else str(selected[0])
        else:
            options = _variable_values(variable, resolved, api)
            if not options:
                raise ValueError(f"variable ${name} of {dashboard['title']!r} has no value to select")
            resolved[name] = options[0]
    return resolved


def _variable_values(variable: dict[str, Any], resolved: dict[str, str], api: PrometheusApi) -> list[str]:
    query = variable.get("query")
    if isinstance(query, dict):
        query = query.get("query")
    if variable.get("type") == "custom":
        return [option.strip() for option in str(query).split(",")]
    match = _LABEL_VALUES.match(interpolate(str(query), resolved))
    if variable.get("type") != "query" or match is None:
        raise ValueError(
            f"variable ${variable['name']}: only label_values() queries are understood: {query!r}"
        )
    return api.label_values(match["label"], match["match"])


def _alternation(values: list[str]) -> str:
    return "(" + "|".join(re.escape(value) for value in values) + ")"


# --- rules ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rule:
    name: str  # the alert's or the recording's name
    kind: str  # "alert" or "record"
    expr: str
    file: str
    severity: str = ""

    @property
    def key(self) -> str:
        """Alerts of one name come in severities (warning and critical thresholds)."""
        return f"{self.name} ({self.severity})" if self.severity else self.name


def rules_in(paths: list[Path]) -> list[Rule]:
    rules = []
    for path in paths:
        for group in (yaml.safe_load(path.read_text()) or {}).get("groups") or []:
            for rule in group.get("rules") or []:
                kind = "alert" if "alert" in rule else "record"
                severity = (rule.get("labels") or {}).get("severity", "")
                rules.append(Rule(rule[kind], kind, str(rule["expr"]), path.name, severity))
    return rules


def signals(expr: str) -> list[str]:
    """The data an alert condition reads (see the module's docstring); `expr` itself when it
    compares nothing."""
    expr = _unwrap(expr.strip())
    if (opening := _ABSENT.match(expr)) and _closing(expr, opening.end() - 1) == len(expr) - 1:
        return signals(expr[opening.end() : -1])  # absent(x) is empty exactly when x has data
    for operator in _SET_OPERATORS:
        parts = _split_top_level(expr, operator, words=True)
        if len(parts) > 1:
            return [signal for part in parts for signal in signals(_MODIFIER.sub("", part, count=1))]
    for operator in _COMPARISONS:
        parts = _split_top_level(expr, operator, words=False)
        if len(parts) == 2:
            left, right = parts[0].strip(), _MODIFIER.sub("", parts[1], count=1).strip()
            sides = [side for side in (left, right) if not _NUMBER.match(_unwrap(side))]
            return [signal for side in sides for signal in signals(side)]
    return [expr]


def _unwrap(expr: str) -> str:
    """`(x)` -> `x` while the outer parentheses enclose everything."""
    while expr.startswith("(") and _closing(expr, 0) == len(expr) - 1:
        expr = expr[1:-1].strip()
    return expr


def _closing(expr: str, opening: int) -> int:
    """The index of the bracket closing the one at `opening` (-1 if none)."""
    for index, char, depth in _scan(expr):
        if index > opening and char in ")]}" and depth == _depth_at(expr, opening):
            return index
    return -1


def _depth_at(expr: str, position: int) -> int:
    return next(depth for index, _, depth in _scan(expr) if index == position)


def _scan(expr: str) -> Iterator[tuple[int, str, int]]:
    """(index, char, depth) of every character outside string literals and comments."""
    depth, index, quote = 0, 0, ""
    while index < len(expr):
        char = expr[index]
        if quote:
            if char == "\\":
                index += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char == "#":
            index = expr.find("\n", index)
            if index == -1:
                return
            continue
        else:
            if char in ")]}":
                depth -= 1
            yield index, char, depth
            if char in "([{":
                depth += 1
        index += 1


def _split_top_level(expr: str, operator: str, *, words: bool) -> list[str]:
    """Split at each occurrence of `operator` outside parentheses, braces, brackets and strings."""
    cuts: list[int] = []
    skip_until = -1
    for index, _, depth in _scan(expr):
        if depth != 0 or index < skip_until or not expr.startswith(operator, index):
            continue
        before = expr[index - 1] if index else " "
        after = expr[index + len(operator)] if index + len(operator) < len(expr) else " "
        if words and (_NAME_CHAR.match(before) or _NAME_CHAR.match(after)):
            continue
        if not words and (before in "=!<>" or after == "~" or (operator in {">", "<"} and after == "=")):
            continue  # part of a longer operator (">=" when looking for ">", "=~"...)
        cuts.append(index)
        skip_until = index + len(operator)
    if not cuts:
        return [expr]
    bounds = [0, *cuts, len(expr)]
    return [
        expr[bounds[i] + (len(operator) if i else 0) : bounds[i + 1]].strip() for i in range(len(bounds) - 1)
    ]


# --- what a query reads -----------------------------------------------------------------------

_STRING = r'"(?:[^"\\]|\\.)*"'
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_RANGE = re.compile(r"\[([^\]]*)\]")
_SELECTOR = re.compile(rf"(?<![\w:.\"])([A-Za-z_:][\w:]*)\s*(\{{(?:[^{{}}\"]|{_STRING})*\}})?")
_MATCHER = re.compile(rf"\s*([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*({_STRING})\s*,?")
_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless"}
_KEYWORDS |= {"offset", "inf", "nan"}


@dataclass(frozen=True)
class Matcher:
    label: str
    op: str  # =, !=, =~, !~
    value: str

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")  # a missing label matches as ""
        if self.op in {"=", "!="}:
            return (actual == self.value) == (self.op == "=")
        # PromQL's regular expressions are anchored at both ends.
        return (re.fullmatch(self.value, actual) is not None) == (self.op == "=~")


@dataclass(frozen=True)
class Selector:
    """A vector selector of a query: `name{label op "value", ...}`."""

    text: str
    name: str
    matchers: tuple[Matcher, ...]

    def matches(self, name: str, labels: Mapping[str, str]) -> bool:
        return name == self.name and all(matcher.matches(labels) for matcher in self.matchers)


def selectors(expr: str) -> list[Selector]:
    """The series selectors `expr` reads, in order (functions, keywords and the labels of
    `by (...)` and the like left out). Enough PromQL for the dashboards and rules we write:
    every selector names its metric."""
    bare = _RANGE.sub("", _GROUPING.sub("", expr))
    found = []
    for match in _SELECTOR.finditer(bare):
        name, braces = match.group(1), match.group(2)
        if name in _KEYWORDS or (braces is None and bare[match.end() :].lstrip().startswith("(")):
            continue  # a function call or an operator
        matchers = tuple(
            Matcher(label, op, _unquote(value))
            for label, op, value in _MATCHER.findall((braces or "{}")[1:-1])
        )
        found.append(Selector(match.group(0).strip(), name, matchers))
    return found


def shortest_range(expr: str) -> float | None:
    """The shortest range (`[5m]`, in seconds) the query reads over, if any."""
    ranges = [duration_seconds(r.split(":")[0]) for r in _RANGE.findall(expr) if r.split(":")[0]]
    return min(ranges, default=None)


def _unquote(literal: str) -> str:
    """A PromQL double-quoted string's value (Go escapes: \\\\ and \\" are all we write)."""
    return re.sub(r"\\(.)", r"\1", literal[1:-1])
