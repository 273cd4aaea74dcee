"""When a reminder is due: read out of its text, then turned into a UTC instant or an RRULE.

Reading runs on the folded text, one family of patterns after another: recurrences first (so
"every monday" is not taken for a one-off "monday"), then offsets, dates, days, weekdays and
times of day. Each expression recognised is cut out; what is left is the reminder's text.

A clock time is either settled ("7.30am", "19h", "20:15", "noon", "8 in the evening") or bare
("at 8", "a las 8", "8:30"): a bare one is read against the day it falls on. With no day named,
the one of 08:00 and 20:00 still ahead today, or a question when both are; with a day or a
recurrence, 7 to 11 in the morning and 1 to 6 in the afternoon (see the corpus README).

All wall-clock arithmetic happens in the user's zone and is converted to UTC at the end, and
first occurrences of recurrences are found by walking the calendar, not by a rule engine.
"""

import calendar
import contextlib
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from assistant.chat.engine.lexicon import Lexicon, PartOfDay, Unit
from assistant.chat.engine.text import alternation, fold
from assistant.chat.engine.types import Problem

DEFAULT_HOUR = 9  # a day named without a time of day
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_FREQUENCIES = {
    Unit.SECOND: "SECONDLY",
    Unit.MINUTE: "MINUTELY",
    Unit.HOUR: "HOURLY",
    Unit.DAY: "DAILY",
    Unit.WEEK: "WEEKLY",
    Unit.MONTH: "MONTHLY",
    Unit.YEAR: "YEARLY",
}
_SUB_DAILY = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
_UNIT_SECONDS = {"SECONDLY": 1, "MINUTELY": 60, "HOURLY": 3600}
# Word edges, where "8:30" and "3/12" count as one word: a pattern never starts or stops inside.
_START = r"(?<!\w)(?<![0-9][:./])"
_END = r"(?!\w)(?![:./][0-9])"
_AM_PM = r"(?:am|pm|a\.m\.?|p\.m\.?|a\.m|p\.m)"
_ORDINAL = r"(?:st|nd|rd|th|er|e|eme|ieme|o|a|º|ª)?"
# Years people plan in; the year 9999 would overflow when converted to UTC.
_YEAR = r"(?:19|20)[0-9]{2}"
Reader = Callable[[re.Match[str], "TimeExpression", "Reading"], bool]
_TOKENS = re.compile(r"[a-z]+|[0-9]+")
DIGIT = "#"  # stands for any word with a digit in the cue sets
DIGITS = frozenset({DIGIT})
SLASH = frozenset({"/"})  # numeric dates: 3/12


def cue(*tables: Mapping[str, object] | tuple[str, ...]) -> frozenset[str]:
    """The word each of a family's phrases cannot do without (its longest: "tomorrow" of "the day
    after tomorrow"); one of them must be in a message for the family to match at all."""
    return frozenset(
        max(words, key=len)
        for table in tables
        for phrase in table
        if (words := _TOKENS.findall(fold(phrase)))
    )


@dataclass(frozen=True)
class Reading:
    """What reading a date needs to know besides the words."""

    today: date  # in the user's zone
    month_first: bool  # 3/12 is March 12 (the US habit), not 3 December
    timezone: str = ""  # for words whose meaning depends on the region ("au dîner")


@dataclass(frozen=True)
class Clock:
    hour: int
    minute: int
    bare: bool = False  # "at 8": 08:00 or 20:00, read against the day
    meridiem: bool = False  # am/pm, noon or midnight: no part of day may move it


@dataclass(frozen=True)
class Recurrence:
    freq: str
    interval: int = 1
    days: tuple[int, ...] = ()
    monthdays: tuple[int, ...] = ()


@dataclass
class TimeExpression:
    """Everything the text says about when, before any of it is resolved against the clock."""

    recurrence: Recurrence | None = None
    delay: timedelta | None = None
    day: date | None = None
    today_named: bool = False  # "today": a bare hour is read as with no day at all
    keeps_clock: bool = False  # "in 3 days" with no time means at this time of day
    weekday: int | None = None
    strictly_next: bool = False  # "next monday" on a Monday is a week away
    clock: Clock | None = None
    part: PartOfDay | None = None
    unclear: bool = False  # something shaped like a time that is not one ("25h", "14h70")
    monthday: int | None = None  # "on the 15th": the next 15th whose time is still ahead

    @property
    def found(self) -> bool:
        return any(
            value is not None
            for value in (self.recurrence, self.delay, self.day, self.weekday, self.clock, self.part)
        )

    @property
    def has_day_or_clock(self) -> bool:
        return any(
            value is not None for value in (self.recurrence, self.delay, self.day, self.weekday, self.clock)
        )


@dataclass(frozen=True)
class Schedule:
    due_at: datetime | None
    rrule: str | None = None
    problem: Problem | None = None
    options: tuple[datetime, ...] = ()


Value = TypeVar("Value")


def _folded(table: Mapping[str, Value]) -> dict[str, Value]:
    """A lexicon table keyed the way matched text is spelled."""
    return {fold(phrase): value for phrase, value in table.items()}


