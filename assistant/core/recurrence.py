"""Recurring schedules as RFC 5545 RRULEs, evaluated in the user's own time zone.

A rule like FREQ=DAILY;BYHOUR=8;BYMINUTE=0 means 08:00 on the wall clock where the user
lives, so occurrences are computed on naive local times and localised one by one: across a
DST change the reminder stays at 08:00 local, not at the same UTC instant.

Rules come from people (the API, chat, the admin), so nothing reaches dateutil unchecked:

- `rrule_parse` reads a strict subset of RFC 5545 with our own grammar: FREQ from MINUTELY
  to YEARLY, INTERVAL, COUNT, UNTIL, BYDAY, BYMONTHDAY, BYMONTH, BYHOUR, BYMINUTE, BYSETPOS,
  WKST; no DTSTART or any other property, no line breaks, no SECONDLY, BYSECOND, BYYEARDAY,
  BYWEEKNO or BYEASTER, bounded numbers. Its `smallest_gap` is decided from the rule alone.
- Evaluation is bounded. dateutil's `rrule._iter` only checks UNTIL and COUNT when a
  candidate passes the BY filters, so a rule whose filters never match (February 30, or
  FREQ=DAILY;INTERVAL=7;BYDAY=TU from a Monday) walks to the year 9999 without yielding, and no
  counter around `after()` can stop it. We run dateutil's own `_iter` code with its
  `_iterinfo` replaced (in a copy of the module's globals, nothing patched) by one whose
  day-set methods, called once per step of the walk whatever the frequency, count the steps,
  check a deadline and stop the walk past a horizon. A step does a bounded amount of work
  (one period: at most a year of days times the BYHOUR x BYMINUTE set), so steps bound time.
- A long-running series is not walked from its first occurrence: the walk starts from the
  last period boundary before `after` that keeps the series' phase (`_anchor`), so the cost
  of finding the next occurrence does not grow with the series' age.
"""

import re
import time
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from datetime import time as clock
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

import dateutil.rrule as _dateutil
from dateutil.relativedelta import relativedelta

# Defaults for callers that pass none (the settings start from the same values).
DEFAULT_MIN_INTERVAL = timedelta(minutes=15)
DEFAULT_HORIZON = timedelta(days=730)
DEFAULT_BUDGET_SECONDS = 0.05
# How far past `after` next_occurrence looks: beyond the longest gap between two occurrences of
# any rule people write (February 29: 4 years, 8 across 2100), and still a short walk.
NEXT_OCCURRENCE_SPAN = timedelta(days=2922)
# Steps of one evaluation (periods walked plus candidates read). A valid rule needs a few
# thousand at most (February 29 daily over 8 years: 2,922).
MAX_STEPS = 20_000
MAX_LENGTH = 200
MAX_COUNT = 1000

FREQUENCIES = ("YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY", "MINUTELY")  # dateutil's order
# One period of each frequency is at most about two years.
MAX_INTERVAL = {
    "MINUTELY": 730 * 24 * 60,
    "HOURLY": 730 * 24,
    "DAILY": 730,
    "WEEKLY": 104,
    "MONTHLY": 24,
    "YEARLY": 2,
}
_STEP = {"MINUTELY": timedelta(minutes=1), "HOURLY": timedelta(hours=1), "DAILY": timedelta(days=1)}
_PERIODS = {"YEARLY": (366, "year"), "MONTHLY": (31, "month"), "WEEKLY": (7, "week"), "DAILY": (1, "day")}
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY = timedelta(days=1)
_MINUTES_PER_DAY = 24 * 60
_PROPERTIES = ("DTSTART", "DTEND", "DURATION", "EXDATE", "RDATE", "EXRULE", "TZID", "BEGIN:", "END:")
_UNSUPPORTED = ("BYSECOND", "BYYEARDAY", "BYWEEKNO", "BYEASTER")
_SHAPE = re.compile(r"[A-Z0-9=;,+\-]+")
_PART = re.compile(r"([A-Z]{1,12})=([A-Z0-9,+\-]{1,190})")
_NUMBER = re.compile(r"[0-9]{1,7}")
_SIGNED = re.compile(r"[+-]?[0-9]{1,3}")
_WEEKDAY = re.compile(r"([+-]?[0-9]{1,2})?(MO|TU|WE|TH|FR|SA|SU)")
_UNTIL = re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})(?:T([0-9]{2})([0-9]{2})([0-9]{2})(Z?))?")
_EXAMPLE = "FREQ=DAILY;BYHOUR=8;BYMINUTE=0"


