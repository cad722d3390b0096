"""Matching Vietnamese names robustly: NFC, with or without diacritics.

Vietnamese names are data: they are stored and written back exactly as given
(in Unicode NFC). To *find* a unit by name, both sides are folded to a key
without diacritics, case or punctuation differences, so that ``"Ha Noi"``,
``"hà nội"`` and ``"Hà Nội"`` all find the same unit.
"""

from __future__ import annotations

import difflib
import unicodedata

__all__ = ["closest_names", "fold", "nfc"]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C (composed characters)."""
    return unicodedata.normalize("NFC", text)


def fold(text: str) -> str:
    """Fold a name to a matching key: no diacritics, lower case, single spaces.

    ``đ``/``Đ`` have no Unicode decomposition, so they are mapped to ``d`` by hand.

    Examples
    --------
    >>> fold("Thừa Thiên  Huế")
    'thua thien hue'
    >>> fold("Đắk Lắk") == fold("Dak Lak")
    True
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    cleaned = "".join(ch if ch.isalnum() else " " for ch in stripped.lower())
    return " ".join(cleaned.split())


def closest_names(name: str, candidates: list[str], n: int = 3) -> list[str]:
    """The ``n`` candidates closest to ``name`` (compared on their folded keys).

    Examples
    --------
    >>> closest_names("Ha Nọi", ["Hà Nội", "Hải Phòng", "Hà Tĩnh"], n=1)
    ['Hà Nội']
    """
    keyed = {fold(c): c for c in candidates}
    hits = difflib.get_close_matches(fold(name), list(keyed), n=n, cutoff=0.5)
    return [keyed[h] for h in hits]
