"""Vietnamese text, once: NFC storage, diacritic stripping and name matching keys.

Vietnamese names are data: they are stored and written back exactly as given
(in Unicode NFC). To *find* a unit by name, both sides are folded to a key
without diacritics, case or punctuation differences, so that ``"Ha Noi"``,
``"hà nội"`` and ``"Hà Nội"`` all find the same unit.

Every package uses these three functions (the criteria tables and lexicon too),
so text that compares equal in one place compares equal everywhere.
"""

from __future__ import annotations

import difflib
import unicodedata

__all__ = ["closest_names", "fold", "nfc", "strip_diacritics"]


def nfc(text: str) -> str:
    """Return ``text`` in Unicode normal form C (composed characters).

    Vietnamese text arrives composed or decomposed depending on the keyboard and
    the operating system; storing one form makes equal names compare equal.

    Raises
    ------
    TypeError
        ``text`` is not a string (nothing is converted silently).

    Examples
    --------
    >>> import unicodedata
    >>> nfc(unicodedata.normalize("NFD", "Huế")) == "Huế"
    True
    """
    return unicodedata.normalize("NFC", text)


def strip_diacritics(text: str) -> str:
    """Remove Vietnamese (and other Latin) diacritics, keeping case and punctuation.

    ``đ``/``Đ`` have no Unicode decomposition, so they are mapped to ``d``/``D``
    by hand. The result is in NFC.

    Examples
    --------
    >>> strip_diacritics("Đầy đủ, kịp thời")
    'Day du, kip thoi'
    """
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return nfc(bare)


def fold(text: str) -> str:
    """Fold a name to a matching key: no diacritics, lower case, single spaces.

    Punctuation (hyphens, dashes, dots) becomes a space, so spellings that only
    differ in it share a key.

    Examples
    --------
    >>> fold("Thừa Thiên  Huế")
    'thua thien hue'
    >>> fold("Đắk Lắk") == fold("Dak Lak")
    True
    """
    lowered = strip_diacritics(text).lower()
    return " ".join("".join(ch if ch.isalnum() else " " for ch in lowered).split())


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