class RecurrenceError(ValueError):
    """A rule refused, or one that cannot be evaluated; the message is a sentence for people."""

    kind = "invalid"


class RecurrenceNeverOccurs(RecurrenceError):
    kind = "never_occurs"


class RecurrenceBudgetExceeded(RecurrenceError):
    kind = "budget"


class _PastLimit(Exception):
    """The walk went past the horizon (or UNTIL) without the occurrence it looked for."""


@dataclass
class EvaluationStats:
    """What one evaluation cost: steps of the walk and candidates read, and month rebuilds."""

    steps: int = 0
    rebuilds: int = 0


@dataclass(frozen=True)
class RecurrenceRule:
    """A parsed rule. `until` is naive (local wall time) or aware (UTC, written with Z)."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None
    by_day: tuple[tuple[int, int | None], ...] = ()  # (weekday 0=MO, ordinal or None)
    by_month_day: tuple[int, ...] = ()
    by_month: tuple[int, ...] = ()
    by_hour: tuple[int, ...] = ()
    by_minute: tuple[int, ...] = ()
    by_set_pos: tuple[int, ...] = ()
    wkst: int = 0

    @property
    def smallest_gap(self) -> timedelta:
        """A lower bound of the time between two occurrences, from the rule alone.

        Every occurrence falls on a wall time of the BYHOUR x BYMINUTE set (every hour or
        minute of the day where the frequency walks them), so no two are closer than the
        set's smallest gap, counted round midnight. Sub-daily and daily rules also walk
        periods INTERVAL units apart: two occurrences in different periods are at least the
        period minus the span of times one period holds.
        """
        sub_daily = self.freq in ("HOURLY", "MINUTELY")
        hours = self.by_hour or (range(24) if sub_daily else (0,))
        minutes = self.by_minute or (range(60) if self.freq == "MINUTELY" else (0,))
        times = sorted(hour * 60 + minute for hour in hours for minute in minutes)
        gap = min((*(b - a for a, b in pairwise(times)), times[0] + _MINUTES_PER_DAY - times[-1]))
        if self.freq == "MINUTELY":
            gap = max(gap, self.interval)
        elif self.freq in ("HOURLY", "DAILY"):
            in_period = sorted(minutes) if self.freq == "HOURLY" else times
            unit = 60 if self.freq == "HOURLY" else _MINUTES_PER_DAY
            between = self.interval * unit - (in_period[-1] - in_period[0])
            gap = max(gap, min((*(b - a for a, b in pairwise(in_period)), between)))
        return timedelta(minutes=gap)

    def require_gap(self, min_interval: timedelta, *, channel: str = "") -> None:
        """Refuse a rule that may repeat more often than every `min_interval`."""
        if self.smallest_gap < min_interval:
            where = f" on {channel}" if channel else ""
            raise RecurrenceError(f"Reminders can repeat at most every {_duration(min_interval)}{where}.")

    def _period_size(self) -> tuple[int, str]:
        """The most candidates one period can hold (what BYSETPOS counts), and its name."""
        if self.freq == "MINUTELY":
            return 1, "minute"
        if self.freq == "HOURLY":
            return len(self.by_minute) or 1, "hour"
        days, period = _PERIODS[self.freq]
        return days * (len(self.by_hour) or 1) * (len(self.by_minute) or 1), period

    def _dateutil_kwargs(self, first: datetime, until: datetime | None) -> dict[str, Any]:
        """dateutil's arguments, with the values it would take from DTSTART spelled out from
        the series' first occurrence, so the walk may start from a later anchor."""
        month_days, months = self.by_month_day, self.by_month
        weekdays = tuple(_dateutil.weekday(day, ordinal) for day, ordinal in self.by_day)
        if self.freq in ("YEARLY", "MONTHLY", "WEEKLY") and not month_days and not weekdays:
            if self.freq == "WEEKLY":
                weekdays = (_dateutil.weekday(first.weekday()),)
            else:
                month_days = (first.day,)
                if self.freq == "YEARLY":
                    months = months or (first.month,)
        daily_or_slower = self.freq not in ("HOURLY", "MINUTELY")
        return {
            "freq": FREQUENCIES.index(self.freq),
            "interval": self.interval,
            "wkst": self.wkst,
            "count": self.count,
            "until": until,
            "bysetpos": self.by_set_pos or None,
            "bymonth": months or None,
            "bymonthday": month_days or None,
            "byweekday": weekdays or None,
            "byhour": self.by_hour or ((first.hour,) if daily_or_slower else None),
            "byminute": self.by_minute or ((first.minute,) if self.freq != "MINUTELY" else None),
            "bysecond": (first.second,),
        }


