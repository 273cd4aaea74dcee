"""OBSERVABILITY_ENABLED: off only for bench/load_bench.py's comparison, it drops our JSON
request log line and the slow-query wrapper; on (the default), both are there."""

import pytest
from django.apps import apps
from django.db.backends.signals import connection_created
from django.test import Client, override_settings
from pytest_django.fixtures import Settings

from tests.logs import captured_logs

SLOW_QUERY_RECEIVER = "monitoring.slow_query_wrapper"


def _slow_query_receiver_connected() -> bool:
    return any(receiver[0][0] == SLOW_QUERY_RECEIVER for receiver in connection_created.receivers)


def test_it_is_on_by_default(settings: Settings) -> None:
    assert settings.OBSERVABILITY_ENABLED is True


def test_on_each_request_is_logged_once() -> None:
    with captured_logs() as logs:
        response = Client().get("/health/live")
    assert [line["path"] for line in logs.requests()] == ["/health/live"]
    assert response["X-Request-ID"]


def test_off_no_request_line_is_logged_but_the_request_id_stays(settings: Settings) -> None:
    settings.OBSERVABILITY_ENABLED = False
    with captured_logs() as logs:
        response = Client().get("/health/live", headers={"X-Request-ID": "bench-1"})
    assert response.status_code == 200
    assert logs.requests() == []
    assert response["X-Request-ID"] == "bench-1"


@pytest.fixture
def without_slow_query_receiver() -> object:
    """Disconnected for the test, connected again afterwards as the app left it."""
    connection_created.disconnect(dispatch_uid=SLOW_QUERY_RECEIVER)
    yield
    with override_settings(OBSERVABILITY_ENABLED=True):
        apps.get_app_config("monitoring").ready()
    assert _slow_query_receiver_connected()


def test_off_the_slow_query_wrapper_is_not_installed(
    settings: Settings, without_slow_query_receiver: object
) -> None:
    settings.OBSERVABILITY_ENABLED = False
    apps.get_app_config("monitoring").ready()
    assert not _slow_query_receiver_connected()


def test_on_the_slow_query_wrapper_is_installed(without_slow_query_receiver: object) -> None:
    apps.get_app_config("monitoring").ready()
    assert _slow_query_receiver_connected()
