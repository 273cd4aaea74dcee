"""From a message to an intent.

A message is read in steps, each cheap:
1. cleaned and folded (text.read), its abbreviations and keyword typos respelled (spelling);
2. its language told by the words it uses, the person's own language breaking ties;
3. conversational wrappers cut: greetings and "can you" at the start, "please" anywhere,
   "thanks" at the end;
4. whole messages looked up in a phrasebook built from each language's templates (lists, agenda,
   help, undo, thanks);
5. an answer to the question asked last, when there is one;
6. commands tried in a fixed order, each in every language (the message's own first): snooze,
   remind (its trigger anywhere: "at 6 remind me to...", "call the bank, remind me"), stop/cancel,
   delete, complete ("done 2", "mark milk done", "milk is done"), add, an implicit todo ("gotta
   call mom"), a past tense that names an open todo ("I paid the rent"), and at last an implicit
   reminder (a text and a clear time with no command word: "dentist tomorrow 3pm").
Whatever is saved must be right: a reminder whose time is not settled becomes a question.
"""

import functools
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from assistant.chat.engine.lexicon import LEXICONS, Lexicon, PartOfDay, Unit
from assistant.chat.engine.spelling import SPELLER, vocabulary
from assistant.chat.engine.text import Message, Phrases, alternation, fold, read, shorten
from assistant.chat.engine.types import EngineContext, Intent, IntentName, Pending, Period, Problem
from assistant.chat.engine.when import (
    Reading,
    Schedule,
    TimeExpression,
    TimeGrammar,
    day_of,
    resolve,
    wall_time,
)

DEFAULT_LANGUAGE = "en"
DEFAULT_SNOOZE_MINUTES = 10
_END = r"(?!\w)"
_PUNCTUATION = re.compile(r"[^a-z0-9 ]+")
_MORE = "(?:more|de plus|mas|mais)"  # "5 min more", "5 min más": snoozes
_NUMBER_REF = re.compile(r"(?:#|n ?o|nr|num|numero|number)? ?([0-9]{1,4})(?: ?(?:st|nd|rd|th|er|e|o|a))?")
_TEMPLATE_GROUP = re.compile(r"\{([^{}]*)\}")


def expand(template: str) -> list[str]:
    """Every phrase a template stands for: "{a|b} c" is "a c" and "b c"."""
    pieces = _TEMPLATE_GROUP.split(template)
    # split() alternates literal text and group contents: odd indexes are the groups.
    choices = [piece.split("|") if index % 2 else [piece] for index, piece in enumerate(pieces)]
    return [" ".join("".join(parts).split()) for parts in itertools.product(*choices)]


_IS = re.compile(r"\b(what|that|there|it|who|where|here|how|when|whats) s\b")


@functools.lru_cache(maxsize=8192)
def _key(text: str) -> str:
    """A folded phrase without punctuation, as whole messages are looked up ("what's" and
    "whats" read as "what is")."""
    return _IS.sub(r"\1 is", " ".join(_PUNCTUATION.sub(" ", text).split())).replace("whats is", "what is")


def _words(phrases: Iterable[str]) -> Phrases:
    return Phrases(key for phrase in phrases if (key := _key(fold(phrase))))


def _phrase_words(phrases: Iterable[str]) -> frozenset[str]:
    return frozenset(word for phrase in phrases for word in _key(fold(phrase)).split())


def _all(field_name: str) -> list[str]:
    """One lexicon table of every language, as one list of phrases."""
    return [phrase for lexicon in LEXICONS.values() for phrase in getattr(lexicon, field_name)]


@dataclass(frozen=True)
class _Phrase:
    name: IntentName
    languages: tuple[str, ...]
    period: Period | None = None


def _phrasebook() -> dict[str, _Phrase]:
    table: dict[str, _Phrase] = {}
    for code, lexicon in LEXICONS.items():
        entries: list[tuple[str, IntentName, Period | None]] = [
            *((template, IntentName.HELP, None) for template in lexicon.help),
            *((template, IntentName.LIST_TODOS, None) for template in lexicon.list_todos),
            *((template, IntentName.LIST_REMINDERS, None) for template in lexicon.list_reminders),
            *((template, IntentName.AGENDA, period) for template, period in lexicon.agenda.items()),
            *((template, IntentName.UNDO, None) for template in lexicon.undo),
            *(
                (template, IntentName.THANKS, None)
                for template in (*lexicon.thanks, *lexicon.acknowledgements)
            ),
        ]
        for template, name, period in entries:
            for phrase in expand(template):
                key = _key(fold(phrase))
                known = table.get(key)
                if known is None:
                    table[key] = _Phrase(name, (code,), period)
                elif code not in known.languages and known.name == name:
                    table[key] = replace(known, languages=(*known.languages, code))
    return table


@dataclass(slots=True)
class _Votes:
    """Which languages a message's words belong to, and how strongly."""

    scores: dict[str, float] = field(default_factory=dict)

    def dominant(self, preferred: str | None) -> str | None:
        if not self.scores:
            return None
        best = max(self.scores.values())
        leaders = [code for code, score in self.scores.items() if score == best]
        if preferred in leaders:
            return preferred
        if preferred is None:  # a word two languages share, and nothing else: the first of them
            return leaders[0]
        return leaders[0] if len(leaders) == 1 else None


