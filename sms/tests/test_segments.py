"""SMS segment counting and trimming (GSM 03.38 / UCS-2), with Twilio's figures."""

import random

import pytest

from sms.segments import GSM_7, UCS_2, encoding_of, fit, segments_count

CYRILLIC = "ж"  # one UCS-2 code unit, not GSM-7
EMOJI = "😀"  # outside the BMP: a surrogate pair, two UTF-16 code units


@pytest.mark.parametrize(
    ("length", "segments"), [(0, 1), (1, 1), (160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)]
)
def test_gsm7_limits(length, segments):
    assert segments_count("a" * length) == segments


@pytest.mark.parametrize(("length", "segments"), [(1, 1), (70, 1), (71, 2), (134, 2), (135, 3), (201, 3)])
def test_ucs2_limits(length, segments):
    text = CYRILLIC * length
    assert encoding_of(text) == UCS_2
    assert segments_count(text) == segments


def test_empty_text_is_one_segment_like_twilio():
    assert segments_count("") == 1
    assert encoding_of("") == GSM_7


@pytest.mark.parametrize("char", [*"^{}\\[~]|€", "\f"])
def test_extension_characters_count_two_septets(char):
    assert encoding_of(char) == GSM_7
    assert segments_count(char * 80) == 1  # 160 septets
    assert segments_count(char * 81) == 2  # 162 septets
    assert segments_count("a" * 159 + char) == 2  # 161 septets, though 160 characters


def test_gsm7_basic_table_edges():
    assert encoding_of("@£$¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà\r\n") == GSM_7
    assert encoding_of("ç") == UCS_2  # only the capital Ç is in the table
    assert encoding_of("…") == UCS_2
    assert encoding_of("...") == GSM_7
    assert encoding_of("“quoted”") == UCS_2
    assert encoding_of("\x1b") == UCS_2  # the escape itself is not a character


def test_an_emoji_forces_ucs2_and_costs_two_units():
    assert encoding_of("hello " + EMOJI) == UCS_2
    assert segments_count("a" * 68 + EMOJI) == 1  # 70 code units
    assert segments_count("a" * 69 + EMOJI) == 2  # 71 code units
    assert segments_count("a" * 160 + EMOJI) == 3  # 162 code units: 67 + 67 + 28


def test_an_extension_escape_is_never_split_between_parts():
    # 306 septets would be 2 parts of 153, but "^" cannot straddle the first boundary.
    text = "a" * 152 + "^" + "a" * 152
    assert sum(2 if c == "^" else 1 for c in text) == 306
    assert segments_count(text) == 3


def test_a_surrogate_pair_is_never_split_between_parts():
    # 134 code units would be 2 parts of 67, but the emoji cannot straddle the boundary.
    text = CYRILLIC * 66 + EMOJI + CYRILLIC * 66
    assert segments_count(text) == 3
    assert segments_count(CYRILLIC * 65 + EMOJI + CYRILLIC * 67) == 2


def test_fit_leaves_a_text_that_fits_alone():
    assert fit("Take your meds", 1) == "Take your meds"
    assert fit("a" * 306, 2) == "a" * 306
    assert fit("", 1) == ""


def test_fit_trims_gsm7_with_three_dots_to_the_exact_limit():
    assert fit("a" * 200, 1) == "a" * 157 + "..."
    assert fit("a" * 400, 2) == "a" * 303 + "..."
    assert encoding_of(fit("a" * 400, 2)) == GSM_7


def test_fit_trims_ucs2_with_an_ellipsis_character():
    assert fit(CYRILLIC * 100, 1) == CYRILLIC * 69 + "…"
    assert fit(CYRILLIC * 200, 2) == CYRILLIC * 133 + "…"


def test_fit_keeps_a_gsm7_start_of_a_ucs2_text_in_gsm7():
    # The emoji is past the cut: what is kept is GSM-7, so the ellipsis is "..." too.
    text = "a" * 200 + EMOJI
    assert segments_count(text) == 4  # 202 UCS-2 code units
    assert fit(text, 4) == text
    assert fit(text, 1) == "a" * 157 + "..."
    assert fit(text, 2) == "a" * 200 + "..."


def test_fit_cuts_on_a_word_boundary_nearby():
    text = "abcd " * 50
    trimmed = fit(text, 1)
    assert trimmed == ("abcd " * 31).rstrip() + "..."
    assert segments_count(trimmed) == 1


def test_fit_cuts_mid_word_when_no_space_is_near():
    text = "short " + "x" * 300
    assert fit(text, 1) == ("short " + "x" * 300)[:157] + "..."


def test_fit_never_splits_an_emoji_sequence():
    family = "👨\u200d👩\u200d👧"
    text = CYRILLIC * 60 + family * 10
    trimmed = fit(text, 1)
    kept = trimmed.removesuffix("…")
    assert not kept.endswith("\u200d")
    assert kept.endswith(CYRILLIC) or kept.endswith(family)
    assert segments_count(trimmed) == 1


def test_fit_rejects_a_budget_below_one_segment():
    with pytest.raises(ValueError, match="at least 1"):
        fit("hello", 0)


ALPHABETS = [
    "abcdefghijklmnopqrstuvwxyz      ",
    "ABCXYZ0123456789.,!?-' \n",
    "^{}\\[~]|€\f",
    "àéèùìòÄÖÑÜäöñüßÆæ",
    "çâêîôûœ",  # French outside GSM-7
    "жщыэюяДЖЩ",
    "漢字仮名",
    "😀🎉👍🚀💊",
    "\u200d\ufe0f\u0301",
]


def _random_text(rng: random.Random) -> str:
    alphabets = rng.sample(ALPHABETS, rng.randint(1, 3))
    return "".join(rng.choice(rng.choice(alphabets)) for _ in range(rng.randint(0, 1300)))


def test_fit_never_exceeds_the_budget_over_random_texts():
    rng = random.Random(20260403)
    for _ in range(600):
        text = _random_text(rng)
        budget = rng.randint(1, 6)
        trimmed = fit(text, budget)
        assert segments_count(trimmed) <= budget, (text, budget)
        if segments_count(text) <= budget:
            assert trimmed == text
            continue
        ellipsis = "..." if trimmed.endswith("...") else "…"
        assert trimmed.endswith(ellipsis)
        kept = trimmed.removesuffix(ellipsis)
        assert text.startswith(kept)
        if encoding_of(text) == GSM_7:
            assert encoding_of(trimmed) == GSM_7  # trimming never flips the encoding
        # Little is thrown away: the word-boundary window, a few spaces, never a whole segment.
        assert len(kept) + 60 >= len(text) or segments_count(text[: len(kept) + 60]) >= budget
