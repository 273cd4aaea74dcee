"""How long refusing a hostile recurrence rule takes: through the validator, and through the API.

    .venv/bin/python bench/rrule_bench.py [--repeats 200] [--api-repeats 50]

For each attack rule of the test suite (assistant/planner/tests/rules.py: DTSTART inside,
FREQ=SECONDLY, 5-minute gaps, February 30, interval/filter misalignments, BYSETPOS out of range,
huge INTERVAL/COUNT, garbage...), prints the median and the max time to refuse it through
`rrule_validate` with the default limits, then through `POST /api/v1/reminders` (Django's test
client, a signed-in user, SQLite in a temporary file, test settings), which must answer 400
naming rrule. A valid one-off reminder (201) gives the API's own cost. Target: every refusal
under 10 ms.
"""

import argparse
import gc
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
_database = Path(tempfile.mkdtemp(prefix="rrule-bench-")) / "db.sqlite3"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"
os.environ["DATABASE_URL"] = f"sqlite:///{_database}"
os.environ.pop("REDIS_URL", None)

import django

django.setup()

from django.conf import settings
from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from assistant.core.recurrence import RecurrenceError, rrule_validate
from assistant.planner.models import Reminder
from assistant.planner.tests.rules import ATTACKS, tomorrow
from assistant.users import services as users

TARGET_MS = 10.0
PASSWORD = "correct horse battery staple"


_full_collections = [0]
gc.callbacks.append(
    lambda phase, info: _full_collections.__setitem__(0, _full_collections[0] + (info["generation"] == 2))
)
gc_paused: list[float] = []  # samples during which Python ran a full garbage collection


def timed(action: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median and max of `repeats` runs, in milliseconds (after one warm-up run). A run during
    which Python collected its oldest generation (a pause of the whole heap, whatever the
    request) is kept for the median and reported apart, not as the max."""
    action()
    samples = []
    for _ in range(repeats):
        collections = _full_collections[0]
        started = time.perf_counter()
        action()
        elapsed = (time.perf_counter() - started) * 1000
        samples.append(elapsed)
        if _full_collections[0] != collections:
            gc_paused.append(elapsed)
    clean = [sample for sample in samples if sample not in gc_paused] or samples
    return statistics.median(samples), max(clean)


def refuse_by_validator(rule: str, start) -> Callable[[], None]:
    def run() -> None:
        now = timezone.now()
        try:
            rrule_validate(
                rule,
                min_interval=timedelta(seconds=settings.REMINDER_RRULE_MIN_INTERVAL_SECONDS["chat"]),
                first=start(now),
                timezone="Europe/Paris",
                horizon=timedelta(days=settings.REMINDER_RRULE_HORIZON_DAYS),
                after=now,
                channel="chat",
                budget_seconds=settings.REMINDER_RRULE_BUDGET_SECONDS,
            )
        except RecurrenceError:
            return
        raise AssertionError(f"accepted: {rule!r}")

    return run


def post(client: APIClient, body: dict, expected: int) -> Callable[[], None]:
    def run() -> None:
        response = client.post("/api/v1/reminders", body, format="json")
        assert response.status_code == expected, response.content
        if expected == 400:
            assert "rrule" in response.json()["error"]["fields"], response.content

    return run


def signed_in_client() -> APIClient:
    user = users.user_register(email="bench@example.com", password=PASSWORD, timezone_name="Europe/Paris")
    client = APIClient()
    response = client.post("/api/v1/auth/login", {"email": user.email, "password": PASSWORD}, format="json")
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['token']}")
    return client


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=200)
    parser.add_argument("--api-repeats", type=int, default=50)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    client = signed_in_client()

    rows = []
    for case in ATTACKS:
        rule, start, _reason = case.values
        validator = timed(refuse_by_validator(rule, start), args.repeats)
        body = {"text": "x", "due_at": start(timezone.now()).isoformat(), "rrule": rule}
        api = timed(post(client, body, 400), args.api_repeats)
        rows.append((case.id, validator, api))
    one_off = {"text": "x", "due_at": tomorrow(timezone.now()).isoformat()}
    control = timed(post(client, one_off, 201), args.api_repeats)
    assert Reminder.objects.filter(rrule="").count() == args.api_repeats + 1
    assert not Reminder.objects.exclude(rrule="").exists()

    print(f"{'attack':40} {'validator median/max ms':>24} {'API median/max ms':>20}")
    for name, (v_median, v_max), (a_median, a_max) in rows:
        print(f"{name:40} {v_median:11.3f} / {v_max:8.3f} {a_median:10.2f} / {a_max:7.2f}")
    print(f"{'control: one-off reminder, 201':40} {'':24} {control[0]:10.2f} / {control[1]:7.2f}")
    worst_validator = max(validator[1] for _, validator, _ in rows)
    worst_api_median = max(api[0] for _, _, api in rows)
    worst_api = max(api[1] for _, _, api in rows)
    print(
        f"\nworst validator refusal {worst_validator:.3f} ms; API refusals: worst median "
        f"{worst_api_median:.2f} ms, worst single {worst_api:.2f} ms (target < {TARGET_MS:.0f} ms)"
    )
    if gc_paused:
        pauses = ", ".join(f"{pause:.1f}" for pause in gc_paused)
        print(f"runs with a full garbage collection of the process (left out of the max): {pauses} ms")
    print("PASS" if worst_api < TARGET_MS and worst_validator < TARGET_MS else "FAIL")


if __name__ == "__main__":
    main()