# Letter groups each language writes and the others rarely do.
_SPELLINGS = {
    "en": re.compile(r"th|wh|sh|ck|w(?=[aeiou])"),
    "fr": re.compile(r"eau|oi|ou[^s]|aux\b|ette\b"),
    "es": re.compile(r"ll|cion\b|ue[^\s]|ie[^\s]|illa\b"),
    "pt": re.compile(r"ao\b|oes\b|nh|lh|cao\b|ei\b|ou\b"),
}


class _LanguageGuesser:
    def __init__(self, lexicons: Iterable[Lexicon]) -> None:
        owners: dict[str, list[str]] = {}
        for lexicon in lexicons:
            for word in vocabulary(lexicon):
                if not word.isdigit():  # "2" is "to" in English texting and a number everywhere
                    owners.setdefault(word, []).append(lexicon.code)
        self._weights = {word: tuple(codes) for word, codes in owners.items()}

    def votes(self, words: Iterable[str]) -> _Votes:
        scores: dict[str, float] = {}
        unknown = []
        for word in words:
            codes = self._weights.get(word)
            if codes:
                share = 1 / len(codes)
                for code in codes:
                    scores[code] = scores.get(code, 0) + share
            else:
                unknown.append(word)
        # Words no table knows still show their language in how they are spelt ("bombilla",
        # "marmita", "lessive"): a light hint, never more than a known word.
        if unknown:
            text = " ".join(unknown)
            for code, spelling in _SPELLINGS.items():
                if hits := len(spelling.findall(text)):
                    scores[code] = scores.get(code, 0) + 0.25 * hits
        return _Votes(scores)


def _trailing_words(lexicon: Lexicon) -> Phrases:
    """Words a text cannot end with once its time expression is cut out ("call mom at")."""
    return Phrases(
        _words(
            (
                *lexicon.and_words,
                *lexicon.time_prefixes,
                *lexicon.date_prefixes,
                *lexicon.weekday_prefixes,
                "and",
                "then",
                "also",
                ",",
            )
        )
        - {"a", "o", "e"}
    )


