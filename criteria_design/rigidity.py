"""Rigidity rules (RIG): what the point structure itself makes unfair or brittle.

All computed from the table alone. Nominal weights are ``w_j = M_j / total``
over the base criteria (bonuses and deductions come on top of the base table).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from clustering.i18n import Text
from criteria_design.config import LintConfig
from criteria_design.errors import CriteriaParameterError
from criteria_design.findings import Severity
from criteria_design.registry import Hit, Message, Words, rule
from criteria_design.table import CriteriaTable, Criterion


def is_all_or_nothing(criterion: Criterion) -> bool:
    """Whether the criterion can only award 0 or its full points.

    True for ``all_or_nothing`` scoring, and for steps or a rubric whose only
    levels are 0 and the maximum. Unknown (no scoring, no rubric) is False.

    Examples
    --------
    >>> c = Criterion(id="A", text="Có đề án", max_points=10, kind="qualitative",
    ...               scoring={"method": "steps", "steps": [{"at_least": 1, "points": 10}]})
    >>> is_all_or_nothing(c)
    True
    """
    top = abs(criterion.max_points)
    levels = criterion.scoring.levels(top) if criterion.scoring is not None else None
    if levels is None and criterion.rubric and (
        criterion.scoring is None or criterion.scoring.method == "rubric"
    ):
        levels = {level.points for level in criterion.rubric} | {0.0}
    return levels is not None and levels <= {0.0, top}


def effective_number(weights: list[float]) -> float:
    """Effective number of criteria ``1 / sum(w_j^2)`` of weights summing to 1.

    The inverse Herfindahl-Hirschman index (Laakso-Taagepera): ``m`` for ``m``
    equal weights, 1 when one criterion holds everything.

    Examples
    --------
    >>> effective_number([0.25] * 4)
    4.0
    >>> round(effective_number([0.7, 0.1, 0.1, 0.1]), 3)
    1.923
    """
    total = sum(weights)
    if total <= 0:
        raise CriteriaParameterError(f"weights must have a positive sum, got {total}")
    return 1.0 / sum((w / total) ** 2 for w in weights)


@rule("RIG001", "heavy-all-or-nothing", Severity.WARNING,
      Text(vi="Tiêu chí nặng chấm kiểu đạt/không đạt", en="Heavy all-or-nothing criterion"),
      Text(vi="Một tiêu chí nhiều điểm chỉ có hai mức, đủ điểm hoặc không điểm: trượt một chút là "
              "mất trọn số điểm.",
           en="A heavy criterion scored all-or-nothing: one miss moves a member by its full "
              "weight."),
      Message(
          Text(vi="{points:g} điểm ({share:.1%} tổng điểm) chỉ chấm đủ điểm hoặc không điểm",
               en="{points:g} points ({share:.1%} of the total) are awarded all-or-nothing"),
          Text(vi="Chấm tuyến tính giữa hai ngưỡng hoặc theo bậc (ví dụ đạt 80 % chỉ tiêu được "
                  "50 % số điểm), để phân biệt đơn vị suýt đạt với đơn vị không đạt.",
               en="Score it linearly between two thresholds or in steps (e.g. 50 % of the "
                  "points at 80 % of the target), so near-misses are told apart from "
                  "failures.")))
def heavy_all_or_nothing(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves("base"):
        share = table.weight(c)
        if is_all_or_nothing(c) and share >= config.heavy_share:
            yield Hit(
                table.key(c),
                {"points": c.max_points, "share": share},
                {"points": c.max_points, "share": share, "threshold": config.heavy_share},
            )


@rule("RIG002", "no-partial-credit", Severity.WARNING,
      Text(vi="Không có điểm từng phần", en="No partial credit"),
      Text(vi="Phần lớn bảng điểm chấm kiểu đạt/không đạt: không tiêu chí nào cho điểm từng "
              "phần.",
           en="Most of the table is scored all-or-nothing: no partial credit anywhere."),
      Message(
          Text(vi="{share:.0%} điểm chuẩn ({count} tiêu chí) chỉ có thể được trọn điểm hoặc "
                  "mất trọn điểm",
               en="{share:.0%} of the base points ({count} criteria) can only be won in full "
                  "or lost in full"),
          Text(vi="Cho điểm từng phần ở đa số tiêu chí (chấm tuyến tính, theo bậc, theo thang "
                  "mức); chỉ giữ kiểu đạt/không đạt cho điều kiện có/không thật sự và ít điểm.",
               en="Give partial credit on most criteria (linear or step scoring, rubric "
                  "levels); keep all-or-nothing for true yes/no conditions worth few points.")))
def no_partial_credit(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    binary = [c for c in table.leaves("base") if is_all_or_nothing(c)]
    share = sum(table.weight(c) for c in binary)
    if share >= config.max_binary_share:
        yield Hit(
            None,
            {"share": share, "count": len(binary)},
            {"share": share, "criteria": [table.key(c) for c in binary],
             "threshold": config.max_binary_share},
        )


_WHERE_TOP = Words(vi="cấp cao nhất của bảng", en="the top level")


@rule("RIG003", "equal-points", Severity.INFO,
      Text(vi="Các tiêu chí ngang điểm nhau", en="Equal points"),
      Text(vi="Các tiêu chí cùng cấp đều bằng điểm nhau, dù mức quan trọng khác nhau.",
           en="Sibling criteria all worth the same points, whatever their importance."),
      {"importance": Message(
          Text(vi="{count} tiêu chí của {where} đều {points:g} điểm, dù mức quan trọng khai "
                  "báo từ {low:g} đến {high:g}",
               en="the {count} criteria of {where} are all worth {points:g} points although "
                  "their declared importance ranges from {low:g} to {high:g}"),
          Text(vi="Đặt điểm tỷ lệ với mức quan trọng đã khai báo, hoặc xem lại mức quan trọng.",
               en="Set the points in proportion to the declared importance, or revise the "
                  "importance.")),
       "": Message(
          Text(vi="{count} tiêu chí của {where} đều {points:g} điểm; điểm bằng nhau nghĩa là "
                  "quan trọng như nhau",
               en="the {count} criteria of {where} are all worth {points:g} points; equal "
                  "points say they matter equally"),
          Text(vi="Xác nhận các tiêu chí quan trọng như nhau, hoặc khai báo mức quan trọng "
                  "(`importance`, ví dụ từ so sánh từng cặp) và đặt điểm theo đó.",
               en="Confirm they are equally important, or weight them (declare `importance`, "
                  "e.g. from a pairwise comparison) and set the points accordingly."))})
def equal_points(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    groups: list[tuple[str | None, list[Criterion]]] = [(None, table.sections)]
    groups += [(table.key(node), node.children) for node in table.walk() if node.children]
    for group_id, siblings in groups:
        leaves = [c for c in siblings if c.is_leaf and c.role == "base"]
        if len(leaves) < config.equal_points_min_siblings:
            continue
        points = {c.contribution for c in leaves}
        importances = {c.importance for c in leaves}
        if len(points) != 1:
            continue
        where = (Words(vi=f"nhóm {group_id!r}", en=f"group {group_id!r}") if group_id
                 else _WHERE_TOP)
        fields = {"count": len(leaves), "where": where, "points": points.pop()}
        ids = [table.key(c) for c in leaves]
        if None not in importances and len(importances) > 1:
            yield Hit(
                group_id,
                {**fields, "low": min(importances), "high": max(importances)},
                {"criteria": ids, "importance": [c.importance for c in leaves]},
                Severity.WARNING,
                "importance",
            )
        elif None in importances:
            yield Hit(group_id, fields, {"criteria": ids})


@rule("RIG004", "dominance", Severity.WARNING,
      Text(vi="Một mục hoặc một tiêu chí chi phối", en="Dominance"),
      Text(vi="Một mục hoặc một tiêu chí chiếm tỷ trọng quá lớn trong tổng điểm.",
           en="One section or one criterion holds too large a share of the total."),
      {"section": Message(
          Text(vi="mục chiếm {share:.0%} tổng điểm ({points:g}/{total:g} điểm), vượt ngưỡng "
                  "{threshold:.0%}",
               en="section holds {share:.0%} of the total ({points:g} of {total:g} points), "
                  "above {threshold:.0%}"),
          Text(vi="Cân đối lại các mục, hoặc nêu rõ vì sao riêng lĩnh vực này quyết định thứ "
                  "hạng.",
               en="Rebalance the sections, or state why this area should decide the ranking "
                  "on its own.")),
       "": Message(
          Text(vi="một tiêu chí chiếm {share:.0%} tổng điểm, vượt ngưỡng {threshold:.0%}",
               en="one criterion holds {share:.0%} of the total, above {threshold:.0%}"),
          Text(vi="Tách thành các tiêu chí con đo được, hoặc giảm số điểm.",
               en="Split it into measurable sub-criteria or reduce its points."))})
def dominance(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    base_sections = [s for s in table.sections if s.role == "base"]
    if len(base_sections) >= 2:
        for s in base_sections:
            share = table.weight(s)
            if share > config.max_section_share:
                yield Hit(
                    table.key(s),
                    {"share": share, "points": s.max_points, "total": table.total,
                     "threshold": config.max_section_share},
                    {"share": share, "threshold": config.max_section_share},
                    variant="section",
                )
    for c in table.leaves("base"):
        share = table.weight(c)
        if share > config.max_criterion_share:
            yield Hit(
                table.key(c),
                {"share": share, "threshold": config.max_criterion_share},
                {"share": share, "threshold": config.max_criterion_share},
            )


@rule("RIG005", "fragmentation", Severity.WARNING,
      Text(vi="Bảng điểm bị chia vụn", en="Fragmentation"),
      Text(vi="Quá nhiều tiêu chí nhỏ: số tiêu chí hiệu dụng rất cao.",
           en="Too many small criteria: the effective number of criteria is very high."),
      Message(
          Text(vi="số tiêu chí hiệu dụng 1/Σw² = {n_eff:.1f} trên {count} tiêu chí, vượt "
                  "ngưỡng {threshold:g}",
               en="effective number of criteria 1/Σw² = {n_eff:.1f} over {count} "
                  "criteria, above {threshold:g}"),
          Text(vi="Gộp các tiêu chí liên quan thành ít tiêu chí hơn, đo được; mỗi tiêu chí "
                  "phải đủ sức làm thay đổi thứ hạng.",
               en="Merge related criteria into fewer, measurable ones; each should be able to "
                  "move the ranking.")))
def fragmentation(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    weights = [table.weight(c) for c in table.leaves("base") if c.contribution > 0]
    if not weights:
        return
    n_eff = effective_number(weights)
    # relative slack: 40 equal criteria give 40.000000001 in floating point
    if n_eff > config.max_effective_criteria * (1 + 1e-9):
        yield Hit(
            None,
            {"n_eff": n_eff, "count": len(weights), "threshold": config.max_effective_criteria},
            {"n_effective": n_eff, "n_criteria": len(weights),
             "threshold": config.max_effective_criteria},
        )


@rule("RIG006", "crumb", Severity.INFO,
      Text(vi="Tiêu chí quá ít điểm", en="Crumb"),
      Text(vi="Một tiêu chí chiếm tỷ trọng không đáng kể trong tổng điểm.",
           en="A criterion worth a negligible share of the total."),
      Message(
          Text(vi="chỉ {points:g} điểm, {share:.2%} tổng điểm, dưới ngưỡng {threshold:.1%}",
               en="worth {points:g} points, {share:.2%} of the total, below {threshold:.1%}"),
          Text(vi="Gộp vào một tiêu chí liên quan hoặc bỏ đi; chấm tốn công mà không làm thay "
                  "đổi được thứ hạng.",
               en="Merge it into a related criterion or drop it; it costs scoring effort and "
                  "cannot move the ranking.")))
def crumbs(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves("base"):
        share = table.weight(c)
        if share < config.min_criterion_share:
            yield Hit(
                table.key(c),
                {"points": c.max_points, "share": share, "threshold": config.min_criterion_share},
                {"share": share, "threshold": config.min_criterion_share},
            )


_RELATIVE_FIX = Text(
    vi="Đặt chỉ tiêu theo kế hoạch hoặc mức nền của từng đơn vị (target basis: plan / "
       "baseline / previous_year), hoặc tính bình quân đầu người.",
    en="Express the target relative to each member's plan or baseline (target basis: plan / "
       "baseline / previous_year), or per capita.")


@rule("RIG007", "absolute-target", Severity.WARNING,
      Text(vi="Chỉ tiêu tuyệt đối như nhau cho mọi đơn vị", en="Absolute target"),
      Text(vi="Cùng một chỉ tiêu tuyệt đối cho các đơn vị quy mô rất khác nhau, không quy đổi.",
           en="The same absolute target for members of very different size, not normalised."),
      {"sizes_unknown": Message(
          Text(vi="chỉ tiêu tuyệt đối {target:g} {unit} như nhau cho mọi đơn vị; chưa có quy "
                  "mô các đơn vị nên chưa đánh giá được tính công bằng",
               en="absolute target {target:g} {unit} is the same for every member; member "
                  "sizes are not given, so its fairness cannot be judged"),
          Text(vi=_RELATIVE_FIX.vi + " Hoặc liệt kê các đơn vị kèm quy mô để kiểm tra.",
               en=_RELATIVE_FIX.en + " Or list the members with their size to check.")),
       "": Message(
          Text(vi="chỉ tiêu tuyệt đối {target:g} {unit} như nhau cho các đơn vị có {measure} "
                  "chênh nhau {ratio:.1f} lần",
               en="absolute target {target:g} {unit} is the same for members whose {measure} "
                  "differs {ratio:.1f}-fold"),
          _RELATIVE_FIX)})
def absolute_target(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    sizes = [m.size for m in table.members if m.size is not None]
    ratio = max(sizes) / min(sizes) if sizes else None
    if ratio is not None and ratio < config.max_size_ratio:
        return
    markers = tuple(m.lower() for m in config.intensive_unit_markers)
    for c in table.leaves("base"):
        if c.kind != "quantitative" or c.target is None or c.target.basis != "absolute":
            continue
        described = f"{c.unit or ''} {c.measure or ''}".lower()
        if c.unit is None or any(m in described for m in markers):
            continue  # a rate or per-capita value is already normalised
        data = {"target": c.target.value, "unit": c.unit}
        if ratio is None:
            yield Hit(table.key(c), dict(data), data, Severity.INFO, "sizes_unknown")
        else:
            measure = (Words(table.size_measure, table.size_measure) if table.size_measure
                       else Words(vi="quy mô", en="size"))
            yield Hit(
                table.key(c),
                {**data, "measure": measure, "ratio": ratio},
                {**data, "size_ratio": ratio, "threshold": config.max_size_ratio},
            )


@rule("RIG008", "bonus-outweighs", Severity.WARNING,
      Text(vi="Điểm thưởng lấn át điểm chuẩn", en="Bonus outweighs"),
      Text(vi="Điểm thưởng đủ lớn để lấn át bảng điểm chuẩn.",
           en="Bonus points large enough to outweigh the base table."),
      Message(
          Text(vi="điểm thưởng có thể cộng thêm {bonus:g} điểm, bằng {share:.0%} tổng điểm "
                  "chuẩn {total:g} (tiêu chí chuẩn lớn nhất chỉ {largest:g} điểm)",
               en="bonuses can add {bonus:g} points, {share:.0%} of the base total {total:g} "
                  "(the largest base criterion is worth {largest:g})"),
          Text(vi="Khống chế tổng điểm thưởng không quá {threshold:.0%} tổng điểm, để bảng "
                  "điểm chuẩn quyết định thứ hạng.",
               en="Cap all bonuses together at {threshold:.0%} of the total or less, so the "
                  "base table decides the ranking.")))
def bonus_outweighs(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    sections = [s for s in table.sections if s.role == "bonus"]
    bonus = sum(s.contribution for s in sections)
    # Bonus items of criteria count too; those without any limit are RIG009's.
    bonus += sum(b for c in table.walk() if not math.isinf(b := c.bonus_bound))
    share = bonus / table.total
    if bonus > 0 and share > config.max_bonus_share:
        largest = max(c.contribution for c in table.leaves("base"))
        yield Hit(
            table.key(sections[0]) if len(sections) == 1 else None,
            {"bonus": bonus, "share": share, "total": table.total, "largest": largest,
             "threshold": config.max_bonus_share},
            {"bonus": bonus, "share": share, "threshold": config.max_bonus_share,
             "sections": [table.key(s) for s in sections]},
        )
