"""Message text as the engine sees it: a folded copy to match on, and the way back to the original.

Matching runs on the folded copy (lowercase, no accents, apostrophes and hyphens as spaces, one
space between words), so "Rappelle-moi", "rappelle moi" and "RAPPELLE MOI" are the same words.
Titles must keep the user's own spelling, so each folded character remembers which character of
the original it came from; a word the engine respelled ("tmrw" read as "tomorrow") points back
at the word the user typed.
"""

import functools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Only this much of a message is read: far more than any command, and it bounds the work
# (and the time) one message can cost.
MAX_INPUT_CHARS = 1000
MAX_TITLE_CHARS = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Zero-width and bidi marks would split words without being visible to the user; variation
# selectors only pick how an emoji looks.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufe00-\ufe0f\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[^ ]+")
_WORD = re.compile(r"[a-z0-9]+(?:[.:/][a-z0-9]+)*")
_JOINERS = "'`_-\u00b4\u2010\u2011\u2013\u2014\u2018\u2019"  # apostrophes, hyphens and dashes
_SEPARATORS = _JOINERS + " "
# Symbols a title may start or end with and mean something: "#3", "$50", "50%".
_KEPT_AT_EDGES = frozenset("#$€£%@&+")
# Letters repeated for emphasis ("pleeeease", "ooops") read as two: no word of the four
# languages needs three in a row.
_STRETCHED = re.compile(r"([a-z])\1{2,}")


def _fold_char(char: str) -> str:
    if char in _JOINERS or char.isspace():
        return " "
    lowered = char.lower()
    if len(lowered) != 1:  # "İ" lowers to two characters; folding must stay one-to-one
        lowered = char
    return unicodedata.normalize("NFD", lowered)[0]


# Only Latin letters can fold into the ASCII the keyword tables use; str.translate with a
# precomputed table keeps folding at C speed and one character for one character.
_FOLD_TABLE = {
    code: folded
    for block in (range(0x00, 0x250), range(0x1E00, 0x1F00), range(0x2010, 0x2020))
    for code in block
    if (folded := _fold_char(chr(code))) != chr(code)
}


_ASCII_EDGES = frozenset(chr(code) for code in range(128) if not chr(code).isalnum()) - _KEPT_AT_EDGES


def _is_edge(char: str) -> bool:
    """Punctuation, emoji and other symbols that can wrap a command or a title."""
    if char.isascii():
        return char in _ASCII_EDGES
    return not (char.isalnum() or char in _KEPT_AT_EDGES)


class Phrases(frozenset[str]):
    """Folded phrases, knowing the words they start and end with, so that trimming a text checks
    one word before it builds any candidate phrase."""

    first: frozenset[str]
    last: frozenset[str]

    def __new__(cls, phrases: Iterable[str] = ()) -> "Phrases":
        self = super().__new__(cls, phrases)
        self.first = frozenset(phrase.split(" ", 1)[0] for phrase in self)
        self.last = frozenset(phrase.rsplit(" ", 1)[-1] for phrase in self)
        return self


NO_PHRASES = Phrases()