# --- Reading a rule -------------------------------------------------------------------------


def rrule_parse(rule: str) -> RecurrenceRule:
    """Read a rule with our own grammar; RecurrenceError says what is wrong with it."""
    if len(rule) > MAX_LENGTH:
        raise RecurrenceError(f"A rule is at most {MAX_LENGTH} characters.")
    text = rule.upper()
    for name in _PROPERTIES:
        if name in text:
            raise RecurrenceError(f"Rules may not contain {name.rstrip(':')}.")
    if "\n" in text or "\r" in text:
        raise RecurrenceError("A rule is a single line, such as " + _EXAMPLE + ".")
    text = text.removeprefix("RRULE:")
    if not _SHAPE.fullmatch(text):
        raise RecurrenceError(f"Not a recurrence rule: write it like {_EXAMPLE}.")
    parts: dict[str, str] = {}
    for part in text.split(";"):
        match = _PART.fullmatch(part)
        if not match:
            raise RecurrenceError(f"Not a recurrence rule: write it like {_EXAMPLE}.")
        name, value = match.groups()
        if name in parts:
            raise RecurrenceError(f"{name} appears twice.")
        parts[name] = value
    return _rule(parts)


def _rule(parts: dict[str, str]) -> RecurrenceRule:
    freq = parts.pop("FREQ", None)
    if freq is None:
        raise RecurrenceError("A rule needs a FREQ, such as FREQ=DAILY.")
    if freq == "SECONDLY":
        raise RecurrenceError("Reminders cannot repeat every second (FREQ=SECONDLY).")
    if freq not in FREQUENCIES:
        raise RecurrenceError("FREQ is one of " + ", ".join(reversed(FREQUENCIES)) + ".")
    for name in parts:
        if name in _UNSUPPORTED:
            raise RecurrenceError(f"{name} is not supported.")
        if name not in _READERS:
            raise RecurrenceError(f"Unknown rule part {name}.")
    fields = {_READERS[name][0]: _READERS[name][1](value, freq) for name, value in parts.items()}
    rule = RecurrenceRule(freq=freq, **fields)
    if rule.count is not None and rule.until is not None:
        raise RecurrenceError("A rule has COUNT or UNTIL, not both.")
    if rule.by_month_day and freq == "WEEKLY":
        raise RecurrenceError("BYMONTHDAY does not go with FREQ=WEEKLY.")
    if rule.by_month_day and not any(
        abs(day) <= _MONTH_DAYS[month - 1]
        for month in rule.by_month or range(1, 13)
        for day in rule.by_month_day
    ):
        raise RecurrenceNeverOccurs("This rule never occurs: no such day in those months.")
    if rule.by_set_pos:
        if not (_BY_PARTS - {"BYSETPOS"}) & parts.keys():
            raise RecurrenceError("BYSETPOS needs another BY rule part to choose from.")
        size, period = rule._period_size()
        if any(abs(position) > size for position in rule.by_set_pos):
            raise RecurrenceError(f"BYSETPOS is out of range: at most {size} times per {period} here.")
    return rule


def _interval(value: str, freq: str) -> int:
    highest = MAX_INTERVAL[freq]
    if not _NUMBER.fullmatch(value) or not 1 <= int(value) <= highest:
        raise RecurrenceError(f"INTERVAL is a number from 1 to {highest} with FREQ={freq}.")
    return int(value)


def _count(value: str, freq: str) -> int:
    if not _NUMBER.fullmatch(value) or not 1 <= int(value) <= MAX_COUNT:
        raise RecurrenceError(f"COUNT is a number from 1 to {MAX_COUNT}.")
    return int(value)


