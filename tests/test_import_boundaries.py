"""Who may import whom (docs: /ARCHITECTURE.md, "Apps and who may import whom"), read from the
source: every import statement of the app code, those inside functions included, tests and
migrations aside. A leak fails here naming the module, the line and what it imported."""

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# From the bottom up; config wires them all together.
APPS = (
    "assistant.core",
    "assistant.users",
    "assistant.chat",
    "assistant.planner",
    "sms",
    "integrations",
    "monitoring",
    "config",
)
PACKAGES = ("assistant", "sms", "integrations", "monitoring", "config")
# What monitoring may read of another app: its metrics, health checks and selectors; the
# notification service, to page on-call like any other delivery; and, as everyone, the user
# model, the users app's audit and security records and its role registry.
MONITORING_MAY_IMPORT = {
    "assistant.users": {"models", "selectors", "services", "roles"},
    "assistant.chat": {"metrics", "selectors"},
    "assistant.planner": {"metrics", "selectors", "notifications"},
    "sms": {"metrics", "health", "selectors"},
    "integrations": {"metrics", "health", "selectors"},
}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    line: int
    target: str  # what it imports, dotted: a module, or a module and a name in it

    def __str__(self) -> str:
        return f"{self.module}:{self.line} imports {self.target}"


def app_of(dotted: str) -> str | None:
    matches = [app for app in APPS if dotted == app or dotted.startswith(f"{app}.")]
    return max(matches, key=len, default=None)


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _app_code() -> Iterator[Path]:
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if not {"tests", "migrations"} & set(path.relative_to(ROOT).parts):
                yield path


def _imports(path: Path) -> Iterator[Import]:
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, node.lineno, alias.name)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from the importing module's package
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                yield Import(module, node.lineno, f"{base}.{alias.name}")


ALL_IMPORTS = [found for path in _app_code() for found in _imports(path)]


def _crossing(importer_app: str) -> list[Import]:
    """Imports from `importer_app`'s modules of another app's."""
    return [
        found
        for found in ALL_IMPORTS
        if app_of(found.module) == importer_app and app_of(found.target) not in (None, importer_app)
    ]


def test_the_rules_read_the_app_code():
    assert {app_of(found.module) for found in ALL_IMPORTS} == set(APPS)
    # Imports inside functions count: this one is in MonitoringConfig.ready().
    assert any(
        found.module == "monitoring.apps" and found.target == "monitoring.celery_metrics"
        for found in ALL_IMPORTS
    )


def test_core_imports_no_app():
    assert _crossing("assistant.core") == []


def test_users_imports_only_core():
    leaks = [found for found in _crossing("assistant.users") if app_of(found.target) != "assistant.core"]
    assert leaks == [], "\n".join(map(str, leaks))


def test_assistant_never_imports_sms_integrations_or_monitoring():
    """It delivers through the notification service, where those channels register themselves."""
    leaks = [
        found
        for app in ("assistant.core", "assistant.users", "assistant.chat", "assistant.planner")
        for found in _crossing(app)
        if app_of(found.target) in ("sms", "integrations", "monitoring")
    ]
    assert leaks == [], "\n".join(map(str, leaks))


def test_no_app_imports_monitoring_and_config_only_wires_its_urls():
    """The Celery metrics are connected by MonitoringConfig.ready(), not by config/celery_app."""
    leaks = [
        found
        for found in ALL_IMPORTS
        if app_of(found.target) == "monitoring"
        and app_of(found.module) != "monitoring"
        and found.module != "config.urls"
    ]
    assert leaks == [], "\n".join(map(str, leaks))


def test_monitoring_reads_other_apps_only_through_their_public_pieces():
    leaks = []
    for found in _crossing("monitoring"):
        app = app_of(found.target)
        if app == "assistant.core":
            continue
        assert app is not None
        piece = found.target.removeprefix(f"{app}.").split(".")[0]
        if piece not in MONITORING_MAY_IMPORT.get(app, set()):
            leaks.append(found)
    assert leaks == [], "\n".join(map(str, leaks))


def test_no_app_imports_another_apps_api_layer():
    """What endpoints of two apps share lives in a public module (assistant/users/serializers.py);
    core's api module is the framework helpers every app's endpoints use."""
    leaks = [
        found
        for found in ALL_IMPORTS
        if (app := app_of(found.target)) not in (None, "assistant.core")
        and found.target.startswith(f"{app}.api.")
        and app_of(found.module) not in (app, "config")
    ]
    assert leaks == [], "\n".join(map(str, leaks))


def test_the_thresholds_every_app_grades_by_live_in_core():
    """One definition (assistant/core/thresholds.py), imported by monitoring, sms and
    integrations alike; no copy of its numbers in the apps' health checks."""
    importers = {
        app_of(found.module)
        for found in ALL_IMPORTS
        if found.target == "assistant.core.thresholds"
        or found.target.startswith("assistant.core.thresholds.")
    }
    assert {"monitoring", "sms", "integrations"} <= importers
    assert not (ROOT / "monitoring" / "thresholds.py").exists()
