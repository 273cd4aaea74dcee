"""From a message to an intent.

Whole-message phrases ("my list", "qué tengo hoy") are one dictionary lookup. Everything else is
recognised by its first words: snooze, remind, stop/cancel, delete, complete, add, in that order,
each tried in all four languages. The language whose words matched is the intent's language;
when a word belongs to several ("lista", "cancela"), the language that knows more of the other
words in the message wins, then the one the user prefers.
"""

import dataclasses
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from assistant.chat.engine.lexicon import LEXICONS, Lexicon, Unit
from assistant.chat.engine.text import Message, alternation, fold, read, shorten
from assistant.chat.engine.types import EngineContext, Intent, IntentName, Period, Problem
from assistant.chat.engine.when import Reading, TimeGrammar, resolve

DEFAULT_LANGUAGE = "en"
DEFAULT_SNOOZE_MINUTES = 10
_END = r"(?!\w)"
_ONLY_QUESTION_MARKS = re.compile(r"[?¿ ]+")
_NUMBER_REF = re.compile(r"#? ?([0-9]{1,4})")
_POLITENESS = re.compile(
    rf"(?<!\w){alternation(word for lexicon in LEXICONS.values() for word in lexicon.politeness)}{_END}"
)


def _words(phrases: tuple[str, ...]) -> frozenset[str]:
    return frozenset(map(fold, phrases))


def _vocabulary(lexicon: Lexicon) -> frozenset[str]:
    """Every word the lexicon knows, to tell which language a message is written in."""
    phrases = [
        phrase
        for field in dataclasses.fields(lexicon)
        if isinstance(value := getattr(lexicon, field.name), dict | tuple)
        for phrase in value
    ]
    return frozenset(word for phrase in phrases for word in fold(phrase).split())


_VOCABULARIES = {code: _vocabulary(lexicon) for code, lexicon in LEXICONS.items()}


