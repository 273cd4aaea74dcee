"""When a reminder is due: read out of its text, then turned into a UTC instant or an RRULE.

Reading runs on the folded text, one family of patterns after another: recurrences first (so
"every monday" is not taken for a one-off "monday"), then offsets, dates, days, weekdays and
times of day. Each expression recognised is cut out; what is left is the reminder's text.
The common forms are precompiled patterns: dateparser costs a millisecond or more a call and
misreads "tomorrow at 8", so it only reads numeric dates (3/12, 12/03/2027), whose day and
month order depends on where the user lives, and is imported the first time one shows up.

All wall-clock arithmetic happens in the user's zone and is converted to UTC at the end.
"""

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from assistant.chat.engine.lexicon import Lexicon, PartOfDay, Unit
from assistant.chat.engine.text import alternation, fold
from assistant.chat.engine.types import Problem
from assistant.core.recurrence import next_occurrence

DEFAULT_HOUR = 9  # a day named without a time of day
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQUENCIES = {
    Unit.MINUTE: "MINUTELY",
    Unit.HOUR: "HOURLY",
    Unit.DAY: "DAILY",
    Unit.WEEK: "WEEKLY",
    Unit.MONTH: "MONTHLY",
}
_SUB_DAILY = frozenset({"MINUTELY", "HOURLY"})
_START = r"(?<!\w)"
_END = r"(?!\w)"
_AM_PM = r"(?:am|pm|a\.m\.?|p\.m\.?)"
# Years people plan in; the year 9999 would overflow when converted to UTC.
_YEAR = r"(?:19|20)[0-9]{2}"
Reader = Callable[[re.Match[str], "TimeExpression", "Reading"], bool]


@dataclass(frozen=True)
class Reading:
    """What reading a date needs to know besides the words."""

    today: date  # in the user's zone
    month_first: bool  # 3/12 is March 12 (the US habit), not 3 December


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int
    ambiguous: bool = False  # a bare "at 8": 08:00 or 20:00
    meridiem: bool = False  # am/pm was written, so no part of day may move it


@dataclass(frozen=True)
class Recurrence:
    freq: str
    interval: int = 1
    days: tuple[int, ...] = ()


@dataclass
class TimeExpression:
    """Everything the text says about when, before any of it is resolved against the clock."""

    recurrence: Recurrence | None = None
    delay: timedelta | None = None
    day: date | None = None
    keeps_clock: bool = False  # "in 3 days" with no time means at this time of day
    weekday: int | None = None
    strictly_next: bool = False  # "next monday" on a Monday is a week away
    clock: Clock | None = None
    part: PartOfDay | None = None


@dataclass(frozen=True)
class Schedule:
    due_at: datetime | None
    rrule: str | None = None
    problem: Problem | None = None


Value = TypeVar("Value")


def _folded(table: Mapping[str, Value]) -> dict[str, Value]:
    """A lexicon table keyed the way matched text is spelled."""
    return {fold(phrase): value for phrase, value in table.items()}


