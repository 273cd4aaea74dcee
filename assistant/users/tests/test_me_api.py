import pytest
from rest_framework.test import APIClient

from assistant.users import services
from assistant.users.models import AuditEvent
from assistant.users.tests.factories import UserFactory
from assistant.users.tests.helpers import sign_in

pytestmark = pytest.mark.django_db


def test_patch_updates_profile_and_a_new_phone_is_unverified(auth_client, user):
    user.phone_number, user.phone_verified = "+33612345678", True
    user.save()

    response = auth_client.patch(
        "/api/v1/auth/me",
        {"display_name": "Ada L.", "timezone": "America/Montreal", "phone_number": "+1 514 555 0199"},
        format="json",
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["display_name"], body["timezone"], body["phone_number"]) == (
        "Ada L.",
        "America/Montreal",
        "+15145550199",
    )
    assert body["phone_verified"] is False
    event = AuditEvent.objects.get(actor=user, action="profile_updated")
    assert event.details == {"fields": ["display_name", "phone_number", "timezone"]}


def test_patch_with_bad_values_changes_nothing(auth_client, user):
    response = auth_client.patch(
        "/api/v1/auth/me", {"display_name": "New", "timezone": "Nowhere/Land"}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["timezone"]
    user.refresh_from_db()
    assert user.display_name != "New"


def test_patch_with_a_number_verified_elsewhere_answers_like_any_number(auth_client, user):
    """Saying "taken" would tell anyone whose number is registered: it is saved unverified."""
    owner = UserFactory(phone_number="+33612345678", phone_verified=True)

    response = auth_client.patch("/api/v1/auth/me", {"phone_number": "06 12 34 56 78"}, format="json")

    # Without DEFAULT_PHONE_REGION a national number is not enough to know the country.
    assert response.status_code == 400
    response = auth_client.patch("/api/v1/auth/me", {"phone_number": "+33 6 12 34 56 78"}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["phone_number"], response.json()["phone_verified"]) == ("+33612345678", False)
    owner.refresh_from_db()
    assert (owner.phone_number, owner.phone_verified) == ("+33612345678", True)


def test_email_and_roles_are_read_only(auth_client, user):
    response = auth_client.patch(
        "/api/v1/auth/me", {"email": "x@example.com", "roles": ["admin"]}, format="json"
    )

    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email != "x@example.com"
    assert response.json()["roles"] == ["user"]


def test_data_export_holds_the_profile_and_is_audited(auth_client, user):
    response = auth_client.get("/api/v1/auth/me/export")

    assert response.status_code == 200
    body = response.json()
    assert body["profile"]["email"] == user.email
    assert len(body["sessions"]) == 1
    assert {"register", "login"} <= {item["action"] for item in body["activity"]}
    assert AuditEvent.objects.filter(actor=user, action="data_export").exists()


class TestIsolation:
    """A user never reads or changes another user's data."""

    @pytest.fixture
    def other(self, password):
        other = UserFactory(password=password)
        return other, sign_in(other.email, password)

    def test_sessions_and_activity_list_only_your_own(self, auth_client, user, other):
        _, other_client = other

        mine = auth_client.get("/api/v1/auth/sessions").json()
        theirs = other_client.get("/api/v1/auth/sessions").json()
        my_ids = {item["id"] for item in mine["results"]}
        their_ids = {item["id"] for item in theirs["results"]}

        assert my_ids
        assert their_ids
        assert not my_ids & their_ids
        assert set(user.auth_token_set.values_list("token_key", flat=True)) == my_ids

    def test_activity_lists_only_your_own(self, auth_client, user, other):
        mine_before = auth_client.get("/api/v1/auth/me/activity").json()["count"]
        other[1].get("/api/v1/auth/me/export")  # an audit event of theirs

        assert mine_before == AuditEvent.objects.filter(actor=user).count()
        assert auth_client.get("/api/v1/auth/me/activity").json()["count"] == mine_before

    def test_you_cannot_revoke_someone_elses_session(self, auth_client, other):
        other_user, other_client = other
        their_session = other_client.get("/api/v1/auth/sessions").json()["results"][0]["id"]

        response = auth_client.delete(f"/api/v1/auth/sessions/{their_session}")

        assert response.status_code == 404
        assert other_client.get("/api/v1/auth/me").json()["email"] == other_user.email

    def test_export_holds_only_your_own_data(self, auth_client, user, other):
        body = auth_client.get("/api/v1/auth/me/export").json()

        assert body["profile"]["email"] == user.email
        assert other[0].email not in str(body)


def test_revoking_your_own_other_session(auth_client, user, password):
    second = sign_in(user.email, password)
    sessions = auth_client.get("/api/v1/auth/sessions").json()["results"]
    (other_session,) = [item for item in sessions if not item["current"]]

    assert auth_client.delete(f"/api/v1/auth/sessions/{other_session['id']}").status_code == 204
    assert second.get("/api/v1/auth/me").status_code == 401
    assert auth_client.get("/api/v1/auth/me").status_code == 200


def test_lists_are_paginated(auth_client, user, password):
    for _ in range(3):
        APIClient().post("/api/v1/auth/login", {"email": user.email, "password": password}, format="json")

    page = auth_client.get("/api/v1/auth/sessions?page_size=2").json()

    assert page["count"] == 4
    assert len(page["results"]) == 2
    assert page["next"].endswith("page=2&page_size=2")


def test_a_change_no_profile_extension_keeps_is_refused(user):
    with pytest.raises(ValueError, match="shoe_size"):
        services.user_update(user=user, ip=None, extension_changes={"shoe_size": 42})


def test_the_database_holds_a_number_verified_on_one_account_only():
    from django.db import IntegrityError

    UserFactory(phone_number="+33612345678", phone_verified=True)
    UserFactory(phone_number="+33612345678")  # any number of unverified claims

    with pytest.raises(IntegrityError):
        UserFactory(phone_number="+33612345678", phone_verified=True)
