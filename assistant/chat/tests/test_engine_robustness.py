"""The engine reads anything without raising, quickly, and without touching Django."""

import random
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.chat.engine import EngineContext, Intent, IntentName, parse
from assistant.chat.engine import parser as engine_parser
from assistant.chat.engine.lexicon import LEXICONS
from assistant.core.recurrence import rrule_validate

NOW = datetime(2026, 11, 27, 10, 0, tzinfo=UTC)
PARIS = EngineContext(now=NOW, timezone="Europe/Paris")
CONTEXTS = [
    PARIS,
    EngineContext(now=NOW, timezone="America/New_York", language="es"),
    EngineContext(now=datetime(2027, 3, 27, 20, 0, tzinfo=UTC), timezone="Europe/Paris", language="fr"),
    EngineContext(
        now=datetime(2026, 10, 24, 23, 59, 59, tzinfo=UTC), timezone="Pacific/Auckland", language="pt"
    ),
]
PROJECT_ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("text", ["", " ", "   \t\n  ", "\u200b", "\x00"])
def test_empty_text_asks_for_help(text):
    assert parse(text, PARIS) == Intent(IntentName.HELP, "en")


@pytest.mark.parametrize(
    "text",
    [
        "😀",
        "🎉🎉🎉",
        "asdkjh qwe zxc",
        "\x00\x01\x02\x1b[31m",
        "\ud800\udfff",
        "Привет мир",
        "こんにちは world",
        "مرحبا",
        "%s %d {0} ${x} <script>",
        "ﬁ\uff18İß",
        "12345",
        "!!!???...",
    ],
)
def test_unreadable_text_is_unknown(text):
    assert parse(text, PARIS).name == IntentName.UNKNOWN


@pytest.mark.parametrize(
    ("text", "title"),
    [
        # Emoji around a title are wrappers; alone, they are the title.
        ("add ☕ coffee with Léa 🎉", "coffee with Léa"),
        ("add call\x00mom\tnow", "call mom now"),
        ("add call\u200bmom", "callmom"),
        ("remind me to 💊 at 8pm", "💊"),
    ],
)
def test_titles_keep_symbols_and_drop_control_characters(text, title):
    assert parse(text, PARIS).text == title


def test_a_5000_character_message_is_read_quickly_and_its_title_truncated():
    text = "add " + "word " * 1000

    started = time.perf_counter()  # a duration bound only; the engine itself never reads a clock
    intent = parse(text, PARIS)
    elapsed = time.perf_counter() - started

    assert intent == Intent(IntentName.ADD_TODO, "en", " ".join(["word"] * 40))
    assert elapsed < 0.25


@pytest.mark.parametrize(
    "text",
    [
        "remind me to " + "x" * 5000,
        "remind me " + "at 8 " * 1000,
        "remind me every monday, " * 250,
        "!" * 5000 + "a",
        "rappelle-moi " + "de " * 2000,
        "a" * 5000,
        "remind me on 31 december 9999 at 23:59 to x",
        "remind me on 12/31/9999 at 11pm to x",
        "remind me in 9999 months to x",
        "remind me every 9999 weeks at 11pm to x",
    ],
)
def test_pathological_messages_stay_bounded(text):
    started = time.perf_counter()
    intent = engine_parser.interpret(text, EngineContext(now=NOW, timezone="America/New_York"))

    assert time.perf_counter() - started < 0.25
    assert len(intent.text) <= 200


def _random_messages(count: int) -> list[str]:
    """Random strings: noise from a mixed alphabet, and salads of the engine's own words."""
    rng = random.Random(20261127)
    alphabet = (
        "abcdefghijklmnopqrstuvwxyz ABCXYZ 0123456789 :/#.,!?'-_ éàçñãõüœ ¿¡ 😀💊 "
        "\x00\t\n\u200b\u202eİß\uff18"
    )
    words = sorted(
        {
            word
            for lexicon in LEXICONS.values()
            for phrase in (*lexicon.remind_triggers, *lexicon.every, *lexicon.weekdays, *lexicon.day_words)
            for word in phrase.split()
        }
        | {
            "at",
            "à",
            "às",
            "a",
            "las",
            "8",
            "20:00",
            "8h30",
            "25:99",
            "8pm",
            "3/12",
            "31/02",
            "99/99/9999",
            "0",
            "9999",
        }
    )
    messages = []
    for index in range(count):
        if index % 2:
            messages.append("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 80))))
        else:
            messages.append(" ".join(rng.choice(words) for _ in range(rng.randint(1, 12))))
    return messages


@pytest.mark.parametrize("context", CONTEXTS)
def test_interpret_never_raises_and_keeps_its_promises(context):
    # interpret() is parse() without the safety net, so a bug cannot hide behind it.
    for text in _random_messages(1500):
        intent = engine_parser.interpret(text, context)

        assert intent.language in LEXICONS, text
        assert len(intent.text) <= 200, text
        assert (intent.problem is not None) == (intent.name == IntentName.CLARIFY), text
        if intent.due_at is not None:
            assert intent.due_at.utcoffset().total_seconds() == 0, text
        if intent.rrule is not None:
            rrule_validate(intent.rrule)
            assert intent.due_at is not None, text
            assert intent.due_at > context.now, text


def test_parse_turns_an_internal_error_into_unknown(monkeypatch):
    def broken(text: str, context: EngineContext) -> Intent:
        raise RuntimeError("a bug")

    monkeypatch.setattr(engine_parser, "interpret", broken)

    assert parse("list", EngineContext(now=NOW, timezone="Europe/Paris", language="fr")) == Intent(
        IntentName.UNKNOWN, "fr"
    )


@pytest.mark.processes
def test_the_engine_imports_neither_django_nor_dateparser():
    # Numeric dates are read by the engine itself; Django is never needed.
    check = "import sys, assistant.chat.engine; print(sorted({'django', 'dateparser'} & set(sys.modules)))"

    result = subprocess.run(
        [sys.executable, "-c", check],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )

    assert result.stdout.strip() == "[]"