def _until(value: str, freq: str) -> datetime:
    """UNTIL=20271231 (through the end of that day), 20271231T080000 (local) or ...Z (UTC)."""
    match = _UNTIL.fullmatch(value)
    try:
        if match is None:
            raise ValueError(value)
        year, month, day, hour, minute, second, utc = match.groups()
        if hour is None:
            return datetime(int(year), int(month), int(day), 23, 59, 59)  # noqa: DTZ001 - wall time
        until = datetime(int(year), int(month), int(day), int(hour), int(minute), int(second))  # noqa: DTZ001
    except ValueError:
        raise RecurrenceError("UNTIL is a date like 20271231 or 20271231T080000Z.") from None
    return until.replace(tzinfo=UTC) if utc else until


def _numbers(
    name: str, low: int, high: int, *, signed: bool = False
) -> Callable[[str, str], tuple[int, ...]]:
    """A reader of a list of numbers from low to high (and -high to -1 when signed)."""
    allowed = set(range(low, high + 1)) | (set(range(-high, 0)) if signed else set())
    refusal = f"{name} lists numbers from {low} to {high}" + (f" or -{high} to -1." if signed else ".")

    def read(value: str, freq: str) -> tuple[int, ...]:
        items = value.split(",")
        if not all(_SIGNED.fullmatch(item) and int(item) in allowed for item in items):
            raise RecurrenceError(refusal)
        return _unique(name, [int(item) for item in items])

    return read


def _by_day(value: str, freq: str) -> tuple[tuple[int, int | None], ...]:
    limit = {"MONTHLY": 5, "YEARLY": 53}.get(freq)
    days = []
    for item in value.split(","):
        match = _WEEKDAY.fullmatch(item)
        if match is None:
            raise RecurrenceError("BYDAY lists days like MO,TU or, monthly and yearly, 1MO or -1FR.")
        ordinal = int(match[1]) if match[1] else None
        if ordinal is not None:
            if limit is None:
                raise RecurrenceError("BYDAY with a number (like 1MO) needs FREQ=MONTHLY or FREQ=YEARLY.")
            if not (ordinal != 0 and abs(ordinal) <= limit):
                raise RecurrenceError(
                    f"BYDAY numbers go from 1 to {limit} or -{limit} to -1 with FREQ={freq}."
                )
        days.append((_DAYS.index(match[2]), ordinal))
    return _unique("BYDAY", days)


def _wkst(value: str, freq: str) -> int:
    if value not in _DAYS:
        raise RecurrenceError("WKST is a day like MO.")
    return _DAYS.index(value)


def _unique(name: str, items: list[Any]) -> tuple[Any, ...]:
    if len(set(items)) != len(items):
        raise RecurrenceError(f"{name} lists a value twice.")
    return tuple(items)


_READERS: dict[str, tuple[str, Any]] = {
    "INTERVAL": ("interval", _interval),
    "COUNT": ("count", _count),
    "UNTIL": ("until", _until),
    "BYDAY": ("by_day", _by_day),
    "BYMONTHDAY": ("by_month_day", _numbers("BYMONTHDAY", 1, 31, signed=True)),
    "BYMONTH": ("by_month", _numbers("BYMONTH", 1, 12)),
    "BYHOUR": ("by_hour", _numbers("BYHOUR", 0, 23)),
    "BYMINUTE": ("by_minute", _numbers("BYMINUTE", 0, 59)),
    "BYSETPOS": ("by_set_pos", _numbers("BYSETPOS", 1, 366, signed=True)),
    "WKST": ("wkst", _wkst),
}
_BY_PARTS = frozenset(name for name in _READERS if name.startswith("BY"))


# --- Walking a rule, bounded ----------------------------------------------------------------


class _Walk:
    """One evaluation's bounds: a step budget, a deadline and a horizon (year, month, day)."""

    __slots__ = ("deadline", "limit", "max_steps", "stats")

    def __init__(self, *, limit: datetime, deadline: float, max_steps: int, stats: EvaluationStats) -> None:
        self.limit = (limit.year, limit.month, limit.day)
        self.deadline = deadline
        self.max_steps = max_steps
        self.stats = stats

    def step(self, position: tuple[int, int, int] | None = None) -> None:
        self.stats.steps += 1
        if self.stats.steps > self.max_steps or time.monotonic() >= self.deadline:
            raise RecurrenceBudgetExceeded("This rule takes too long to compute.")
        if position is not None and position > self.limit:
            raise _PastLimit