class CommandGrammar:
    """One language's commands, compiled once."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.language = lexicon.code
        self.lexicon = lexicon
        self.time = TimeGrammar(
            lexicon,
            every_time_prefix=tuple(word for other in LEXICONS.values() for word in other.time_prefixes),
        )

        def leading(phrases: Iterable[str]) -> re.Pattern[str]:
            return re.compile(alternation(phrases) + _END)

        self._snooze = re.compile(
            rf"(?:{alternation(lexicon.snooze_words)}(?: {alternation(lexicon.snooze_for)})?"
            rf"|{alternation(lexicon.relative_prefixes)}(?= )|{_MORE}(?= [0-9])"
            rf"|(?=[0-9]+ ?{self.time.unit_pattern} {_MORE}))"
            rf"(?: ?(?P<fixed>{alternation(lexicon.fixed_delays)}))?"
            rf"(?: ?(?:{self.time.number_pattern}(?:{_MORE} )?(?P<unit>{self.time.unit_pattern})"
            rf"|(?P<bare>[0-9]{{1,4}})))?(?: (?:{_MORE}|min))?"
        )
        self._remind_anywhere = re.compile(rf"(?<!\w){alternation(lexicon.remind_triggers)}{_END}")
        self._remind_leading = leading(lexicon.remind_leading)
        self._stop_reminding = leading(lexicon.stop_reminding)
        self._cancel = leading(lexicon.cancel_verbs)
        self._delete = leading(lexicon.delete_verbs)
        self._complete = leading(lexicon.complete_verbs)
        self._complete_suffix = re.compile(rf"(?:^| ){alternation(lexicon.complete_suffixes)}$")
        self._mark = re.compile(
            rf"{alternation(lexicon.mark_verbs)} (?P<ref>.+?) {alternation(lexicon.mark_suffixes)}$"
        )
        self._delete_last = re.compile(
            rf"(?P<ref>.+?),? (?:{alternation(lexicon.delete_verbs)})"
            r" (?:it|that|ça|ca|le|la|eso|lo|la|isso|o|a)$"
        )
        self._delete_wrap = re.compile(
            rf"(?:{alternation(lexicon.delete_verbs)}|take|get|enlève|quita|tira) (?P<ref>.+?)"
            rf" {alternation(lexicon.delete_suffixes)}$"
        )
        self._add = leading(lexicon.add_verbs)
        # "call the insurance, note it": the request comes last.
        self._add_last = re.compile(rf"(?:^| ){alternation(lexicon.add_last)}$")
        self._task = leading(lexicon.task_prefixes)
        self._list_suffix = re.compile(rf"(?:^| ){alternation(lexicon.list_suffixes)}$")
        self._past_marker = leading(lexicon.past_markers)
        self._past_verbs = _words(lexicon.past_verbs)
        self._past_endings = tuple(lexicon.past_endings)
        self._question = _phrase_words(lexicon.question_words)
        self._question_phrases = _words(lexicon.question_words)
        self._statement = _phrase_words(lexicon.statement_starters)
        self._connectors = _words(lexicon.remind_connectors)
        self._task_prefixes = _words(lexicon.task_prefixes)
        # "acordate de recordarme pagar...": a second trigger word is not part of the text either.
        self._leading_noise = Phrases(
            self._connectors | self._task_prefixes | _words(lexicon.remind_triggers)
        )
        self._trailing_noise = _trailing_words(lexicon)
        self._reminder_nouns = _words(lexicon.reminder_nouns)
        # Words around a reference that are not part of it: "the", "reminder", "number", "with"...
        self._ref_noise = Phrases(
            word
            for word in _words(
                lexicon.articles + lexicon.todo_nouns + lexicon.reminder_nouns + lexicon.ref_connectors
            )
            | self._connectors
            if not word.isdigit()  # "2" stands for "to" after "remind me", but is a number in "done 2"
        )
        self._list_noise = _words(lexicon.list_suffixes)
        self._title_trailing = Phrases(self._trailing_noise | self._list_noise)
        self._todo_leading = Phrases(self._leading_noise | self._list_noise)

    def intent(self, name: IntentName, language: str, **arguments: object) -> Intent:
        return Intent(name, language, **arguments)  # type: ignore[arg-type]

    @staticmethod
    def rest(pattern: re.Pattern[str], message: Message) -> Message | None:
        """What follows the command words, or None when the message does not start with them."""
        match = pattern.match(message.folded)
        return message.slice(match.end(), len(message.folded)) if match else None

    def reference(self, rest: Message) -> int | str | None:
        rest = rest.trim(leading=_REF_NOISE, trailing=_REF_NOISE)
        if not rest.folded:
            return None
        number = _NUMBER_REF.fullmatch(rest.folded)
        return int(number[1]) if number else shorten(rest.original())

    def about_reminder(self, rest: Message) -> bool:
        return not self._reminder_nouns.isdisjoint(rest.folded.split())

    def title(self, message: Message) -> Message:
        """A todo or reminder text without the words around it ("to", "I need to", "at")."""
        return message.trim(leading=self._leading_noise, trailing=self._title_trailing)

    def todo_title(self, rest: Message) -> Message:
        """A todo's title: without "I need to", "to my list" (before or after it) and connectors."""
        rest = rest.trim(leading=self._todo_leading)
        suffix = self._list_suffix.search(rest.folded)
        if suffix:
            rest = rest.slice(0, suffix.start())
        return rest.trim(leading=self._todo_leading, trailing=self._trailing_noise)

    def is_question(self, message: Message) -> bool:
        first = message.folded.split(" ", 1)[0]
        return "?" in message.source or first in self._question

    def is_chat(self, message: Message) -> bool:
        """A question or a remark about the day ("il fait quel temps demain", "it's cold tomorrow"),
        which names a time without asking to be reminded of anything."""
        key = _key(message.folded)
        padded = f" {key} "
        return (
            "?" in message.source
            or any(f" {phrase} " in padded for phrase in self._question_phrases)
            or key.split(" ", 1)[0] in self._statement
        )

    def looks_past(self, message: Message) -> Message | None:
        """The rest of a past-tense sentence ("I paid the rent" -> "paid the rent"), or None."""
        rest = self.rest(self._past_marker, message)
        body = rest.trim(leading=_CLITICS) if rest is not None else message
        first = body.folded.split(" ", 1)[0]
        past = first in self._past_verbs or (
            len(first) > 3 and first.endswith(self._past_endings) and rest is not None
        )
        if (
            rest is None
            and self.language == "es"
            and body.source[body.positions[0] :].split(" ", 1)[0][-1:] in "éí"
        ):
            past = True  # "pagué la renta": the accent marks the first-person past
        if rest is None and self.language == "pt" and first.endswith(("ei", "iu", "ou")) and len(first) > 4:
            past = True  # "paguei o aluguel"
        if rest is None and self.language == "es" and first.endswith(("ado", "ido")) and len(first) > 5:
            past = True  # "llamado al dentista" after an "he" the greeting filter took
        return body if past else None

    def snooze_minutes(self, message: Message) -> int | None:
        match = self._snooze.fullmatch(" ".join(message.folded.replace(",", " ").strip(" .!?").split()))
        if not match:
            return None
        if match["fixed"]:
            if match["n"] or match["nw"] or match["bare"]:
                return None
            minutes = self.time.fixed_delay(match["fixed"])
        elif match["bare"]:
            minutes = int(match["bare"])
        elif match["unit"]:
            unit = self.time.unit(match["unit"])
            if unit in (Unit.MONTH, Unit.YEAR, Unit.SECOND):  # no one snoozes for a month
                return None
            minutes = self.time.count(match) * unit
        else:
            minutes = DEFAULT_SNOOZE_MINUTES
        return minutes if 0 < minutes <= 24 * 60 else None

    def remind_trigger(self, message: Message) -> re.Match[str] | None:
        """Where the remind trigger is (anywhere in the message), or None without one."""
        anywhere = self._remind_anywhere.search(message.folded)
        leading = self._remind_leading.match(message.folded)
        return anywhere if anywhere and (anywhere.start() == 0 or not leading) else leading

    @staticmethod
    def clause_before(message: Message, trigger: re.Match[str]) -> bool:
        """Whether a clause closed by punctuation comes before a mid-message trigger ("sat or sun,
        same thing, remind me this weekend to ...")."""
        before = message.folded[: trigger.start()].rstrip()
        return bool(before) and before[-1] in ",.;:!?"

    def starts_with_connector(self, text: Message) -> bool:
        first = text.trim().folded.split()[:1]
        return bool(first) and first[0] in self._connectors


_PHRASES = _phrasebook()
# Pronouns between "ya" / "já" / "j'ai" and the verb: "ya le mandé el mail", "já te mandei".
_CLITICS = Phrases(map(fold, _all("clitics")))
_FUNCTION_WORDS = _phrase_words(_all("function_words"))
_GRAMMARS = {code: CommandGrammar(lexicon) for code, lexicon in LEXICONS.items()}


