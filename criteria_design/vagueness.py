"""Vagueness rules (VAG): criteria a rater cannot score the same way twice.

The checks follow the SMART and RACER indicator-quality frameworks: a
criterion should name what is measured, in which unit, against which
threshold, by which deadline, verified by whom, and ask one thing at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from criteria_design.config import LintConfig
from criteria_design.findings import Severity
from criteria_design.registry import Hit, rule
from criteria_design.table import CriteriaTable, Criterion


def has_structured_threshold(criterion: Criterion) -> bool:
    """Whether the fields (not the text) say what is required: a target, thresholds or levels."""
    scoring = criterion.scoring
    return (
        criterion.target is not None
        or bool(criterion.rubric)
        or (scoring is not None and scoring.method in ("linear", "steps", "deduction"))
    )


@rule("VAG001", "vague-wording", Severity.WARNING,
      "Vague wording (lexicon) without a measurable anchor.")
def vague_wording(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    lexicon = config.lexicon()
    for c in table.leaves():
        # A target, thresholds or rubric define what the adjective means.
        structured = has_structured_threshold(c)
        found = [(m, "text") for m in lexicon.find(c.text) if not (m.anchored or structured)]
        for level in c.rubric or []:
            found += [
                (m, f"rubric level {level.points:g}")
                for m in lexicon.find(level.description)
                if not m.anchored
            ]
        if not found:
            continue
        terms = list(dict.fromkeys(f"{m.term!r} ({where})" for m, where in found))
        groups = list(dict.fromkeys(m.group for m, _ in found))
        yield Hit(
            c.id,
            f"vague wording without a measurable anchor: {', '.join(terms)}",
            " ".join(lexicon.groups[g].suggestion for g in groups),
            {"terms": list(dict.fromkeys(m.term for m, _ in found)), "groups": groups},
        )


@rule("VAG002", "no-rubric", Severity.WARNING,
      "A qualitative criterion without a rubric of anchored levels.")
def no_rubric(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        if c.kind == "qualitative" and c.role != "deduction" and not c.rubric:
            yield Hit(
                c.id,
                f"qualitative criterion worth {c.max_points:g} points has no rubric; each "
                "rater will invent their own scale",
                "Add 3-5 rubric levels, each with its points and an observable description "
                "(what evidence earns it).",
                {"points": c.max_points},
            )


@rule("VAG003", "not-measurable", Severity.WARNING,
      "A quantitative criterion without a unit or a threshold.")
def not_measurable(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        if c.kind != "quantitative":
            continue
        missing = []
        if c.unit is None:
            missing.append("unit")
        if not has_structured_threshold(c) and not re.search(r"\d", c.text):
            missing.append("target or scoring thresholds")
        if missing:
            yield Hit(
                c.id,
                f"quantitative criterion without {' and '.join(missing)}",
                "State the measure and its unit, the target (relative to plan or baseline) and "
                "the scoring rule (e.g. linear from 80 % to 100 % of the target).",
                {"missing": missing},
            )


@rule("VAG004", "no-evidence", Severity.WARNING,
      "No evidence or verification source named.")
def no_evidence(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        if not c.evidence:
            yield Hit(
                c.id,
                "no evidence or verification source: the score cannot be checked by a third "
                "party",
                "Name the document or data that proves the score (e.g. a statistics office "
                "report, an inspection conclusion, a dated decision).",
            )


_TIME = re.compile(
    r"\d{1,2}/\d{1,2}|(?<!\w)(?:năm|quý|tháng|trước ngày|hằng năm|hằng quý|hằng tháng|"
    r"year|quarter|month|annual|annually|deadline)(?!\w)"
)


@rule("VAG005", "no-time-bound", Severity.INFO,
      "No period or deadline, neither on the criterion nor on the table.")
def no_time_bound(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    if table.period:
        return
    for c in table.leaves():
        if not c.period and not _TIME.search(c.text.lower()):
            yield Hit(
                c.id,
                "no period or deadline: results of which year, measured when?",
                "Set the period on the table (e.g. 'năm 2024') or on the criterion, and a "
                "deadline where timing matters.",
            )


_PARENTHESES = re.compile(r"\([^()]*\)")
_SEPARATOR = re.compile(
    r";|,(?!\d)|(?<!\w)(?:và|hoặc|đồng thời|cũng như|and|or|as well as)(?!\w)"
)


def count_demands(text: str) -> int:
    """How many things a criterion's text asks for: parts separated by commas, ';', 'và', 'and'.

    Parenthesised remarks and decimal commas do not split.

    Examples
    --------
    >>> count_demands("Tổ chức hội nghị, ký giao ước và sơ kết phong trào")
    3
    >>> count_demands("Tỷ lệ giải ngân (so với kế hoạch, %) đạt 95,5 %")
    1
    """
    body = _PARENTHESES.sub(" ", text.lower())
    return sum(1 for part in _SEPARATOR.split(body) if part.strip(" .:-"))


@rule("VAG006", "compound", Severity.WARNING,
      "A compound criterion asking several things at once.")
def compound(table: CriteriaTable, config: LintConfig) -> Iterator[Hit]:
    for c in table.leaves():
        parts = count_demands(c.text)
        if parts > config.max_compound_parts:
            yield Hit(
                c.id,
                f"asks {parts} things at once; a member doing some of them cannot be scored "
                "consistently",
                "Split it into separate criteria, each with its own points and evidence, or "
                "score each part in a rubric.",
                {"parts": parts, "threshold": config.max_compound_parts},
            )