class _BoundedIterInfo(_dateutil._iterinfo):
    """dateutil's per-walk calendar helper; its walk asks it for one period's days per step.
    (No __slots__ of its own: dateutil's __init__ clears the attributes named in
    `self.__slots__`, which must stay dateutil's list.)"""

    rrule: "_BoundedRule"

    def rebuild(self, year: int, month: int) -> None:
        self.rrule.walk.stats.rebuilds += 1
        super().rebuild(year, month)

    def ydayset(self, year: int, month: int, day: int) -> Any:
        self.rrule.walk.step((year, 1, 1))
        return super().ydayset(year, month, day)

    def mdayset(self, year: int, month: int, day: int) -> Any:
        self.rrule.walk.step((year, month, 1))
        return super().mdayset(year, month, day)

    def wdayset(self, year: int, month: int, day: int) -> Any:
        self.rrule.walk.step((year, month, day))
        return super().wdayset(year, month, day)

    def ddayset(self, year: int, month: int, day: int) -> Any:
        self.rrule.walk.step((year, month, day))
        return super().ddayset(year, month, day)


def _bounded_iter() -> types.FunctionType:
    """dateutil's `rrule._iter`, the same code, reading `_iterinfo` from a copy of its module's
    globals where it is ours. Refuses to load if that code no longer looks the way we rely on."""
    code = vars(_dateutil.rrule)["_iter"].__code__  # private: not in dateutil's stubs
    if "_iterinfo" not in code.co_names or code.co_freevars:
        raise ImportError("dateutil's rrule._iter changed: review assistant.core.recurrence's bounds")
    namespace = {**vars(_dateutil), "_iterinfo": _BoundedIterInfo}
    return types.FunctionType(code, namespace, "_iter")


class _BoundedRule(_dateutil.rrule):
    _iter = _bounded_iter()

    def __init__(self, walk: _Walk, **kwargs: Any) -> None:
        self.walk = walk
        super().__init__(cache=False, **kwargs)


def _anchor(rule: RecurrenceRule, first: datetime, after: datetime) -> datetime:
    """Where the walk may start instead of `first` and find the same occurrences after `after`.

    The last period boundary at or before `after` that keeps the series' phase (a whole number
    of INTERVAL periods from the first one), or within that period the day of `after` (a
    period's candidates do not depend on where in it the walk starts, except BYSETPOS over a
    week, whose first week dateutil cuts at DTSTART). With COUNT the series must be counted
    from its start.
    """
    if rule.count is not None or after <= first:
        return first
    if rule.freq in _STEP:
        step = _STEP[rule.freq] * rule.interval
        return first + (after - first) // step * step
    if rule.freq == "WEEKLY":
        week = datetime.combine(first.date() - (first.weekday() - rule.wkst) % 7 * _DAY, clock())
        periods = (after - week) // timedelta(weeks=rule.interval)
        start = week + timedelta(weeks=periods * rule.interval)
        following, end = start + timedelta(weeks=rule.interval), start + timedelta(weeks=1)
    elif rule.freq == "MONTHLY":
        months = (after.year - first.year) * 12 + after.month - first.month
        periods = months // rule.interval
        start = datetime(first.year, first.month, 1) + relativedelta(months=periods * rule.interval)  # noqa: DTZ001
        following, end = start + relativedelta(months=rule.interval), start + relativedelta(months=1)
    else:
        periods = (after.year - first.year) // rule.interval
        start = datetime(first.year + periods * rule.interval, 1, 1)  # noqa: DTZ001
        following, end = start.replace(year=start.year + rule.interval), start.replace(year=start.year + 1)
    if periods == 0:
        start = first
    if after >= end:  # between two periods of the series: the next one
        return following
    if rule.freq == "WEEKLY" and rule.by_set_pos:
        return start
    return max(start, datetime.combine(after.date(), clock()))


def _walk(
    rule: RecurrenceRule, *, first: datetime, after: datetime, until: datetime | None, walk: _Walk
) -> Iterator[datetime]:
    """The series' naive local occurrences strictly after `after`, in order, until the walk ends
    (the series is over) or passes its limit (_PastLimit)."""
    kwargs = rule._dateutil_kwargs(first, until)
    try:
        occurrences = _BoundedRule(walk, dtstart=_anchor(rule, first, after), **kwargs)
        for occurrence in occurrences:
            walk.step()
            if (occurrence.year, occurrence.month, occurrence.day) > walk.limit:
                raise _PastLimit
            if occurrence > after:
                yield occurrence
    except RecurrenceError:
        raise
    except ValueError:  # dateutil found the BY parts empty for this start ("...empty rule")
        raise RecurrenceNeverOccurs("This rule never occurs.") from None


