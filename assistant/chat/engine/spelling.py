"""How people misspell the words the engine knows, and how it reads them anyway.

Two kinds of respelling, applied word by word before anything else reads the message:
- abbreviations people type on purpose ("tmrw", "dm1", "mñn", "hj"), from each lexicon;
- typos in the engine's own keywords ("remnd", "tomorow", "rapelle", "recuerdame"), found by
  edit distance: one edit for words of five to seven letters, two from eight letters on. Only
  keywords are targets, and only words the engine does not already know are corrected, so a
  title keeps its words ("call Mom", "buy a sundae" never turns into a weekday).

The candidates come from a symmetric-delete index (every keyword with one or two letters
deleted), so a lookup is a few dictionary probes rather than a scan of the lexicon.
"""

from collections.abc import Iterable
from functools import lru_cache
from itertools import combinations

from assistant.chat.engine.lexicon import LEXICONS, Lexicon
from assistant.chat.engine.text import Message, fold

_MIN_TYPO_LENGTH = 5
_TWO_EDITS_FROM = 8
# Four-letter words are corrected only for two swapped letters ("dnoe", "hlep") or one letter
# missing from a longer keyword ("evry"): any other edit turns too many real words into keywords.
_SHORT = 4


def _keywords(lexicon: Lexicon) -> set[str]:
    """The words worth correcting towards: the ones a command or a time hangs on. Conjugated
    verbs people also use in their tasks ("relance", "règle", "marque") are left out, or a
    task's own words would be "corrected" into commands."""
    return {
        word
        for phrase in _keyword_phrases(lexicon)
        for word in fold(phrase).split()
        if len(word) >= _SHORT and word.isalpha()
    }


def _keyword_phrases(lexicon: Lexicon) -> list[str]:
    return [
        *lexicon.remind_triggers,
        *lexicon.remind_leading,
        *lexicon.weekdays,
        *lexicon.plural_weekdays,
        *lexicon.day_words,
        *lexicon.part_nouns,
        *lexicon.units,
        *lexicon.recurring_adverbs,
        *lexicon.weekend,
        *lexicon.next_week,
        *lexicon.task_prefixes,
        *lexicon.list_nouns,
        *lexicon.reminder_nouns,
        *lexicon.help[:1],
        *lexicon.undo_words,
        *lexicon.snooze_words[:1],
        *lexicon.politeness,
        *lexicon.add_verbs[:4],
        *lexicon.delete_verbs[:4],
        *lexicon.cancel_verbs[:2],
        *(month for month in lexicon.months if len(month) >= 6),
    ]


def _deletes(word: str, edits: int) -> set[str]:
    return {
        "".join(char for index, char in enumerate(word) if index not in dropped)
        for count in range(1, edits + 1)
        for dropped in combinations(range(len(word)), count)
    }