class TimeGrammar:
    """One language's time expressions, compiled once."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.language = lexicon.code
        self._numbers = _folded(lexicon.numbers)
        self._units = _folded(lexicon.units)
        self._adverbs = _folded(lexicon.recurring_adverbs)
        self._weekday_sets = _folded(lexicon.weekday_sets)
        self._weekdays = _folded({**lexicon.weekdays, **lexicon.plural_weekdays})
        self._months = _folded(lexicon.months)
        self._day_words = _folded(lexicon.day_words)
        self._parts = _folded(lexicon.parts_of_day)
        self._part_nouns = _folded(lexicon.part_nouns)
        self._minutes_after = _folded(lexicon.minutes_after)

        # Shared with the snooze command: a count ("20", "twenty") and a unit after it.
        self.number_pattern = number = rf"(?:(?P<n>[0-9]{{1,4}}) ?|(?P<nw>{alternation(lexicon.numbers)}) )"
        self.unit_pattern = units = alternation(lexicon.units)
        every = alternation(lexicon.every)
        any_day = alternation(self._weekdays)
        join = rf"(?:,? {alternation(lexicon.and_words)} | ?, ?| )"
        months = alternation(lexicon.months)
        on_date = rf"(?:{alternation(lexicon.date_prefixes)} )?"
        at_time = alternation(lexicon.time_prefixes)
        hour = r"(?P<h>[0-9]{1,2})"
        minute_units = alternation(word for word, unit in lexicon.units.items() if unit is Unit.MINUTE)
        # "in 2 hours and 30 minutes"
        join_minutes = rf",? {alternation(lexicon.and_words)} (?P<extra>[0-9]{{1,2}}) ?{minute_units}"
        self._any_day = re.compile(any_day)

        def compiled(*pieces: str) -> re.Pattern[str]:
            return re.compile(_START + "".join(pieces) + _END)

        # Order matters: a longer or more specific expression must be cut out before a family
        # that would match part of it.
        self._readers: tuple[tuple[re.Pattern[str], Reader], ...] = (
            (compiled(alternation(lexicon.weekday_sets)), self._read_weekday_set),
            (
                compiled(
                    rf"(?:{every} {number}?(?P<unit>{units})",
                    rf"|(?P<adverb>{alternation(lexicon.recurring_adverbs)}))",
                ),
                self._read_interval,
            ),
            (
                compiled(
                    rf"(?:{alternation(lexicon.weekly_prefixes)} {any_day}(?:{join}{any_day})*",
                    rf"|(?:{alternation(lexicon.plural_prefixes)} )?",
                    rf"{alternation(lexicon.plural_weekdays)}(?:{join}{any_day})*)",
                ),
                self._read_weekly,
            ),
            (compiled(rf"{every} (?P<part>{alternation(lexicon.part_nouns)})"), self._read_part_recurrence),
            (
                compiled(
                    rf"{alternation(lexicon.relative_prefixes)} ",
                    rf"(?:{hour} ?h ?(?P<hm>[0-9]{{2}})|{number}(?P<unit>{units})(?:{join_minutes})?",
                    rf"|(?P<half>{alternation(lexicon.half_hour)}))",
                ),
                self._read_relative,
            ),
            (
                compiled(
                    on_date,
                    rf"(?:(?P<d>[0-9]{{1,2}})(?:st|nd|rd|th|er|º)?(?: of| de)? (?P<mon>{months})",
                    rf"|(?P<mon2>{months}) (?:the )?(?P<d2>[0-9]{{1,2}})(?:st|nd|rd|th)?)",
                    rf"(?:,? (?:de )?(?P<y>{_YEAR}))?",
                ),
                self._read_date,
            ),
            (
                compiled(on_date, rf"(?P<numeric>[0-9]{{1,2}}/[0-9]{{1,2}}(?:/(?:[0-9]{{2}}|{_YEAR}))?)"),
                self._read_numeric_date,
            ),
            (compiled(rf"(?P<part>{alternation(lexicon.parts_of_day)})"), self._read_part),
            (compiled(rf"(?P<day>{alternation(lexicon.day_words)})"), self._read_day_word),
            (
                compiled(
                    rf"(?:{alternation(lexicon.weekday_prefixes)} )?",
                    rf"(?:(?P<next>{alternation(lexicon.next_before)}) )?",
                    rf"(?P<wd>{alternation(lexicon.weekdays)})",
                    rf"(?: (?P<after>{alternation(lexicon.next_after)}))?",
                ),
                self._read_weekday,
            ),
            (
                # A time with a mark that settles the hour: 8:30, 8h, 20h15, 8pm, 8 a.m.
                compiled(
                    rf"(?:{at_time} )?{hour}(?:(?::(?P<m>[0-9]{{2}})",
                    rf"| ?(?:h|hs|heures?|horas?)(?: ?(?P<hm>[0-9]{{2}}))?)(?: ?(?P<ap>{_AM_PM}))?",
                    rf"| ?(?P<ap2>{_AM_PM}))",
                ),
                self._read_clock,
            ),
            (
                compiled(
                    rf"(?:{at_time} )?",
                    rf"(?:(?P<noon>{alternation(lexicon.noon)})|{alternation(lexicon.midnight)})",
                ),
                self._read_noon_or_midnight,
            ),
            (
                # A bare hour needs its "at": a lone number is more often a quantity than a time.
                compiled(
                    rf"{at_time} {hour}",
                    rf"(?: (?P<after>{alternation(lexicon.minutes_after)}))?(?: o clock)?",
                ),
                self._read_bare_hour,
            ),
        )

    def extract(self, folded: str, reading: Reading) -> tuple[TimeExpression, list[tuple[int, int]]]:
        """What `folded` says about when, and the spans that said it (to cut out of the text)."""
        found = TimeExpression()
        spans = []
        for pattern, read in self._readers:
            for match in pattern.finditer(folded):
                if read(match, found, reading):
                    start, end = match.span()
                    spans.append((start, end))
                    # Blank it so a later family cannot read the same words a second time.
                    folded = folded[:start] + "\0" * (end - start) + folded[end:]
                    break
        return found, spans

    def count(self, match: re.Match[str]) -> int:
        """The number in a match's `n` (digits) or `nw` (a word such as "twenty") group."""
        return int(match["n"]) if match["n"] else self._numbers[match["nw"]]

    def unit(self, word: str) -> Unit:
        return self._units[word]

    def _read_weekday_set(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        found.recurrence = Recurrence("WEEKLY", days=self._weekday_sets[match[0]])
        return True

    def _read_interval(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        if match["adverb"]:
            unit, interval = self._adverbs[match["adverb"]], 1
        else:
            unit = self._units[match["unit"]]
            interval = self.count(match) if match["n"] or match["nw"] else 1
        if interval < 1:
            return False
        found.recurrence = Recurrence(_FREQUENCIES[unit], interval=interval)
        return True

    def _read_weekly(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        days = sorted({self._weekdays[name] for name in self._any_day.findall(match[0])})
        found.recurrence = Recurrence("WEEKLY", days=tuple(days))
        return True

    def _read_part_recurrence(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        found.recurrence = Recurrence("DAILY")
        found.part = found.part or self._part_nouns[match["part"]]
        return True

    def _read_relative(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.delay or found.day:
            return False
        if match["h"]:
            found.delay = timedelta(hours=int(match["h"]), minutes=int(match["hm"]))
            return True
        if match["half"]:
            found.delay = timedelta(minutes=30)
            return True
        count, unit = self.count(match), self._units[match["unit"]]
        extra_minutes = int(match["extra"] or 0)
        if count < 1 or (extra_minutes and unit is not Unit.HOUR):
            return False
        if unit in (Unit.MINUTE, Unit.HOUR):
            found.delay = timedelta(minutes=count * unit + extra_minutes)
        else:
            # Days and longer move the calendar, not the clock: "in 2 days" keeps the time of day
            # even across a DST change.
            days = count * (7 if unit is Unit.WEEK else 1)
            found.day = reading.today + (
                relativedelta(months=count) if unit is Unit.MONTH else timedelta(days=days)
            )
            found.keeps_clock = True
        return True

    def _read_date(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        day = int(match["d"] or match["d2"])
        month = self._months[match["mon"] or match["mon2"]]
        year = int(match["y"]) if match["y"] else reading.today.year
        try:
            named = date(year, month, day)
            if not match["y"] and named < reading.today:  # "3 january" said in November: next year's
                named = date(year + 1, month, day)
        except ValueError:  # 31 november, or 29 february of a year without one
            return False
        found.day = named
        return True

    def _read_numeric_date(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        found.day = _numeric_date(match["numeric"], self.language, reading)
        return found.day is not None

    def _read_part(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.part:
            return False
        found.part = self._parts[match["part"]]
        return True

    def _read_day_word(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        offset, part = self._day_words[match["day"]]
        found.day = reading.today + timedelta(days=offset)
        found.part = found.part or part
        return True

    def _read_weekday(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day or found.weekday is not None:
            return False
        found.weekday = self._weekdays[match["wd"]]
        found.strictly_next = bool(match["next"] or match["after"])
        return True

    def _read_clock(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        hour, minute = int(match["h"]), int(match["m"] or match["hm"] or 0)
        meridiem = match["ap"] or match["ap2"]
        if meridiem:
            if not 1 <= hour <= 12:
                return False
            hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
        return self._set_clock(found, Clock(hour, minute, meridiem=bool(meridiem)))

    def _read_noon_or_midnight(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        return self._set_clock(found, Clock(12 if match["noon"] else 0, 0, meridiem=True))

    def _read_bare_hour(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        hour = int(match["h"])
        minute = self._minutes_after[match["after"]] if match["after"] else 0
        return self._set_clock(found, Clock(hour, minute, ambiguous=1 <= hour <= 12))

    @staticmethod
    def _set_clock(found: TimeExpression, clock: Clock) -> bool:
        if found.clock or clock.hour > 23 or clock.minute > 59:
            return False
        found.clock = clock
        return True


def _numeric_date(text: str, language: str, reading: Reading) -> date | None:
    import dateparser  # ~150 ms to import, and most processes never see a numeric date

    settings = {
        "PREFER_DATES_FROM": "future",
        "RELATIVE_BASE": datetime.combine(reading.today, time()),
        "DATE_ORDER": "MDY" if reading.month_first else "DMY",
    }
    parsed = dateparser.parse(text, languages=[language], settings=settings)
    return parsed.date() if parsed else None


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    # A wall time skipped by DST (02:30 on the spring-forward night) takes the offset from before
    # the change, landing just after the gap; in a repeated hour fold=0 picks the first one.
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def _wall_time(found: TimeExpression) -> Clock | None:
    """The time of day asked for, with a part of day ("du soir", "in the evening") applied."""
    clock, part = found.clock, found.part
    if clock is None:
        return None if part is None else Clock(part.value, 0)
    if part is None or clock.meridiem:
        return clock
    hour = clock.hour + 12 if part is not PartOfDay.MORNING and clock.hour < 12 else clock.hour
    return Clock(hour, clock.minute)


def _next_wall_time(clock: Clock, now: datetime, zone: ZoneInfo) -> datetime:
    """The next time the clock shows this; a bare hour may be read on either half of the day."""
    today = now.astimezone(zone).date()
    hours = (clock.hour % 12, clock.hour % 12 + 12) if clock.ambiguous else (clock.hour,)
    return min(
        due
        for day in (today, today + timedelta(days=1))
        for hour in hours
        if (due := _at(day, hour, clock.minute, zone)) > now
    )


def resolve(found: TimeExpression, now: datetime, timezone: str) -> Schedule | None:
    """Pin what the text said to the calendar; None when it said nothing about when."""
    zone = ZoneInfo(timezone)
    if found.recurrence:
        return _recurring(found, found.recurrence, now, timezone)
    if found.delay is not None:
        return Schedule(now + found.delay)
    today = now.astimezone(zone).date()
    clock = _wall_time(found)
    if found.day is not None:
        if clock is None and found.keeps_clock:
            local_now = now.astimezone(zone)
            clock = Clock(local_now.hour, local_now.minute)
        elif clock is None and found.day == today:
            return Schedule(None, problem=Problem.MISSING_TIME)
        elif clock is None:
            clock = Clock(DEFAULT_HOUR, 0)
        clock = _daytime(clock)
        due = _at(found.day, clock.hour, clock.minute, zone)
        return Schedule(due, problem=Problem.PAST_TIME if due <= now else None)
    if found.weekday is not None:
        clock = _daytime(clock or Clock(DEFAULT_HOUR, 0))
        ahead = (found.weekday - today.weekday()) % 7
        if ahead == 0 and found.strictly_next:
            ahead = 7
        due = _at(today + timedelta(days=ahead), clock.hour, clock.minute, zone)
        if due <= now:  # "on friday" said on a Friday after the time: the next one
            due = _at(today + timedelta(days=ahead + 7), clock.hour, clock.minute, zone)
        return Schedule(due)
    if clock is None:
        return None
    return Schedule(_next_wall_time(clock, now, zone))


def _daytime(clock: Clock) -> Clock:
    """A bare hour on a named day: read as written ("tomorrow at 8" is 08:00), except 1 to 5,
    which people mean in the afternoon ("friday at 3" is 15:00), not in the night."""
    if clock.ambiguous and 1 <= clock.hour <= 5:
        return Clock(clock.hour + 12, clock.minute)
    return clock


def _recurring(found: TimeExpression, recurrence: Recurrence, now: datetime, timezone: str) -> Schedule:
    zone = ZoneInfo(timezone)
    frequency = f"FREQ={recurrence.freq}"
    interval = f";INTERVAL={recurrence.interval}" if recurrence.interval > 1 else ""
    by_parts = ""
    if recurrence.days:
        by_parts += ";BYDAY=" + ",".join(_DAY_CODES[day] for day in recurrence.days)
    clock = _wall_time(found)
    anchor = now.astimezone(zone).replace(second=0, microsecond=0)
    if recurrence.freq in _SUB_DAILY:
        # "every 2 hours" counts from now, or from the time given with it.
        if clock:
            anchor = _next_wall_time(clock, now, zone).astimezone(zone)
        first_rule = frequency + interval
    else:
        # A recurring bare hour is read as written: "every day at 8" is 08:00.
        clock = clock or Clock(DEFAULT_HOUR, 0)
        by_parts += f";BYHOUR={clock.hour};BYMINUTE={clock.minute}"
        if found.day is not None and found.day > anchor.date():  # "from tomorrow, every day..."
            anchor = datetime.combine(found.day, time(), tzinfo=zone)
        # The series starts at the next matching slot and INTERVAL counts from there (the
        # service anchors DTSTART on due_at): "every 2 days at 8" starts at the next 08:00.
        first_rule = frequency + by_parts
    after = max(now, anchor - timedelta(microseconds=1))
    first = next_occurrence(rule=first_rule, first=anchor, timezone=timezone, after=after)
    return Schedule(first, rrule=frequency + interval + by_parts)