# --- Public evaluation ------------------------------------------------------------------------


def next_occurrence(
    *,
    rule: str | RecurrenceRule,
    first: datetime,
    timezone: str,
    after: datetime,
    span: timedelta = NEXT_OCCURRENCE_SPAN,
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
    max_steps: int = MAX_STEPS,
    stats: EvaluationStats | None = None,
) -> datetime | None:
    """The first occurrence of rule strictly after `after`, as an aware UTC datetime.

    `first` (aware) is the series' first occurrence; it anchors DTSTART in local time.
    Returns None when the rule has run out (COUNT or UNTIL). Raises RecurrenceError for a rule
    that does not parse, RecurrenceNeverOccurs when nothing falls within `span` after `after`,
    RecurrenceBudgetExceeded past `budget_seconds` or `max_steps` steps (`stats` counts them).
    """
    parsed = rule if isinstance(rule, RecurrenceRule) else rrule_parse(rule)
    zone = _zone(timezone)
    stats = stats if stats is not None else EvaluationStats()
    try:
        dtstart = first.astimezone(zone).replace(tzinfo=None)
        local_after = after.astimezone(zone).replace(tzinfo=None)
        until = parsed.until
        if until is not None and until.tzinfo is not None:
            until = until.astimezone(zone).replace(tzinfo=None)
        horizon = max(local_after, dtstart) + span
        ends_first = until is not None and until <= horizon
        walk = _Walk(
            limit=until if until is not None and ends_first else horizon,
            deadline=time.monotonic() + budget_seconds,
            max_steps=max_steps,
            stats=stats,
        )
        try:
            for upcoming in _walk(parsed, first=dtstart, after=local_after, until=until, walk=walk):
                # fold=0 picks the first of a repeated hour; a wall time skipped by DST (02:30 on
                # the spring-forward night) normalises forward, so it is still delivered.
                candidate = upcoming.replace(tzinfo=zone).astimezone(UTC)
                if candidate > after:
                    return candidate
        except _PastLimit:
            if not ends_first:
                raise RecurrenceNeverOccurs(
                    f"This rule never occurs in the next {_duration(span)}."
                ) from None
    except OverflowError:
        raise RecurrenceNeverOccurs("This rule never occurs before the year 9999.") from None
    return None


def rrule_validate(
    rule: str,
    *,
    min_interval: timedelta = DEFAULT_MIN_INTERVAL,
    first: datetime | None = None,
    timezone: str = "UTC",
    horizon: timedelta = DEFAULT_HORIZON,
    after: datetime | None = None,
    channel: str = "",
    budget_seconds: float = DEFAULT_BUDGET_SECONDS,
) -> datetime:
    """Check a rule people gave us, and return its first occurrence (aware UTC).

    The rule must parse, repeat at most every `min_interval` (`channel` names where, in the
    message) and occur within `horizon` of the series' start `first` (default: now) or, when
    `after` is later, of `after`; the occurrence returned is the first at or after `first` and
    strictly after `after`. Raises RecurrenceError (or a subclass) with a sentence for people.
    """
    parsed = rrule_parse(rule)
    parsed.require_gap(min_interval, channel=channel)
    first = first or datetime.now(UTC)
    after = first - timedelta(microseconds=1) if after is None or after < first else after
    found = next_occurrence(
        rule=parsed, first=first, timezone=timezone, after=after, span=horizon, budget_seconds=budget_seconds
    )
    if found is None:
        raise RecurrenceNeverOccurs(f"This rule never occurs in the next {_duration(horizon)}.")
    return found


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (KeyError, ValueError):  # ZoneInfoNotFoundError is a KeyError
        raise RecurrenceError("Unknown time zone.") from None


def _duration(span: timedelta) -> str:
    """15 minutes, hour, 2 hours, day, 2 years: for "every ..." and "in the next ..."."""
    minutes = round(span.total_seconds() / 60)
    if minutes >= 365 * _MINUTES_PER_DAY:
        count, unit = round(minutes / (365.25 * _MINUTES_PER_DAY)), "year"
    else:
        count, unit = minutes, "minute"
        for name, size in (("week", 7 * _MINUTES_PER_DAY), ("day", _MINUTES_PER_DAY), ("hour", 60)):
            if minutes >= size and minutes % size == 0:
                count, unit = minutes // size, name
                break
    return unit if count == 1 else f"{count} {unit}s"