def _distance(a: str, b: str, limit: int) -> int:
    """Damerau-Levenshtein distance (adjacent swaps count as one edit), cut off past limit."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, char_b in enumerate(b, start=1):
            cost = char_a != char_b
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                current[j] = min(current[j], previous_previous[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous_previous, previous = previous, current
    return previous[-1]


def _allowed_edits(word: str) -> int:
    return 2 if len(word) >= _TWO_EDITS_FROM else 1


class Speller:
    """Every language's abbreviations and keywords, indexed once."""

    def __init__(self, lexicons: Iterable[Lexicon], known: frozenset[str]) -> None:
        self.abbreviations: dict[str, str] = {}
        keywords: set[str] = set()
        lexicons_list = list(lexicons)
        # The accented letters each keyword is written with: a word typed with an accent the
        # keyword lacks ("sabão" next to "sábado") is a careful spelling of another word.
        self._accents: dict[str, set[str]] = {}
        for lexicon in lexicons_list:
            for short, word in lexicon.abbreviations.items():
                self.abbreviations.setdefault(fold(short), fold(word))
            for keyword in _keywords(lexicon):
                keywords.add(keyword)
                self._accents.setdefault(keyword, set())
            for phrase in _keyword_phrases(lexicon):
                for word in phrase.lower().split():
                    folded = fold(word)
                    if folded in self._accents:
                        self._accents[folded] |= {char for char in word if not char.isascii()}
        self.known = known
        # Four-letter targets are command words only: "mire" must not become a weekday ("mier").
        self._short = {
            word
            for lexicon in lexicons_list
            for phrase in (*lexicon.help, *lexicon.complete_verbs, *lexicon.list_nouns, *lexicon.undo)
            for word in fold(phrase).split()
            if len(word) == _SHORT
        }
        # Which table a keyword comes from: two equally close keywords of one table (two spellings
        # of a trigger, "recuérdame" and "recuérdeme") are the same correction for the engine.
        self._role: dict[str, str] = {}
        for lexicon in lexicons_list:
            for name in ("remind_triggers", "weekdays", "months", "day_words", "task_prefixes", "help"):
                for phrase in getattr(lexicon, name):
                    for word in fold(phrase).split():
                        self._role.setdefault(word, name)
        self._index: dict[str, set[str]] = {}
        for keyword in keywords | self._short:
            for variant in {keyword} | _deletes(keyword, _allowed_edits(keyword)):
                self._index.setdefault(variant, set()).add(keyword)

    # Far more entries than the distinct words of a day's messages: a cache that cycles would miss
    # on every word. B019: one Speller lives as long as the process.
    @lru_cache(maxsize=65536)  # noqa: B019
    def correct(self, word: str) -> str | None:
        """The keyword `word` is a typo of, if exactly one is close enough."""
        if len(word) < _SHORT or word in self.known or not word.isalpha():
            return None
        if word[-1] == word[-2] and word[:-1] in self._index.get(word[:-1], ()):
            return word[:-1]  # "semanaa": a key held down, not another word
        if len(word) == _SHORT:
            return self._correct_short(word)
        edits = _allowed_edits(word)
        candidates: set[str] = set()
        for variant in {word} | _deletes(word, edits):
            candidates |= self._index.get(variant, set())
        best = sorted(
            # Closest first; then the nearest length; then a letter left out rather than one too many.
            (distance, abs(len(keyword) - len(word)), len(keyword) < len(word), keyword)
            for keyword in candidates
            if keyword[0] == word[0]  # people rarely get the first letter wrong
            and len(keyword) >= _MIN_TYPO_LENGTH  # a real word is often a keyword plus a letter ("turno")
            and (distance := _distance(word, keyword, min(edits, _allowed_edits(keyword)))) <= edits
            and (distance < 2 or len(keyword) >= len(word))  # nor two letters more ("faltando", "faltan")
        )
        if not best:
            return None
        tied = {candidate[-1] for candidate in best if candidate[:3] == best[0][:3]}
        if len(tied) > 1 and len({self._role.get(keyword, keyword) for keyword in tied}) > 1:
            return None
        return best[0][-1]

    def _correct_short(self, word: str) -> str | None:
        letters = sorted(word)
        candidates = {
            keyword
            for keyword in self._index.get(word, set())  # a longer keyword with one letter missing
            if len(keyword) == _SHORT + 1 and keyword[0] == word[0]
        }
        candidates |= {
            keyword
            for variant in _deletes(word, 1)
            for keyword in self._index.get(variant, set())
            if keyword in self._short and sorted(keyword) == letters and _distance(word, keyword, 1) == 1
        }
        return candidates.pop() if len(candidates) == 1 else None

    def respell(self, message: Message) -> Message:
        """The message with abbreviations expanded and keyword typos corrected."""
        replacements: dict[tuple[int, int], str] = {}
        folded = message.folded
        for start, end in message.words():
            word = folded[start:end]
            replacement = self.abbreviations.get(word)
            if replacement is None and (keyword := self.correct(word)):
                typed = message.source[message.positions[start] : message.positions[end - 1] + 1].lower()
                if {char for char in typed if not char.isascii()} <= self._accents.get(keyword, set()):
                    replacement = keyword
            if replacement and replacement != word:
                replacements[(start, end)] = replacement
        return message.respelled(replacements)


_VOCABULARIES: dict[str, frozenset[str]] = {}


def vocabulary(lexicon: Lexicon) -> frozenset[str]:
    """Every word a lexicon knows, folded: its tables' phrases split into words. Built once per
    language (the grammars ask for it again and again while they are built)."""
    if (known := _VOCABULARIES.get(lexicon.code)) is not None:
        return known
    phrases: list[str] = []
    for name, value in vars(lexicon).items():
        # Endings and the one-letter "o" of "5 o 6" are not words that tell a language.
        if isinstance(value, dict | tuple) and name not in ("past_endings", "or_words"):
            phrases.extend(phrase for phrase in value if isinstance(phrase, str))
    words = frozenset(word for phrase in phrases for word in fold(phrase).replace("{", " ").split())
    _VOCABULARIES[lexicon.code] = words
    return words


SPELLER = Speller(
    LEXICONS.values(), known=frozenset().union(*(vocabulary(lexicon) for lexicon in LEXICONS.values()))
)
