"""Rigidity rules (RIG): what the point structure itself makes unfair or brittle.

All computed from the table alone. Nominal weights are ``w_j = M_j / total``
over the base criteria (bonuses and deductions come on top of the base table).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from criteria_design.config import LintConfig
from criteria_design.errors import CriteriaParameterError
from criteria_design.findings import Severity
from criteria_design.registry import Hit, rule
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
      "A heavy criterion scored all-or-nothing: one miss moves a member by its full weight.")
def heavy_all_or_nothing(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves("base"):
        share = table.weight(c)
        if is_all_or_nothing(c) and share >= config.heavy_share:
            yield Hit(
                table.key(c),
                f"{c.max_points:g} points ({share:.1%} of the total) are awarded all-or-nothing",
                "Score it linearly between two thresholds or in steps (e.g. 50 % of the points "
                "at 80 % of the target), so near-misses are told apart from failures.",
                {"points": c.max_points, "share": share, "threshold": config.heavy_share},
            )


@rule("RIG002", "no-partial-credit", Severity.WARNING,
      "Most of the table is scored all-or-nothing: no partial credit anywhere.")
def no_partial_credit(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    binary = [c for c in table.leaves("base") if is_all_or_nothing(c)]
    share = sum(table.weight(c) for c in binary)
    if share >= config.max_binary_share:
        yield Hit(
            None,
            f"{share:.0%} of the base points ({len(binary)} criteria) can only be won in full "
            "or lost in full",
            "Give partial credit on most criteria (linear or step scoring, rubric levels); keep "
            "all-or-nothing for true yes/no conditions worth few points.",
            {"share": share, "criteria": [table.key(c) for c in binary],
             "threshold": config.max_binary_share},
        )


@rule("RIG003", "equal-points", Severity.INFO,
      "Sibling criteria all worth the same points, whatever their importance.")
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
        where = f"group {group_id!r}" if group_id else "the top level"
        ids = [table.key(c) for c in leaves]
        if None not in importances and len(importances) > 1:
            yield Hit(
                group_id,
                f"the {len(leaves)} criteria of {where} are all worth {points.pop():g} points "
                f"although their declared importance ranges from {min(importances):g} to "
                f"{max(importances):g}",
                "Set the points in proportion to the declared importance, or revise the "
                "importance.",
                {"criteria": ids, "importance": [c.importance for c in leaves]},
                Severity.WARNING,
            )
        elif None in importances:
            yield Hit(
                group_id,
                f"the {len(leaves)} criteria of {where} are all worth {points.pop():g} points; "
                "equal points say they matter equally",
                "Confirm they are equally important, or weight them (declare `importance`, "
                "e.g. from a pairwise comparison) and set the points accordingly.",
                {"criteria": ids},
            )


@rule("RIG004", "dominance", Severity.WARNING,
      "One section or one criterion holds too large a share of the total.")
def dominance(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    base_sections = [s for s in table.sections if s.role == "base"]
    if len(base_sections) >= 2:
        for s in base_sections:
            share = table.weight(s)
            if share > config.max_section_share:
                yield Hit(
                    table.key(s),
                    f"section holds {share:.0%} of the total ({s.max_points:g} of "
                    f"{table.total:g} points), above {config.max_section_share:.0%}",
                    "Rebalance the sections, or state why this area should decide the ranking "
                    "on its own.",
                    {"share": share, "threshold": config.max_section_share},
                )
    for c in table.leaves("base"):
        share = table.weight(c)
        if share > config.max_criterion_share:
            yield Hit(
                table.key(c),
                f"one criterion holds {share:.0%} of the total, above "
                f"{config.max_criterion_share:.0%}",
                "Split it into measurable sub-criteria or reduce its points.",
                {"share": share, "threshold": config.max_criterion_share},
            )


@rule("RIG005", "fragmentation", Severity.WARNING,
      "Too many small criteria: the effective number of criteria is very high.")
def fragmentation(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    weights = [table.weight(c) for c in table.leaves("base") if c.contribution > 0]
    if not weights:
        return
    n_eff = effective_number(weights)
    # relative slack: 40 equal criteria give 40.000000001 in floating point
    if n_eff > config.max_effective_criteria * (1 + 1e-9):
        yield Hit(
            None,
            f"effective number of criteria 1/sum(w^2) = {n_eff:.1f} over {len(weights)} "
            f"criteria, above {config.max_effective_criteria:g}",
            "Merge related criteria into fewer, measurable ones; each should be able to move "
            "the ranking.",
            {"n_effective": n_eff, "n_criteria": len(weights),
             "threshold": config.max_effective_criteria},
        )


@rule("RIG006", "crumb", Severity.INFO,
      "A criterion worth a negligible share of the total.")
def crumbs(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves("base"):
        share = table.weight(c)
        if share < config.min_criterion_share:
            yield Hit(
                table.key(c),
                f"worth {c.max_points:g} points, {share:.2%} of the total, below "
                f"{config.min_criterion_share:.1%}",
                "Merge it into a related criterion or drop it; it costs scoring effort and "
                "cannot move the ranking.",
                {"share": share, "threshold": config.min_criterion_share},
            )


@rule("RIG007", "absolute-target", Severity.WARNING,
      "The same absolute target for members of very different size, not normalised.")
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
        fix = ("Express the target relative to each member's plan or baseline "
               "(target basis: plan / baseline / previous_year), or per capita.")
        if ratio is None:
            yield Hit(
                table.key(c),
                f"absolute target {c.target.value:g} {c.unit} is the same for every member; "
                "member sizes are not given, so its fairness cannot be judged",
                fix + " Or list the members with their size to check.",
                data,
                Severity.INFO,
            )
        else:
            yield Hit(
                table.key(c),
                f"absolute target {c.target.value:g} {c.unit} is the same for members whose "
                f"{table.size_measure or 'size'} differs {ratio:.1f}-fold",
                fix,
                {**data, "size_ratio": ratio, "threshold": config.max_size_ratio},
            )


@rule("RIG008", "bonus-outweighs", Severity.WARNING,
      "Bonus points large enough to outweigh the base table.")
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
            f"bonuses can add {bonus:g} points, {share:.0%} of the base total "
            f"{table.total:g} (the largest base criterion is worth {largest:g})",
            f"Cap all bonuses together at {config.max_bonus_share:.0%} of the total or less, "
            "so the base table decides the ranking.",
            {"bonus": bonus, "share": share, "threshold": config.max_bonus_share,
             "sections": [table.key(s) for s in sections]},
        )
