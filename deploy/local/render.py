"""The shipped Prometheus and Alertmanager configurations, rewritten for one machine.

The native stack runs the very files in deploy/prometheus/ and deploy/alertmanager/, so a
mistake in them shows up here too. Only what cannot hold on one machine is changed:

- every scrape target and Alertmanager address becomes a loopback port, chosen per job name
  (the contract's job names, not its host names, so a renamed host still lands right);
- secret files name files in the stack's temporary folder, written with the stack's tokens
  (or a placeholder for third-party credentials nothing here checks);
- every receiver that would leave the machine (email, PagerDuty, Slack, other webhooks) is
  pointed at a local sink instead, and the app's own webhook at the local web server;
- scrape, evaluation and notification intervals can be shortened for tests.

Pure functions of their arguments (bar writing the secret files), so they are tested alone.
"""

import copy
import glob
import re
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

Config = dict[str, Any]

# Prometheus job name (fixed by the monitoring contract) -> the local service that answers it.
JOB_SERVICES: dict[str, str] = {
    "assistant-api": "web",
    "celery-worker": "worker",
    "celery-beat": "beat",
    "postgres": "postgres-exporter",
    "redis": "redis-exporter",
    "node": "node-exporter",
    "alertmanager": "alertmanager",
    "prometheus": "prometheus",
}
APP_WEBHOOK_PATH = "/monitoring/alerts/webhook"
# Third-party credentials nobody checks here: the sink accepts anything.
PLACEHOLDER_SECRET = "local-stack-placeholder-secret"
# Receivers the sink can stand in for; any other kind would reach the outside world.
_SINK_RECEIVERS = {"email_configs", "pagerduty_configs", "slack_configs", "webhook_configs"}
_DURATION_PART = re.compile(r"(\d+)(ms|s|m|h|d|w|y)")
_DURATION_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


class RenderError(ValueError):
    """The shipped configuration uses something the local stack cannot reproduce."""


def duration_seconds(duration: str) -> float:
    """A Prometheus duration ("1m30s", "500ms") in seconds."""
    parts = _DURATION_PART.findall(duration)
    if not parts or "".join(number + unit for number, unit in parts) != duration:
        raise RenderError(f"not a Prometheus duration: {duration!r}")
    return sum(int(number) * _DURATION_SECONDS[unit] for number, unit in parts)


@dataclass
class SecretFiles:
    """Writes each secret once into `directory` (mode 0600) and hands back its path."""

    directory: Path
    written: dict[str, Path] = field(default_factory=dict)

    def write(self, name: str, value: str) -> str:
        path = self.directory / re.sub(r"[^A-Za-z0-9._-]", "_", name)
        if name not in self.written:
            self.directory.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(value)
            self.written[name] = path
        return str(path)


# --- Prometheus -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PrometheusRender:
    config: Config
    jobs: list[str]  # the jobs kept, each scraping one local address
    dropped: dict[str, str]  # job -> why it is not scraped here


def prometheus_config(
    shipped: Config,
    *,
    addresses: Mapping[str, str],
    metrics_token_file: str,
    rule_files: list[str],
    scrape_interval: str | None = None,
    evaluation_interval: str | None = None,
    missing: Mapping[str, str] | None = None,
) -> PrometheusRender:
    """`addresses`: service -> "127.0.0.1:port" for what runs; `missing`: service -> why not.

    A job whose service is missing is dropped (with the reason) rather than left to fail:
    the stack then says plainly which exporter it could not start.
    """
    config = copy.deepcopy(shipped)
    missing = missing or {}
    glob_ = config.setdefault("global", {})
    if scrape_interval:
        glob_["scrape_interval"] = scrape_interval
        glob_["scrape_timeout"] = _timeout_within(glob_.get("scrape_timeout"), scrape_interval)
    if evaluation_interval:
        glob_["evaluation_interval"] = evaluation_interval

    kept: list[Config] = []
    dropped: dict[str, str] = {}
    for job in config.get("scrape_configs") or []:
        name = job.get("job_name", "")
        service = JOB_SERVICES.get(name)
        if service is None:
            raise RenderError(
                f"prometheus.yml: job {name!r} is not one of the contract's {sorted(JOB_SERVICES)}"
            )
        if service not in addresses:
            dropped[name] = missing.get(service, f"{service} is not running")
            continue
        unsupported = sorted(key for key in job if key.endswith("_sd_configs"))
        if unsupported:
            raise RenderError(
                f"prometheus.yml: job {name!r} uses {unsupported}; only static_configs work here"
            )
        if not job.get("static_configs"):
            raise RenderError(f"prometheus.yml: job {name!r} has no static_configs target")
        # Every replica of a service is the one local process (labels kept from the first group).
        first = job["static_configs"][0]
        job["static_configs"] = [{**first, "targets": [addresses[service]]}]
        for section in ("authorization", "basic_auth"):
            if section in job:
                _point_secret_files(job[section], metrics_token_file)
        if scrape_interval:
            job.pop("scrape_interval", None)
            if "scrape_timeout" in job:
                job["scrape_timeout"] = _timeout_within(job["scrape_timeout"], scrape_interval)
        kept.append(job)
    config["scrape_configs"] = kept

    for alertmanagers in (config.get("alerting") or {}).get("alertmanagers") or []:
        alertmanagers["static_configs"] = [{"targets": [addresses["alertmanager"]]}]
    config["rule_files"] = rule_files
    return PrometheusRender(config, [job["job_name"] for job in kept], dropped)


