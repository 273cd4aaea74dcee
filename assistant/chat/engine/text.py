"""Message text as the engine sees it: a folded copy to match on, and the way back to the original.

Matching runs on the folded copy (lowercase, no accents, apostrophes and hyphens as spaces, one
space between words), so "Rappelle-moi", "rappelle moi" and "RAPPELLE MOI" are the same words.
Titles must keep the user's own spelling, so each folded character remembers which character of
the original it came from.
"""

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Only this much of a message is read: far more than any command, and it bounds the work
# (and the time) one message can cost.
MAX_INPUT_CHARS = 1000
MAX_TITLE_CHARS = 200

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
# Zero-width and bidi marks would split words without being visible to the user.
_INVISIBLE = re.compile(r"[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u206f\ufeff]")
_WHITESPACE = re.compile(r"\s+")
_TOKEN = re.compile(r"[^ ]+")
_JOINERS = "'`_-\u00b4\u2010\u2011\u2013\u2014\u2018\u2019"  # apostrophes, hyphens and dashes
# Punctuation that can sit around a command or a title without being part of it.
_EDGE_PUNCTUATION = ' ,;:.!?¿¡…"“”«»()[]{}*~/'


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


@dataclass(frozen=True, slots=True)
class Message:
    source: str  # the cleaned original text
    folded: str  # what patterns match against
    positions: tuple[int, ...]  # folded[i] came from source[positions[i]]

    def slice(self, start: int, end: int) -> "Message":
        return Message(self.source, self.folded[start:end], self.positions[start:end])

    def without(self, spans: Iterable[tuple[int, int]]) -> "Message":
        """This message with the folded ranges removed and the spacing made single again."""
        kept = bytearray(b"\x01") * len(self.folded)
        for start, end in spans:
            kept[start:end] = bytes(end - start)
        chars: list[str] = []
        positions: list[int] = []
        for index, char in enumerate(self.folded):
            if not kept[index] or (char == " " and (not chars or chars[-1] == " ")):
                continue
            chars.append(char)
            positions.append(self.positions[index])
        if chars and chars[-1] == " ":
            chars.pop()
            positions.pop()
        return Message(self.source, "".join(chars), tuple(positions))

    def trim(
        self, leading: frozenset[str] = frozenset(), trailing: frozenset[str] = frozenset()
    ) -> "Message":
        """Drop edge punctuation, and words from `leading` at the start and `trailing` at the end."""
        folded = self.folded
        start, end = 0, len(folded)
        while True:
            before = (start, end)
            while start < end and folded[start] in _EDGE_PUNCTUATION:
                start += 1
            while end > start and folded[end - 1] in _EDGE_PUNCTUATION:
                end -= 1
            first_end = folded.find(" ", start, end)
            first_end = end if first_end == -1 else first_end
            if folded[start:first_end] in leading:
                start = first_end
            last_start = folded.rfind(" ", start, end) + 1
            if last_start > start and folded[last_start:end] in trailing:
                end = last_start
            if (start, end) == before:
                return self.slice(start, end)

    def original(self) -> str:
        """The user's own spelling of what is left of the message."""
        return "".join(self.source[position] for position in self.positions)


def read(text: str) -> Message:
    """Clean raw input (controls, invisible marks, runs of spaces) and fold it for matching."""
    source = unicodedata.normalize("NFC", text[: MAX_INPUT_CHARS * 2])[:MAX_INPUT_CHARS]
    source = _WHITESPACE.sub(" ", _CONTROL.sub(" ", _INVISIBLE.sub("", source)))
    folded = source.translate(_FOLD_TABLE)
    words: list[str] = []
    positions: list[int] = []
    for token in _TOKEN.finditer(folded):
        if words:
            positions.append(token.start() - 1)  # the space, apostrophe or hyphen before it
        words.append(token.group())
        positions.extend(range(token.start(), token.end()))
    return Message(source, " ".join(words), tuple(positions))


def fold(phrase: str) -> str:
    return read(phrase).folded


def alternation(phrases: Iterable[str]) -> str:
    """A regex group matching any of the phrases as folded, longest first so none is cut short.

    With no phrases it matches nothing (an empty group would match everywhere)."""
    folded = sorted({fold(phrase) for phrase in phrases}, key=lambda item: (-len(item), item))
    return "(?:" + "|".join(re.escape(phrase) for phrase in folded) + ")" if folded else "(?!)"


def shorten(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Cut text to `limit` characters at a word boundary (mid-word only for one giant word)."""
    if len(text) <= limit:
        return text
    head = text[: limit + 1]
    cut = head.rfind(" ")
    return (head[:cut] if cut > 0 else text[:limit]).rstrip(_EDGE_PUNCTUATION)
