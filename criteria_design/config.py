"""Thresholds of the linter rules, each a parameter with its source.

Where no published threshold exists for scoring tables, the default is the
project's own proposal and says so; every value can be changed per run
(``LintConfig(max_bonus_share=0.05)``, or a YAML file passed to
``criteria-lint --config``).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import ConfigDict, Field

from clustering.files import FileFormatError, load_yaml, read_text
from clustering.validation import FairclustersModel
from criteria_design.errors import LintConfigError
from criteria_design.findings import Severity
from criteria_design.lexicon import Lexicon, load_lexicon

__all__ = ["LintConfig", "LintConfigError", "load_config"]


class LintConfig(FairclustersModel):
    """Thresholds and options of the table linter.

    Invalid values raise :class:`~criteria_design.errors.LintConfigError` naming the field.

    Examples
    --------
    >>> LintConfig(max_bonus_share=0.05).max_bonus_share
    0.05
    >>> try:
    ...     LintConfig(max_bonus_share=-1)
    ... except LintConfigError as exc:
    ...     print(exc)
    invalid LintConfig: max_bonus_share: Input should be greater than or equal to 0, got -1
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    error_class = LintConfigError

    heavy_share: float = Field(
        0.05, gt=0, le=1,
        description="RIG001: an all-or-nothing criterion at or above this share of the total is "
        "'heavy'. Own proposal; in the reference run a 10 % all-or-nothing item carried 29 % "
        "of the variance of the totals.",
    )
    max_binary_share: float = Field(
        0.5, gt=0, le=1,
        description="RIG002: flag a table whose all-or-nothing criteria hold at least this share "
        "of the base points. Own proposal.",
    )
    equal_points_min_siblings: int = Field(
        4, ge=2,
        description="RIG003: sibling criteria all worth the same points are flagged from this "
        "many on. Own proposal.",
    )
    max_section_share: float = Field(
        0.5, gt=0, le=1,
        description="RIG004: one section above this share of the total dominates. Proposal of "
        "the project's research note (no published threshold for criteria tables).",
    )
    max_criterion_share: float = Field(
        0.30, gt=0, le=1,
        description="RIG004: one criterion above this share of the total dominates. Same source.",
    )
    max_effective_criteria: float = Field(
        40, gt=1,
        description="RIG005: effective number of criteria 1/sum(w^2) above this is a table in "
        "crumbs. JRC COIN Tool FAQ: 30-40 indicators is still interpretable.",
    )
    min_criterion_share: float = Field(
        0.005, ge=0, lt=1,
        description="RIG006: a criterion below this share of the total (5 of 1,000 points) is a "
        "crumb. Own proposal.",
    )
    max_size_ratio: float = Field(
        3.0, gt=1,
        description="RIG007: identical absolute targets are unfair when the largest member is "
        "this many times the smallest. Own proposal.",
    )
    intensive_unit_markers: tuple[str, ...] = Field(
        ("%", "‰", "/", "tỷ lệ", "bình quân", "per", "rate", "ratio", "share", "điểm"),
        description="RIG007: a unit or measure containing one of these is already normalised "
        "to the member (a rate, a share, a per-capita value).",
    )
    max_bonus_share: float = Field(
        0.10, ge=0,
        description="RIG008: bonus points above this share of the base total can outweigh the "
        "base table. Own proposal (totals in a cluster are often within 1 % of each other).",
    )
    small_binary_min_items: int = Field(
        3, ge=2,
        description="RIG013: this many all-or-nothing criteria, each below heavy_share and "
        "together at least heavy_share of the total, are reported as a group. Own proposal.",
    )
    bonus_overlap: float = Field(
        0.7, gt=0, le=1,
        description="RIG014: a bonus whose words are at least this share of the criterion's "
        "words, with no word asking for more ('vượt', 'trên'...), rewards what the criterion "
        "already requires. Own proposal.",
    )
    max_compound_parts: int = Field(
        2, ge=1,
        description="VAG006: a criterion asking more than this many things at once is compound. "
        "Own proposal.",
    )
    lexicon_files: tuple[Path, ...] = Field(
        (), description="VAG001: extra lexicon files added to the shipped one."
    )
    severities: dict[str, Severity] = Field(
        default_factory=dict, description="Override the default severity of a rule, by code."
    )

    def lexicon(self) -> Lexicon:
        """The shipped lexicon extended by ``lexicon_files`` (loaded once per set of files)."""
        return _cached_lexicon(tuple(str(p) for p in self.lexicon_files))


@lru_cache(maxsize=16)
def _cached_lexicon(paths: tuple[str, ...]) -> Lexicon:
    return load_lexicon(*paths)


def load_config(path: str | os.PathLike, **overrides: object) -> LintConfig:
    """Read a :class:`LintConfig` from a YAML file (keys are the field names).

    Raises
    ------
    LintConfigError
        Unreadable or malformed file, unknown key, or out-of-range value.
    """
    try:
        data = load_yaml(read_text(path), str(path)) or {}
    except (OSError, FileFormatError) as exc:
        raise LintConfigError(f"cannot read lint configuration {str(path)!r}: {exc}") from None
    if not isinstance(data, dict):
        raise LintConfigError(f"{path}: the configuration must be a mapping of thresholds")
    try:
        return LintConfig(**{**data, **overrides})
    except LintConfigError as exc:
        details = "; ".join(map(str, exc.problems))
        raise LintConfigError(f"{path}: {details}", problems=exc.problems) from exc.__cause__
