"""The status board in a real browser: Debian's chromium (/usr/bin/chromium) driven by
Playwright. A staff member signs in through the admin's login form and sees the overall
status, a card per component with its colour and latency, updated in place as a component
recovers; someone signed in who is not staff is sent to the login page instead."""

import re
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Browser, expect, sync_playwright

from assistant.users.models import User
from assistant.users.tests.factories import UserFactory
from monitoring import board, health
from monitoring.health import HealthMonitor
from monitoring.tests.test_health_checks import registry_with

pytestmark = pytest.mark.processes

CHROMIUM = "/usr/bin/chromium"
BOARD = "/monitoring/status/"
GREEN, RED = "rgb(26, 127, 55)", "rgb(207, 34, 46)"


@pytest.fixture
def staff(transactional_db, password) -> User:
    user = UserFactory(password=password)
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    return user


@pytest.fixture
def member_session(transactional_db) -> str:
    """The session cookie of a signed-in user who is not staff."""
    client = Client()
    client.force_login(UserFactory())
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def beat(monkeypatch, settings) -> dict[str, str]:
    """Celery beat's status, as the test sets it; the host's disk and memory are pinned healthy
    so that what the page shows does not depend on the machine running the test."""
    state = {"status": "unhealthy"}
    monkeypatch.setattr(
        health,
        "monitor",
        HealthMonitor(
            registry_with(
                celery_beat=lambda: (
                    {"status": state["status"], "error": "no tick for 400 s"}
                    if state["status"] != "healthy"
                    else {"status": "healthy", "detail": "last tick 3 s ago"}
                ),
                disk=lambda: {"status": "healthy", "detail": "40% used"},
                memory=lambda: {"status": "healthy", "detail": "30% in use"},
            )
        ),
    )
    # Every fetch of the page starts a refresh: the next one shows its result.
    settings.HEALTH_CHECK_CACHE_SECONDS = 0
    monkeypatch.setattr(board, "REFRESH_SECONDS", 1)
    return state


@pytest.fixture
def browser(staff, member_session) -> Iterator[Browser]:
    # Depends on the accounts: they are written before Playwright's event loop starts, since
    # Django refuses ORM calls from a thread with a running event loop.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


def test_staff_sign_in_and_see_every_component_with_its_colour_and_latency(
    browser, live_server, staff, password, beat
):
    page = browser.new_page()
    page.goto(live_server.url + BOARD)

    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/monitoring/status/$"))
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(live_server.url + BOARD)
    expect(page.get_by_role("heading", name="Service status")).to_be_visible()
    overall = page.locator("#health-overall")
    expect(overall.get_by_role("status")).to_contain_text("Overall: ! Degraded")
    expect(page.locator(".health-card")).to_have_count(11)

    database = page.locator('.health-card[data-component="database"]')
    expect(database.get_by_role("heading")).to_have_text("Databasecritical")
    expect(database).to_contain_text("✓ Healthy")
    expect(database.locator('[data-field="latency"]')).to_have_text(re.compile(r"^\d+\.\d ms$"))
    assert database.evaluate("card => getComputedStyle(card).borderLeftColor") == GREEN

    celery_beat = page.locator('.health-card[data-component="celery_beat"]')
    expect(celery_beat).to_have_attribute("data-status", "unhealthy")
    expect(celery_beat).to_contain_text("✕ Unhealthy")
    expect(celery_beat.locator('[data-field="error"]')).to_have_text("no tick for 400 s")
    assert celery_beat.evaluate("card => getComputedStyle(card).borderLeftColor") == RED

    beat["status"] = "healthy"  # beat ticks again: the page catches up without a reload

    expect(celery_beat).to_have_attribute("data-status", "healthy", timeout=10_000)
    expect(celery_beat).to_contain_text("✓ Healthy")
    expect(celery_beat.locator('[data-field="last-error"]')).to_contain_text("no tick for 400 s (at ")
    expect(overall).to_have_attribute("data-status", "healthy", timeout=10_000)
    expect(overall.get_by_role("status")).to_contain_text("Overall: ✓ Healthy")


def test_someone_who_is_not_staff_is_sent_to_the_login_page(browser, live_server, member_session, beat):
    context = browser.new_context()
    context.add_cookies(
        [{"name": settings.SESSION_COOKIE_NAME, "value": member_session, "url": live_server.url}]
    )
    page = context.new_page()

    page.goto(live_server.url + BOARD)

    expect(page).to_have_url(re.compile(r"/admin/login/\?next=/monitoring/status/$"))
    expect(page.locator(".errornote")).to_contain_text("cannot use this page")
    expect(page.locator(".health-card")).to_have_count(0)
