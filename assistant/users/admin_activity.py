"""The user's admin page answers "what happened to this person?", and the user list finds them.

`ActivityAdminMixin` adds to the change page every panel of the registry (activity.py), each
paginated on its own (`?deliveries_page=2`), and teaches the list's search the phone's last
digits and the registered `<prefix>:<value>` lookups. This app's own panels (security and audit
events) are defined here and registered from UsersConfig.ready() like the others.
"""

import re
from dataclasses import dataclass
from typing import Any

from django.contrib import admin
from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.functional import lazy

from assistant.users import selectors
from assistant.users.activity import (
    ActivityPanel,
    Column,
    activity_lookup_examples,
    activity_lookup_find,
    activity_panels,
)
from assistant.users.models import AuditEvent, User

PANEL_PAGE_SIZE = 10
EMPTY = "—"

# A phone number as staff type it: digits, maybe a "+" and separators; three digits at least, so
# that a short number in a name or an e-mail does not turn into a phone search.
_PHONE_TERM = re.compile(r"^\+?[\d\s().-]*\d[\d\s().-]*$")
_PHONE_TERM_MIN_DIGITS = 3


@dataclass(frozen=True)
class PanelPage:
    panel: ActivityPanel
    page: Page[Any]
    rows: list[list[object]]  # the cells of each row on this page
    previous_url: str | None
    next_url: str | None


def _page_url(request: HttpRequest, panel: ActivityPanel, number: int) -> str:
    # The other panels keep their pages, and the change form its preserved list filters.
    query = request.GET.copy()
    query[panel.page_parameter] = str(number)
    return f"?{query.urlencode()}#activity-{panel.key}"


def _cell(value: object) -> object:
    return EMPTY if value is None or value == "" else value


def activity_panel_pages(*, request: HttpRequest, user: User) -> list[PanelPage]:
    """A page of every registered panel for this person: two statements per panel (its count
    and its page) whatever the number of rows."""
    pages = []
    for panel in activity_panels():
        page = Paginator(panel.rows(user), PANEL_PAGE_SIZE).get_page(request.GET.get(panel.page_parameter))
        previous = page.previous_page_number() if page.has_previous() else None
        following = page.next_page_number() if page.has_next() else None
        pages.append(
            PanelPage(
                panel=panel,
                page=page,
                rows=[[_cell(column.value(row)) for column in panel.columns] for row in page.object_list],
                previous_url=_page_url(request, panel, previous) if previous else None,
                next_url=_page_url(request, panel, following) if following else None,
            )
        )
    return pages


def _search_help() -> str:
    examples = " or ".join(activity_lookup_examples())
    lookups = f", or {examples} for the person a row belongs to" if examples else ""
    return f"E-mail or name, the last digits of a phone number (1234 finds +15555551234){lookups}."


class ActivityAdminMixin(admin.ModelAdmin[User]):
    """For the User admin: the activity panels on the change page, and the search described by
    `search_help_text`. The panels' template is admin/users/user/change_form.html."""

    # Lazy: the lookups are registered by apps that are ready after this module is imported.
    search_help_text = lazy(_search_help, str)()

    def render_change_form(
        self,
        request: HttpRequest,
        context: dict[str, Any],
        add: bool = False,
        change: bool = False,
        form_url: str = "",
        obj: User | None = None,
    ) -> HttpResponse:
        if obj is not None:
            context["activity_panels"] = activity_panel_pages(request=request, user=obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[User], bool]:
        term = search_term.strip()
        owners = activity_lookup_find(term)
        if owners is not None:
            return queryset.filter(pk__in=owners), False
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digits = re.sub(r"\D", "", term)
        if _PHONE_TERM.match(term) and len(digits) >= _PHONE_TERM_MIN_DIGITS:
            # Numbers are stored in E.164, without separators: "555-1234" and "+1 555 555 1234"
            # match the end of "+15555551234".
            results = results | queryset.filter(phone_number__endswith=digits)
        return results, may_have_duplicates


# --- This app's panels -------------------------------------------------------------------------


def _audit_actor(event: AuditEvent) -> str:
    return event.actor.email if event.actor is not None else "system"


def _audit_target(event: AuditEvent) -> str:
    return event.target_repr or event.target_type


SECURITY_EVENTS_PANEL = ActivityPanel(
    key="security",
    title="Security events",
    rows=lambda user: selectors.user_security_events(user=user),
    columns=[
        Column("When", lambda event: event.created_at),
        Column("Kind", lambda event: event.get_kind_display()),
        Column("Severity", lambda event: event.get_severity_display()),
        Column("IP", lambda event: event.ip),
    ],
    position=50,
)

AUDIT_EVENTS_PANEL = ActivityPanel(
    key="audit",
    title="Audit events (by or about this person)",
    rows=lambda user: selectors.user_audit_events_involving(user=user),
    columns=[
        Column("When", lambda event: event.created_at),
        Column("Action", lambda event: event.get_action_display()),
        Column("By", _audit_actor),
        Column("On", _audit_target),
        Column("IP", lambda event: event.ip),
    ],
    position=60,
)
