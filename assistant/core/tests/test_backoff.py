from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from assistant.core.backoff import retry_after_from_headers, retry_after_seconds, retry_delay


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Retry-After": "30"}, 30.0),
        ({"retry-after": " 1.5 "}, 1.5),
        ({"Retry-After": "-3"}, 0.0),
        ({"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, 0.0),  # in the past
        ({"Retry-After": "soon"}, None),
        ({"Retry-After": "nan"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_retry_after_from_headers_reads_seconds_or_dates_whatever_the_case(headers, expected):
    assert retry_after_from_headers(headers) == expected


def test_retry_after_as_an_http_date_counts_from_now():
    in_two_minutes = format_datetime(datetime.now(UTC) + timedelta(minutes=2), usegmt=True)

    assert 100 < retry_after_seconds(in_two_minutes) <= 120
    assert retry_after_seconds(None) is None


def test_retry_delay_never_waits_less_than_the_far_end_asked():
    assert retry_delay(attempts=1, base_seconds=1, retry_after=600) == timedelta(seconds=600)
