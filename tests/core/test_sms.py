"""SMS encoding and segmentation (GSM 03.38 / UCS-2 concatenation)."""

from __future__ import annotations

import pytest

from sandbox.core.sms import GSM7_BASIC, GSM7_EXTENSION, encoding_of, length, segments, split

CYRILLIC = "я"  # one UTF-16 unit, not GSM
EMOJI = "😀"  # two UTF-16 units (a surrogate pair)

# --- encoding ------------------------------------------------------------------------------------


def test_plain_ascii_letters_are_gsm7() -> None:
    assert encoding_of("Hello, world! 123?") == "GSM-7"


@pytest.mark.parametrize("char", list("£¥èéùìòÇØøÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ¤¡ÄÖÑÜ§¿äöñüà@$\n\r"))
def test_gsm_basic_set_letters_are_gsm7(char: str) -> None:
    assert encoding_of(f"x{char}x") == "GSM-7"


@pytest.mark.parametrize("char", list("{}[]~^\\|€\f"))
def test_gsm_extension_characters_are_gsm7(char: str) -> None:
    assert encoding_of(f"x{char}x") == "GSM-7"


@pytest.mark.parametrize(
    "char",
    [
        pytest.param("ç", id="small c cedilla (only capital Ç is GSM)"),
        pytest.param("á", id="a acute"),
        pytest.param("`", id="backtick"),
        pytest.param("\t", id="tab"),
        pytest.param(CYRILLIC, id="cyrillic"),
        pytest.param("中", id="cjk"),
        pytest.param(EMOJI, id="emoji"),
        pytest.param("\x1b", id="bare escape"),
    ],
)
def test_character_outside_gsm_alphabet_makes_text_ucs2(char: str) -> None:
    assert encoding_of(f"plain text {char}") == "UCS-2"


def test_gsm_tables_have_127_basic_and_10_extension_characters() -> None:
    assert (len(GSM7_BASIC), len(GSM7_EXTENSION)) == (127, 10)


def test_empty_text_is_gsm7() -> None:
    assert encoding_of("") == "GSM-7"


# --- length --------------------------------------------------------------------------------------


def test_gsm_length_counts_extension_characters_as_two_septets() -> None:
    assert length("a{b}€") == 1 + 2 + 1 + 2 + 2


def test_ucs2_length_counts_emoji_as_two_code_units() -> None:
    assert length(CYRILLIC + EMOJI) == 3


# --- GSM-7 segments ------------------------------------------------------------------------------


def test_gsm_160_septets_fit_one_sms() -> None:
    assert segments("a" * 160) == 1


def test_gsm_161_septets_need_two_parts() -> None:
    assert segments("a" * 161) == 2


def test_gsm_concatenated_parts_hold_153_septets() -> None:
    assert [len(p) for p in split("a" * 161)] == [153, 8]


def test_gsm_two_full_parts_hold_306_septets() -> None:
    assert segments("a" * 306) == 2


def test_gsm_307_septets_need_three_parts() -> None:
    assert segments("a" * 307) == 3


def test_gsm_80_extension_characters_fill_one_sms() -> None:
    assert segments("€" * 80) == 1


def test_gsm_160_characters_ending_in_extension_character_need_two_parts() -> None:
    assert segments("a" * 159 + "€") == 2


def test_gsm_extension_pair_straddling_part_boundary_moves_to_next_part() -> None:
    assert split("a" * 152 + "€" + "a" * 10) == ["a" * 152, "€" + "a" * 10]


def test_gsm_parts_of_extension_characters_hold_76_each() -> None:
    # 153 € = 306 septets but no part can hold half an escape pair: 76 + 76 + 1.
    assert [len(p) for p in split("€" * 153)] == [76, 76, 1]


# --- UCS-2 segments ------------------------------------------------------------------------------


def test_ucs2_70_units_fit_one_sms() -> None:
    assert segments(CYRILLIC * 70) == 1


def test_ucs2_71_units_need_two_parts() -> None:
    assert segments(CYRILLIC * 71) == 2


def test_ucs2_concatenated_parts_hold_67_units() -> None:
    assert [len(p) for p in split(CYRILLIC * 71)] == [67, 4]


def test_ucs2_two_full_parts_hold_134_units() -> None:
    assert segments(CYRILLIC * 134) == 2


def test_ucs2_135_units_need_three_parts() -> None:
    assert segments(CYRILLIC * 135) == 3


def test_one_non_gsm_character_makes_whole_text_count_as_ucs2() -> None:
    assert segments("a" * 100 + CYRILLIC) == 2


def test_35_emoji_fill_one_sms() -> None:
    assert segments(EMOJI * 35) == 1


def test_emoji_count_two_units_toward_the_limit() -> None:
    assert segments(EMOJI * 35 + "a") == 2


def test_surrogate_pair_straddling_part_boundary_moves_to_next_part() -> None:
    assert split(CYRILLIC * 66 + EMOJI + CYRILLIC * 10) == [CYRILLIC * 66, EMOJI + CYRILLIC * 10]


# --- split invariants ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a" * 500,
        "€[]" * 90,
        EMOJI * 100,
        ("Привет " + EMOJI) * 30,
        "a" * 152 + "€" * 3 + "b" * 200,
    ],
)
def test_split_parts_join_back_to_the_text(text: str) -> None:
    assert "".join(split(text)) == text


def test_segments_equals_number_of_parts() -> None:
    text = "x" * 150 + "{" * 20 + "y" * 200
    assert segments(text) == len(split(text))


def test_short_text_is_one_part() -> None:
    assert split("hi") == ["hi"]


def test_empty_text_is_one_empty_segment() -> None:
    assert (segments(""), split("")) == (1, [""])
