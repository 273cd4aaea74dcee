"""Passwords are hashed with Argon2id at the stated parameters; older hashes are upgraded."""

import pytest
from django.contrib.auth.hashers import (
    Argon2PasswordHasher,
    PBKDF2PasswordHasher,
    identify_hasher,
    make_password,
)

from assistant.users.models import User
from config.settings import base

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _production_hashers(settings):
    """The hashers production uses (the test settings use MD5, to keep the suite fast)."""
    settings.PASSWORD_HASHERS = base.PASSWORD_HASHERS


def test_a_new_password_is_hashed_with_argon2id_at_19_mib_2_passes_1_lane(password):
    encoded = make_password(password)

    assert encoded.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert identify_hasher(encoded).verify(password, encoded)
    assert not identify_hasher(encoded).verify("another password", encoded)


def test_a_pbkdf2_user_signs_in_and_their_hash_becomes_argon2id(api_client, user, password):
    # Few iterations keep the test fast; the hash is read at whatever count it states.
    old = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt(), iterations=1000)
    User.objects.filter(pk=user.pk).update(password=old)

    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": password}, format="json"
    )

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")
    assert user.check_password(password)


def test_an_argon2_hash_at_djangos_default_parameters_is_remade_at_ours(api_client, user, password):
    """A hash made at other parameters (Django's own: 100 MiB, 8 lanes) still signs in, and
    is made again at the stated ones."""
    User.objects.filter(pk=user.pk).update(
        password=Argon2PasswordHasher().encode(password, "somesaltsomesalt")
    )

    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": password}, format="json"
    )

    assert response.status_code == 200, response.content
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$v=19$m=19456,t=2,p=1$")


def test_a_wrong_password_against_a_pbkdf2_hash_changes_nothing(api_client, user, password):
    old = PBKDF2PasswordHasher().encode(password, PBKDF2PasswordHasher().salt(), iterations=1000)
    User.objects.filter(pk=user.pk).update(password=old)

    response = api_client.post(
        "/api/v1/auth/login", {"email": user.email, "password": "wrong one"}, format="json"
    )

    assert response.status_code == 401
    user.refresh_from_db()
    assert user.password == old
