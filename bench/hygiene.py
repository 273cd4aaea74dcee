"""Hygiene under load (issue 7, item 6): what the logs and /metrics expositions of a run must
never hold, and metric labels that must stay bounded. Used by bench/load_bench.py."""

import re
from collections import defaultdict
from dataclasses import dataclass

from prometheus_client.parser import text_string_to_metric_families

EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")
# A full international number; the masked form (+33******5678) does not match.
PHONE = re.compile(r"\+\d{8,15}\b")
# Label values that identify a person or a row rather than a kind of thing.
ID_LIKE = re.compile(r"^(?:\d{4,}|[0-9a-f]{16,}|[0-9a-f-]{32,36}|SM[0-9a-f]{32}|\+?\d{8,15})$", re.IGNORECASE)
MAX_LABEL_VALUES = 50
# Build metadata Debian's Go binaries (Prometheus, Alertmanager, exporters) log at start.
BENIGN_EMAILS = {"team+pkg-go@tracker.debian.org"}


@dataclass
class Finding:
    where: str  # file or exposition
    what: str
    sample: str  # the offending text, shortened


def _excerpt(text: str, start: int, end: int) -> str:
    return text[max(0, start - 60) : end + 60].replace("\n", " ")


def leaks(documents: dict[str, str], secrets: dict[str, str]) -> list[Finding]:
    """Every secret, email address and full phone number found in `documents` (name -> text)."""
    findings = []
    for where, text in documents.items():
        for label, secret in secrets.items():
            # Whole words only: a 6-digit code would otherwise be found inside any hex request id,
            # and not after a point, where it is the microseconds of a timestamp or the decimals
            # of a duration: one line in a million holds a given code there, and a run scans
            # some 130,000 lines for 6 codes.
            if secret and (match := re.search(rf"(?<![A-Za-z0-9.]){re.escape(secret)}(?![A-Za-z0-9])", text)):
                findings.append(
                    Finding(where, f"secret: {label}", _excerpt(text, match.start(), match.end()))
                )
        for pattern, label in ((EMAIL, "email address"), (PHONE, "full phone number")):
            for match in pattern.finditer(text):
                if match.group() in BENIGN_EMAILS:
                    continue
                findings.append(Finding(where, label, _excerpt(text, match.start(), match.end())))
    return findings


def label_values(expositions: list[tuple[str, str]]) -> dict[tuple[str, str], set[str]]:
    """(metric family, label) -> every value seen across the scrapes."""
    values: dict[tuple[str, str], set[str]] = defaultdict(set)
    for _, exposition in expositions:
        for family in text_string_to_metric_families(exposition):
            for sample in family.samples:
                for label, value in sample.labels.items():
                    if label not in {"le", "quantile"}:
                        values[family.name, label].add(value)
    return values


def unbounded_labels(expositions: list[tuple[str, str]]) -> list[Finding]:
    """Labels with more than MAX_LABEL_VALUES values, or with values that look like ids,
    emails or phone numbers (a series per user, per phone or per message)."""
    findings = []
    for (family, label), values in sorted(label_values(expositions).items()):
        if len(values) > MAX_LABEL_VALUES:
            findings.append(
                Finding(family, f"label {label!r} has {len(values)} values", ", ".join(sorted(values)[:5]))
            )
        suspicious = sorted(v for v in values if ID_LIKE.match(v) or EMAIL.search(v))
        if suspicious:
            findings.append(Finding(family, f"label {label!r} holds ids", ", ".join(suspicious[:5])))
    return findings


def series_count(exposition: str) -> int:
    return sum(1 for line in exposition.splitlines() if line and not line.startswith("#"))
