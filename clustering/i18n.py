"""Words for readers in Vietnamese first, English on request: one mechanism for the library.

Reports and findings are read by Vietnamese planners, so every text a person
reads exists in Vietnamese (the default) and English. A :class:`Text` holds
both forms of one message, with ``str.format`` fields; the numbers are passed
in once, so that both languages always say the same thing. The API (names of
functions, parameters, reason codes) stays English.

Examples
--------
>>> GAP = Text(vi="khoảng cách tối ưu {gap:.1%}", en="optimality gap {gap:.1%}")
>>> GAP("vi", gap=0.0123), GAP("en", gap=0.0123)
('khoảng cách tối ưu 1.2%', 'optimality gap 1.2%')
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from .errors import FairclustersError
from .names import nfc

__all__ = ["DEFAULT_LANGUAGE", "LANGUAGES", "Language", "Text", "check_language"]

Language = Literal["vi", "en"]
#: The languages every reader-facing text exists in.
LANGUAGES: tuple[str, ...] = ("vi", "en")
#: Vietnamese first: the users are Vietnamese planners.
DEFAULT_LANGUAGE: Language = "vi"


def check_language(lang: object) -> Language:
    """``lang`` if it is one of :data:`LANGUAGES`, else a clear error.

    Examples
    --------
    >>> check_language("en")
    'en'
    """
    if lang not in LANGUAGES:
        raise FairclustersError(f"lang={lang!r}; expected one of {list(LANGUAGES)}")
    return lang  # type: ignore[return-value]


@dataclass(frozen=True)
class Text:
    """One message in both languages; call it with the language and the fields.

    Attributes
    ----------
    vi : str
        The Vietnamese form (with diacritics; stored in NFC).
    en : str
        The English form.
    """

    vi: str
    en: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "vi", nfc(self.vi))

    def __call__(self, lang: str = DEFAULT_LANGUAGE, /, **fields: object) -> str:
        """The message in ``lang`` with ``fields`` filled in (``str.format``)."""
        return getattr(self, check_language(lang)).format(**fields)
