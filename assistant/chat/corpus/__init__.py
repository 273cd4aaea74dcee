"""The labelled corpus (see README.md here): load it, and judge what the engine makes of it.

Used by the table tests and by bench/corpus_bench.py; the engine itself never reads it.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from assistant.chat.engine import EngineContext, Intent, IntentName, Pending, Problem, parse

CORPUS_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "fr", "es", "pt")
SAVING_INTENTS = frozenset({IntentName.REMIND, IntentName.ADD_TODO})
_EDGES = " \t.,;:!?¿¡…\"'“”«»()[]{}*~"


@dataclass(frozen=True)
class Entry:
    language: str  # the file's
    number: int  # position in its file, from 1
    text: str
    expected: dict[str, Any]
    context: EngineContext
    after: str | None = None
    classes: tuple[str, ...] = ()
    hard: bool = False

    @property
    def reply_language(self) -> str:
        return str(self.expected.get("language", self.language))

    @property
    def id(self) -> str:
        return f"{self.language}-{self.number:03d}"


@dataclass
class Verdict:
    entry: Entry
    intent: Intent
    mismatches: dict[str, tuple[object, object]] = field(default_factory=dict)  # field: (expected, got)

    @property
    def right(self) -> bool:
        return not self.mismatches

    @property
    def saved_wrongly(self) -> bool:
        """The engine would save something (a reminder or todo) that is not what was meant."""
        return self.intent.name in SAVING_INTENTS and not self.right


def _local(text: str, zone: ZoneInfo) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=zone)


def load(language: str) -> list[Entry]:
    # libyaml's safe loader: the pure-Python one took a second per process for the four files,
    # and every test process loads them to collect the corpus tests.
    data = yaml.load((CORPUS_DIR / f"{language}.yaml").read_text(encoding="utf-8"), Loader=yaml.CSafeLoader)
    entries = []
    for number, raw in enumerate(data["entries"], start=1):
        zone_name = raw.get("timezone", data["timezone"])
        zone = ZoneInfo(zone_name)
        context = EngineContext(
            now=_local(raw.get("now", data["now"]), zone),
            timezone=zone_name,
            language=raw.get("context_language", data["language"]),
            open_todos=tuple(raw["open_todos"]) if "open_todos" in raw else None,
        )
        expected = {
            key: raw[key]
            for key in (
                "intent",
                "text_out",
                "at",
                "due",
                "rrule",
                "ref",
                "period",
                "minutes",
                "problem",
                "language",
            )
            if key in raw
        }
        entries.append(
            Entry(
                language=data["language"],
                number=number,
                text=str(raw["text"]),
                expected=expected,
                context=context,
                after=raw.get("after"),
                classes=tuple(raw.get("class", ())),
                hard=bool(raw.get("hard", False)),
            )
        )
    return entries


def load_all() -> Iterator[Entry]:
    for language in LANGUAGES:
        yield from load(language)


def _same_text(a: object, b: object) -> bool:
    return str(a).strip(_EDGES).casefold() == str(b).strip(_EDGES).casefold()


_ARTICLES = frozenset(
    [
        "the",
        "a",
        "my",
        "le",
        "la",
        "les",
        "l",
        "un",
        "une",
        "el",
        "los",
        "las",
        "o",
        "os",
        "as",
        "um",
        "uma",
        "lo",
    ]
)


def _same_ref(a: object, b: object) -> bool:
    """References compare as names: "la basura" and "basura" mean the same reminder."""
    if isinstance(a, int) or isinstance(b, int):
        return a == b

    def bare(text: object) -> str:
        words = str(text).strip(_EDGES).casefold().replace("'", " ").split()
        while words and words[0] in _ARTICLES:
            words.pop(0)
        return " ".join(words)

    return bare(a) == bare(b)


def _rule_parts(rule: object) -> frozenset[str]:
    return frozenset(part for part in str(rule or "").upper().split(";") if part)


def pending_after(entry: Entry) -> Pending | None:
    """The question the entry's `after` message makes the engine ask, as the chat service keeps it."""
    if entry.after is None:
        return None
    question = parse(entry.after, entry.context)
    if question.name != IntentName.CLARIFY or question.problem is None:
        return None
    return Pending(
        problem=Problem(question.problem),
        text=question.text,
        due_at=question.due_at,
        rrule=question.rrule,
        options=question.options,
        day=question.due_date,
    )


def judge(entry: Entry) -> Verdict:
    context = entry.context
    if entry.after is not None:
        context = EngineContext(
            now=context.now,
            timezone=context.timezone,
            language=context.language,
            open_todos=context.open_todos,
            pending=pending_after(entry),
        )
    intent = parse(entry.text, context)
    verdict = Verdict(entry, intent)
    expected = entry.expected
    zone = ZoneInfo(context.timezone)

    def check(name: str, wanted: object, got: object, same: bool) -> None:
        if not same:
            verdict.mismatches[name] = (wanted, got)

    check("intent", expected["intent"], str(intent.name), expected["intent"] == intent.name)
    check("language", entry.reply_language, intent.language, entry.reply_language == intent.language)
    if "text_out" in expected:
        check("text_out", expected["text_out"], intent.text, _same_text(expected["text_out"], intent.text))
    elif intent.name in SAVING_INTENTS and expected["intent"] == intent.name:
        check("text_out", None, intent.text, False)  # every save must be labelled with its text
    if "at" in expected:
        got_at = intent.due_at.astimezone(zone).strftime("%Y-%m-%d %H:%M") if intent.due_at else None
        check("at", expected["at"], got_at, expected["at"] == got_at)
    elif intent.name == IntentName.REMIND and expected["intent"] == IntentName.REMIND:
        check("at", None, intent.due_at, False)
    if "rrule" in expected or intent.rrule:
        wanted = expected.get("rrule")
        check("rrule", wanted, intent.rrule, _rule_parts(wanted) == _rule_parts(intent.rrule))
    if "due" in expected or (intent.due_date and expected["intent"] == IntentName.ADD_TODO):
        wanted = expected.get("due")
        got_due = intent.due_date.isoformat() if isinstance(intent.due_date, date) else None
        check("due", wanted, got_due, str(wanted) == str(got_due) if wanted else got_due is None)
    for name in ("ref", "period", "minutes", "problem"):
        if name in expected:
            got = getattr(intent, name)
            if got is None:
                same = expected[name] is None
            elif name == "ref":
                same = _same_ref(expected[name], got)
            else:
                same = _same_text(expected[name], got)
            check(name, expected[name], got, same)
    return verdict
