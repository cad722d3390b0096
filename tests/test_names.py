"""Name helpers: NFC storage and diacritic-insensitive matching keys."""

from __future__ import annotations

import unicodedata

import pytest

from clustering.names import closest_names, fold, nfc, strip_diacritics


def test_nfc_composes_decomposed_vietnamese():
    composed = "Thừa Thiên Huế"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed  # the fixture really is decomposed
    assert nfc(decomposed) == composed
    assert nfc(composed) == composed


def test_nfc_refuses_non_text():
    with pytest.raises(TypeError):
        nfc(12)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "bare"),
    [
        ("Đầy đủ, kịp thời", "Day du, kip thoi"),  # case and punctuation kept
        ("Bà Rịa–Vũng Tàu", "Ba Ria–Vung Tau"),
        ("ĐẮK LẮK", "DAK LAK"),
        ("Tỷ lệ 95%", "Ty le 95%"),
        ("  hai  spaces ", "  hai  spaces "),  # whitespace is not its business
    ],
)
def test_strip_diacritics_keeps_case_and_punctuation(text, bare):
    assert strip_diacritics(text) == bare
    assert strip_diacritics(unicodedata.normalize("NFD", text)) == bare


def test_strip_diacritics_returns_nfc():
    # Non-Vietnamese letters that only compose (Hangul) come back composed, not as jamo.
    assert strip_diacritics("한국 Hà") == "한국 Ha"
    assert unicodedata.is_normalized("NFC", strip_diacritics(unicodedata.normalize("NFD", "한")))


@pytest.mark.parametrize("name", ["Bà Rịa–Vũng Tàu", "Thừa Thiên-Huế", "TP. Hồ Chí Minh"])
def test_fold_agrees_with_strip_diacritics(name):
    # fold is strip_diacritics plus case and punctuation: stripping first changes nothing.
    assert fold(strip_diacritics(name)) == fold(name)
    assert fold(name) == fold(strip_diacritics(name).upper())


def test_fold_turns_punctuation_into_single_spaces():
    assert fold("TP. Hồ Chí Minh") == "tp ho chi minh"
    assert fold("Thừa Thiên-Huế") == "thua thien hue"


def test_criteria_design_uses_the_same_functions():
    from criteria_design import lexicon

    assert lexicon.strip_diacritics is strip_diacritics  # kept importable from the lexicon
    assert lexicon.normalise(unicodedata.normalize("NFD", "Tốt")) == "tốt"


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Hà Nội", "ha noi"),
        ("Đắk Lắk", "dak lak"),
        ("đà nẵng", "da nang"),
        ("Bà Rịa–Vũng Tàu", "ba ria vung tau"),
        ("  Thừa   Thiên  Huế ", "thua thien hue"),
        ("Hồ Chí Minh", "ho chi minh"),
    ],
)
def test_fold_strips_diacritics_case_and_punctuation(name, key):
    assert fold(name) == key
    assert fold(unicodedata.normalize("NFD", name)) == key


def test_fold_keeps_distinct_names_distinct():
    # Diacritics are dropped, but the letters stay: these are different provinces.
    assert fold("Hà Nam") != fold("Hà Nội")
    assert fold("Quảng Nam") != fold("Quảng Ninh")


def test_closest_names_returns_original_spelling():
    candidates = ["Hà Nội", "Hải Phòng", "Hà Tĩnh", "Hà Nam"]
    assert closest_names("Ha Noj", candidates, n=1) == ["Hà Nội"]
    assert closest_names("hai phong", candidates, n=1) == ["Hải Phòng"]


def test_closest_names_empty_when_nothing_is_close():
    assert closest_names("Zzzzzz", ["Hà Nội", "Huế"]) == []