class _AnyLanguage:
    """One command's phrases in every language, compiled into one pattern: a message is matched
    once, and the phrase found tells whose grammar reads the rest (the message's own language
    first when the phrase is shared, as "cancela" is)."""

    def __init__(self, field_name: str, *, where: str = "start") -> None:
        owners: dict[str, list[str]] = {}
        for code, lexicon in LEXICONS.items():
            for phrase in getattr(lexicon, field_name):
                if folded := fold(phrase):
                    owners.setdefault(folded, []).append(code)
        self._owners = {phrase: tuple(codes) for phrase, codes in owners.items()}
        phrases = rf"(?P<phrase>{alternation(self._owners)})"
        self._pattern = re.compile(
            {"start": phrases + _END, "anywhere": rf"(?<!\w){phrases}{_END}", "end": rf"(?:^| ){phrases}$"}[
                where
            ]
        )
        self._find = self._pattern.search if where != "start" else self._pattern.match
        # A phrase can only be there if its first word is: one set lookup saves a regex scan.
        self._firsts = frozenset(_key(phrase).split(" ", 1)[0] for phrase in self._owners)
        self._where = where

    def find(self, read_: "_Read", folded: str) -> tuple[re.Match[str], CommandGrammar] | None:
        words = _key(folded).split()
        if not words or (
            words[0] not in self._firsts if self._where == "start" else self._firsts.isdisjoint(words)
        ):
            return None
        match = self._find(folded)
        if match is None:
            return None
        codes = self._owners[match["phrase"]]
        return match, _GRAMMARS[read_.language if read_.language in codes else codes[0]]


_REMIND_ANYWHERE = _AnyLanguage("remind_triggers", where="anywhere")
_REMIND_LEADING = _AnyLanguage("remind_leading")
_STOP_OR_CANCEL = _AnyLanguage("stop_reminding")
_CANCEL = _AnyLanguage("cancel_verbs")
_DELETE = _AnyLanguage("delete_verbs")
_COMPLETE = _AnyLanguage("complete_verbs")
_COMPLETED = _AnyLanguage("complete_suffixes", where="end")
_ADD = _AnyLanguage("add_verbs")
_ADD_LAST = _AnyLanguage("add_last", where="end")
_TASK = _AnyLanguage("task_prefixes")
_MARK_VERBS = frozenset(word for verb in _all("mark_verbs") for word in fold(verb).split()[:1])
_DELETE_FIRST = frozenset(
    fold(verb).split()[0] for verb in (*_all("delete_verbs"), "take", "get", "enleve", "quita", "tira")
)

# Words around a reference in any language ("stop rappel 3" mixes two): never part of a name.
_REF_NOISE = Phrases(frozenset().union(*(grammar._ref_noise for grammar in _GRAMMARS.values())))
_GUESSER = _LanguageGuesser(LEXICONS.values())
_TIME_WORDS = {
    code: frozenset(
        word
        for phrases in (
            lexicon.weekdays,
            lexicon.months,
            lexicon.day_words,
            lexicon.parts_of_day,
            lexicon.units,
            lexicon.every,
            lexicon.noon,
            lexicon.midnight,
            lexicon.weekend,
            lexicon.month_end,
            lexicon.next_week,
            lexicon.recurring_adverbs,
            lexicon.time_prefixes,
        )
        for phrase in phrases
        for word in fold(phrase).split()
        if len(word) > 2
    )
    for code, lexicon in LEXICONS.items()
}
# A time word of one language that is an ordinary word of another ("mon" is Monday in English
# and "my" in French) does not call that language's time grammar into a message.
_TIME_WORDS = {
    code: words - frozenset().union(*(vocabulary(LEXICONS[other]) for other in LEXICONS if other != code))
    for code, words in _TIME_WORDS.items()
}
_ORDERS = {
    language: tuple(sorted(_GRAMMARS.values(), key=lambda grammar: grammar.language != language))
    for language in (None, *_GRAMMARS)
}
_GREETINGS = re.compile(
    r"^(?:" + alternation(g for lexicon in LEXICONS.values() for g in lexicon.greetings) + r"(?:[ ,!.?]+|$))+"
)
_ASK = re.compile(
    r"^(?:"
    + alternation(a for lexicon in LEXICONS.values() for a in lexicon.ask_wrappers)
    + r"(?:[ ,!.?]+|$))+"
)
_POLITENESS = re.compile(
    r"(?<!\w)" + alternation(p for lexicon in LEXICONS.values() for p in lexicon.politeness) + _END
)
_THANKS = re.compile(
    r"(?:^|[ ,.!]+)(?:"
    + alternation(t for lexicon in LEXICONS.values() for t in lexicon.thanks)
    + r"[ ,!.]*)+$"
)
_THANKS_FIRST = re.compile(
    alternation(t for lexicon in LEXICONS.values() for t in (*lexicon.thanks, *lexicon.acknowledgements))
    + r"(?: |$)"
)
_YES = {code: _words(lexicon.yes) for code, lexicon in LEXICONS.items()}
_NO = {code: _words(lexicon.no) for code, lexicon in LEXICONS.items()}
_MERIDIEM = {
    _key(fold(word)): part for lexicon in LEXICONS.values() for word, part in lexicon.meridiem_words.items()
}