class CommandGrammar:
    """One language's commands, compiled once."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.language = lexicon.code
        self.time = TimeGrammar(lexicon)

        def leading(phrases: tuple[str, ...]) -> re.Pattern[str]:
            return re.compile(alternation(phrases) + _END)

        self._snooze = re.compile(
            rf"{alternation(lexicon.snooze_words)}(?: {alternation(lexicon.snooze_for)})?"
            rf"(?: (?:{self.time.number_pattern}(?P<unit>{self.time.unit_pattern})|(?P<bare>[0-9]{{1,4}})))?"
        )
        self._remind = leading(lexicon.remind_triggers)
        self._stop_reminding = leading(lexicon.stop_reminding)
        self._cancel = leading(lexicon.cancel_verbs)
        self._delete = leading(lexicon.delete_verbs)
        self._complete = leading(lexicon.complete_verbs)
        self._add = leading(lexicon.add_verbs)
        self._list_suffix = re.compile(rf"(?:^| ){alternation(lexicon.list_suffixes)}$")
        self._remind_connectors = _words(lexicon.remind_connectors)
        self._reminder_nouns = _words(lexicon.reminder_nouns)
        # Words around a reference that are not part of it: "the", "reminder", "number", "with"...
        self._ref_noise = (
            _words(lexicon.articles + lexicon.todo_nouns + lexicon.reminder_nouns + lexicon.ref_connectors)
            | self._remind_connectors
        )
        self.commands = (
            self._read_snooze,
            self._read_remind,
            self._read_stop_reminding,
            self._read_cancel,
            self._read_delete,
            self._read_complete,
            self._read_add,
        )

    def _intent(self, name: IntentName, **arguments: object) -> Intent:
        return Intent(name, self.language, **arguments)

    def _rest(self, pattern: re.Pattern[str], message: Message) -> Message | None:
        """What follows the command words, or None when the message does not start with them."""
        match = pattern.match(message.folded)
        return message.slice(match.end(), len(message.folded)) if match else None

    def _reference(self, rest: Message) -> int | str | None:
        rest = rest.trim(leading=self._ref_noise, trailing=self._reminder_nouns)
        if not rest.folded:
            return None
        number = _NUMBER_REF.fullmatch(rest.folded)
        return int(number[1]) if number else shorten(rest.original())

    def _read_snooze(self, message: Message, context: EngineContext) -> Intent | None:
        match = self._snooze.fullmatch(message.folded)
        if not match:
            return None
        if match["bare"]:
            minutes = int(match["bare"])
        elif match["unit"]:
            unit = self.time.unit(match["unit"])
            if unit is Unit.MONTH:  # no one snoozes for a month; not a snooze
                return None
            minutes = self.time.count(match) * unit
        else:
            minutes = DEFAULT_SNOOZE_MINUTES
        return self._intent(IntentName.SNOOZE, minutes=minutes) if minutes > 0 else None

    def _read_remind(self, message: Message, context: EngineContext) -> Intent | None:
        body = self._rest(self._remind, message)
        if body is None:
            return None
        reading = Reading(
            today=context.now.astimezone(ZoneInfo(context.timezone)).date(),
            # Only Americans write the month first, and they write in English.
            month_first=self.language == "en" and context.timezone.startswith("America/"),
        )
        found, spans = self.time.extract(body.folded, reading)
        text = shorten(body.without(spans).trim(leading=self._remind_connectors).original())
        schedule = resolve(found, context.now, context.timezone)
        if not text:
            problem = Problem.MISSING_TEXT
        elif schedule is None:
            problem = Problem.MISSING_TIME
        else:
            problem = schedule.problem
        return self._intent(
            IntentName.CLARIFY if problem else IntentName.REMIND,
            text=text,
            due_at=schedule.due_at if schedule else None,
            rrule=schedule.rrule if schedule else None,
            problem=problem,
        )

    def _read_stop_reminding(self, message: Message, context: EngineContext) -> Intent | None:
        rest = self._rest(self._stop_reminding, message)
        return None if rest is None else self._intent(IntentName.CANCEL_REMINDER, ref=self._reference(rest))

    def _read_cancel(self, message: Message, context: EngineContext) -> Intent | None:
        rest = self._rest(self._cancel, message)
        return None if rest is None else self._intent(IntentName.CANCEL_REMINDER, ref=self._reference(rest))

    def _read_delete(self, message: Message, context: EngineContext) -> Intent | None:
        rest = self._rest(self._delete, message)
        if rest is None:
            return None
        # "delete the dentist reminder" cancels a reminder; "delete the dentist" drops a todo.
        about_reminder = not self._reminder_nouns.isdisjoint(rest.folded.split())
        name = IntentName.CANCEL_REMINDER if about_reminder else IntentName.DELETE_TODO
        return self._intent(name, ref=self._reference(rest))

    def _read_complete(self, message: Message, context: EngineContext) -> Intent | None:
        rest = self._rest(self._complete, message)
        # A bare "done" (an answer to a reminder) comes back with no ref; the service decides.
        return None if rest is None else self._intent(IntentName.COMPLETE_TODO, ref=self._reference(rest))

    def _read_add(self, message: Message, context: EngineContext) -> Intent | None:
        rest = self._rest(self._add, message)
        if rest is None:
            return None
        rest = rest.trim()
        suffix = self._list_suffix.search(rest.folded)
        if suffix:
            rest = rest.slice(0, suffix.start()).trim()
        title = shorten(rest.original())
        if not title:
            return self._intent(IntentName.CLARIFY, problem=Problem.MISSING_TEXT)
        return self._intent(IntentName.ADD_TODO, text=title)


@dataclass(frozen=True)
class _Phrase:
    name: IntentName
    languages: tuple[str, ...]
    period: Period | None = None


def _phrase_table() -> dict[str, _Phrase]:
    table: dict[str, _Phrase] = {}
    for code, lexicon in LEXICONS.items():
        entries = [
            *((phrase, IntentName.HELP, None) for phrase in lexicon.help),
            *((phrase, IntentName.LIST_TODOS, None) for phrase in lexicon.list_todos),
            *((phrase, IntentName.LIST_REMINDERS, None) for phrase in lexicon.list_reminders),
            *((phrase, IntentName.AGENDA, period) for phrase, period in lexicon.agenda.items()),
        ]
        for phrase, name, period in entries:
            key = fold(phrase)
            known = table.get(key)
            languages = (*known.languages, code) if known else (code,)
            table[key] = _Phrase(name, languages, period)
    return table


_PHRASES = _phrase_table()
_GRAMMARS = {code: CommandGrammar(lexicon) for code, lexicon in LEXICONS.items()}
# The user's preferred language is tried first; the rest keep a fixed order.
_GRAMMAR_ORDER = {
    preferred: tuple(sorted(_GRAMMARS.values(), key=lambda grammar: grammar.language != preferred))
    for preferred in (None, *_GRAMMARS)
}


def _familiarity(words: list[str], language: str) -> int:
    vocabulary = _VOCABULARIES[language]
    return sum(word in vocabulary for word in words)


def _guess_language(words: list[str]) -> str | None:
    """The language that knows the most words of the message, if one stands out."""
    ranked = sorted(((_familiarity(words, code), code) for code in _VOCABULARIES), reverse=True)
    (best_score, best), (runner_up_score, _) = ranked[0], ranked[1]
    return best if best_score > runner_up_score else None


def _preferred_language(context: EngineContext) -> str | None:
    return context.language if context.language in _GRAMMARS else None


def interpret(text: str, context: EngineContext) -> Intent:
    """parse() without its safety net, so that tests see any exception the net would hide."""
    preferred = _preferred_language(context)
    message = read(text)
    if not message.folded or _ONLY_QUESTION_MARKS.fullmatch(message.folded):
        return Intent(IntentName.HELP, preferred or DEFAULT_LANGUAGE)
    message = message.without(match.span() for match in _POLITENESS.finditer(message.folded)).trim()
    phrase = _PHRASES.get(message.folded)
    if phrase:
        language = preferred if preferred in phrase.languages else phrase.languages[0]
        return Intent(phrase.name, language, period=phrase.period)
    words = message.folded.split()
    for readers in zip(*(grammar.commands for grammar in _GRAMMAR_ORDER[preferred]), strict=True):
        intents = [intent for read in readers if (intent := read(message, context))]
        if intents:
            # A command word two languages share ("cancela") goes to the language the rest of
            # the message is written in; on a tie, to the preferred one.
            return max(intents, key=lambda intent: _familiarity(words, intent.language))
    return Intent(IntentName.UNKNOWN, _guess_language(words) or preferred or DEFAULT_LANGUAGE)


def parse(text: str, context: EngineContext) -> Intent:
    """What the user means by `text`: an intent with its arguments. Never raises."""
    try:
        return interpret(text, context)
    except Exception:  # the contract is to never raise: a message we cannot read is unknown
        return Intent(IntentName.UNKNOWN, _preferred_language(context) or DEFAULT_LANGUAGE)