@dataclass(slots=True)  # not frozen: a frozen init costs 4x, and a message is built ~10 times a parse
class Message:
    source: str  # the cleaned original text
    folded: str  # what patterns match against
    positions: tuple[int, ...]  # folded[i] came from source[positions[i]]

    def slice(self, start: int, end: int) -> "Message":
        return Message(self.source, self.folded[start:end], self.positions[start:end])

    def without(self, spans: Iterable[tuple[int, int]]) -> "Message":
        """This message with the folded ranges removed and the spacing made single again."""
        spans = sorted(spans)
        if not spans:
            return self
        pieces: list[str] = []
        positions: list[int] = []
        cursor = 0
        for start, end in [*spans, (len(self.folded), len(self.folded))]:
            if start > cursor:
                pieces.append(self.folded[cursor:start])
                positions.extend(self.positions[cursor:start])
            cursor = max(cursor, end)
        return _respaced("".join(pieces), positions, self.source)

    def trim(self, leading: Phrases = NO_PHRASES, trailing: Phrases = NO_PHRASES) -> "Message":
        """Drop edge punctuation and symbols, and words from `leading` at the start and
        `trailing` at the end (phrases of several words too). Symbols that are all there is
        stay: in "remind me to 💊 at 8pm" the emoji is the text."""
        folded = self.folded
        start, end = 0, len(folded)
        symbols: list[int] = []  # where the symbols stripped from the edges were
        while True:
            before = (start, end)
            while start < end and not folded[start].isalnum() and _is_edge(folded[start]):
                if unicodedata.category(folded[start]) == "So":
                    symbols.append(start)
                start += 1
            while end > start and not folded[end - 1].isalnum() and _is_edge(folded[end - 1]):
                if unicodedata.category(folded[end - 1]) == "So":
                    symbols.append(end - 1)
                end -= 1
            if leading:
                for phrase in _matching_prefixes(folded, start, end, leading):
                    start += len(phrase)
                    break
            if trailing:
                for phrase in _matching_suffixes(folded, start, end, trailing):
                    end -= len(phrase)
                    break
            if (start, end) == before:
                if start == end and symbols:
                    return self.slice(min(symbols), max(symbols) + 1)
                return self.slice(start, end)

    def words(self) -> list[tuple[int, int]]:
        """The spans of the words (letters and digits, "8:30" and "3/12" whole) in `folded`."""
        return [match.span() for match in _WORD.finditer(self.folded)]

    def respelled(self, replacements: dict[tuple[int, int], str]) -> "Message":
        """This message with some word spans replaced by other folded text; the new characters
        point back at the replaced word, so original() still shows what the user typed."""
        if not replacements:
            return self
        chars: list[str] = []
        positions: list[int] = []
        cursor = 0
        for (start, end), text in sorted(replacements.items()):
            chars.append(self.folded[cursor:start])
            positions.extend(self.positions[cursor:start])
            first, last = self.positions[start], self.positions[end - 1]
            chars.append(text)
            # Spread the new characters over the old word, first to first and last to last.
            stretch = (last - first) / max(len(text) - 1, 1)
            positions.extend(first + round(offset * stretch) for offset in range(len(text)))
            cursor = end
        chars.append(self.folded[cursor:])
        positions.extend(self.positions[cursor:])
        return Message(self.source, "".join(chars), tuple(positions))

    def original(self) -> str:
        """The user's own spelling of what is left of the message: each run of characters that
        were next to each other in the original is copied from it whole, and a space kept
        between two words that were only apart by spaces, apostrophes or hyphens ("kids' lunches")
        brings those back too."""
        if not self.positions:
            return ""
        first, last = self.positions[0], self.positions[-1]
        if last - first == len(self.positions) - 1:  # nothing cut or respelled in between
            return self.source[first : last + 1]
        source = self.source
        pieces = []
        run_start = previous = self.positions[0]
        for index in range(1, len(self.positions)):
            position = self.positions[index]
            if position > previous + 1:
                between = source[previous + 1 : position]
                spaced = self.folded[index] == " " or self.folded[index - 1] == " "
                # Only separators between two words, or letters inside one respelled word: the
                # original text there was not cut, so it is kept.
                if between.strip(_SEPARATORS) == "" if spaced else " " not in between:
                    previous = position
                    continue
                pieces.append(source[run_start : previous + 1])
                run_start = position
            previous = max(previous, position)
        pieces.append(source[run_start : previous + 1])
        return "".join(pieces)


_SPACE_RUNS = re.compile(r"  +")


def _respaced(folded: str, positions: list[int], source: str) -> Message:
    """Collapse runs of spaces to one and drop them at the ends, keeping positions aligned."""
    if "  " in folded:
        pieces: list[str] = []
        kept: list[int] = []
        cursor = 0
        for run in _SPACE_RUNS.finditer(folded):  # keep the first space of each run
            pieces.append(folded[cursor : run.start() + 1])
            kept.extend(positions[cursor : run.start() + 1])
            cursor = run.end()
        pieces.append(folded[cursor:])
        kept.extend(positions[cursor:])
        folded, positions = "".join(pieces), kept
    start = 1 if folded[:1] == " " else 0
    end = len(folded) - 1 if folded[-1:] == " " and len(folded) > start else len(folded)
    return Message(source, folded[start:end], tuple(positions[start:end]))