class _Questions:
    """Short questions about lists and plans, read as a bag of words: "any reminders set?",
    "what's tmrw look like", "wat do i hav 2moro", "qué tengo pendiente", "o que falta". Every
    word must be one such a question is made of, and one must say what it is about."""

    def __init__(self) -> None:
        self.periods = sorted(
            (
                (_key(fold(phrase)), period)
                for lexicon in LEXICONS.values()
                for phrase, period in lexicon.period_words.items()
            ),
            key=lambda pair: -len(pair[0]),
        )
        self.list_nouns = _phrase_words(_all("list_nouns"))
        self.agenda_nouns = _phrase_words(_all("agenda_nouns"))
        self.reminder_nouns = _phrase_words(_all("reminder_nouns"))
        self.allowed = (
            _phrase_words(_all("query_words"))
            | self.list_nouns
            | self.agenda_nouns
            | self.reminder_nouns
            | _phrase_words(_all("politeness"))
            | _phrase_words(phrase for phrase, _ in self.periods)
        )
        self.undo = sorted({_key(fold(phrase)) for phrase in _all("undo_words")}, key=len, reverse=True)
        self.undo_words = _phrase_words(_all("undo_words"))
        self.undo_allowed = (
            _phrase_words(_all("undo_words"))
            | _phrase_words(_all("greetings"))
            | _phrase_words(_all("fillers"))
            | _phrase_words(_all("articles"))
            | _phrase_words(_all("no"))
            | _phrase_words(_all("politeness"))
            | _phrase_words(_all("undo_fillers"))
        )

    def read(self, key: str) -> tuple[IntentName, Period | None] | None:
        words = key.split()
        if not words or len(words) > 14:
            return None
        padded = f" {key} "
        if (
            self.undo_allowed.issuperset(words)
            and not self.undo_words.isdisjoint(words)
            and any(f" {phrase} " in padded for phrase in self.undo)
        ):
            return IntentName.UNDO, None
        if len(words) > 10:
            return None
        if not self.allowed.issuperset(words):
            return None
        period = next((period for phrase, period in self.periods if f" {phrase} " in padded), None)
        if not self.reminder_nouns.isdisjoint(words):
            return IntentName.LIST_REMINDERS, None
        if period is not None:
            return IntentName.AGENDA, period
        if not self.list_nouns.isdisjoint(words):
            return IntentName.LIST_TODOS, None
        if not self.agenda_nouns.isdisjoint(words) and len(words) > 1:
            return IntentName.AGENDA, Period.TODAY
        return None


_QUESTIONS = _Questions()
_FILLERS = re.compile(r"^(?:" + alternation(_all("fillers")) + r"(?: |$))+")
_QUOTED = re.compile(r"[\"“”«»]([^\"“”«»]{2,})[\"“”«»]|(?<![a-zA-Z])'([^']{2,})'(?![a-zA-Z])")


def _first_words(*fields: str) -> frozenset[str]:
    return frozenset(
        _key(fold(phrase)).split(" ", 1)[0] for name in fields for phrase in _all(name) if _key(fold(phrase))
    )


_POLITE_WORDS = _phrase_words(_all("politeness"))
_OPENING_WORDS = _first_words("greetings", "ask_wrappers", "fillers")
_CLOSING_WORDS = frozenset(
    _key(fold(phrase)).rsplit(" ", 1)[-1] for phrase in _all("thanks") if _key(fold(phrase))
)


def _unwrap(message: Message) -> Message:
    """The message without the conversation around the request: greetings, "can you", "please",
    "thanks" (kept whole when nothing else is left, so "thanks" alone is still a thanks)."""
    words = _key(message.folded).split()
    if not words:
        return message.trim()
    spans = []
    if not _POLITE_WORDS.isdisjoint(words):
        spans = [match.span() for match in _POLITENESS.finditer(message.folded)]
    unwrapped = message.without(spans).trim() if spans else message.trim()
    if words[0] in _OPENING_WORDS:
        for pattern in (_GREETINGS, _ASK, _FILLERS, _ASK):
            match = pattern.match(unwrapped.folded)
            if match and match.end() < len(unwrapped.folded):
                unwrapped = unwrapped.slice(match.end(), len(unwrapped.folded)).trim()
    if words[-1] in _CLOSING_WORDS:
        match = _THANKS.search(unwrapped.folded)
        if match and match.start() > 0:
            unwrapped = unwrapped.slice(0, match.start()).trim()
    return unwrapped


def _word_match(a: str, b: str) -> float:
    """How well two words match: 1 the same, 0.8 the same stem ("payé", "payer"), else 0."""
    if a == b:
        return 1.0
    shortest = min(len(a), len(b))
    if shortest < 3:
        return 0.0
    return 0.8 if len(_common_prefix(a, b)) >= max(3, shortest - 2) else 0.0


def _common_prefix(a: str, b: str) -> str:
    for index, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return a[:index]
    return a[: min(len(a), len(b))]


@functools.lru_cache(maxsize=4096)
def _content(text: str) -> tuple[str, ...]:
    """A name's words that tell it apart (titles come back at every completion by name)."""
    return tuple(word for word in _key(fold(text)).split() if word not in _FUNCTION_WORDS)


def best_todo(reference: str, titles: Iterable[str]) -> str | None:
    """The open todo a name means, accent-, case- and typo-insensitively; None when none, or
    two, fit as well."""
    wanted = _content(reference)
    if not wanted:
        return None
    scored = []
    for title in titles:
        have = _content(title)
        if not have:
            continue
        matched = [max(_word_match(word, other) for other in wanted) for word in have]
        covered = [max(_word_match(word, other) for other in have) for word in wanted]
        hits = sum(1 for score in matched if score)
        # The verb alone is not enough: "I paid the parking" is not "pay the rent".
        names_it = any(matched[1:]) or len(have) == 1
        if hits and names_it and (hits / len(have) >= 0.5 or all(covered)):
            scored.append((sum(matched) / len(have) + sum(covered) / len(wanted), title))
    scored.sort(key=lambda pair: -pair[0])
    if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        return None
    return scored[0][1]


