"""Findings: what an audit of a criteria table (or of its scores) reports.

Every check in :mod:`criteria_design` returns :class:`Finding` objects, so that
the linter rules of the table, the statistics on scores and the rotation audit
share one report format, one severity scale and one exit-code policy.
"""

from __future__ import annotations

from enum import Enum

from pydantic import ConfigDict, Field

from clustering.validation import FairclustersModel
from criteria_design.errors import CriteriaParameterError


class Severity(str, Enum):
    """How serious a finding is, ordered ``info < warning < error``."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]

    def __ge__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank >= other.rank

    def __gt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank > other.rank

    def __le__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank <= other.rank

    def __lt__(self, other: object) -> bool:  # type: ignore[override]
        if not isinstance(other, Severity):
            return NotImplemented
        return self.rank < other.rank


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class Finding(FairclustersModel):
    """One problem found by a rule.

    Parameters
    ----------
    code : str
        The rule code, e.g. ``"RIG001"`` (rigidity) or ``"VAG003"`` (vagueness).
    severity : Severity
        ``info``, ``warning`` or ``error``.
    message : str
        What is wrong, in one sentence, naming the values involved.
    suggestion : str
        A concrete way to fix it.
    criterion_id : str or None
        The criterion concerned; ``None`` for a finding about the whole table.
    line : int or None
        The line in the source file where that criterion is defined, when known.
    source : str or None
        The file the table (or scores) came from, when known.
    data : dict
        The measured values behind the finding (for JSON reports and tests).
    criterion_text : str or None
        The criterion's text as written in the table, quoted by reports.
    path : str or None
        The criterion's path of ids in the original table (``"I/2/a"``).
    section : str or None
        The id of the top-level section holding the criterion; reports group by it.
    """

    model_config = ConfigDict(frozen=True)
    error_class = CriteriaParameterError

    code: str
    severity: Severity
    message: str
    suggestion: str = ""
    criterion_id: str | None = None
    line: int | None = None
    source: str | None = None
    data: dict = Field(default_factory=dict)
    criterion_text: str | None = None
    path: str | None = None
    section: str | None = None

    @property
    def location(self) -> str:
        """``file:line [criterion]`` as far as known, for terminal reports."""
        where = self.source or ""
        if self.line is not None:
            where = f"{where}:{self.line}" if where else f"line {self.line}"
        if self.criterion_id is not None:
            where = f"{where} [{self.criterion_id}]" if where else f"[{self.criterion_id}]"
        return where or "(table)"
