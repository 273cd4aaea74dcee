"""Bearer tokens read through SQL compiled once: the same user and token as knox's own read."""

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone
from knox.auth import TokenAuthentication as KnoxTokenAuthentication
from knox.models import get_token_model
from knox.settings import knox_settings
from rest_framework.exceptions import AuthenticationFailed

from assistant.core.authentication import TokenAuthentication

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(user):
    """A token of the user, and what the client sends."""
    return get_token_model().objects.create(user=user, expiry=knox_settings.TOKEN_TTL)


def test_the_user_and_token_are_those_knox_reads(user, issued, django_assert_num_queries):
    token, key = issued

    with django_assert_num_queries(1):
        ours_user, ours_token = TokenAuthentication().authenticate_credentials(key.encode())
    knox_user, knox_token = KnoxTokenAuthentication().authenticate_credentials(key.encode())

    assert (ours_user.pk, ours_token.pk) == (user.pk, token.pk)
    assert model_to_dict(ours_user) == model_to_dict(knox_user)  # every column, none deferred
    assert ours_user.get_deferred_fields() == set()
    # The expiry each read moved forward in memory (auto-refresh) differs by the time between them.
    assert model_to_dict(ours_token, exclude=["expiry"]) == model_to_dict(knox_token, exclude=["expiry"])
    assert ours_token.user is ours_user


def test_a_wrong_secret_with_a_known_key_is_refused(issued):
    _token, key = issued
    wrong = key[:-1] + ("0" if key[-1] != "0" else "1")

    with pytest.raises(AuthenticationFailed, match="Invalid token"):  # knox's words
        TokenAuthentication().authenticate_credentials(wrong.encode())


def test_an_expired_token_is_refused(issued):
    token, key = issued
    get_token_model().objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))

    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key.encode())


def test_an_inactive_user_is_refused(user, issued):
    _token, key = issued
    user.is_active = False
    user.save(update_fields=["is_active"])

    with pytest.raises(AuthenticationFailed):
        TokenAuthentication().authenticate_credentials(key.encode())


def test_a_token_used_long_after_its_last_renewal_is_renewed(issued):
    token, key = issued
    stale = timezone.now() + timedelta(days=1)
    get_token_model().objects.filter(pk=token.pk).update(expiry=stale)

    TokenAuthentication().authenticate_credentials(key.encode())

    token.refresh_from_db()
    assert token.expiry > stale + timedelta(hours=1)
