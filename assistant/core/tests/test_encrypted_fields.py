import pytest
from cryptography.fernet import Fernet, InvalidToken
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import connection

from assistant.core import crypto
from assistant.users import services

pytestmark = pytest.mark.django_db


def raw_secret() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT secret FROM users_totpdevice")
        return cursor.fetchone()[0]


def test_the_column_holds_ciphertext_and_the_model_the_secret(user, password):
    secret, _ = services.mfa_totp_enrol(user=user, password=password, ip=None)

    assert secret not in raw_secret()
    assert user.totp_device.secret == secret
    assert crypto.decrypt(raw_secret()) == secret


def test_rotation_rewrites_every_value_under_the_newest_key(user, password, settings, capsys):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    secret, _ = services.mfa_totp_enrol(user=user, password=password, ip=None)
    before = raw_secret()

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    call_command("encryption_keys_rotate")

    assert "users.TOTPDevice.secret: 1 value(s) re-encrypted" in capsys.readouterr().out
    assert raw_secret() != before
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be dropped
    user.refresh_from_db()
    assert type(user).objects.get(pk=user.pk).totp_device.secret == secret
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(raw_secret().encode())


def test_production_never_derives_the_key_from_secret_key(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    assert crypto.decrypt(crypto.encrypt("seed")) == "seed"  # the embedded default derives one

    settings.REQUIRE_PRODUCTION_CONFIGURATION = True

    with pytest.raises(ImproperlyConfigured, match="FIELD_ENCRYPTION_KEYS"):
        crypto.encrypt("seed")