class TimeGrammar:
    """One language's time expressions, compiled once."""

    def __init__(self, lexicon: Lexicon, every_time_prefix: tuple[str, ...] = ()) -> None:
        """`every_time_prefix`: the "at" words of all languages, which a clock with a mark
        ("8pm", "16h") may follow in a message that mixes them ("call Lea à 16h")."""
        self.language = lexicon.code
        self._fixed_delays = _folded(lexicon.fixed_delays)
        self._numbers = _folded(lexicon.numbers)
        self._units = _folded(lexicon.units)
        self._adverbs = _folded(lexicon.recurring_adverbs)
        self._alternate = _folded(lexicon.alternate)
        self._weekday_sets = _folded(lexicon.weekday_sets)
        self._weekdays = _folded({**lexicon.weekdays, **lexicon.plural_weekdays})
        self._months = _folded(lexicon.months)
        self._day_words = _folded(lexicon.day_words)
        self._parts = _folded(lexicon.parts_of_day)
        self._part_nouns = _folded(lexicon.part_nouns)
        self._minutes_after = _folded(lexicon.minutes_after)
        self._minutes_before = _folded(lexicon.minutes_before)
        self._minutes_prefix = _folded(lexicon.minutes_prefix)
        self._noon = frozenset(map(fold, lexicon.noon))
        self._meals = _folded(lexicon.meals)
        self._regional_meals = _folded(lexicon.regional_meals)
        self._regional_zones = frozenset(lexicon.regional_zones)
        self._today_words = frozenset(
            fold(word) for word, (offset, part) in lexicon.day_words.items() if offset == 0 and part is None
        )

        # Shared with the snooze command: a count ("20", "twenty") and a unit after it.
        self.number_pattern = number = rf"(?:(?P<n>[0-9]{{1,4}}) ?|(?P<nw>{alternation(lexicon.numbers)}) )"
        self.unit_pattern = units = alternation(lexicon.units)
        every = alternation(lexicon.every)
        any_day = alternation(self._weekdays)
        # "monday and thursday", "le mardi et le jeudi", "los lunes y los jueves"
        join = (
            rf"(?:,? {alternation(lexicon.and_words)} | ?, ?| )(?:{alternation(lexicon.weekly_prefixes)} )?"
        )
        months = alternation(lexicon.months)
        on_date = rf"(?:{alternation(lexicon.date_prefixes)} )?"
        # "at", "à", "a las"... before a clock is found after the clock itself: a regex starting
        # with a long optional alternation would try it at every position of every message.
        self._own_prefix = re.compile(rf"(?<!\w)(?:{alternation(lexicon.time_prefixes)}) $")
        self._possessive = re.compile(r"(?<!\w)(?:de|do|da|del|of|du|d) $")  # "for": a deadline
        prepositions = (*lexicon.date_prefixes, *lexicon.weekday_prefixes, *lexicon.time_prefixes)
        self._preposition = re.compile(rf"(?<!\w)(?:{alternation(prepositions)}) $")
        self._any_prefix = re.compile(
            rf"(?<!\w)(?:{alternation((*lexicon.time_prefixes, *every_time_prefix))}) $"
        )
        hour = r"(?P<h>[0-9]{1,2})"
        # "a la una" is one o'clock in Spanish; the other "one"s are mostly articles.
        hour_word = alternation(
            word
            for word, value in lexicon.numbers.items()
            if 1 <= value <= 12 and word not in ("a", "an", "un", "une", "uno", "um", "uma")
        )
        approximate = alternation(lexicon.approximate)
        joiners = alternation(lexicon.minute_joiners)
        minute_units = alternation(word for word, unit in lexicon.units.items() if unit is Unit.MINUTE)
        # "in 2 hours and 30 minutes", "in an hour and a half"
        join_minutes = (
            rf"(?:,? {alternation(lexicon.and_words)} (?P<extra>[0-9]{{1,2}}) ?{minute_units}"
            rf"|(?P<and_half> {alternation(lexicon.and_half)}))"
        )
        after = alternation(lexicon.minutes_after)
        before = alternation(lexicon.minutes_before)
        hour_mark = r"(?:h|hs|hrs?|heures?|horas?|hours?)"
        self._any_day = re.compile(any_day)
        monthday = rf"(?P<md>[0-9]{{1,2}}){_ORDINAL}"
        monthday_prefix = alternation(lexicon.monthday_prefixes)
        not_a_count = rf"(?! ?(?:{units}|{hour_mark}{_END}|:|[0-9]))"

        def compiled(*pieces: str) -> re.Pattern[str]:
            return re.compile(_START + "".join(pieces) + _END)

        # Each family names the words one of which must be in a message for it to match at all:
        # most messages hold few time words, and a set lookup is far cheaper than a regex scan.
        hour_words = frozenset(
            word for word, value in self._numbers.items() if 1 <= value <= 12 and " " not in word
        )

        # Order matters: a longer or more specific expression must be cut out before a family
        # that would match part of it.
        self._readers: tuple[tuple[re.Pattern[str], Reader, frozenset[str]], ...] = (
            (
                compiled(alternation(lexicon.monthly_last_day)),
                self._read_monthly_last_day,
                cue(lexicon.monthly_last_day),
            ),
            (
                compiled(
                    rf"(?:{alternation(lexicon.monthly_before_day)} (?:{monthday_prefix} )?",
                    rf"{monthday}{not_a_count}(?: {alternation(lexicon.monthly_after_day)})?",
                    rf"|(?:{monthday_prefix} )?{monthday.replace('md', 'md2')}(?: of| de| do| du)?",
                    rf" {alternation(lexicon.monthly_after_day)})",
                ),
                self._read_monthly,
                cue(lexicon.monthly_before_day, lexicon.monthly_after_day),
            ),
            (compiled(alternation(lexicon.weekday_sets)), self._read_weekday_set, cue(lexicon.weekday_sets)),
            (compiled(alternation(lexicon.alternate)), self._read_alternate, cue(lexicon.alternate)),
            (
                compiled(
                    rf"(?:{every} {number}?(?P<unit>{units})",
                    rf"|(?P<adverb>{alternation(lexicon.recurring_adverbs)}))",
                ),
                self._read_interval,
                cue(lexicon.units, lexicon.recurring_adverbs),
            ),
            (
                compiled(
                    rf"(?:(?P<other>{alternation(lexicon.every_other)}) {any_day}",
                    rf"|{alternation(lexicon.weekly_prefixes)} {any_day}(?:{join}{any_day})*",
                    rf"|(?:{alternation(lexicon.plural_prefixes)} )?",
                    rf"{alternation(lexicon.plural_weekdays)}(?:{join}{any_day})*)",
                    rf"(?: (?P<wpart>{alternation(lexicon.part_nouns)}))?",
                    rf"(?! [0-9]{{1,2}}{_ORDINAL}(?: de| of)? {months})",
                ),
                self._read_weekly,
                cue(lexicon.weekdays, lexicon.plural_weekdays),
            ),
            (
                compiled(rf"{every} (?P<part>{alternation(lexicon.part_nouns)})"),
                self._read_part_recurrence,
                cue(lexicon.part_nouns),
            ),
            (
                compiled(
                    rf"{alternation(lexicon.relative_prefixes)} ",
                    rf"(?:{hour} ?h ?(?P<hm>[0-9]{{2}})|{number}(?P<unit>{units})(?:{join_minutes})?",
                    rf"|(?P<fixed>{alternation(lexicon.fixed_delays)}))",
                ),
                self._read_relative,
                cue(lexicon.relative_prefixes),
            ),
            (compiled(alternation(lexicon.month_end)), self._read_month_end, cue(lexicon.month_end)),
            (compiled(alternation(lexicon.weekend)), self._read_weekend, cue(lexicon.weekend)),
            (compiled(alternation(lexicon.next_week)), self._read_next_week, cue(lexicon.next_week)),
            (compiled(alternation(lexicon.next_month)), self._read_next_month, cue(lexicon.next_month)),
            (
                compiled(
                    on_date,
                    rf"(?:(?P<wd0>{any_day}),? )?",
                    rf"(?:(?P<d>[0-9]{{1,2}}){_ORDINAL}(?: of| de)? (?P<mon>{months})",
                    rf"|(?P<mon2>{months}) (?:the )?(?P<d2>[0-9]{{1,2}}){_ORDINAL})",
                    rf"(?:,? (?:de |del )?(?P<y>{_YEAR}))?",
                ),
                self._read_date,
                cue(lexicon.months),
            ),
            (
                compiled(on_date, r"(?P<a>[0-9]{1,2})/(?P<b>[0-9]{1,2})(?:/(?P<y>[0-9]{2,4}))?"),
                self._read_numeric_date,
                SLASH,
            ),
            (
                # "tres da tarde", "8 du soir", "8 in the evening": the part settles a bare hour
                compiled(
                    rf"(?:{hour}(?:[:.h](?P<m>[0-9]{{2}}))?|(?P<hw>{hour_word})) ",
                    rf"(?P<part>{alternation(lexicon.parts_of_day)})",
                ),
                self._read_hour_and_part,
                cue(lexicon.parts_of_day),
            ),
            (
                # "vers 5-6h", "at 5 or 6": a range, to be confirmed
                compiled(
                    rf"{hour}(?: ?{hour_mark})?(?P<or> ?(?:{alternation(lexicon.or_words)}) ?| )",
                    r"(?P<h2>[0-9]{1,2})",
                    rf"(?P<mark2> ?(?:{hour_mark}|{_AM_PM}))?",
                ),
                self._read_range,
                DIGITS,
            ),
            (
                compiled(rf"(?P<part>{alternation(lexicon.parts_of_day)})"),
                self._read_part,
                cue(lexicon.parts_of_day),
            ),
            (
                compiled(rf"(?P<day>{alternation(lexicon.day_words)})"),
                self._read_day_word,
                cue(lexicon.day_words),
            ),
            (
                compiled(
                    rf"(?:{alternation(lexicon.weekday_prefixes)} )?",
                    rf"(?:(?P<next>{alternation(lexicon.next_before)}) )?",
                    rf"(?P<wd>{alternation(lexicon.weekdays)})",
                    rf"(?: (?P<md>[0-9]{{1,2}}){_ORDINAL})?",
                    rf"(?: (?P<wpart>{alternation(lexicon.part_nouns)}))?",
                    rf"(?: (?P<after>{alternation(lexicon.next_after)}))?",
                ),
                self._read_weekday,
                cue(lexicon.weekdays),
            ),
            (
                compiled(
                    rf"(?:{alternation(lexicon.monthday_prefixes)} )",
                    rf"(?P<md>[0-9]{{1,2}})(?P<ord>{_ORDINAL}){not_a_count}",
                ),
                self._read_monthday,
                cue(lexicon.monthday_prefixes),
            ),
            (
                # "6ish", "7.30ish", "a las 7 y pico", "às 7 e pouco": a time to confirm, not to save
                compiled(
                    rf"(?:{hour}(?:[:.](?P<m>[0-9]{{2}})|h(?P<m2>[0-9]{{2}})?)?|(?P<hw>{hour_word}))",
                    rf"(?: ?(?P<ap>{_AM_PM}))? ?(?:{approximate})",
                ),
                self._read_approximate,
                cue(lexicon.approximate) | DIGITS,  # "18hish" is one word
            ),
            (
                # "a las 6 y 20", "às 7 e 15"
                compiled(
                    rf"(?:{hour}|(?P<hw>{hour_word})) (?:{joiners}) (?P<plus>[0-9]{{1,2}})",
                    rf"(?! ?(?:{minute_units}))",
                ),
                self._read_joined_minutes,
                cue(lexicon.minute_joiners),
            ),
            (
                # "half past 7", "quarter to 9", "quinze para as 9"
                compiled(rf"(?P<pre>{alternation(lexicon.minutes_prefix)}) (?:{hour}|(?P<hw>{hour_word}))"),
                self._read_prefixed_clock,
                cue(lexicon.minutes_prefix),
            ),
            (
                # "8 et demie", "9h moins le quart", "8 y media", "8 e meia", "midi et demi"
                compiled(
                    rf"(?:{hour}(?P<mark> ?{hour_mark})?|(?P<hw>{hour_word})(?P<mark2> {hour_mark})?"
                    rf"|(?P<noon>{alternation(lexicon.noon)})|(?P<midnight>{alternation(lexicon.midnight)}))",
                    rf" (?:(?P<after>{after})|(?P<before>{before}))",
                ),
                self._read_clock_with_minutes,
                cue(lexicon.minutes_after, lexicon.minutes_before),
            ),
            (
                # A time with a mark that settles the hour: 8:30pm, 7.30am, 730pm, 8h, 20h15, 8pm.
                compiled(
                    rf"(?:{hour}[:.](?P<m>[0-9]{{2}})(?: ?(?P<ap>{_AM_PM}))?",
                    rf"|(?P<hhmm>[0-9]{{3,4}}) ?(?P<ap2>{_AM_PM})",
                    rf"|(?P<h2>[0-9]{{1,2}}) ?{hour_mark}(?: ?(?P<hm>[0-9]{{2}}))?(?: ?(?P<ap3>{_AM_PM}))?",
                    rf"|(?P<h3>[0-9]{{1,2}}) ?(?P<ap4>{_AM_PM}))",
                ),
                self._read_clock,
                DIGITS,
            ),
            (
                compiled(rf"(?:(?P<noon>{alternation(lexicon.noon)})|{alternation(lexicon.midnight)})"),
                self._read_noon_or_midnight,
                cue(lexicon.noon, lexicon.midnight),
            ),
            (
                compiled(rf"(?P<meal>{alternation({**lexicon.meals, **lexicon.regional_meals})})"),
                self._read_meal,
                cue(lexicon.meals, lexicon.regional_meals),
            ),
            (
                # A bare hour needs its "at": a lone number is more often a quantity than a time.
                compiled(
                    rf"(?:{hour}|(?P<hw>{hour_word}))",
                    rf"(?: {alternation(lexicon.hour_words)})?(?! ?[0-9])",
                ),
                self._read_bare_hour,
                DIGITS | hour_words,
            ),
        )
        # Which families each word can start, so a message tries only the families its words cue.
        self._cued: dict[str, tuple[int, ...]] = {}
        for index, (_, _, cues) in enumerate(self._readers):
            for word in cues:
                self._cued[word] = (*self._cued.get(word, ()), index)
        self._clocks = {
            self._read_approximate,
            self._read_joined_minutes,
            self._read_prefixed_clock,
            self._read_clock_with_minutes,
            self._read_hour_and_part,
            self._read_range,
            self._read_clock,
            self._read_noon_or_midnight,
            self._read_bare_hour,
        }
        self._unclear = re.compile(
            rf"{_START}(?:[0-9]{{1,2}}[:.h][0-9]{{2,}}|[0-9]{{1,4}} ?(?:{_AM_PM}|{hour_mark}|ish)"
            rf"|[0-9]{{1,2}}[:.][0-9]{{1,2}}(?: ?{_AM_PM})?|{alternation(lexicon.day_words)}"
            rf"|{alternation(lexicon.weekdays)}|{alternation(lexicon.noon)}|{alternation(lexicon.midnight)}"
            rf"|[0-9]{{1,2}}/[0-9]{{1,2}}(?:/[0-9]{{2,4}})?|ish|{alternation(lexicon.hour_words)}){_END}"
        )
        self._unclear_cues = DIGITS | cue(
            lexicon.day_words, lexicon.weekdays, lexicon.noon, lexicon.midnight, lexicon.hour_words, ("ish",)
        )
        # "the clothes of tomorrow": a day word after these is the task's, not a time to read.
        self._belongs = re.compile(r"(?<!\w)(?:de|do|da|del|of|for|pour|para|pra|du|d) $")

    def extract(self, folded: str, reading: Reading) -> tuple[TimeExpression, list[tuple[int, int]]]:
        """What `folded` says about when, and the spans that said it (to cut out of the text)."""
        found = TimeExpression()
        spans: list[tuple[int, int]] = []
        self.extract_into(found, spans, folded, reading)
        return found, spans

    @staticmethod
    def _prefix_before(folded: str, start: int, prefix: re.Pattern[str]) -> int | None:
        """Where a time prefix ending right before `start` begins ("at " of "at 8"), if any."""
        match = prefix.search(folded, max(0, start - 30), start)
        return match.start() if match else None

    def extract_into(
        self, found: TimeExpression, spans: list[tuple[int, int]], folded: str, reading: Reading
    ) -> str:
        """Add what this language reads in `folded` to `found`; returns the text with what was
        read blanked out, for another language's grammar to read the rest."""
        if not folded:
            return folded
        words = set(_TOKENS.findall(folded))
        if any(word[0].isdigit() for word in words):
            words.add(DIGIT)
            if "/" in folded:
                words.add("/")
        wanted: set[int] = set()
        for word in words:
            wanted.update(self._cued.get(word, ()))
        for index in sorted(wanted):
            pattern, read, _ = self._readers[index]
            for match in pattern.finditer(folded):
                if read(match, found, reading):
                    start, end = match.span()
                    # Take the "at" / "on" / "le" before it too.
                    prefix = self._prefix_before(
                        folded, start, self._any_prefix if read in self._clocks else self._preposition
                    )
                    start = start if prefix is None else prefix
                    spans.append((start, end))
                    # Blank it so a later family cannot read the same words a second time.
                    folded = folded[:start] + "\0" * (end - start) + folded[end:]
                    break
        return folded

    def looks_like_time(self, folded: str) -> bool:
        """Whether text left over after reading still holds something shaped like a time."""
        words = set(_TOKENS.findall(folded))
        if any(word[0].isdigit() for word in words):
            words.add(DIGIT)
        if self._unclear_cues.isdisjoint(words):
            return False
        return any(
            self._belongs.search(folded, max(0, match.start() - 6), match.start()) is None
            for match in self._unclear.finditer(folded)
        )

    def count(self, match: re.Match[str]) -> int:
        """The number in a match's `n` (digits) or `nw` (a word such as "twenty") group."""
        return int(match["n"]) if match["n"] else self._numbers[match["nw"]]

    def unit(self, word: str) -> Unit:
        return self._units[word]

    def fixed_delay(self, phrase: str) -> int:
        return self._fixed_delays[phrase]

    def part_of_day(self, folded: str) -> PartOfDay | None:
        return self._parts.get(folded) or self._part_nouns.get(folded)

    def _hour(self, match: re.Match[str]) -> int:
        return int(match["h"]) if match["h"] else self._numbers[match["hw"]]

    # --- recurrences ---

    def _read_monthly_last_day(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        found.recurrence = Recurrence("MONTHLY", monthdays=(-1,))
        return True

    def _read_monthly(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        day = int(match["md"] or match["md2"])
        if found.recurrence or not 1 <= day <= 31:
            return False
        found.recurrence = Recurrence("MONTHLY", monthdays=(day,))
        return True

    def _read_weekday_set(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        found.recurrence = Recurrence("WEEKLY", days=self._weekday_sets[match[0]])
        return True

    def _read_alternate(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        found.recurrence = Recurrence(_FREQUENCIES[self._alternate[match[0]]], interval=2)
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
        if not days:
            return False
        found.recurrence = Recurrence("WEEKLY", interval=2 if match["other"] else 1, days=tuple(days))
        if match["wpart"]:  # "every sunday night"
            found.part = found.part or self._part_nouns[match["wpart"]]
        return True

    def _read_part_recurrence(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.recurrence:
            return False
        found.recurrence = Recurrence("DAILY")
        found.part = found.part or self._part_nouns[match["part"]]
        return True

    # --- days ---

    def _read_relative(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.delay or found.day:
            return False
        if match["h"]:
            found.delay = timedelta(hours=int(match["h"]), minutes=int(match["hm"]))
            return True
        if match["fixed"]:
            found.delay = timedelta(minutes=self._fixed_delays[match["fixed"]])
            return True
        count, unit = self.count(match), self._units[match["unit"]]
        extra_minutes = int(match["extra"] or 0) + (30 if match["and_half"] else 0)
        if count < 1 or (extra_minutes and unit is not Unit.HOUR):
            return False
        if unit is Unit.SECOND:
            found.delay = timedelta(seconds=count)
        elif unit in (Unit.MINUTE, Unit.HOUR):
            found.delay = timedelta(minutes=count * unit + extra_minutes)
        else:
            # Days and longer move the calendar, not the clock: "in 2 days" keeps the time of day
            # even across a DST change.
            try:
                found.day = reading.today + _calendar_offset(unit, count)
            except (OverflowError, ValueError):
                return False
            found.keeps_clock = True
        return True

    def _read_month_end(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        today = reading.today
        found.day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
        return True

    def _read_weekend(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day or found.weekday is not None:
            return False
        found.day = reading.today + timedelta(days=(5 - reading.today.weekday()) % 7)
        return True

    def _read_next_week(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day or found.weekday is not None:
            # "friday next week": the weekday of next week
            if found.weekday is not None and found.day is None:
                found.strictly_next = True
                return True
            return False
        found.day = reading.today + timedelta(days=7 - reading.today.weekday())
        return True

    def _read_next_month(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        found.day = reading.today.replace(day=1) + relativedelta(months=1)
        return True

    def _read_date(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        day = int(match["d"] or match["d2"])
        month = self._months[match["mon"] or match["mon2"]]
        named = _next_date(reading.today, month, day, int(match["y"]) if match["y"] else None)
        if named is None:  # 31 november, or 29 february of a year without one
            found.unclear = True
            return True
        found.day = named
        return True

    def _read_numeric_date(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.day:
            return False
        first, second = int(match["a"]), int(match["b"])
        day, month = (second, first) if reading.month_first else (first, second)
        year = None
        if match["y"]:
            year = int(match["y"]) + (2000 if len(match["y"]) == 2 else 0)
            if not 1900 <= year <= 2199:  # "12/31/9999" is not a date anyone plans for
                found.unclear = True
                return True
        named = _next_date(reading.today, month, day, year)
        if named is None:
            found.unclear = True
            return True
        found.day = named
        return True

    def _read_hour_and_part(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        hour, minute = self._hour(match), int(match["m"] or 0)
        if not 1 <= hour <= 12 or minute > 59 or found.clock:
            return False
        found.part = found.part or self._parts[match["part"]]
        return self._set_clock(found, Clock(hour, minute, bare=True))

    def _read_range(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        first, last = int(match["h"]), int(match["h2"])
        if not (0 <= first < last <= 24 and last - first <= 3) or found.clock:
            return False
        if match["or"] == " " and not match["mark2"]:
            return False  # "5 6" is a range only as "5-6h" (the hyphen folds to a space)
        found.unclear = True  # "5-6h": the first hour is proposed, and asked about
        return self._set_clock(found, Clock(first, 0, bare=1 <= first <= 12 and not match[0].endswith("h")))

    def _read_part(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.part:
            return False
        found.part = self._parts[match["part"]]
        return True

    def _read_day_word(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        at_end = match.end() == len(match.string.rstrip(" .!?"))
        if at_end and self._possessive.search(match.string, max(0, match.start() - 6), match.start()):
            return False  # "prepare the clothes for tomorrow", "a roupa de amanhã": the task's own words
        offset, part = self._day_words[match["day"]]
        if found.day and not (offset == 0 and found.day == reading.today):
            return False
        found.day = reading.today + timedelta(days=offset)
        found.today_named = found.today_named or match["day"] in self._today_words
        found.part = found.part or part
        return True

    def _read_weekday(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if found.weekday is not None or (found.day and not match["md"]):
            return False
        weekday = self._weekdays[match["wd"]]
        if match["md"]:  # "friday the 4th", "el viernes 4": the date, if it is that weekday
            day = _next_monthday(reading.today, int(match["md"]))
            if found.day or day is None or day.weekday() != weekday:
                return False
            found.day = day
            return True
        found.weekday = weekday
        if match["wpart"]:  # "friday night", "lundi soir"
            found.part = found.part or self._part_nouns[match["wpart"]]
        found.strictly_next = bool(match["next"] and match["next"] not in ("ce", "este")) or bool(
            match["after"]
        )
        return True

    def _read_monthday(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        monthly = found.recurrence is not None and found.recurrence.freq == "MONTHLY"
        if found.day or (found.recurrence and not monthly):
            return False
        if self.language == "en" and not match["ord"]:
            return False  # "the 15" is rarer than "the 15 minutes"; "the 15th" is a day
        day = _next_monthday(reading.today, int(match["md"]))
        if day is None:
            found.unclear = True
            return True
        found.day, found.monthday = day, int(match["md"])
        return True

    # --- clocks ---

    def _read_prefixed_clock(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        hour, shift = self._hour(match), self._minutes_prefix[match["pre"]]
        if not 0 <= hour <= 23:
            return False
        at = datetime.combine(reading.today, time(hour % 24)) + timedelta(minutes=shift)
        return self._set_clock(found, Clock(at.hour, at.minute, bare=1 <= hour <= 12))

    def _read_clock_with_minutes(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if match["noon"] or match["midnight"]:
            hour, bare, meridiem = (12 if match["noon"] else 0), False, True
        else:
            hour = self._hour(match)
            marked = bool(match["mark"] or match["mark2"])
            bare, meridiem = 1 <= hour <= 12 and not (marked and self.language != "en"), False
        if match["after"]:
            minutes = self._minutes_after[match["after"]]
        else:
            minutes = -self._minutes_before[match["before"]]
        if not 0 <= hour <= 24:
            found.unclear = True
            return True
        at = datetime.combine(reading.today, time(hour % 24)) + timedelta(minutes=minutes)
        return self._set_clock(found, Clock(at.hour, at.minute, bare=bare, meridiem=meridiem))

    def _read_approximate(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        hour, minute = self._hour(match), int(match["m"] or match["m2"] or 0)
        if match["ap"] and 1 <= hour <= 12:
            hour = hour % 12 + (12 if match["ap"].startswith("p") else 0)
        if hour > 23 or minute > 59:
            return False
        found.unclear = True  # proposed, then confirmed by the person
        return self._set_clock(found, Clock(hour, minute, bare=1 <= hour <= 12 and not match["ap"]))

    def _read_joined_minutes(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        hour, minute = self._hour(match), int(match["plus"])
        if hour > 23 or minute > 59:
            return False
        return self._set_clock(found, Clock(hour, minute, bare=1 <= hour <= 12))

    def _read_clock(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        meridiem = match["ap"] or match["ap2"] or match["ap3"] or match["ap4"]
        if match["hhmm"]:
            digits = match["hhmm"]
            hour, minute = int(digits[:-2]), int(digits[-2:])
        elif match["h2"]:
            hour, minute = int(match["h2"]), int(match["hm"] or 0)
        else:
            hour, minute = int(match["h"] or match["h3"]), int(match["m"] or 0)
        if meridiem:
            if not 1 <= hour <= 12 or minute > 59:
                found.unclear = True
                return True
            hour = hour % 12 + (12 if meridiem.startswith("p") else 0)
            return self._set_clock(found, Clock(hour, minute, meridiem=True))
        if hour > 24 or minute > 59:
            found.unclear = True
            return True
        # "8h" is a 24-hour time where people write it so; "8:30" and "8.30" are not settled.
        bare = 1 <= hour <= 12 and not match["h2"]
        return self._set_clock(found, Clock(hour % 24, minute, bare=bare))

    def _read_noon_or_midnight(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        return self._set_clock(found, Clock(12 if match["noon"] else 0, 0, meridiem=True))

    def _read_meal(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        meals = self._regional_meals if reading.timezone in self._regional_zones else {}
        hour = meals.get(match["meal"], self._meals.get(match["meal"]))
        return hour is not None and self._set_clock(found, Clock(hour, 0, meridiem=True))

    def _read_bare_hour(self, match: re.Match[str], found: TimeExpression, reading: Reading) -> bool:
        if self._prefix_before(match.string, match.start(), self._own_prefix) is None:
            return False  # a lone number is more often a quantity than a time
        hour = self._hour(match)
        if hour > 24:
            found.unclear = True
            return True
        return self._set_clock(found, Clock(hour % 24, 0, bare=1 <= hour <= 12))

    @staticmethod
    def _set_clock(found: TimeExpression, clock: Clock) -> bool:
        if found.clock:
            return False
        found.clock = clock
        return True


def _calendar_offset(unit: Unit, count: int) -> timedelta | relativedelta:
    if unit is Unit.MONTH:
        return relativedelta(months=count)
    if unit is Unit.YEAR:
        return relativedelta(years=count)
    return timedelta(days=count * (7 if unit is Unit.WEEK else 1))


def _next_date(today: date, month: int, day: int, year: int | None) -> date | None:
    """That date in the given year, or (with no year) the next one from today on."""
    try:
        if year is not None:
            return date(year, month, day)
        named = date(today.year, month, day)
        if named < today:  # "3 january" said in November: next year's
            named = date(today.year + 1, month, day)
        return named
    except ValueError:
        if year is None and month == 2 and day == 29:  # the next leap year's
            return _next_date(today.replace(year=today.year + 1, month=1, day=1), month, day, None)
        return None


def _next_monthday(today: date, day: int) -> date | None:
    """The next date (today included) falling on that day of a month."""
    if not 1 <= day <= 31:
        return None
    candidate = today.replace(day=1)
    for _ in range(13):
        if day <= calendar.monthrange(candidate.year, candidate.month)[1]:
            named = candidate.replace(day=day)
            if named >= today:
                return named
        candidate += relativedelta(months=1)
    return None


def _at(day: date, hour: int, minute: int, zone: ZoneInfo) -> datetime:
    # A wall time skipped by DST (02:30 on the spring-forward night) takes the offset from before
    # the change, landing just after the gap; in a repeated hour fold=0 picks the first one.
    return datetime.combine(day, time(hour, minute), tzinfo=zone).astimezone(UTC)


def wall_time(found: TimeExpression) -> Clock | None:
    """The time of day asked for, with a part of day ("du soir", "in the evening") applied."""
    clock, part = found.clock, found.part
    if clock is None:
        return None if part is None else Clock(part.value, 0)
    if part is None or clock.meridiem:
        return clock
    if part is PartOfDay.MORNING:
        return Clock(clock.hour % 12 if clock.hour == 12 else clock.hour, clock.minute)
    hour = clock.hour + 12 if clock.hour < 12 else clock.hour
    return Clock(hour, clock.minute)


def _daytime(clock: Clock) -> Clock:
    """A bare hour on a named day or in a series: 7 to 11 in the morning, 12 at noon, 1 to 6
    in the afternoon or evening ("friday at 3" is 15:00, "every day at 8" 08:00)."""
    if clock.bare and 1 <= clock.hour <= 6:
        return Clock(clock.hour + 12, clock.minute)
    return clock


def _readings_today(clock: Clock, now: datetime, zone: ZoneInfo) -> tuple[datetime, ...]:
    """The moments a clock may mean from now on: a bare hour's two readings still ahead today,
    else its morning reading tomorrow; a settled clock's next occurrence."""
    today = now.astimezone(zone).date()
    if clock.bare and 1 <= clock.hour <= 11:
        ahead = tuple(
            due
            for hour in (clock.hour, clock.hour + 12)
            if (due := _at(today, hour, clock.minute, zone)) > now
        )
        return ahead or (_at(today + timedelta(days=1), clock.hour, clock.minute, zone),)
    due = _at(today, clock.hour, clock.minute, zone)
    return (due if due > now else _at(today + timedelta(days=1), clock.hour, clock.minute, zone),)


def resolve(found: TimeExpression, now: datetime, timezone: str) -> Schedule | None:
    """Pin what the text said to the calendar; None when it said nothing about when."""
    zone = ZoneInfo(timezone)
    if found.recurrence:
        recurrence = found.recurrence
        if recurrence.freq == "WEEKLY" and not recurrence.days and found.weekday is not None:
            recurrence = Recurrence(
                "WEEKLY", recurrence.interval, days=(found.weekday,)
            )  # every 2 weeks on friday
        if recurrence.freq == "MONTHLY" and not recurrence.monthdays and found.monthday is not None:
            recurrence = Recurrence("MONTHLY", recurrence.interval, monthdays=(found.monthday,))
        return _recurring(found, recurrence, now, zone)
    if found.delay is not None:
        return Schedule(now + found.delay)
    today = now.astimezone(zone).date()
    clock = wall_time(found)
    if found.day is not None and not (found.today_named and found.day == today and clock is not None):
        if clock is None and found.keeps_clock:
            local_now = now.astimezone(zone)
            clock = Clock(local_now.hour, local_now.minute)
        elif clock is None and found.today_named:
            return Schedule(None, problem=Problem.MISSING_TIME)
        elif clock is None:
            clock = Clock(DEFAULT_HOUR, 0)
        clock = _daytime(clock)
        due = _at(found.day, clock.hour, clock.minute, zone)
        if due <= now and found.monthday is not None:  # "on the 1st", said on the 1st at 10:00
            later = _next_monthday(found.day + timedelta(days=1), found.monthday)
            due = _at(later, clock.hour, clock.minute, zone) if later else due
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
    if found.today_named and not clock.bare:
        due = _at(today, clock.hour, clock.minute, zone)
        return Schedule(due, problem=Problem.PAST_TIME if due <= now else None)
    readings = _readings_today(clock, now, zone)
    if len(readings) > 1:
        return Schedule(None, problem=Problem.AMBIGUOUS_TIME, options=readings)
    return Schedule(readings[0])


def day_of(found: TimeExpression, now: datetime, timezone: str) -> date | None:
    """The day a todo is due, when the text names one ("add call mom tomorrow")."""
    today = now.astimezone(ZoneInfo(timezone)).date()
    if found.day is not None:
        return found.day
    if found.weekday is not None:
        ahead = (found.weekday - today.weekday()) % 7
        return today + timedelta(days=ahead or (7 if found.strictly_next else 0))
    return None


def _rule(recurrence: Recurrence, clock: Clock | None) -> str:
    parts = [f"FREQ={recurrence.freq}"]
    if recurrence.interval > 1:
        parts.append(f"INTERVAL={recurrence.interval}")
    if recurrence.monthdays:
        parts.append("BYMONTHDAY=" + ",".join(map(str, recurrence.monthdays)))
    if recurrence.days:
        parts.append("BYDAY=" + ",".join(_DAY_CODES[day] for day in recurrence.days))
    if clock is not None:
        parts.append(f"BYHOUR={clock.hour};BYMINUTE={clock.minute}")
    return ";".join(parts)


def _candidate_days(
    recurrence: Recurrence, start: date, anchor: date, yearly_date: date | None
) -> Iterator[date]:
    """The days from `start` on, in order, on which a series may fire (its INTERVAL counts from
    the first one it fires, so only the pattern matters here): days, weekdays, days of the
    month or one date a year, enumerated without walking the calendar a day at a time."""
    if recurrence.freq == "YEARLY":
        target = yearly_date or anchor
        for year in range(start.year, start.year + 9):  # 29 February comes back within 8 years
            with contextlib.suppress(ValueError):
                if (day := date(year, target.month, target.day)) >= start:
                    yield day
        return
    if recurrence.freq == "MONTHLY":
        monthdays = recurrence.monthdays or (anchor.day,)
        month = start.replace(day=1)
        for _ in range(14):
            last = calendar.monthrange(month.year, month.month)[1]
            days = sorted({day if day > 0 else last + 1 + day for day in monthdays if -last <= day <= last})
            for monthday in days:
                if (candidate := month.replace(day=monthday)) >= start and (
                    not recurrence.days or candidate.weekday() in recurrence.days
                ):
                    yield candidate
            month += relativedelta(months=1)
        return
    weekdays = recurrence.days or ((anchor.weekday(),) if recurrence.freq == "WEEKLY" else ())
    for offset in range(15):
        day = start + timedelta(days=offset)
        if not weekdays or day.weekday() in weekdays:
            yield day


def _recurring(found: TimeExpression, recurrence: Recurrence, now: datetime, zone: ZoneInfo) -> Schedule:
    clock = wall_time(found)
    if recurrence.freq in _SUB_DAILY:
        # "every 2 hours" counts from now, or from the time given with it.
        step = timedelta(seconds=_UNIT_SECONDS[recurrence.freq] * recurrence.interval)
        if clock is not None:
            first = _readings_today(clock, now, zone)[0]
        else:
            first = now.replace(second=0, microsecond=0) + step
        return Schedule(first, rrule=_rule(recurrence, None))
    clock = _daytime(clock or Clock(DEFAULT_HOUR, 0))
    today = now.astimezone(zone).date()
    start = found.day if found.day is not None and found.day > today else today
    yearly_date = found.day if recurrence.freq == "YEARLY" else None
    if yearly_date is not None:
        start = today
    # The series starts at the next matching slot and INTERVAL counts from there (the service
    # anchors DTSTART on due_at): "every 2 days at 8" starts at the next 08:00.
    for day in _candidate_days(recurrence, start, today, yearly_date):
        due = _at(day, clock.hour, clock.minute, zone)
        if due > now:
            rule = _rule(recurrence, clock)
            if yearly_date is not None:
                rule = rule.replace("FREQ=YEARLY", f"FREQ=YEARLY;BYMONTH={day.month};BYMONTHDAY={day.day}")
            return Schedule(due, rrule=rule)
    return Schedule(None, problem=Problem.UNCLEAR_TIME)
