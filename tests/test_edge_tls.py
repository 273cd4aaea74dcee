"""The edge as shipped: the real nginx with deploy/nginx/nginx.conf (tests/edge.py substitutes
only ports, upstream, certificate and pid/temp paths) in front of a real gunicorn with the
production settings and the compose stack's TRUSTED_PROXY_COUNT.

What it shows: over HTTPS Django sees a secure request and sends HSTS; plain HTTP is
redirected by nginx and never reaches Django, whatever X-Forwarded-Proto it claims; only
/health/live and /health/ready leave the network, and they carry a verdict only."""

import http.client
import secrets
import ssl
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests

from deploy.local.processes import stop_all, wait_until
from deploy.local.stack import Database, Service, free_port, production_env
from tests.edge import Certificate, local_config, nginx_service, self_signed_certificate

pytestmark = pytest.mark.processes

BIN = Path(sys.executable).parent
HSTS = "max-age=31536000; includeSubDomains; preload"
DETAILED_HEALTH = ["overall", "database", "database/performance", "redis", "celery"]


@dataclass(frozen=True)
class Edge:
    https: str  # https://127.0.0.1:<port>, nginx's TLS side
    http: str  # http://127.0.0.1:<port>, nginx's plain side
    direct: str  # gunicorn itself, as something inside the network reaches it
    certificate: Certificate
    metrics_token: str

    def get(self, path: str, **kwargs: object) -> requests.Response:
        return requests.get(
            self.https + path, verify=str(self.certificate.chain), allow_redirects=False, timeout=30, **kwargs
        )

    def raw_get(self, path: str) -> tuple[int, str]:
        """The path sent exactly as written (requests would resolve dot segments itself)."""
        host, port = self.https.removeprefix("https://").split(":")
        context = ssl.create_default_context(cafile=str(self.certificate.chain))
        connection = http.client.HTTPSConnection(host, int(port), context=context, timeout=30)
        try:
            connection.request("GET", path)
            response = connection.getresponse()
            return response.status, response.read().decode(errors="replace")
        finally:
            connection.close()


@pytest.fixture(scope="module")
def edge(tmp_path_factory) -> Iterator[Edge]:
    directory = tmp_path_factory.mktemp("edge")
    certificate = self_signed_certificate(directory / "tls")
    metrics_token = secrets.token_urlsafe(24)
    web_port = free_port()
    http_port = free_port({web_port})
    https_port = free_port({web_port, http_port})
    (directory / "multiproc").mkdir()
    gunicorn = Service(
        name="web",
        command=[str(BIN / "gunicorn"), "-c", "deploy/gunicorn.conf.py"],
        env={
            **production_env(
                home=directory,
                database=Database(None, directory, "edge"),
                redis_url=None,
                metrics_token=metrics_token,
                webhook_token=secrets.token_urlsafe(24),
            ),
            # production_env already says one proxy in front, as docker-compose.yml does. In
            # compose that proxy is another container, whose scheme header gunicorn does not
            # take (its default trusts 127.0.0.1 alone): Django's settings must do it alone.
            "FORWARDED_ALLOW_IPS": "192.0.2.1",
            "CELERY_BROKER_URL": "memory://",
            "SERVICE_NAME": "assistant-api",
            "GUNICORN_BIND": f"127.0.0.1:{web_port}",
            "WEB_CONCURRENCY": "1",
            "PROMETHEUS_MULTIPROC_DIR": str(directory / "multiproc"),
        },
        port=web_port,
        log=directory / "web.log",
        ready_path="/health/live",
    )
    config = local_config(
        directory,
        certificate,
        http_port=http_port,
        https_port=https_port,
        upstream=f"127.0.0.1:{web_port}",
    )
    nginx = nginx_service(directory, config, http_port=http_port)
    services = [gunicorn, nginx]
    try:
        for service in services:
            service.spawn()
        wait_until(
            lambda: all(service.ready() for service in services),
            "gunicorn and nginx to answer",
            timeout=90,
            watch=services,
        )
        yield Edge(
            https=f"https://127.0.0.1:{https_port}",
            http=f"http://127.0.0.1:{http_port}",
            direct=gunicorn.url,
            certificate=certificate,
            metrics_token=metrics_token,
        )
    finally:
        stop_all(services)


