"""Carrier keywords (STOP, START, HELP and their words in our languages), and the language to
answer someone we may not know in."""

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

import phonenumbers

from assistant.users.models import DEFAULT_LANGUAGE


class Action(StrEnum):
    STOP = "stop"
    START = "start"
    HELP = "help"


@dataclass(frozen=True)
class Keyword:
    word: str
    action: Action
    # The languages it is a word of; () for the carriers' English keywords, used everywhere.
    languages: tuple[str, ...]


# A whole message that is one of these words (any case, accents or not) is a keyword.
# Twilio and the carriers act on STOP/START/HELP and their English synonyms themselves; the
# others are the words people write in French, Spanish and Portuguese.
_KEYWORDS: dict[Action, dict[str, tuple[str, ...]]] = {
    Action.STOP: {
        **dict.fromkeys(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"], ()),
        "ARRET": ("fr",),
        "ALTO": ("es",),
        "BAJA": ("es",),
        "PARAR": ("es", "pt"),
        "SAIR": ("pt",),
    },
    Action.START: dict.fromkeys(["START", "UNSTOP"], ()),
    Action.HELP: {"HELP": (), "AIDE": ("fr",), "AYUDA": ("es",), "AJUDA": ("pt",)},
}
KEYWORDS = {
    word: Keyword(word, action, languages)
    for action, words in _KEYWORDS.items()
    for word, languages in words.items()
}

# Where a number's country mostly reads one of our languages (libphonenumber's region codes).
# fmt: off
_LANGUAGE_REGIONS = {
    "fr": (
        "FR", "BE", "CH", "LU", "MC", "RE", "GP", "MQ", "GF", "YT", "PM", "NC", "PF", "WF", "BL", "MF",
        "SN", "CI", "ML", "BF", "NE", "TG", "BJ", "CM", "GA", "CG", "CD", "CF", "TD", "GN", "MG", "DJ",
        "KM", "HT", "BI",
    ),
    "es": (
        "ES", "MX", "AR", "CO", "CL", "PE", "VE", "EC", "GT", "CU", "BO", "DO", "HN", "PY", "SV", "NI",
        "CR", "PA", "UY", "PR", "GQ",
    ),
    "pt": ("BR", "PT", "AO", "MZ", "CV", "GW", "ST", "TL"),
}
# fmt: on
_REGION_LANGUAGES = {
    region: language for language, regions in _LANGUAGE_REGIONS.items() for region in regions
}


def _fold(text: str) -> str:
    """' Arrêt ' -> 'ARRET'."""
    decomposed = unicodedata.normalize("NFKD", " ".join(text.split()).upper())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def keyword_match(body: str) -> Keyword | None:
    return KEYWORDS.get(_fold(body))


def number_language(number: str) -> str | None:
    """The language most people with this E.164 number's country code read, if one of ours."""
    try:
        region = phonenumbers.region_code_for_number(phonenumbers.parse(number))
    except phonenumbers.NumberParseException:
        return None
    return _REGION_LANGUAGES.get(region or "")


def stranger_language(*, number: str, keyword: Keyword | None = None) -> str:
    """The language to answer a number in when its owner's language is not known: the
    keyword's own language when it has one (the number's country picks among several), else
    the number's country's, else English."""
    from_number = number_language(number)
    if keyword is not None and keyword.languages:
        return from_number if from_number in keyword.languages else keyword.languages[0]
    return from_number or DEFAULT_LANGUAGE