@dataclass
class _Read:
    """One message being read: what every step needs, computed once."""

    message: Message
    context: EngineContext
    language: str
    grammars: tuple[CommandGrammar, ...]

    @functools.cached_property
    def reading(self) -> Reading:
        zone = ZoneInfo(self.context.timezone)
        return Reading(
            today=self.context.now.astimezone(zone).date(),
            # Only Americans write the month first, and they write in English.
            month_first=self.language == "en" and self.context.timezone.startswith("America/"),
            timezone=self.context.timezone,
        )

    def when(
        self, body: Message, cut: tuple[int, int] | None = None
    ) -> tuple[TimeExpression, Message, CommandGrammar]:
        """The time expression in `body` (read in the message's language, then in any other
        whose time words it uses), and the body without it (nor the `cut` span: a trigger)."""
        found = TimeExpression()
        spans: list[tuple[int, int]] = [cut] if cut else []
        reading = self.reading
        folded = body.folded
        if cut:  # read around the trigger as if it were not there, and cut both at once
            folded = folded[: cut[0]] + "\0" * (cut[1] - cut[0]) + folded[cut[1] :]
        folded = self.grammars[0].time.extract_into(found, spans, folded, reading)
        words = set(folded.replace("\0", " ").split())
        for grammar in self.grammars[1:]:
            if words & _TIME_WORDS[grammar.language]:
                folded = grammar.time.extract_into(found, spans, folded, reading)
        return found, body.without(spans), self.grammars[0]

    def leftover_time(self, rest: Message) -> bool:
        return self.grammars[0].time.looks_like_time(rest.folded)

    def intent(self, name: IntentName, **arguments: object) -> Intent:
        return Intent(name, self.language, **arguments)  # type: ignore[arg-type]

    def schedule(self, found: TimeExpression) -> Schedule | None:
        return resolve(found, self.context.now, self.context.timezone)

    def reminder(self, text: Message, found: TimeExpression, grammar: CommandGrammar) -> Intent:
        """A reminder to save, or the question to ask first."""
        titled = grammar.title(text)
        title = shorten(titled.original())
        schedule = self.schedule(found) if found.found else None
        if found.unclear or (title and self.leftover_time(titled)):
            # A reading to confirm only when a clock was read ("6ish"), never one made up.
            proposal = schedule.due_at if schedule and not schedule.problem and found.clock else None
            return self.intent(
                IntentName.CLARIFY,
                text=title,
                due_at=proposal,
                rrule=schedule.rrule if schedule and proposal else None,
                due_date=day_of(found, self.context.now, self.context.timezone),
                problem=Problem.UNCLEAR_TIME,
            )
        if not title:
            return self.intent(
                IntentName.CLARIFY,
                due_at=schedule.due_at if schedule else None,
                rrule=schedule.rrule if schedule else None,
                options=schedule.options if schedule else (),
                problem=Problem.MISSING_TEXT,
            )
        if schedule is None:
            return self.intent(IntentName.CLARIFY, text=title, problem=Problem.MISSING_TIME)
        if schedule.problem:
            return self.intent(
                IntentName.CLARIFY,
                text=title,
                due_at=schedule.due_at,
                options=schedule.options,
                problem=schedule.problem,
            )
        return self.intent(IntentName.REMIND, text=title, due_at=schedule.due_at, rrule=schedule.rrule)


def _language(message: Message, preferred: str | None) -> str | None:
    return _GUESSER.votes(_key(message.folded).split()).dominant(preferred)


# A snooze is a few words, starting with one of these or with a number ("5 min more").
_SNOOZE_FIRST = frozenset(
    word.split(" ", 1)[0] for word in map(fold, (*_all("snooze_words"), *_all("relative_prefixes"))) if word
)


def _snooze(read_: _Read, message: Message) -> Intent | None:
    words = message.folded.split(" ", 8)
    if len(words) > 8 or not (words[0] in _SNOOZE_FIRST or words[0][:1].isdigit()):
        return None
    for grammar in read_.grammars:
        if (minutes := grammar.snooze_minutes(message)) is not None:
            return read_.intent(IntentName.SNOOZE, minutes=minutes)
    return None


def _remind(read_: _Read, message: Message) -> Intent | None:
    anywhere = _REMIND_ANYWHERE.find(read_, message.folded)
    leading = _REMIND_LEADING.find(read_, message.folded)
    # A trigger at the start wins; "reminder: ..." is read only at the start.
    found_trigger = anywhere if anywhere and (anywhere[0].start() == 0 or not leading) else leading
    if found_trigger is None:
        return None
    trigger, grammar = found_trigger
    found, text, time_grammar = read_.when(message, cut=trigger.span())
    if grammar.clause_before(message, trigger):
        after = read_.when(message.slice(trigger.end(), len(message.folded)))[1]
        if grammar.starts_with_connector(after):
            text = after  # the clause before the trigger was chatter
    return read_.reminder(text, found, grammar if grammar.language == read_.language else time_grammar)


def _after(message: Message, match: re.Match[str]) -> Message:
    return message.slice(match.end(), len(message.folded))


def _stop_or_cancel(read_: _Read, message: Message) -> Intent | None:
    found = _STOP_OR_CANCEL.find(read_, message.folded) or _CANCEL.find(read_, message.folded)
    if found is None:
        return None
    match, grammar = found
    return read_.intent(IntentName.CANCEL_REMINDER, ref=grammar.reference(_after(message, match)))