def _timeout_within(timeout: str | None, interval: str) -> str:
    """Prometheus refuses a scrape timeout longer than the interval."""
    if timeout is None or duration_seconds(timeout) > duration_seconds(interval):
        return interval
    return timeout


def _point_secret_files(auth: Config, path: str) -> None:
    """Prometheus' only secret is the token /metrics asks for (the app's and the exporters')."""
    for key in ("credentials_file", "password_file"):
        if key in auth:
            auth[key] = path
    for key in ("credentials", "password"):
        if key in auth:
            raise RenderError(f"prometheus.yml: an inline {key}; secrets must come from files")


# --- Alertmanager ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Sink:
    """Where notifications meant for the outside world go instead."""

    http_url: str  # http://127.0.0.1:port: /<channel>/<receiver>
    smtp_address: str  # 127.0.0.1:port


@dataclass(frozen=True)
class RouteTiming:
    group_wait: str
    group_interval: str
    repeat_interval: str


@dataclass(frozen=True)
class AlertmanagerRender:
    config: Config
    app_webhook_receivers: list[str]  # receivers that call the app's own webhook


def alertmanager_config(
    shipped: Config,
    *,
    app_webhook_url: str,
    webhook_token_file: str,
    sink: Sink,
    secrets: SecretFiles,
    timing: RouteTiming | None = None,
    templates_dir: Path | None = None,
    shipped_dir: Path | None = None,
) -> AlertmanagerRender:
    config = copy.deepcopy(shipped)
    glob_ = config.setdefault("global", {})
    glob_["smtp_smarthost"] = sink.smtp_address
    glob_["smtp_require_tls"] = False  # the sink speaks plain SMTP
    glob_.pop("slack_api_url_file", None)
    glob_["slack_api_url"] = f"{sink.http_url}/slack/global"
    glob_["pagerduty_url"] = f"{sink.http_url}/pagerduty/global"

    app_receivers: list[str] = []
    for receiver in config.get("receivers") or []:
        name = receiver.get("name", "")
        unsupported = sorted(
            key for key in receiver if key.endswith("_configs") and key not in _SINK_RECEIVERS
        )
        if unsupported:
            raise RenderError(
                f"alertmanager.yml: receiver {name!r} uses {unsupported}, which the sink cannot stand in for"
            )
        for email in receiver.get("email_configs") or []:
            email["smarthost"] = sink.smtp_address
            email["require_tls"] = False
        for pagerduty in receiver.get("pagerduty_configs") or []:
            pagerduty["url"] = f"{sink.http_url}/pagerduty/{name}"
        for slack in receiver.get("slack_configs") or []:
            slack.pop("api_url_file", None)
            slack["api_url"] = f"{sink.http_url}/slack/{name}"
        for webhook in receiver.get("webhook_configs") or []:
            if urlsplit(webhook.get("url", "")).path == APP_WEBHOOK_PATH:
                webhook["url"] = app_webhook_url
                authorization = webhook.setdefault("http_config", {}).setdefault("authorization", {})
                authorization.pop("credentials", None)
                authorization["credentials_file"] = webhook_token_file
                app_receivers.append(name)
            else:
                webhook.pop("url_file", None)
                webhook["url"] = f"{sink.http_url}/webhook/{name}"
        for settings in _receiver_settings(receiver):
            # The sink is plain HTTP: certificates meant for the real endpoints cannot load here.
            settings.get("http_config", {}).pop("tls_config", None)
            settings.pop("tls_config", None)

    # Whatever secret file is left belongs to a third party the sink stands in for.
    for holder, key in _secret_file_keys(config):
        if holder[key] != webhook_token_file:
            holder[key] = secrets.write(Path(holder[key]).name, PLACEHOLDER_SECRET)

    if timing is not None:
        _shorten_routes(config.get("route") or {}, timing, root=True)
    if config.get("templates"):
        if templates_dir is None or shipped_dir is None:
            raise RenderError("alertmanager.yml names templates: pass templates_dir and shipped_dir")
        config["templates"] = _copy_templates(config["templates"], shipped_dir, templates_dir)
    return AlertmanagerRender(config, app_receivers)


def _receiver_settings(receiver: Config) -> Iterator[Config]:
    for key in _SINK_RECEIVERS:
        yield from receiver.get(key) or []


def _secret_file_keys(node: Any) -> Iterator[tuple[Config, str]]:
    """Every (mapping, key) whose key names a file to read a secret from."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key.endswith("_file") and isinstance(value, str):
                yield node, key
            else:
                yield from _secret_file_keys(value)
    elif isinstance(node, list):
        for item in node:
            yield from _secret_file_keys(item)


def _shorten_routes(route: Config, timing: RouteTiming, *, root: bool) -> None:
    """Set the timings on the root; child routes that override them get the short ones too."""
    for key in ("group_wait", "group_interval", "repeat_interval"):
        if root or key in route:
            route[key] = getattr(timing, key)
    for child in route.get("routes") or []:
        _shorten_routes(child, timing, root=False)


def _copy_templates(patterns: list[str], shipped_dir: Path, target: Path) -> list[str]:
    """Templates are named by their deployed path; the repository holds them by file name."""
    target.mkdir(parents=True, exist_ok=True)
    for pattern in patterns:
        matches = glob.glob(str(shipped_dir / "**" / Path(pattern).name), recursive=True)
        if not matches:
            raise RenderError(f"alertmanager.yml: template {pattern!r} matches no file under {shipped_dir}")
        for match in matches:
            shutil.copy(match, target)
    return [str(target / Path(pattern).name) for pattern in patterns]
