"""The admin as staff see it: Debian's chromium (/usr/bin/chromium), driven by Playwright, against
a live server. Screenshots of the admin index, a user's page with every activity panel filled and
the status board, at a desktop width and a phone's, saved under the test's tmp dir (their paths
are printed); on each, no text may overflow its box, and the index's Operations link keeps to
one line."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.test import Client
from playwright.sync_api import Browser, Page, sync_playwright

from assistant.users.models import Role, User
from assistant.users.tests.factories import UserFactory
from monitoring import health
from monitoring.health import HealthMonitor
from monitoring.tests.test_health_checks import registry_with
from tests.activity import activity_rows_create

pytestmark = pytest.mark.processes

CHROMIUM = "/usr/bin/chromium"
WIDTHS = {1280: 800, 390: 844}  # width: height (a laptop, a phone)

# Every element that shows text of its own, and is laid out, is checked three ways: its content is
# not wider than its box, each of its text lines stays inside the block that holds it, and no
# short word is broken over lines (a table cell squeezed narrower than a word). A box that clips
# or scrolls on purpose (overflow other than visible: a table that scrolls sideways on a phone,
# the screen-reader-only texts) is left alone; so is the page, which must not scroll sideways.
OVERFLOWS_JS = r"""
() => {
  const skipped = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE", "SELECT", "OPTION", "TEXTAREA"]);
  const describe = (el) => {
    const id = el.id ? "#" + el.id : "";
    const classes = typeof el.className === "string" && el.className.trim()
      ? "." + el.className.trim().split(/\s+/).join(".") : "";
    return `${el.tagName.toLowerCase()}${id}${classes} "${el.textContent.trim().slice(0, 40)}"`;
  };
  const block = (el) => {
    let holder = el;
    while (holder.parentElement && getComputedStyle(holder).display.startsWith("inline")) {
      holder = holder.parentElement;
    }
    return holder;
  };
  const offenders = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    if (skipped.has(el.tagName) || el.closest("svg, select") || el.getClientRects().length === 0) continue;
    const texts = [...el.childNodes].filter(
      (node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());
    if (!texts.length) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const block_level = !style.display.startsWith("inline");
    if (block_level && style.overflowX === "visible" && el.scrollWidth > el.clientWidth + 1) {
      offenders.add(`${describe(el)}: content ${el.scrollWidth}px wide in a ${el.clientWidth}px box`);
    }
    const holder = block(el);
    if (getComputedStyle(holder).overflowX !== "visible") continue;
    const box = holder.getBoundingClientRect();
    for (const text of texts) {
      const range = document.createRange();
      range.selectNodeContents(text);
      const lines = range.getClientRects();
      const words = text.textContent.trim().split(/\s+/);
      // More lines than words: a box so narrow that it breaks short words (long e-mails and
      // URLs may break on purpose).
      if (lines.length > words.length && Math.max(...words.map((word) => word.length)) <= 20) {
        offenders.add(`${describe(el)}: ${words.length} word(s) broken over ${lines.length} lines`);
      }
      for (const line of lines) {
        if (line.right > box.right + 1 || line.left < box.left - 1) {
          offenders.add(`${describe(el)}: text ${Math.round(line.left)}..${Math.round(line.right)}px `
            + `outside its box ${Math.round(box.left)}..${Math.round(box.right)}px (${describe(holder)})`);
        }
      }
    }
  }
  const page = document.documentElement.scrollWidth;
  if (page > window.innerWidth + 1) {
    offenders.add(`the page is ${page}px wide in a ${window.innerWidth}px window`);
  }
  return [...offenders];
}
"""


@pytest.fixture
def staff(transactional_db) -> User:
    user = UserFactory()
    user.is_staff = True
    user.save(update_fields=["is_staff"])
    user.groups.add(Group.objects.get(name=Role.ADMIN))  # every model on the index
    return user


@pytest.fixture
def person(staff) -> User:
    user = UserFactory(email="ada.lovelace@example.com")
    activity_rows_create(user=user, staff=staff, rows=12)  # two pages of most panels
    return user


@pytest.fixture
def staff_session(staff) -> str:
    client = Client()
    client.force_login(staff)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@pytest.fixture
def board(monkeypatch, settings) -> None:
    """A board with a failing component, so that an error is shown; the host's disk and memory
    are pinned, as in the board's own browser test."""
    monkeypatch.setattr(
        health,
        "monitor",
        HealthMonitor(
            registry_with(
                celery_beat=lambda: {
                    "status": "unhealthy",
                    "error": "no tick for 400 s since the last deploy",
                },
                disk=lambda: {"status": "healthy", "detail": "40% used"},
                memory=lambda: {"status": "healthy", "detail": "30% in use"},
            )
        ),
    )
    settings.HEALTH_CHECK_CACHE_SECONDS = 0


@pytest.fixture
def browser(person, staff_session, board) -> Iterator[Browser]:
    # After the rows: Django refuses ORM calls from a thread with a running event loop.
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield browser
        browser.close()


def _open(browser: Browser, url: str, session: str, width: int) -> Page:
    context = browser.new_context(viewport={"width": width, "height": WIDTHS[width]})
    context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": session, "url": url}])
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_admin_pages_render_without_overflowing_text(
    browser, live_server, staff_session, person, width, tmp_path
):
    pages = {
        "index": "/admin/",
        "user": f"/admin/users/user/{person.pk}/change/",
        "status-board": "/monitoring/status/",
    }
    problems: list[str] = []
    for name, path in pages.items():
        page = _open(browser, live_server.url + path, staff_session, width)
        shot = Path(tmp_path) / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"screenshot: {shot}")  # noqa: T201 - where to look (pytest -s, or -rP)
        problems += [f"{name} at {width}px: {offender}" for offender in page.evaluate(OVERFLOWS_JS)]
        if name == "index":
            lines = page.get_by_role("link", name="System status").evaluate("a => a.getClientRects().length")
            if lines != 1:
                problems.append(f"index at {width}px: the Operations link takes {lines} lines")
        if name == "user":
            assert page.locator(".activity-panel").count() == 6
        page.context.close()

    assert not problems, "text overflows its box:\n" + "\n".join(problems)
