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

from clustering.i18n import Text
from clustering.names import fold, strip_diacritics
from criteria_design.config import LintConfig
from criteria_design.findings import Severity
from criteria_design.lexicon import normalise
from criteria_design.registry import Hit, Message, Words, rule
from criteria_design.rigidity import is_all_or_nothing
from criteria_design.table import Adjustment, Band, CriteriaTable, Criterion

__all__ = ["band_problems", "cross_references"]


def _bound_text(value: float) -> Words:
    if math.isinf(value):
        return Words(vi="không giới hạn số điểm", en="without limit")
    return Words(vi=f"{value:g} điểm", en=f"{value:g} points")


def _ids(items: list[str]) -> str:
    return ", ".join(items)


@rule("RIG009", "uncapped-bonus", Severity.WARNING,
      Text(vi="Điểm thưởng không có mức tối đa", en="Uncapped bonus"),
      Text(vi="Điểm thưởng tính theo mỗi lần mà không có mức tối đa: đơn vị có thể được cộng "
              "không giới hạn.",
           en="A bonus scored per occurrence with no cap: a member can add points without "
              "limit."),
      Message(
          Text(vi="các khoản thưởng {items} tính theo mỗi lần, không có mức tối đa, và tiêu chí "
                  "cũng không đặt mức thưởng tối đa",
               en="bonus items {items} are scored per occurrence with no cap, and the "
                  "criterion sets no bonus cap"),
          Text(vi="Đặt mức tối đa cho từng khoản thưởng theo lần (cap:) hoặc cho tổng điểm "
                  "thưởng của tiêu chí (bonus_cap:), ví dụ 10 % số điểm của tiêu chí.",
               en="Cap each per-occurrence bonus (cap:) or all bonuses of the criterion "
                  "(bonus_cap:), e.g. at 10 % of its points.")))
