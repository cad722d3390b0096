"""Vague wording: a Vietnamese/English lexicon and the matcher behind rule VAG001.

The lexicon ships as ``criteria_design/data/vague_terms.yaml`` (its header
explains the format and sources) and users extend it with files of the same
shape. Matching works on NFC-normalised, lower-cased text, on word boundaries:

* a text written with diacritics is matched against the terms as written, so
  "khả năng" never matches "khá" and "có bán" never matches "cơ bản";
* a text written without any diacritic ("hoan thanh hieu qua") is matched
  against the terms stripped of theirs, but only multi-syllable terms: a single
  unmarked syllable is ambiguous ("kha" is khá, khả or khà);
* a match inside one of the term's ``except`` phrases is ignored
  ("tốt nghiệp" = graduation);
* a match inside a name is ignored: a quoted title ("Dân vận khéo", "Tập thể lao
  động xuất sắc") or a rating named after "xếp loại", "danh hiệu", "phân loại",
  "thuộc nhóm" within four words ("được xếp loại hoàn thành tốt nhiệm vụ");
* a match inside a statement of points ("tối đa 5 điểm", "trừ 0,5 điểm") is ignored;
* a match is *anchored*, and so not vague, when its clause carries a number, a
  percent sign or an anchor phrase ("so với", "trước ngày", "at least"...);
  a completeness or timing word is also anchored by a list that follows it
  after a colon ("đầy đủ các nội dung: ..."). Document numbers ("Nghị quyết số
  35-NQ/TW"), years ("năm 2024", "Luật Giáo dục 2019") and statements of points
  ("(10 điểm)", ": 4 điểm") are not anchors: they say which text or what it is
  worth, not how much is required.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

# strip_diacritics stays importable from here, where it used to live.
from clustering.files import FileFormatError, load_yaml, read_text
from clustering.names import nfc, strip_diacritics
from criteria_design.errors import LexiconError

__all__ = [
    "DEFAULT_LEXICON",
    "Lexicon",
    "LexiconError",
    "LexiconGroup",
    "VagueMatch",
    "VagueTerm",
    "has_diacritics",
    "load_lexicon",
    "normalise",
    "strip_diacritics",
]

#: Where the shipped lexicon lives inside the package.
DEFAULT_LEXICON = "vague_terms.yaml"


def normalise(text: str) -> str:
    """NFC and lower case: the form every match is made on."""
    return nfc(text).lower()


def has_diacritics(text: str) -> bool:
    """Whether the text carries any diacritic (or đ), i.e. was written with marks."""
    return strip_diacritics(text) != text


@dataclass(frozen=True)
class VagueTerm:
    """One lexicon entry: the term, its group and the innocent phrases containing it."""

    term: str
    group: str
    exceptions: tuple[str, ...] = ()


@dataclass(frozen=True)
class LexiconGroup:
    """A family of vague terms and the advice that fixes them.

    ``suggestion`` is the English advice, ``suggestion_vi`` the Vietnamese one
    (a user lexicon may give only ``suggestion``; it is then shown in both).
    """

    name: str
    description: str
    suggestion: str
    suggestion_vi: str = ""

    def advice(self, lang: str = "vi") -> str:
        """The advice in ``lang`` (``"vi"`` or ``"en"``).

        Parameters
        ----------
        lang : {"vi", "en"}
            The language; Vietnamese falls back to the English advice when the
            lexicon gives none.
        """
        return (self.suggestion_vi or self.suggestion) if lang == "vi" else self.suggestion


@dataclass(frozen=True)
class VagueMatch:
    """A vague term found in a text (``start``/``end`` index the normalised text)."""

    term: str
    group: str
    start: int
    end: int
    anchored: bool


@dataclass(frozen=True)
class Lexicon:
    """Vague terms, their groups, and the anchor phrases that make a clause measurable.

    Build it with :func:`load_lexicon`.

    Examples
    --------
    >>> lex = load_lexicon()
    >>> [m.term for m in lex.find("Thực hiện tốt công tác tuyên truyền")]
    ['tốt']
    >>> [m.anchored for m in lex.find("Giải ngân kịp thời, trước ngày 31/12")]
    [True]
    >>> lex.find("Tỷ lệ học sinh tốt nghiệp THPT")
    []
    """

    terms: tuple[VagueTerm, ...]
    groups: dict[str, LexiconGroup]
    anchors: tuple[str, ...]

    def find(self, text: str) -> list[VagueMatch]:
        """All vague terms in ``text``, in order of position, each marked anchored or not."""
        norm = normalise(text)
        marked = has_diacritics(norm)
        clauses = _clause_spans(norm)
        anchored_clauses = [self._has_anchor(norm[a:b], marked) for a, b in clauses]
        names = [m.span() for m in _NAMED.finditer(norm)]
        hits: list[VagueMatch] = []
        for entry in self.terms:
            pattern = _pattern(entry.term, marked)
            if pattern is None:
                continue
            innocent = names + [
                m.span()
                for phrase in entry.exceptions
                if (p := _pattern(phrase, marked)) is not None
                for m in p.finditer(norm)
            ]
            for m in pattern.finditer(norm):
                if any(a <= m.start() and m.end() <= b for a, b in innocent):
                    continue
                clause = next(i for i, (a, b) in enumerate(clauses) if a <= m.start() < b)
                start, end = clauses[clause]
                if _RATING.search(norm[start:m.start()]):
                    continue  # the name of a rating or title, not an adjective
                anchored = anchored_clauses[clause] or (
                    entry.group == "timing" and ":" in norm[m.end():end]
                )
                hits.append(VagueMatch(entry.term, entry.group, m.start(), m.end(), anchored))
        # A longer term that covers a shorter one (e.g. "as far as possible") wins.
        hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
        kept: list[VagueMatch] = []
        for hit in hits:
            if not any(k.start <= hit.start and hit.end <= k.end for k in kept):
                kept.append(hit)
        return kept

    def measurable(self, text: str) -> bool:
        """Whether some clause of ``text`` carries a measurable anchor.

        Parameters
        ----------
        text : str
            A criterion or a rubric level, as written.

        Examples
        --------
        >>> lex = load_lexicon()
        >>> lex.measurable("Ban hành kế hoạch trước ngày 31/01"), lex.measurable("Làm tốt (5 điểm)")
        (True, False)
        """
        norm = normalise(text)
        marked = has_diacritics(norm)
        return any(self._has_anchor(norm[a:b], marked) for a, b in _clause_spans(norm))

    def _has_anchor(self, clause: str, marked: bool) -> bool:
        measurable = _NOT_A_MEASURE.sub(" ", _NAMED.sub(" ", clause))
        if _NUMBER.search(measurable):
            return True
        return any(
            (p := _pattern(anchor, marked)) is not None and p.search(clause)
            for anchor in self.anchors
        )


# A number or percent sign is a measurable anchor...
_NUMBER = re.compile(r"\d|%")
# ...unless it only names a document or a year.
_NOT_A_MEASURE = re.compile(
    r"(?:nghị quyết|chỉ thị|quyết định|nghị định|thông tư|công văn|kết luận|luật|"
    r"nghi quyet|chi thi|quyet dinh|nghi dinh|thong tu|cong van|ket luan|"
    r"resolution|directive|decision|decree|circular)"
    r"(?:\s+(?:số|so|no\.?))?\s+[\w./-]*\d[\w./-]*"
    r"|(?:năm|nam|year|in)\s+(?:19|20)\d\d(?!\s*%)(?![\d/])"
    # a law named with its year: "Luật Giáo dục 2019", "Luật Thi đua, khen thưởng 2022"
    r"|(?<!\w)(?:luật|luat|law)(?:\s+[^\W\d]+,?){1,8}\s+(?:19|20)\d\d(?![\d%/])",
)
# What a line is worth is no measure of what it asks: "(10 điểm)", "trừ 0,5 điểm", "tối đa 5
# điểm". Percentage points ("1,5 điểm phần trăm") are a measure and stay.
_POINTS = (
    r"(?:(?:tối đa|toi da|tối thiểu|được|duoc|trừ|tru|cộng|cong|up to|minus|plus)\s+)?"
    r"\d+(?:[.,]\d+)?\s*(?:điểm|diem|points?)(?!\s*(?:phần trăm|phan tram|percentage))"
)
# Names are not wording: quoted titles, and statements of points.
_NAMED = re.compile(rf'"[^"]*"|“[^”]*”|{_POINTS}')
# A rating or title named within four words after these is a name ("được xếp loại
# hoàn thành tốt nhiệm vụ", "danh hiệu Tập thể lao động xuất sắc").
_RATING = re.compile(
    r"(?<!\w)(?:xếp loại|xep loai|danh hiệu|danh hieu|phân loại|phan loai|thuộc nhóm|"
    r"thuoc nhom)(?:\s+\S+){0,4}\s*$"
)
_CLAUSE_BREAK = re.compile(r"[;!?\n]|\.(?!\d)")


def _clause_spans(text: str) -> list[tuple[int, int]]:
    spans, start = [], 0
    for m in _CLAUSE_BREAK.finditer(text):
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(text) + 1))
    return spans


@lru_cache(maxsize=4096)
def _pattern(term: str, marked: bool) -> re.Pattern[str] | None:
    """Word-boundary pattern for a term in a text with (``marked``) or without diacritics."""
    term = normalise(term)
    if not marked:
        bare = strip_diacritics(term)
        if bare != term and len(term.split()) < 2:
            return None  # a single unmarked syllable is ambiguous
        term = bare
    body = r"\s+".join(re.escape(word) for word in term.split())
    return re.compile(rf"(?<!\w){body}(?!\w)")


def load_lexicon(*extra: str | os.PathLike) -> Lexicon:
    """The shipped lexicon, extended by the given YAML files.

    Parameters
    ----------
    *extra : path-like
        Files of the same shape as ``criteria_design/data/vague_terms.yaml``.
        Their terms join the named groups; a new group needs ``description``
        and ``suggestion``. Their anchors are added too.

    Raises
    ------
    LexiconError
        A file is missing or malformed (the message names it and the entry).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> extra = pathlib.Path(tempfile.mkdtemp()) / "mine.yaml"
    >>> _ = extra.write_text("groups: {evaluative: {terms: [chuyên nghiệp]}}", encoding="utf-8")
    >>> [m.term for m in load_lexicon(extra).find("Phục vụ chuyên nghiệp")]
    ['chuyên nghiệp']
    """
    shipped = resources.files("criteria_design") / "data" / DEFAULT_LEXICON
    documents = [(f"criteria_design/data/{DEFAULT_LEXICON}", shipped.read_text("utf-8"))]
    for path in extra:
        try:
            documents.append((str(path), read_text(path)))
        except (OSError, FileFormatError) as exc:
            raise LexiconError(f"cannot read lexicon file {str(path)!r}: {exc}") from None
    terms: dict[tuple[str, str], VagueTerm] = {}
    groups: dict[str, LexiconGroup] = {}
    anchors: dict[str, None] = {}
    for name, text in documents:
        _merge(name, text, terms, groups, anchors)
    return Lexicon(tuple(terms.values()), groups, tuple(anchors))


def _merge(
    name: str,
    text: str,
    terms: dict[tuple[str, str], VagueTerm],
    groups: dict[str, LexiconGroup],
    anchors: dict[str, None],
) -> None:
    try:
        doc = load_yaml(text, name) or {}
    except FileFormatError as exc:
        raise LexiconError(str(exc)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("groups", {}), dict):
        raise LexiconError(f"{name}: expected a mapping with 'groups' (a mapping) and "
                           f"'anchors', got {doc!r:.60}")
    for group, spec in doc.get("groups", {}).items():
        if not isinstance(spec, dict) or not isinstance(spec.get("terms", []), list):
            raise LexiconError(f"{name}: group {group!r} must be a mapping with a 'terms' list, "
                               f"got {spec!r:.60}")
        if group not in groups:
            missing = [k for k in ("description", "suggestion") if not spec.get(k)]
            if missing:
                raise LexiconError(f"{name}: new group {group!r} needs {' and '.join(missing)}")
            groups[group] = LexiconGroup(group, str(spec["description"]), str(spec["suggestion"]),
                                         nfc(str(spec.get("suggestion_vi", ""))))
        for item in spec.get("terms", []):
            entry = _entry(name, group, item)
            terms[(normalise(entry.term), group)] = entry
    extra_anchors = doc.get("anchors", [])
    if not isinstance(extra_anchors, list) or not all(isinstance(a, str) for a in extra_anchors):
        raise LexiconError(f"{name}: 'anchors' must be a list of phrases, "
                           f"got {extra_anchors!r:.60}")
    anchors.update((nfc(a), None) for a in extra_anchors)


def _entry(name: str, group: str, item: object) -> VagueTerm:
    if isinstance(item, str) and item.strip():
        return VagueTerm(nfc(item.strip()), group)
    if isinstance(item, dict) and isinstance(item.get("term"), str) and item["term"].strip():
        exceptions = item.get("except", [])
        if not isinstance(exceptions, list) or not all(isinstance(e, str) for e in exceptions):
            raise LexiconError(f"{name}: 'except' of term {item['term']!r} must be a list, "
                               f"got {exceptions!r:.60}")
        return VagueTerm(nfc(item["term"].strip()), group, tuple(nfc(e) for e in exceptions))
    raise LexiconError(
        f"{name}: group {group!r} has an entry {item!r}; expected a term or "
        "{term: ..., except: [...]}"
    )
