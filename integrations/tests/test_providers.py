"""The small pure pieces the provider modules share: times, cursors, error shapes."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from social_core.exceptions import AuthCredentialError

from integrations.oauth import backend_for
from integrations.providers import PROVIDERS
from integrations.providers.base import SyncContext, parse_instant


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-11-27T10:00:00+01:00", None, datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
        ("2026-11-27T09:00:00Z", None, datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
        # Graph: seven fractional digits and the zone given apart.
        ("2026-11-27T09:00:00.1234567", "UTC", datetime(2026, 11, 27, 9, 0, 0, 123456, tzinfo=UTC)),
        ("2026-11-27T09:00:00.0000000", "Europe/Paris", datetime(2026, 11, 27, 8, 0, tzinfo=UTC)),
        # A Windows zone name Graph could send if asked for no zone: read as UTC, as we ask for.
        ("2026-11-27T09:00:00", "Pacific Standard Time", datetime(2026, 11, 27, 9, 0, tzinfo=UTC)),
    ],
)
def test_instants_in_every_providers_spelling(text, zone, expected):
    assert parse_instant(text, zone) == expected


def test_a_cursor_from_a_window_that_moved_on_asks_for_a_full_sync():
    now = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

    def context(days_later: float) -> SyncContext:
        moment = now + timedelta(days=days_later)
        first = {"calendar:primary": {"sync_token": "t", "window_end": (now + timedelta(days=7)).isoformat()}}
        return SyncContext(
            api=None,
            cursors=first,
            window_start=moment,
            window_end=moment + timedelta(days=7),
            timezone=ZoneInfo("UTC"),
        )

    assert context(0.5).cursor("calendar:primary") == {
        "sync_token": "t",
        "window_end": "2026-12-04T09:00:00+00:00",
    }
    assert context(1.5).cursor("calendar:primary") is None
    assert context(0).cursor("calendar:other") is None


def test_notions_api_shaped_invalid_grant_still_means_reconnect():
    backend = backend_for(PROVIDERS["notion"])

    error = backend.get_provider_error(
        {"object": "error", "status": 400, "code": "invalid_grant", "message": "Token revoked."},
        stage="refresh",
        status_code=400,
    )

    assert isinstance(error, AuthCredentialError)
    assert error.recovery == "reauthenticate"
