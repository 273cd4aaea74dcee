"""Fixtures for the whole suite, the guard that keeps process-starting tests out of the fast
lane unless marked, and a hard stop when a configured service is unreachable."""

import os
import sys
from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

# The audit events of everything that starts a process: subprocess (asyncio's too), os.system,
# the exec/spawn family and fork (multiprocessing).
PROCESS_EVENTS = frozenset(
    {"subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn", "os.fork", "os.forkpty"}
)


class _FastLaneGuard:
    """Holds the running test while it is one the fast lane keeps (no `processes` marker), and
    what it tried to start: such a test must stay in-process, or it slows the lane down."""

    def __init__(self) -> None:
        self.test: pytest.Item | None = None
        self.started: list[str] = []

    def __call__(self, event: str, args: tuple[object, ...]) -> None:
        if self.test is None or event not in PROCESS_EVENTS:
            return
        what = f"{event} {args[:2]!r}"[:300]
        self.started.append(what)
        raise RuntimeError(f"{self.test.nodeid} starts a process ({what}): mark it @pytest.mark.processes")


_fast_lane_guard = _FastLaneGuard()


def pytest_configure(config: pytest.Config) -> None:
    """Compile the message catalogues that are missing or older than their .po, so a bare
    `pytest` sees the texts people get (scripts/test and the install step compile them too)."""
    from assistant.core.translations import catalogues_compile

    catalogues_compile()
    # Audit hooks cannot be removed: the guard is installed once and only acts inside a test.
    sys.addaudithook(_fast_lane_guard)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    """A test without the `processes` marker may start no process, from its fixtures either.
    The guard refuses the start; the teardown check also catches a refusal the code swallowed."""
    if item.get_closest_marker("processes") is None:
        _fast_lane_guard.test = item
    try:
        return (yield)
    finally:
        _fast_lane_guard.test = None
        _fast_lane_guard.started.clear()


@pytest.hookimpl(trylast=True)  # after the fixtures' teardown, which must run regardless
def pytest_runtest_teardown(item: pytest.Item) -> None:
    if _fast_lane_guard.started:
        pytest.fail(
            f"started a process without @pytest.mark.processes: {'; '.join(_fast_lane_guard.started)}",
            pytrace=False,
        )


def pytest_sessionstart(session: pytest.Session) -> None:
    """With DATABASE_URL or REDIS_URL set (as in CI), those services must answer: fail, never skip."""
    from django.conf import settings

    problems = []
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        import psycopg

        db = settings.DATABASES["default"]
        try:
            psycopg.connect(
                host=db["HOST"],
                port=db["PORT"] or 5432,
                user=db["USER"],
                password=db["PASSWORD"],
                dbname=db["NAME"],
                connect_timeout=5,
            ).close()
        except psycopg.OperationalError as error:
            problems.append(f"PostgreSQL from DATABASE_URL is unreachable: {error}")
    if os.environ.get("REDIS_URL"):
        from django_redis import get_redis_connection

        try:
            get_redis_connection("default").ping()
        except Exception as error:  # any failure at all means no usable Redis
            problems.append(f"Redis from REDIS_URL is unreachable: {error}")
    if problems:
        pytest.exit("\n".join(problems), returncode=3)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Lockout counters and throttles live in the cache; each test starts clean."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def password() -> str:
    return "correct horse battery staple"


@pytest.fixture
def user(db, password):
    from assistant.users.tests.factories import UserFactory

    return UserFactory(password=password)


@pytest.fixture
def auth_client(user, password) -> APIClient:
    from assistant.users.tests.helpers import sign_in

    return sign_in(user.email, password)


@pytest.fixture
def logs():
    """Everything logged during the test, as JSON lines through the production formatter."""
    from tests.logs import captured_logs

    with captured_logs() as captured:
        yield captured
