import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db

ENDPOINTS = {
    "/api/v1/auth/register": {"post"},
    "/api/v1/auth/login": {"post"},
    "/api/v1/auth/logout": {"post"},
    "/api/v1/auth/me": {"get", "patch", "delete"},
    "/api/v1/auth/me/export": {"get"},
    "/api/v1/auth/me/activity": {"get"},
    "/api/v1/auth/sessions": {"get"},
    "/api/v1/auth/sessions/{token_id}": {"delete"},
    "/api/v1/auth/password/change": {"post"},
    "/api/v1/auth/password/reset": {"post"},
    "/api/v1/auth/password/reset/confirm": {"post"},
    "/api/v1/auth/mfa/totp": {"post"},
    "/api/v1/auth/mfa/totp/confirm": {"post"},
    "/api/v1/auth/mfa/totp/disable": {"post"},
    "/api/v1/auth/mfa/backup-codes": {"post"},
    "/api/v1/chat/messages": {"get", "post"},
    "/api/v1/todos": {"get", "post"},
    "/api/v1/todos/{id}": {"get", "patch", "delete"},
    "/api/v1/reminders": {"get", "post"},
    "/api/v1/reminders/{id}": {"get", "patch", "delete"},
    "/api/v1/reminders/{id}/snooze": {"post"},
    "/api/v1/reminders/{id}/deliveries": {"get"},
    "/api/v1/agenda": {"get"},
    "/api/v1/phone/verify": {"post"},
    "/api/v1/phone/confirm": {"post"},
    "/api/v1/sms/usage": {"get"},
    "/api/v1/integrations": {"get"},
    "/api/v1/integrations/{provider}": {"delete"},
    "/api/v1/integrations/{provider}/connect": {"post"},
    "/api/v1/integrations/{provider}/sync": {"post"},
    "/api/v1/integrations/notion/databases": {"get"},
    "/api/v1/integrations/notion/database": {"put"},
}


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def test_schema_is_openapi_3_and_lists_every_endpoint(schema):
    assert schema["openapi"].startswith("3.")
    paths = {path: set(ops) - {"parameters"} for path, ops in schema["paths"].items()}
    assert paths == ENDPOINTS


def test_every_operation_documents_its_responses_and_errors(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            assert any(code.startswith("2") for code in responses), (method, path)
            errors = [code for code in responses if code.startswith("4")]
            assert errors, (method, path)
            for code in errors:
                ref = responses[code]["content"]["application/json"]["schema"]["$ref"]
                assert ref.endswith("/Error"), (method, path, code)
            if method in {"post", "patch"} and "requestBody" in operation:
                assert operation["requestBody"]["content"]["application/json"]["schema"]


def test_bearer_authentication_is_described(schema):
    assert schema["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "Token from /auth/login.",
    }


def test_schema_generation_has_no_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yml"))


def test_docs_page_is_served_without_a_cdn(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"cdn.jsdelivr" not in response.content


def test_list_endpoints_document_a_page_past_the_end(schema):
    for path in ("/api/v1/todos", "/api/v1/reminders", "/api/v1/chat/messages", "/api/v1/auth/sessions"):
        assert "404" in schema["paths"][path]["get"]["responses"], path


def test_a_message_without_a_parent_is_documented_as_null(schema):
    in_reply_to = schema["components"]["schemas"]["MessageOutput"]["properties"]["in_reply_to"]

    assert in_reply_to.get("nullable") is True