def _matching_prefixes(folded: str, start: int, end: int, phrases: Phrases) -> Iterable[str]:
    """Phrases of `phrases` the text starts with (as whole words), longest first."""
    space = folded.find(" ", start, end)
    if folded[start : end if space == -1 else space].rstrip(":;,.!?") not in phrases.first:
        return ()
    words = folded[start:end].split(" ", 4)
    found = []
    for count in range(min(len(words), 4), 0, -1):
        candidate = " ".join(words[:count])
        if candidate in phrases:
            found.append(candidate)
        elif (bare := candidate.rstrip(":;,.!?")) != candidate and bare in phrases:
            found.append(candidate)  # "na lista:" ends with its punctuation
    return found


def _matching_suffixes(folded: str, start: int, end: int, phrases: Phrases) -> Iterable[str]:
    space = folded.rfind(" ", start, end)
    if folded[space + 1 if space >= start else start : end] not in phrases.last:
        return ()
    words = folded[start:end].rsplit(" ", 4)
    candidates = (" ".join(words[-count:]) for count in range(min(len(words) - 1, 4), 0, -1))
    return [candidate for candidate in candidates if candidate in phrases]


def read(text: str) -> Message:
    """Clean raw input (controls, invisible marks, runs of spaces) and fold it for matching."""
    text = text[: MAX_INPUT_CHARS * 2]
    if text.isascii() and text.isprintable():  # most messages: nothing to normalise or strip
        source = " ".join(text[:MAX_INPUT_CHARS].split())
    else:
        source = unicodedata.normalize("NFC", text)[:MAX_INPUT_CHARS]
        source = _WHITESPACE.sub(" ", _CONTROL.sub(" ", _INVISIBLE.sub("", source))).strip()
    folded = source.translate(_FOLD_TABLE)
    if "  " not in folded and folded[:1] != " " and folded[-1:] != " " and not _STRETCHED.search(folded):
        return Message(source, folded, tuple(range(len(folded))))
    words: list[str] = []
    positions: list[int] = []
    for token in _TOKEN.finditer(folded):
        if words:
            positions.append(token.start() - 1)  # the space, apostrophe or hyphen before it
        word = token.group()
        if len(word) > 3 and _STRETCHED.search(word):
            # "pleeease": the stretched letters keep the positions of their first two copies.
            index = token.start()
            squeezed = []
            for match in re.finditer(r"([a-z])\1{2,}|.", word, flags=re.DOTALL):
                kept = match.group()[:2]
                squeezed.append(kept)
                positions.extend(index + match.start() + offset for offset in range(len(kept)))
            words.append("".join(squeezed))
            continue
        words.append(word)
        positions.extend(range(token.start(), token.end()))
    return Message(source, " ".join(words), tuple(positions))


@functools.lru_cache(maxsize=16384)
def fold(phrase: str) -> str:
    """A phrase as patterns match it. Cached: building the grammars folds the same table
    phrases tens of thousands of times at import, which was a third of a process's start."""
    return read(phrase).folded


def alternation(phrases: Iterable[str]) -> str:
    """A regex group matching any of the phrases as folded, longest first so none is cut short.

    With no phrases it matches nothing (an empty group would match everywhere)."""
    folded = sorted({fold(phrase) for phrase in phrases} - {""}, key=lambda item: (-len(item), item))
    return "(?:" + "|".join(re.escape(phrase) for phrase in folded) + ")" if folded else "(?!)"


def shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Cut text to `limit` characters at a word boundary (mid-word only for one giant word)."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rfind(" ")
    result = head[:cut] if cut > 0 else text[:limit]
    end = len(result)
    while end and _is_edge(result[end - 1]):
        end -= 1
    return result[:end] or result
