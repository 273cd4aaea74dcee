"""What staff read on a person's admin page: "what happened to this person?".

The rows live in the apps above users (reminder deliveries, SMS, integrations), which users
never imports. Each app registers, from its AppConfig.ready(), the panels that show its rows on
the user's change page (`activity_panel_register`), and the search prefixes that find a person
from one of its rows (`activity_lookup_register`, e.g. `reminder:42`). The admin
(admin_activity.py) reads only this registry.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

from assistant.users.models import User

# What a cell shows: text, autoescaped, or a SafeString (format_html) for a link.
Cell = Callable[[Any], object]


@dataclass(frozen=True)
class Column:
    title: str
    value: Cell


@dataclass(frozen=True)
class ActivityPanel:
    """One read-only, paginated table on the user's page.

    `rows` is a selector of the app that owns them: the person's rows, newest first, with what
    the columns read already joined or prefetched, so that a page of them costs the same
    statements whatever their number (a queryset is counted and sliced; a list is taken whole).
    """

    key: str  # the page's query parameter is `<key>_page`
    title: str
    rows: Callable[[User], QuerySet[Any] | Sequence[Any]]
    columns: Sequence[Column]
    position: int  # panels are shown in this order, whichever app registered first

    @property
    def page_parameter(self) -> str:
        return f"{self.key}_page"


@dataclass(frozen=True)
class ActivityLookup:
    """`<prefix>:<value>` in the user list's search finds the owners of the rows it names."""

    prefix: str
    example: str  # for the search help text, e.g. "reminder:42"
    user_ids: Callable[[str], QuerySet[Any]]  # value -> a queryset of user ids (none if invalid)


_panels: dict[str, ActivityPanel] = {}
_lookups: dict[str, ActivityLookup] = {}


def activity_panel_register(panel: ActivityPanel) -> None:
    # ready() may run again (tests reload apps): the same panel again is harmless, another
    # panel under a taken key would hide one of them.
    existing = _panels.get(panel.key)
    if existing is not None and existing.title != panel.title:
        raise ImproperlyConfigured(f"The activity panel {panel.key!r} is already registered.")
    _panels[panel.key] = panel


def activity_panels() -> list[ActivityPanel]:
    return sorted(_panels.values(), key=lambda panel: panel.position)


def activity_lookup_register(lookup: ActivityLookup) -> None:
    existing = _lookups.get(lookup.prefix)
    if existing is not None and existing.example != lookup.example:
        raise ImproperlyConfigured(f"The search prefix {lookup.prefix!r} is already registered.")
    _lookups[lookup.prefix] = lookup


def activity_lookup_find(term: str) -> QuerySet[Any] | None:
    """The ids of the users a `<prefix>:<value>` term names; None when it has no registered prefix."""
    prefix, separator, value = term.partition(":")
    lookup = _lookups.get(prefix.strip().lower()) if separator else None
    return lookup.user_ids(value.strip()) if lookup is not None else None


def activity_lookup_examples() -> list[str]:
    return [lookup.example for lookup in sorted(_lookups.values(), key=lambda lookup: lookup.prefix)]
