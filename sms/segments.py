"""How many SMS segments a text costs, and how to trim one to a budget (pure, no Django).

A single SMS carries 140 bytes: 160 GSM-7 septets or 70 UCS-2 code units. A longer text
is sent as concatenated parts whose header takes room: 153 septets or 67 code units each.
A text goes out as GSM-7 only when every character is in the GSM 03.38 alphabet; one
character outside it (an emoji, a curly quote, "…") makes the whole text UCS-2.

Neither an extension character (two septets: ESC + code) nor a surrogate pair (an emoji
outside the BMP: two UTF-16 code units) is ever split between two parts, so a part may
carry one unit less than its capacity; the counts here follow that rule.
"""

import unicodedata
from typing import Literal

Encoding = Literal["GSM-7", "UCS-2"]

GSM_7: Encoding = "GSM-7"
UCS_2: Encoding = "UCS-2"

# GSM 03.38 basic character set (0x1B, the escape to the extension table, is not a character).
_GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# The extension table: each costs two septets (ESC + code).
_GSM_EXTENSION = frozenset("\f^{}\\[~]|€")

SINGLE_GSM_SEPTETS = 160
PART_GSM_SEPTETS = 153
SINGLE_UCS2_UNITS = 70
PART_UCS2_UNITS = 67

# How far back (in characters) fit() looks for a space to cut on instead of mid-word.
WORD_BOUNDARY_WINDOW = 20

_GSM_ELLIPSIS = "..."
_UCS2_ELLIPSIS = "…"
_ZERO_WIDTH_JOINER = "\u200d"
# A cut moves back at most this far to keep a cluster (e.g. a ZWJ family emoji) whole.
_MAX_CLUSTER_BACKTRACK = 12


def encoding_of(text: str) -> Encoding:
    """'GSM-7' when every character is in the GSM 03.38 basic or extension table, else 'UCS-2'."""
    for char in text:
        if char not in _GSM_BASIC and char not in _GSM_EXTENSION:
            return UCS_2
    return GSM_7


def _units(text: str, encoding: Encoding) -> list[int]:
    """What each character costs: septets in GSM-7, UTF-16 code units in UCS-2."""
    if encoding == GSM_7:
        return [2 if char in _GSM_EXTENSION else 1 for char in text]
    return [2 if ord(char) > 0xFFFF else 1 for char in text]


def _count(units: list[int], single: int, part: int) -> int:
    if sum(units) <= single:
        return 1
    parts, used = 1, 0
    for size in units:
        if used + size > part:  # an escape pair or surrogate pair never straddles two parts
            parts += 1
            used = 0
        used += size
    return parts


def segments_count(text: str) -> int:
    """Segments the text is billed as. An empty text counts as one, as Twilio counts it."""
    encoding = encoding_of(text)
    if encoding == GSM_7:
        return _count(_units(text, GSM_7), SINGLE_GSM_SEPTETS, PART_GSM_SEPTETS)
    return _count(_units(text, UCS_2), SINGLE_UCS2_UNITS, PART_UCS2_UNITS)


def _ellipsis_for(prefix: str) -> str:
    # "…" is not GSM-7: a GSM-7 text keeps "..." so trimming never flips it to UCS-2.
    return _GSM_ELLIPSIS if encoding_of(prefix) == GSM_7 else _UCS2_ELLIPSIS


def _candidate(text: str, cut: int) -> str:
    prefix = text[:cut].rstrip()
    return prefix + _ellipsis_for(prefix)


def _fits(text: str, cut: int, max_segments: int) -> bool:
    return segments_count(_candidate(text, cut)) <= max_segments


def _joins(text: str, cut: int) -> bool:
    """Whether text[cut] belongs with the character before it (a mark, a selector, a ZWJ sequence)."""
    char = text[cut]
    return (
        unicodedata.category(char) in ("Mn", "Me")
        or 0xFE00 <= ord(char) <= 0xFE0F
        or char == _ZERO_WIDTH_JOINER
        or text[cut - 1] == _ZERO_WIDTH_JOINER
    )


def _safe_cut(text: str, cut: int) -> int:
    """Move a cut back (a little) so it does not separate a combining mark or a ZWJ sequence."""
    for candidate in range(cut, max(0, cut - _MAX_CLUSTER_BACKTRACK) - 1, -1):
        if candidate == 0 or candidate >= len(text) or not _joins(text, candidate):
            return candidate
    return cut  # a run of joiners longer than any real cluster: cut where it fits


def fit(text: str, max_segments: int) -> str:
    """The text, or its longest start that fits in max_segments followed by an ellipsis.

    The cut falls on a space when there is one within WORD_BOUNDARY_WINDOW characters
    before it. The result never costs more than max_segments segments.
    """
    if max_segments < 1:
        raise ValueError("max_segments must be at least 1")
    if segments_count(text) <= max_segments:
        return text
    # Binary search for the longest cut that fits; cut 0 (the ellipsis alone) always does.
    # Every answer is checked, so the bound holds even where the cost is not monotonic.
    low, high = 0, len(text) - 1
    while low < high:
        middle = (low + high + 1) // 2
        if _fits(text, middle, max_segments):
            low = middle
        else:
            high = middle - 1
    cut = _safe_cut(text, low)
    if not _fits(text, cut, max_segments):
        cut = low
    if cut < len(text) and not text[cut].isspace():
        window_start = max(0, cut - WORD_BOUNDARY_WINDOW)
        for position in range(cut - 1, window_start - 1, -1):
            if text[position].isspace():
                if text[:position].strip() and _fits(text, position, max_segments):
                    cut = position
                break
    return _candidate(text, cut)