def uncapped_bonus(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        if c.bonuses and math.isinf(c.bonus_bound):
            open_items = [a.id for a in c.bonuses if math.isinf(a.bound)]
            yield Hit(table.key(c), {"items": _ids(open_items)}, {"items": open_items})


@rule("RIG010", "deductions-exceed-points", Severity.WARNING,
      Text(vi="Điểm trừ vượt số điểm của tiêu chí", en="Deductions exceed points"),
      Text(vi="Điểm trừ có thể lấy đi nhiều hơn số điểm của tiêu chí, mà không có mức sàn.",
           en="Deductions can remove more than the criterion is worth, and no floor stops "
              "them."),
      Message(
          Text(vi="điểm trừ có thể lấy đi {bound} của một tiêu chí chỉ có {points:g} điểm; "
                  "phần vượt bị trừ vào các tiêu chí khác",
               en="its deductions can remove {bound} from a criterion worth {points:g}; the "
                  "excess comes out of the other criteria"),
          Text(vi="Khống chế tổng điểm trừ của tiêu chí không quá {points:g} điểm "
                  "(deduction_cap:) hoặc quy định điểm tiêu chí không thấp hơn 0 (floor: 0).",
               en="Cap the deductions of the criterion at {points:g} points (deduction_cap:) "
                  "or state that its score does not go below 0 (floor: 0).")))
def deductions_exceed(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        worth = abs(c.contribution)
        bound = c.deduction_bound
        if c.deductions and c.floor is None and bound > worth:
            yield Hit(
                table.key(c),
                {"bound": _bound_text(bound), "points": worth},
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
      Text(vi="Trừ điểm hai lần", en="Double penalty"),
      Text(vi="Tiêu chí không đạt đã bị 0 điểm lại còn bị trừ trọn số điểm.",
           en="A criterion that gives 0 points on failure and also deducts its full points."),
      Message(
          Text(vi="không đạt thì tiêu chí đã 0/{points:g} điểm, mà khoản trừ {items} còn trừ "
                  "thêm từ {points:g} điểm trở lên: cùng một sai phạm bị phạt hai lần",
               en="failing it already scores 0 of {points:g} points, and deduction {items} "
                  "removes {points:g} or more on top: the same failure is punished twice"),
          Text(vi="Chỉ giữ một hình thức: hoặc 0 điểm cho tiêu chí, hoặc điểm trừ cho những "
                  "trường hợp cụ thể ngoài tiêu chí.",
               en="Keep one penalty: either 0 points for the criterion, or a deduction for "
                  "specific cases beyond it.")))
def double_penalty(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        worth = abs(c.contribution)
        full = [a.id for a in c.deductions if a.points >= worth]
        if full and c.is_leaf and _can_award_zero(c):
            yield Hit(table.key(c), {"points": worth, "items": _ids(full)},
                      {"items": full, "points": worth})


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
      Text(vi="Khoảng điểm bị hở hoặc chồng nhau", en="Band gaps or overlaps"),
      Text(vi="Các khoảng chấm điểm bị hở (giá trị không thuộc khoảng nào) hoặc chồng nhau "
              "(giá trị thuộc hai khoảng).",
           en="Bands with a gap (a value in no band) or an overlap (a value in two bands)."),
      Message(
          Text(vi="các khoảng điểm không liền mạch{where}: {problems}",
               en="bands do not join up{where}: {problems}"),
          Text(vi="Cho mỗi khoảng bắt đầu đúng chỗ khoảng trước kết thúc: 'từ x % đến dưới "
                  "y %' rồi 'từ y %', để mỗi giá trị thuộc đúng một khoảng.",
               en="Make each band start where the previous one ends: 'từ x % đến dưới y %' "
                  "then 'từ y %', so every value falls in exactly one band.")))
def band_gaps(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        scored = [(None, c.scoring)] + [(t.member_class, t.scoring) for t in c.tiers]
        for member_class, scoring in scored:
            if scoring is None or not scoring.bands:
                continue
            gaps, overlaps = band_problems(scoring.bands)
            if not (gaps or overlaps):
                continue
            yield Hit(
                table.key(c),
                {"problems": _band_words(gaps, overlaps),
                 "where": Words(vi=f" (nhóm {member_class})", en=f" (class {member_class})")
                 if member_class else Words("", "")},
                {"gaps": gaps, "overlaps": overlaps, "member_class": member_class},
                Severity.ERROR if overlaps else None,
            )


def _band_words(gaps: list[str], overlaps: list[str]) -> Words:
    vi = [f"giá trị trong {_ids(gaps)} không thuộc khoảng nào"] if gaps else []
    vi += [f"giá trị trong {_ids(overlaps)} thuộc hai khoảng"] if overlaps else []
    en = [f"values in {_ids(gaps)} fall in no band"] if gaps else []
    en += [f"values in {_ids(overlaps)} fall in two bands"] if overlaps else []
    return Words(vi="; ".join(vi), en="; ".join(en))


@rule("RIG013", "small-all-or-nothing", Severity.INFO,
      Text(vi="Nhiều tiêu chí nhỏ chấm kiểu đạt/không đạt", en="Small all-or-nothing criteria"),
      Text(vi="Nhiều tiêu chí nhỏ chấm đạt/không đạt, mỗi tiêu chí dưới ngưỡng của RIG001: "
              "báo chung một lần.",
           en="Many small all-or-nothing criteria, each below the RIG001 threshold: reported "
              "together."),
      Message(
          Text(vi="{count} tiêu chí, mỗi tiêu chí dưới {threshold:.0%}, chấm kiểu đạt/không "
                  "đạt; cộng lại chiếm {share:.1%} tổng điểm",
               en="{count} criteria below {threshold:.0%} each are scored all-or-nothing; "
                  "together they hold {share:.1%} of the total"),
          Text(vi="Chấm theo bậc hoặc theo thang mức, hoặc gộp thành một tiêu chí có nhiều mức "
                  "(ví dụ tỷ lệ nhiệm vụ trong danh mục đã hoàn thành).",
               en="Score them in steps or by rubric, or merge them into one graded criterion "
                  "(e.g. the share of the listed tasks completed).")))
def small_all_or_nothing(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    small = [c for c in table.leaves("base")
             if is_all_or_nothing(c) and table.weight(c) < config.heavy_share]
    share = sum(table.weight(c) for c in small)
    if len(small) >= config.small_binary_min_items and share >= config.heavy_share:
        yield Hit(
            None,
            {"count": len(small), "threshold": config.heavy_share, "share": share},
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
      Text(vi="Thưởng cho điều tiêu chí đã yêu cầu", en="Bonus for what is required"),
      Text(vi="Điểm thưởng cho chính điều mà tiêu chí đã yêu cầu.",
           en="A bonus for what the criterion already requires."),
      Message(
          Text(vi="khoản thưởng {items} thưởng cho điều tiêu chí đã yêu cầu; cùng một kết quả "
                  "được tính điểm hai lần",
               en="bonus {items} rewards what the criterion already requires; the same result "
                  "is paid twice"),
          Text(vi="Chỉ thưởng cho kết quả vượt chỉ tiêu (ví dụ 'vượt kế hoạch từ 10 % trở "
                  "lên'), hoặc bỏ khoản thưởng.",
               en="Give the bonus only for results beyond the target (e.g. 'vượt kế hoạch từ "
                  "10 % trở lên'), or drop it.")))
def bonus_for_required(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        items = [a.id for a in c.bonuses if _already_required(c, a, config)]
        if items:
            yield Hit(table.key(c), {"items": _ids(items)}, {"items": items})


_ON_DETECTION = re.compile(
    r"(?:bi|duoc)?\s*(?:co quan\s+\w+\s+)?phat hien|qua (?:thanh tra|kiem tra)"
    r"|detected|found by (?:an )?inspect\w*"
)


@rule("RIG015", "deduction-on-detection", Severity.WARNING,
      Text(vi="Chỉ trừ điểm khi bị phát hiện", en="Deduction on detection"),
      Text(vi="Điểm trừ chỉ áp dụng khi thanh tra, kiểm tra tình cờ phát hiện.",
           en="A deduction applied only when an inspection happens to detect the case."),
      Message(
          Text(vi="khoản trừ {items} chỉ áp dụng khi bị phát hiện: đơn vị được thanh tra "
                  "trong năm bị trừ điểm, còn các đơn vị khác thì không",
               en="deduction {items} applies only when the case is detected: members inspected "
                  "this year lose points that the others keep"),
          Text(vi="Dựa vào nguồn bao quát mọi đơn vị (sổ theo dõi, kiểm toán hằng năm, dữ liệu "
                  "hệ thống), hoặc áp dụng cho báo cáo tự đánh giá của mọi đơn vị, có kiểm tra "
                  "xác suất.",
               en="Base it on a source that covers every member (a register, the annual "
                  "audit, the system's data), or give it to every member's self-report checked "
                  "by a sample.")))
def deduction_on_detection(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        items = [a.id for a in c.deductions
                 if a.on_detection or _ON_DETECTION.search(fold(a.text))]
        if items:
            yield Hit(table.key(c), {"items": _ids(items)}, {"items": items})


_PER_STATED = re.compile(r"(?<!\w)(?:moi|mot lan|lan|each|per|once|every)(?!\w)")


@rule("RIG016", "per-not-stated", Severity.WARNING,
      Text(vi="Không nói rõ tính một lần hay mỗi lần", en="Once or per occurrence not stated"),
      Text(vi="Khoản thưởng hoặc trừ không nói rõ tính một lần hay mỗi lần phát sinh.",
           en="A bonus or deduction item that does not say whether it counts once or per "
              "occurrence."),
      Message(
          Text(vi="các khoản {items} không nói rõ tính một lần hay mỗi lần; hai người chấm "
                  "có thể lệch nhau gấp nhiều lần số điểm",
               en="items {items} do not say whether they count once or per occurrence; two "
                  "raters can differ by a multiple of the points"),
          Text(vi="Ghi rõ: 'trừ 1 điểm' (một lần) hoặc 'mỗi trường hợp trừ 0,5 điểm, tối đa 2 "
                  "điểm' (mỗi lần, có mức tối đa); đặt per: once hoặc per: occurrence.",
               en="State it: 'trừ 1 điểm' (once) or 'mỗi trường hợp trừ 0,5 điểm, tối đa 2 "
                  "điểm' (per occurrence, with a cap); set per: once or per: occurrence.")))
def per_not_stated(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.walk():
        items = [a.id for a in [*c.bonuses, *c.deductions]
                 if a.per is None and not _PER_STATED.search(fold(a.text))]
        if items:
            yield Hit(table.key(c), {"items": _ids(items)}, {"items": items})


_MAX_FIX = Text(
    vi="Khống chế điểm thưởng để điểm chuẩn {total:g} cộng mọi khoản thưởng không quá "
       "{max_total:g} điểm.",
    en="Cap the bonuses so that the base {total:g} plus all bonuses is at most {max_total:g}.")


@rule("RIG017", "total-above-maximum", Severity.WARNING,
      Text(vi="Tổng điểm vượt mức tối đa", en="Total above maximum"),
      Text(vi="Điểm thưởng cho phép tổng điểm vượt mức tối đa bảng đã quy định.",
           en="The bonuses allow a total above the table's declared maximum."),
      {"unbounded": Message(
          Text(vi="điểm thưởng không giới hạn cho phép tổng điểm của đơn vị vượt mức tối đa "
                  "{max_total:g} đã quy định",
               en="bonuses without a limit let a member's total pass the declared maximum "
                  "{max_total:g}"),
          _MAX_FIX),
       "": Message(
          Text(vi="cộng điểm thưởng, đơn vị có thể đạt {reachable:g} điểm, vượt mức tối đa "
                  "{max_total:g} đã quy định",
               en="a member can reach {reachable:g} points with its bonuses, above the "
                  "declared maximum {max_total:g}"),
          _MAX_FIX)})
def total_above_maximum(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    if table.max_total is None:
        return
    bonus = sum(s.contribution for s in table.sections if s.role == "bonus")
    bonus += sum(c.bonus_bound for c in table.walk())
    reachable = table.total + bonus
    if reachable > table.max_total * (1 + 1e-9):
        yield Hit(
            None,
            {"reachable": reachable, "max_total": table.max_total, "total": table.total},
            {"reachable": reachable, "max_total": table.max_total},
            variant="unbounded" if math.isinf(reachable) else "",
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
      Text(vi="Một nội dung chấm ở hai nơi", en="Scored twice"),
      Text(vi="Cùng một nội dung được chấm điểm ở hai nơi trong bảng.",
           en="The same fact scored in two places of the table."),
      Message(
          Text(vi="cùng một nội dung được chấm ở {count} nơi: {places}",
               en="the same fact is scored in {count} places: {places}"),
          Text(vi="Mỗi nội dung chỉ chấm một lần; nếu liên quan nhiều lĩnh vực, chỉ tính điểm "
                  "ở một nơi.",
               en="Score each fact once; if it matters to several areas, give it its points "
                  "in one of them.")))
def scored_twice(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    places: dict[str, list[tuple[str, bool]]] = {}
    for where, what, explicit in _scored_elements(table):
        places.setdefault(what, []).append((where, explicit))
    for found in places.values():
        wheres = [where for where, _ in found]
        if len(found) > 1 and any(explicit for _, explicit in found):
            yield Hit(wheres[0].split(":")[0], {"count": len(wheres), "places": _ids(wheres)},
                      {"places": wheres})


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
      Text(vi="Dẫn chiếu tới mục không có", en="Dangling reference"),
      Text(vi="Nội dung dẫn chiếu tới một phần của bảng ('theo mục ...') không tồn tại.",
           en="The text refers to a part of the table ('theo mục ...') that does not exist."),
      Message(
          Text(vi="dẫn chiếu tới 'mục {reference}', không có trong bảng này",
               en="refers to 'mục {reference}', which is not a part of this table"),
          Text(vi="Sửa dẫn chiếu theo đúng số mục trong bảng (ví dụ 'theo mục II.3'), hoặc "
                  "trích nguyên văn quy định được dẫn.",
               en="Correct the reference to the item's path in the table (e.g. 'theo mục "
                  "II.3'), or quote the rule it means.")))
def dangling_reference(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for key, ref in cross_references(table):
        yield Hit(key or None, {"reference": ref}, {"reference": ref})