def _delete(read_: _Read, message: Message) -> Intent | None:
    rest: Message | None = None
    grammar = read_.grammars[0]
    if (found := _DELETE.find(read_, message.folded)) is not None:
        rest, grammar = _after(message, found[0]), found[1]
    if message.folded.split(" ", 1)[0] in _DELETE_FIRST or "," in message.folded:
        for candidate in read_.grammars:
            if wrapped := candidate._delete_wrap.fullmatch(
                message.folded
            ) or candidate._delete_last.fullmatch(message.folded):
                rest, grammar = message.slice(*wrapped.span("ref")), candidate
                break
    if rest is None:
        return None
    # "delete the dentist reminder" cancels a reminder; "delete the dentist" drops a todo.
    if grammar.about_reminder(rest):
        return read_.intent(IntentName.CANCEL_REMINDER, ref=grammar.reference(rest))
    return read_.intent(IntentName.DELETE_TODO, ref=_todo_ref(read_, grammar.reference(rest)))


def _todo_ref(read_: _Read, ref: int | str | None) -> int | str | None:
    """A name resolved to the open todo it means, when the caller gave their titles."""
    if isinstance(ref, str) and read_.context.open_todos is not None:
        return best_todo(ref, read_.context.open_todos) or ref
    return ref


def _complete(read_: _Read, message: Message) -> Intent | None:
    """ "done 2", "mark milk as done", "tick off milk": the command comes first."""
    rest: Message | None = None
    grammar = read_.grammars[0]
    if message.folded.split(" ", 1)[0] in _MARK_VERBS:
        for candidate in read_.grammars:
            if mark := candidate._mark.fullmatch(message.folded):
                rest, grammar = message.slice(*mark.span("ref")), candidate
                break
    if rest is None and (found := _COMPLETE.find(read_, message.folded)) is not None:
        rest, grammar = _after(message, found[0]), found[1]
    if rest is None:
        return None
    # A bare "done" (an answer to a reminder) comes back with no ref; the service decides.
    return read_.intent(IntentName.COMPLETE_TODO, ref=_todo_ref(read_, grammar.reference(rest)))


def _completed(read_: _Read, message: Message) -> Intent | None:
    """ "milk is done", "la 3 ya está": the thing comes first."""
    found = _COMPLETED.find(read_, message.folded)
    if found is None or found[0].start() == 0:
        return None
    match, grammar = found
    rest = message.slice(0, match.start())
    return read_.intent(IntentName.COMPLETE_TODO, ref=_todo_ref(read_, grammar.reference(rest)))


def _add(read_: _Read, message: Message) -> Intent | None:
    if (found := _ADD.find(read_, message.folded)) is not None:
        return _todo(read_, found[1], _after(message, found[0]), implicit=False)
    if (found := _ADD_LAST.find(read_, message.folded)) is not None and found[0].start() > 0:
        return _todo(read_, found[1], message.slice(0, found[0].start()), implicit=False)
    if (found := _TASK.find(read_, message.folded)) is not None:
        return _todo(read_, found[1], message, implicit=True)
    return None


def _todo(read_: _Read, grammar: CommandGrammar, rest: Message, *, implicit: bool) -> Intent:
    quoted = _QUOTED.search(rest.original())
    if quoted:  # "add 'email coach about saturday' for friday": the title is between the quotes
        outside = read(rest.original()[: quoted.start()] + " " + rest.original()[quoted.end() :])
        found, _, _ = read_.when(outside)
        due = day_of(found, read_.context.now, read_.context.timezone) if found.found else None
        return read_.intent(IntentName.ADD_TODO, text=shorten((quoted[1] or quoted[2]).strip()), due_date=due)
    found, text, _ = read_.when(rest)
    if implicit and (found.clock is not None or found.delay is not None or found.recurrence is not None):
        return read_.reminder(text, found, grammar)  # "need to call mom at 6pm": a reminder
    title_message = grammar.todo_title(text)
    title = shorten(title_message.original())
    if not title:
        return read_.intent(IntentName.CLARIFY, problem=Problem.MISSING_TEXT)
    if not found.found:
        return read_.intent(IntentName.ADD_TODO, text=title)
    due = day_of(found, read_.context.now, read_.context.timezone)
    return read_.intent(IntentName.ADD_TODO, text=title, due_date=due)


def _past_tense(read_: _Read, message: Message) -> Intent | None:
    todos = read_.context.open_todos
    if todos is None:
        return None
    for grammar in read_.grammars:
        body = grammar.looks_past(message)
        if body is None:
            continue
        title = best_todo(body.folded, todos)
        if title is not None:
            return read_.intent(IntentName.COMPLETE_TODO, ref=title)
        return read_.intent(IntentName.UNKNOWN)
    return None


def _implicit_reminder(read_: _Read, message: Message) -> Intent | None:
    grammar = read_.grammars[0]
    if grammar.is_chat(message):
        return None
    found, text, _ = read_.when(message)
    today = read_.reading.today
    settled = found.clock or found.delay or found.recurrence or found.weekday is not None
    if not (settled or (found.day is not None and found.day != today)) or not grammar.title(text).folded:
        return None  # "I'm so tired today" names a day, not a time to be reminded at
    return read_.reminder(text, found, grammar)


_COMMANDS: tuple[Callable[[_Read, Message], Intent | None], ...] = (
    _snooze,
    _stop_or_cancel,
    _remind,
    _delete,
    _complete,
    _past_tense,
    _add,
    _completed,
    _implicit_reminder,
)


