"""Every labelled phrasing of the corpus (assistant/chat/corpus/, README there) is read fully right.

One table row per message: the intent, the text, the time or rule, the reply language and
whatever else the entry labels. The corpus also drives bench/corpus_bench.py.
"""

from collections import Counter

import pytest

from assistant.chat.corpus import LANGUAGES, judge, load, load_all

ENTRIES = list(load_all())
REQUIRED_CLASSES = {
    "time_first", "request_last", "wrapper", "implicit_todo", "implicit_reminder", "list", "agenda",
    "complete", "delete", "past_tense", "fuzzy_ref", "typo", "abbreviation", "no_accents", "time_format",
    "ordinal_day", "end_of_month", "weekend", "recurrence", "relative", "mixed_language", "clarify", "answer",
    "undo", "snooze",
}  # fmt: skip


@pytest.mark.parametrize("entry", ENTRIES, ids=lambda entry: f"{entry.id} {entry.text[:60]}")
def test_the_engine_reads_the_message_as_labelled(entry):
    verdict = judge(entry)

    assert verdict.mismatches == {}, f"{entry.text!r}: {verdict.intent}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_at_least_200_phrasings_a_third_of_them_hard(language):
    entries = load(language)

    assert len(entries) >= 200
    assert sum(entry.hard for entry in entries) >= len(entries) / 3


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_covers_every_phrasing_class(language):
    classes = Counter(name for entry in load(language) for name in entry.classes)

    assert {name for name in REQUIRED_CLASSES if classes[name] < 5} == set()


def test_the_corpus_holds_at_least_800_phrasings():
    assert len(ENTRIES) >= 800
