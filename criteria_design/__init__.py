"""Audit emulation criteria tables (bảng tiêu chí thi đua): rigid points, vague indicators.

Part 1, the table linter: a validated table model read from YAML or
JSON, rules with codes (RIG... rigidity, VAG... vagueness), and reports. See
``criteria_design/README.md`` for the rule list and the command line.
Part 2, statistics from scores (effective weights, SMAA, better weights, rater
agreement) and the rotation audit of award histories: see ``STATISTICS.md``.

Every error raised for bad input is a :class:`CriteriaError`, itself a
:class:`clustering.errors.FairclustersError` (a ``ValueError``); see
:mod:`criteria_design.errors` for the hierarchy.
"""

from criteria_design.config import LintConfig, load_config
from criteria_design.errors import (
    CriteriaError,
    CriteriaParameterError,
    CriteriaTableError,
    HistoryError,
    LexiconError,
    LintConfigError,
    ScoresError,
    StructureError,
    UnknownCriterionError,
    UnknownRuleError,
)
from criteria_design.findings import Finding, Severity
from criteria_design.lexicon import Lexicon, load_lexicon
from criteria_design.lint import lint, list_rules
from criteria_design.redesign import Redesign, redesign
from criteria_design.registry import RULES
from criteria_design.report import format_findings
from criteria_design.rotation import audit_history, load_history
from criteria_design.score_checks import ScoreCheckConfig, audit_scores
from criteria_design.scores import ScoreSheet, load_scores, validate_scores
from criteria_design.table import (
    Adjustment,
    Band,
    CriteriaTable,
    Criterion,
    Knockout,
    Member,
    RubricLevel,
    ScoringRule,
    Step,
    Target,
    Tier,
    load_table,
    save_table,
    table_json_schema,
)

__all__ = [
    "RULES",
    "Adjustment",
    "Band",
    "CriteriaError",
    "CriteriaParameterError",
    "CriteriaTable",
    "CriteriaTableError",
    "Criterion",
    "Finding",
    "HistoryError",
    "Knockout",
    "Lexicon",
    "LexiconError",
    "LintConfig",
    "LintConfigError",
    "Member",
    "Redesign",
    "RubricLevel",
    "ScoreCheckConfig",
    "ScoreSheet",
    "ScoresError",
    "ScoringRule",
    "Severity",
    "Step",
    "StructureError",
    "Target",
    "Tier",
    "UnknownCriterionError",
    "UnknownRuleError",
    "audit_history",
    "audit_scores",
    "format_findings",
    "lint",
    "list_rules",
    "load_config",
    "load_history",
    "load_lexicon",
    "load_scores",
    "load_table",
    "redesign",
    "save_table",
    "table_json_schema",
    "validate_scores",
]
