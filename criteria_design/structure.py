"""Structural rules of real scoring tables: bonus and deduction items, bands, references.

Real tables (bảng chấm điểm) attach bonus (điểm thưởng) and deduction (điểm
trừ) items to each criterion, score some per occurrence, cap some of them, set
bands by value and class of member, and refer to each other in the text
("theo mục ..."). These rules (RIG009-RIG018, STR001) check what the point
structure then really allows; every threshold is a
:class:`~criteria_design.config.LintConfig` field.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator

from clustering.names import fold, strip_diacritics
from criteria_design.config import LintConfig
from criteria_design.findings import Severity
from criteria_design.lexicon import normalise
from criteria_design.registry import Hit, rule
from criteria_design.rigidity import is_all_or_nothing
from criteria_design.table import Adjustment, Band, CriteriaTable, Criterion

__all__ = ["band_problems", "cross_references"]


def _bound_text(value: float) -> str:
    return "without limit" if math.isinf(value) else f"{value:g} points"


@rule("RIG009", "uncapped-bonus", Severity.WARNING,
      "A bonus scored per occurrence with no cap: a member can add points without limit.")
def uncapped_bonus(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        if c.bonuses and math.isinf(c.bonus_bound):
            open_items = [a.id for a in c.bonuses if math.isinf(a.bound)]
            yield Hit(
                table.key(c),
                f"bonus items {', '.join(open_items)} are scored per occurrence with no cap, "
                "and the criterion sets no bonus cap",
                "Cap each per-occurrence bonus (cap:) or all bonuses of the criterion "
                "(bonus_cap:), e.g. at 10 % of its points.",
                {"items": open_items},
            )


@rule("RIG010", "deductions-exceed-points", Severity.WARNING,
      "Deductions can remove more than the criterion is worth, and no floor stops them.")
def deductions_exceed(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        worth = abs(c.contribution)
        bound = c.deduction_bound
        if c.deductions and c.floor is None and bound > worth:
            yield Hit(
                table.key(c),
                f"its deductions can remove {_bound_text(bound)} from a criterion worth "
                f"{worth:g}; the excess comes out of the other criteria",
                f"Cap the deductions of the criterion at {worth:g} points (deduction_cap:) or "
                "state that its score does not go below 0 (floor: 0).",
                {"deduction_bound": bound, "points": worth},
            )


def _can_award_zero(c: Criterion) -> bool:
    """Whether failing the criterion already costs all its points."""
    if is_all_or_nothing(c) or c.targets():
        return True
    levels = {lv.points for lv in c.rubric or []}
    for scoring in c.scorings():
        levels |= scoring.levels(abs(c.max_points)) or set()
    return 0.0 in levels


@rule("RIG011", "double-penalty", Severity.WARNING,
      "A criterion that gives 0 points on failure and also deducts its full points.")
def double_penalty(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        worth = abs(c.contribution)
        full = [a.id for a in c.deductions if a.points >= worth]
        if full and c.is_leaf and _can_award_zero(c):
            yield Hit(
                table.key(c),
                f"failing it already scores 0 of {worth:g} points, and deduction "
                f"{', '.join(full)} removes {worth:g} or more on top: the same failure is "
                "punished twice",
                "Keep one penalty: either 0 points for the criterion, or a deduction for "
                "specific cases beyond it.",
                {"items": full, "points": worth},
            )


def band_problems(bands: list[Band]) -> tuple[list[str], list[str]]:
    """Gaps and overlaps between consecutive bands (in increasing order).

    Parameters
    ----------
    bands : list of Band
        The bands of one scoring rule, in the order the table gives them.

    Returns
    -------
    gaps, overlaps : list of str
        Intervals of values that fall in no band, and in two bands.

    Examples
    --------
    >>> band_problems([Band(lower=50, upper=80, points=5), Band(lower=80, upper=100,
    ...                upper_closed=True, points=10)])
    ([], [])
    >>> band_problems([Band(lower=50, upper=80, points=5), Band(lower=85, points=10)])
    (['[80, 85)'], [])
    >>> band_problems([Band(lower=50, upper=80, upper_closed=True, points=5),
    ...                Band(lower=80, points=10)])
    ([], ['[80, 80]'])
    """
    gaps, overlaps = [], []
    for a, b in itertools.pairwise(bands):
        if a.upper is None or b.lower is None or a.upper > b.lower:
            low = "-inf" if b.lower is None else f"{b.lower:g}"
            high = "+inf" if a.upper is None else f"{a.upper:g}"
            overlaps.append(f"[{low}, {high}]")
        elif a.upper < b.lower:
            left = "(" if a.upper_closed else "["
            right = "]" if not b.lower_closed else ")"
            gaps.append(f"{left}{a.upper:g}, {b.lower:g}{right}")
        elif a.upper_closed and b.lower_closed:
            overlaps.append(f"[{a.upper:g}, {a.upper:g}]")
        elif not a.upper_closed and not b.lower_closed:
            gaps.append(f"[{a.upper:g}, {a.upper:g}]")
    return gaps, overlaps


@rule("RIG012", "band-gaps-overlaps", Severity.WARNING,
      "Bands with a gap (a value in no band) or an overlap (a value in two bands).")
def band_gaps(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        scored = [(None, c.scoring)] + [(t.member_class, t.scoring) for t in c.tiers]
        for member_class, scoring in scored:
            if scoring is None or not scoring.bands:
                continue
            gaps, overlaps = band_problems(scoring.bands)
            if not (gaps or overlaps):
                continue
            where = f" (class {member_class})" if member_class else ""
            said = [f"values in {', '.join(gaps)} fall in no band"] if gaps else []
            said += [f"values in {', '.join(overlaps)} fall in two bands"] if overlaps else []
            yield Hit(
                table.key(c),
                "; ".join(said) + where,
                "Make each band start where the previous one ends: 'từ x % đến dưới y %' then "
                "'từ y %', so every value falls in exactly one band.",
                {"gaps": gaps, "overlaps": overlaps, "member_class": member_class},
                Severity.ERROR if overlaps else None,
            )


@rule("RIG013", "small-all-or-nothing", Severity.INFO,
      "Many small all-or-nothing criteria, each below the RIG001 threshold: reported together.")
def small_all_or_nothing(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    small = [c for c in table.leaves("base")
             if is_all_or_nothing(c) and table.weight(c) < config.heavy_share]
    share = sum(table.weight(c) for c in small)
    if len(small) >= config.small_binary_min_items and share >= config.heavy_share:
        yield Hit(
            None,
            f"{len(small)} criteria below {config.heavy_share:.0%} each are scored "
            f"all-or-nothing; together they hold {share:.1%} of the total",
            "Score them in steps or by rubric, or merge them into one graded criterion "
            "(e.g. the share of the listed tasks completed).",
            {"criteria": [table.key(c) for c in small], "share": share,
             "threshold": config.heavy_share, "min_items": config.small_binary_min_items},
        )


# Words that make a bonus ask for more than the criterion: "vượt", "trên", "cao hơn"...
_BEYOND = re.compile(
    r"(?<!\w)(?:vuot|tren|cao hon|nhieu hon|som hon|truoc thoi han|ngoai|dan dau|nhat|"
    r"exceed\w*|above|beyond|more than|ahead)(?!\w)"
)


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", fold(text)))


def _already_required(c: Criterion, item: Adjustment, config: LintConfig) -> bool:
    if item.at_least is not None:
        return any(t.direction == "at_least" and item.at_least <= t.value for t in c.targets())
    words = _words(item.text)
    if not words or _BEYOND.search(fold(item.text)):
        return False
    return len(words & _words(c.text)) / len(words) >= config.bonus_overlap


@rule("RIG014", "bonus-for-required", Severity.WARNING,
      "A bonus for what the criterion already requires.")
def bonus_for_required(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        items = [a.id for a in c.bonuses if _already_required(c, a, config)]
        if items:
            yield Hit(
                table.key(c),
                f"bonus {', '.join(items)} rewards what the criterion already requires; the "
                "same result is paid twice",
                "Give the bonus only for results beyond the target (e.g. 'vượt kế hoạch từ "
                "10 % trở lên'), or drop it.",
                {"items": items},
            )


_ON_DETECTION = re.compile(
    r"(?:bi|duoc)?\s*(?:co quan\s+\w+\s+)?phat hien|qua (?:thanh tra|kiem tra)"
    r"|detected|found by (?:an )?inspect\w*"
)


@rule("RIG015", "deduction-on-detection", Severity.WARNING,
      "A deduction applied only when an inspection happens to detect the case.")
def deduction_on_detection(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        items = [a.id for a in c.deductions
                 if a.on_detection or _ON_DETECTION.search(fold(a.text))]
        if items:
            yield Hit(
                table.key(c),
                f"deduction {', '.join(items)} applies only when the case is detected: members "
                "inspected this year lose points that the others keep",
                "Base it on a source that covers every member (a register, the annual audit, "
                "the system's data), or give it to every member's self-report checked by a "
                "sample.",
                {"items": items},
            )


_PER_STATED = re.compile(r"(?<!\w)(?:moi|mot lan|lan|each|per|once|every)(?!\w)")


@rule("RIG016", "per-not-stated", Severity.WARNING,
      "A bonus or deduction item that does not say whether it counts once or per occurrence.")
def per_not_stated(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        items = [a.id for a in [*c.bonuses, *c.deductions]
                 if a.per is None and not _PER_STATED.search(fold(a.text))]
        if items:
            yield Hit(
                table.key(c),
                f"items {', '.join(items)} do not say whether they count once or per "
                "occurrence; two raters can differ by a multiple of the points",
                "State it: 'trừ 1 điểm' (once) or 'mỗi trường hợp trừ 0,5 điểm, tối đa 2 "
                "điểm' (per occurrence, with a cap); set per: once or per: occurrence.",
                {"items": items},
            )


@rule("RIG017", "total-above-maximum", Severity.WARNING,
      "The bonuses allow a total above the table's declared maximum.")
def total_above_maximum(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    if table.max_total is None:
        return
    bonus = sum(s.contribution for s in table.sections if s.role == "bonus")
    bonus += sum(c.bonus_bound for c in table.walk())
    reachable = table.total + bonus
    if reachable > table.max_total * (1 + 1e-9):
        yield Hit(
            None,
            ("bonuses without a limit let a member's total pass the declared maximum "
             f"{table.max_total:g}") if math.isinf(reachable) else
            (f"a member can reach {reachable:g} points with its bonuses, above the declared "
             f"maximum {table.max_total:g}"),
            f"Cap the bonuses so that the base {table.total:g} plus all bonuses is at most "
            f"{table.max_total:g}.",
            {"reachable": reachable, "max_total": table.max_total},
        )


def _scored_elements(table: CriteriaTable) -> Iterator[tuple[str, str, bool]]:
    """``(where, folded what-is-scored, explicit)`` of every leaf and item.

    A leaf's text alone is not explicit: generic texts ("Công tác khác") recur
    without being the same fact; its ``measure`` and an item's text are.
    """
    for c in table.walk():
        key = table.key(c)
        if c.is_leaf:
            yield key, fold(c.measure or c.text), c.measure is not None
        for a in [*c.bonuses, *c.deductions]:
            yield f"{key}:{a.id}", fold(a.text), True


@rule("RIG018", "scored-twice", Severity.WARNING,
      "The same fact scored in two places of the table.")
def scored_twice(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    places: dict[str, list[tuple[str, bool]]] = {}
    for where, what, explicit in _scored_elements(table):
        places.setdefault(what, []).append((where, explicit))
    for found in places.values():
        wheres = [where for where, _ in found]
        if len(found) > 1 and any(explicit for _, explicit in found):
            yield Hit(
                wheres[0].split(":")[0],
                f"the same fact is scored in {len(wheres)} places: {', '.join(wheres)}",
                "Score each fact once; if it matters to several areas, give it its points in "
                "one of them.",
                {"places": wheres},
            )


# "theo mục II.3", "tại tiêu chí 2.a", "(xem mục 4)": a reference to a part of this table,
# unless it continues into a legal text ("mục 2 Chương III Nghị định ...").
_REFERENCE = re.compile(
    r"(?<!\w)(?:theo|tai|xem|nhu|o)\s+(?:muc|tieu chi|tieu muc|phan)\s+"
    r"([0-9ivxlcdm]+(?:[./][0-9a-z]+)*|[a-z](?:[./][0-9a-z]+)*)(?![\w])"
    r"(?!\s+(?:chuong|dieu|khoan|nghi dinh|thong tu|luat|quyet dinh|phu luc))"
)


def cross_references(table: CriteriaTable) -> list[tuple[str, str]]:
    """References to parts of the table ("theo mục II.3") that name no node of it.

    A reference is resolved, ignoring case and diacritics, against each node's
    key, id and path of ids joined by ``.`` or ``/``, and by the path's tail.

    Parameters
    ----------
    table : CriteriaTable
        The table whose texts (criteria, items, notes, knock-outs) are read.

    Returns
    -------
    list of (str, str)
        ``(key of the node whose text refers, the reference as written)``;
        ``key`` is ``""`` for the table's own notes.

    Examples
    --------
    >>> t = CriteriaTable.model_validate({"title": "T", "total": 2, "sections": [
    ...     {"id": "I", "text": "Công tác", "max_points": 2, "children": [
    ...         {"id": "1", "text": "Như điểm chuẩn", "max_points": 1, "kind": "qualitative"},
    ...         {"id": "2", "text": "Tính theo mục I.1 và theo mục I.5", "max_points": 1,
    ...          "kind": "qualitative"}]}]})
    >>> cross_references(t)
    [('2', 'I.5')]
    """
    names: set[str] = set()
    for ids, _ in table.id_paths():
        for cut in range(len(ids)):
            tail = ids[cut:]
            names.update({_plain(".".join(tail)), _plain("/".join(tail))})
    texts: list[tuple[str, str]] = [("", note) for note in table.notes]
    texts += [("", k.text) for k in table.knockouts]
    for c in table.walk():
        key = table.key(c)
        texts += [(key, c.text), (key, c.note or "")]
        texts += [(key, a.text) for a in [*c.bonuses, *c.deductions]]
        texts += [(key, k.text) for k in c.knockouts]
    dangling = []
    for key, text in texts:
        plain = _plain(text)
        for m in _REFERENCE.finditer(plain):
            ref = m.group(1).rstrip(".")
            if ref not in names:
                # one letter for one letter in NFC Vietnamese: positions carry over
                same = len(plain) == len(text)
                dangling.append((key, text[m.start(1):m.start(1) + len(ref)] if same else ref))
    return dangling


def _plain(text: str) -> str:
    """Lower case without diacritics, punctuation kept (ids are dotted)."""
    return strip_diacritics(normalise(text))


@rule("STR001", "dangling-reference", Severity.WARNING,
      "The text refers to a part of the table ('theo mục ...') that does not exist.")
def dangling_reference(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for key, ref in cross_references(table):
        yield Hit(
            key or None,
            f"refers to 'mục {ref}', which is not a part of this table",
            "Correct the reference to the item's path in the table (e.g. 'theo mục II.3'), or "
            "quote the rule it means.",
            {"reference": ref},
        )
