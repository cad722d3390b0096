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

__all__ = [
    "ENGLISH_NAMES",
    "OFFICIAL_PREFIXES",
    "closest_names",
    "fold",
    "nfc",
    "strip_diacritics",
    "without_prefix",
]

# How ministries write names, in one place. The prefixes are the administrative
# levels of the 2025 two-tier system (Nghị quyết 202/2025/QH15 for provinces,
# Luật Tổ chức chính quyền địa phương 2025 for communes: xã, phường, đặc khu) plus
# the "TP." abbreviation of "thành phố"; folding turns "TP.", "Tp" and "T.P." into
# "tp" or "t p", both listed. Longer prefixes first, so "thành phố" is tried whole.
OFFICIAL_PREFIXES: tuple[str, ...] = (
    "Thành phố", "Đặc khu", "Phường", "Tỉnh", "T.P.", "TP.", "Xã",
)

# English names that differ from the Vietnamese name once folded ("Da Nang" and
# "Hue" already fold to the Vietnamese key and need no entry). Values are stored
# names; an alias only resolves in a unit set that has a unit of that name.
ENGLISH_NAMES: dict[str, str] = {
    "Hanoi": "Hà Nội",
    "Ho Chi Minh City": "Hồ Chí Minh",
    "Saigon": "Hồ Chí Minh",
    "Haiphong": "Hải Phòng",
    "Danang": "Đà Nẵng",
    "Hue City": "Huế",
    "Can Tho City": "Cần Thơ",
}


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


_PREFIX_KEYS = tuple(fold(p) for p in OFFICIAL_PREFIXES)


def without_prefix(name: str) -> str | None:
    """The folded ``name`` without its official prefix, or ``None`` if it has none.

    A prefix (:data:`OFFICIAL_PREFIXES`, with or without diacritics, any case)
    counts only as whole words followed by a name: ``"Xa Dung"`` starts with the
    word ``"xa"`` and is stripped to ``"dung"``, so callers must try the full name
    first and use this only when it matches nothing.

    Parameters
    ----------
    name : str
        A name as written, e.g. ``"TP. Hồ Chí Minh"``.

    Returns
    -------
    str or None
        The folded rest (``"ho chi minh"``), or ``None`` when ``name`` does not
        start with a prefix or is only a prefix.

    Examples
    --------
    >>> without_prefix("Thành phố Hà Nội")
    'ha noi'
    >>> without_prefix("T.P. Hồ Chí Minh")
    'ho chi minh'
    >>> without_prefix("Hà Nội") is None
    True
    """
    folded = fold(name)
    for prefix in _PREFIX_KEYS:
        if folded.startswith(prefix + " "):
            return folded[len(prefix) + 1 :]
    return None