def _phrase(key: str, language: str, preferred: str | None) -> Intent | None:
    phrase = _PHRASES.get(key)
    if phrase is None:
        return None
    if language not in phrase.languages:
        language = preferred if preferred in phrase.languages else phrase.languages[0]
    return Intent(phrase.name, language, period=phrase.period)


def _answer(read_: _Read, message: Message, pending: Pending) -> Intent | None:
    """The message read as the answer to the question asked last, or None if it is not one."""
    key = _key(message.folded)
    if pending.problem == Problem.MISSING_TEXT:
        if _PHRASES.get(key) or not key or pending.due_at is None or pending.due_at <= read_.context.now:
            return None
        for command in _COMMANDS[:5]:
            if command(read_, message):
                return None
        title = shorten(read_.grammars[0].title(message).original())
        return read_.intent(IntentName.REMIND, text=title, due_at=pending.due_at, rrule=pending.rrule)
    remind = {"text": pending.text}
    if pending.problem == Problem.AMBIGUOUS_TIME and len(pending.options) == 2:
        part = _MERIDIEM.get(key)
        if part is not None:
            chosen = pending.options[0] if part is PartOfDay.MORNING else pending.options[1]
            return read_.intent(IntentName.REMIND, due_at=chosen, **remind)
    if (
        pending.problem == Problem.UNCLEAR_TIME
        and pending.due_at is not None
        and any(key in _YES[grammar.language] for grammar in read_.grammars)
    ):
        return read_.intent(IntentName.REMIND, due_at=pending.due_at, rrule=pending.rrule, **remind)
    if any(key in _NO[grammar.language] for grammar in read_.grammars):
        return read_.intent(IntentName.CLARIFY, problem=Problem.MISSING_TIME, **remind)
    if _PHRASES.get(key):
        return None
    found, rest, grammar = read_.when(message)
    if not found.found or grammar.title(rest).folded:
        return None
    named_day = found.day is not None or found.weekday is not None or found.delay or found.recurrence
    clock = wall_time(found)
    if pending.problem == Problem.AMBIGUOUS_TIME and clock and len(pending.options) == 2 and not named_day:
        zone = ZoneInfo(read_.context.timezone)
        for option in pending.options:
            if option.astimezone(zone).hour == clock.hour:  # "8am", "20h", "8 in the evening"
                return read_.intent(IntentName.REMIND, due_at=option, **remind)
    if pending.day is not None and clock and not named_day:
        found.day = pending.day  # "15h10" answers "thursday at 14h70?": thursday still
    # The answer names a new time for the text asked about.
    return read_.reminder(read(pending.text), found, grammar)


def interpret(text: str, context: EngineContext) -> Intent:
    """parse() without its safety net, so that tests see any exception the net would hide."""
    preferred = context.language if context.language in _GRAMMARS else None
    message = read(text)
    if not message.folded or not _key(message.folded).strip():
        # Nothing to read: an empty message or "?" asks for help; emoji alone say nothing we know.
        only_questions = not message.folded.strip(" ?¿")
        return Intent(
            IntentName.HELP if only_questions else IntentName.UNKNOWN, preferred or DEFAULT_LANGUAGE
        )
    message = SPELLER.respell(message)
    language = _language(message, preferred) or preferred or DEFAULT_LANGUAGE
    return _meaning(message, context, language, preferred)


def language_of(text: str) -> str | None:
    """The language the words of `text` are in, or None when they give no clue ("ok", "8h")."""
    message = read(text)
    return _language(SPELLER.respell(message), None) if message.folded else None


def _meaning(message: Message, context: EngineContext, language: str, preferred: str | None) -> Intent:
    whole = _phrase(_key(message.folded), language, preferred)
    unwrapped = _unwrap(message)
    read_ = _Read(unwrapped, context, language, _ORDERS[language])
    if context.pending is not None and (answer := _answer(read_, unwrapped, context.pending)):
        return answer
    if whole is not None:
        return whole
    key = _key(message.folded)
    words = key.split()
    if words and words[0] in _OPENING_WORDS and _GREETINGS.fullmatch(key):
        return Intent(IntentName.HELP, language)
    if (thanks := _THANKS_FIRST.match(key)) and len(key[thanks.end() :].split()) <= 2:
        return Intent(IntentName.THANKS, language)  # "gracias crack", "thanks mate"
    if (
        words
        and words[-1] in _CLOSING_WORDS
        and (closing := _THANKS.search(message.folded))
        and closing.start() == 0
    ):
        return Intent(IntentName.THANKS, language)  # "merci, t'es au top"
    if (phrase := _phrase(_key(unwrapped.folded), language, preferred)) is not None:
        return phrase
    if (question := _QUESTIONS.read(_key(unwrapped.folded))) is not None:
        return Intent(question[0], language, period=question[1])
    if not unwrapped.folded:
        return Intent(IntentName.HELP, language)
    for command in _COMMANDS:
        if (intent := command(read_, unwrapped)) is not None:
            return intent
    return Intent(IntentName.UNKNOWN, language)


def parse(text: str, context: EngineContext) -> Intent:
    """What the user means by `text`: an intent with its arguments. Never raises."""
    try:
        return interpret(text, context)
    except Exception:  # the contract is to never raise: a message we cannot read is unknown
        language = context.language if context.language in _GRAMMARS else DEFAULT_LANGUAGE
        return Intent(IntentName.UNKNOWN, language)