def test_over_https_django_sees_a_secure_request_and_sends_hsts(edge):
    response = edge.get("/api/v1/no-such-page")

    # Django answered (its JSON 404), not with its own redirect to HTTPS: it saw "https".
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert response.headers["Strict-Transport-Security"] == HSTS


def test_without_nginx_the_same_request_is_not_secure(edge):
    """The control: gunicorn reached over plain HTTP redirects and sends no HSTS, so the
    header above is nginx's doing."""
    response = requests.get(edge.direct + "/api/v1/no-such-page", allow_redirects=False, timeout=30)

    assert response.status_code == 301
    assert response.headers["Location"].startswith("https://")
    assert "Strict-Transport-Security" not in response.headers


def test_a_client_claiming_https_in_its_own_header_gets_no_further_than_the_redirect(edge):
    response = requests.get(
        edge.https + "/api/v1/no-such-page",
        verify=str(edge.certificate.chain),
        allow_redirects=False,
        timeout=30,
        headers={"X-Forwarded-Proto": "http"},
    )
    spoofed = requests.get(
        edge.http + "/api/v1/no-such-page?next=1",
        headers={"X-Forwarded-Proto": "https"},
        allow_redirects=False,
        timeout=30,
    )

    # nginx overwrites the header with the scheme the client really used...
    assert response.headers["Strict-Transport-Security"] == HSTS
    # ...and sends plain HTTP back to HTTPS before Django hears of it.
    assert spoofed.status_code == 301
    assert spoofed.headers["Location"] == "https://127.0.0.1/api/v1/no-such-page?next=1"
    assert "application/json" not in spoofed.headers.get("Content-Type", "")


def test_plain_http_is_redirected_to_https_but_the_containers_own_check_answers(edge):
    redirected = requests.get(edge.http + "/health/live", allow_redirects=False, timeout=30)
    own_check = requests.get(edge.http + "/health", timeout=30)

    assert redirected.status_code == 301
    assert redirected.headers["Location"] == "https://127.0.0.1/health/live"
    assert (own_check.status_code, own_check.text) == (200, "ok\n")


@pytest.mark.parametrize("page", ["live", "ready"])
def test_live_and_ready_cross_the_edge_with_a_verdict_only(edge, page):
    response = edge.get(f"/health/{page}")

    # No database is migrated here: ready may well say "not ready", which is still a verdict.
    assert response.status_code in (200, 503)
    assert set(response.json()) == {"status", "timestamp"}
    assert response.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize("page", DETAILED_HEALTH)
def test_detailed_health_pages_are_refused_at_the_edge_even_with_the_token(edge, page):
    anonymous = edge.get(f"/health/{page}")
    with_token = edge.get(f"/health/{page}", headers={"Authorization": f"Bearer {edge.metrics_token}"})
    answers = [(anonymous.status_code, anonymous.text), (with_token.status_code, with_token.text)]
    # The same page under other spellings of its path, which nginx must resolve as Django would.
    encoded = page.replace("e", "%65")
    for disguise in (
        f"/health/live/../{page}",
        f"/health/{encoded}",
        f"//health/{page}",
        f"/health/./{page}",
    ):
        answers.append(edge.raw_get(disguise))

    for status, body in answers:
        assert status == 404
        assert "checks" not in body
        assert "error" not in body


def test_inside_the_network_the_token_still_reads_the_details(edge):
    """The control: what the edge refuses is there for Prometheus and operators."""
    response = requests.get(
        edge.direct + "/health/overall",
        headers={"Authorization": f"Bearer {edge.metrics_token}"},
        timeout=30,
    )

    assert response.status_code in (200, 503)
    assert "database" in response.json()["checks"]
