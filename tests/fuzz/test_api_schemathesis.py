"""schemathesis over every operation of /api/schema/, signed in with a real knox token.

One test per operation (so each runs in its own rolled-back transaction). Each gets
FUZZ_EXAMPLES (15) requests built from the schema (valid data) and FUZZ_EXAMPLES built to break
it (wrong types, missing fields, out-of-range values), derandomized so CI sees the same
cases every run. Every response must be: not a 5xx, a documented status code, of the
documented content type, and valid against the documented response schema (errors too).

In the valid-data run, `{id}` in todos and reminders paths is the id of a todo or reminder the
user really has (created through the API first), so the handlers behind the 404 are reached;
the staff-only SMS usage report is called by a staff user.

Operations that end the caller's session (logout, revoking a session, changing the
password) get a brand-new token for every request, so they cannot sign the next one out.
"""

import copy
import os
from datetime import timedelta

import pytest
import schemathesis
from django.test import Client
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, given, settings
from knox.models import get_token_model
from rest_framework.test import APIClient
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.django_db

SCHEMA_PATH = "/api/schema/?format=json"
# CI's bound; FUZZ_EXAMPLES=200 for a deeper run by hand.
FUZZ_EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "15"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
SIGNS_OUT = {
    ("POST", "/api/v1/auth/logout"),
    ("DELETE", "/api/v1/auth/sessions/{token_id}"),
    ("POST", "/api/v1/auth/password/change"),
}
OPERATIONS = sorted(
    (method.upper(), path)
    for path, methods in SchemaGenerator().get_schema(public=True)["paths"].items()
    for method in methods
    if method != "parameters"
)

fuzz_settings = settings(
    max_examples=FUZZ_EXAMPLES,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def served_schema() -> dict:
    """/api/schema/ as the app serves it, fetched once: generating it costs as much as a few
    fuzz cases, and every operation's test reads the same one."""
    response = Client().get(SCHEMA_PATH)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def api_schema(served_schema, wsgi_app):
    # A copy each: schemathesis works on the dict it is given.
    schema = schemathesis.openapi.from_dict(copy.deepcopy(served_schema))
    schema.app = wsgi_app
    schema.location = SCHEMA_PATH
    return schema


def test_the_operations_that_sign_out_exist():
    assert set(OPERATIONS) >= SIGNS_OUT
    assert len(OPERATIONS) > 30


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
@pytest.mark.parametrize(("method", "path"), OPERATIONS)
def test_operation_survives_fuzzing(api_schema, user, bearer_token, method, path, mode):
    operation = api_schema[path][method]
    fresh_token = (method, path) in SIGNS_OUT
    if path == "/api/v1/sms/usage":
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    path_parameters = None
    if mode is GenerationMode.POSITIVE and "{id}" in path:
        path_parameters = {"id": _owned_object_id(bearer_token, path.split("/")[3])}

    @fuzz_settings
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path_parameters))
    def fuzz(case):
        token = get_token_model().objects.create(user=user)[1] if fresh_token else bearer_token
        case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)

    fuzz()


def _owned_object_id(token: str, collection: str) -> int:
    body = {
        "todos": {"title": "Fuzz me"},
        "reminders": {"text": "Fuzz me", "due_at": (timezone.now() + timedelta(days=1)).isoformat()},
    }[collection]
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(f"/api/v1/{collection}", body, format="json")
    assert response.status_code == 201, response.content
    return response.json()["id"]
