"""Fixtures for the fuzz tests: the Django app called in-process over WSGI, and a signed-in user.

Requests go through Django's real WSGI handler (middleware, URL routing, handler404/500), in
the test's own thread and so inside pytest-django's test transaction: everything the fuzzers
create is rolled back when the test ends.
"""

from collections.abc import Iterator

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from sms.backends import locmem


class InProcessWSGIHandler(WSGIHandler):
    """Django's WSGI application, as gunicorn runs it, minus one thing.

    Like Django's own test client, it must not close the database connection around each
    request: that connection holds the test transaction. The signal handlers are detached
    per request (the test client reattaches them after each of its own requests).
    """

    def __call__(self, environ, start_response):
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        try:
            response = super().__call__(environ, start_response)
            content = b"".join(response)
            response.close()  # sends request_finished
        finally:
            request_started.connect(close_old_connections)
            request_finished.connect(close_old_connections)
        return [content]


@pytest.fixture
def wsgi_app(db) -> InProcessWSGIHandler:
    return InProcessWSGIHandler()


@pytest.fixture(autouse=True)
def _empty_sms_outbox() -> Iterator[None]:
    locmem.reset()
    yield
    locmem.reset()


@pytest.fixture
def bearer_token(user, password) -> str:
    """A real knox token for `user`, from the login endpoint."""
    from rest_framework.test import APIClient

    response = APIClient().post(
        "/api/v1/auth/login", {"email": user.email, "password": password}, format="json"
    )
    assert response.status_code == 200, response.content
    return response.json()["token"]
