"""Name helpers: NFC storage and diacritic-insensitive matching keys."""

from __future__ import annotations

import unicodedata

import pytest

from clustering.names import closest_names, fold, nfc


def test_nfc_composes_decomposed_vietnamese():
    composed = "Thừa Thiên Huế"
    decomposed = unicodedata.normalize("NFD", composed)
    assert decomposed != composed  # the fixture really is decomposed
    assert nfc(decomposed) == composed
    assert nfc(composed) == composed


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
