"""The rule registry: every linter rule has a code, a name, a default severity and a check.

A check is a plain function ``check(table, config) -> Iterable[Hit]``; the
linter turns hits into :class:`~criteria_design.findings.Finding` objects,
adding the code, severity, file and line, so rule code stays about the table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from criteria_design.errors import UnknownRuleError
from criteria_design.findings import Severity

if TYPE_CHECKING:
    from criteria_design.config import LintConfig
    from criteria_design.table import CriteriaTable


@dataclass(frozen=True)
class Hit:
    """What a check found: where, what, how to fix it, and the numbers behind it."""

    criterion_id: str | None
    message: str
    suggestion: str
    data: dict = field(default_factory=dict)
    severity: Severity | None = None  # None: the rule's default


Check = Callable[["CriteriaTable", "LintConfig"], Iterable[Hit]]


@dataclass(frozen=True)
class Rule:
    """A linter rule."""

    code: str
    name: str
    severity: Severity
    summary: str
    check: Check


#: All registered rules by code, in registration order.
RULES: dict[str, Rule] = {}


def rule(code: str, name: str, severity: Severity, summary: str) -> Callable[[Check], Check]:
    """Register a check function under ``code`` (decorator)."""

    def register(check: Check) -> Check:
        if code in RULES:
            raise ValueError(f"rule code {code!r} registered twice")
        RULES[code] = Rule(code, name, severity, summary, check)
        return check

    return register


def resolve_rules(
    select: Iterable[str] | None = None, ignore: Iterable[str] | None = None
) -> list[Rule]:
    """The rules chosen by ``select`` minus ``ignore``; codes or prefixes ("RIG", "VAG0").

    Raises
    ------
    UnknownRuleError
        A code or prefix matches no rule.
    TypeError
        ``select`` or ``ignore`` is a single string instead of a collection.

    Examples
    --------
    >>> import criteria_design.lint  # registers the rules
    >>> [r.code for r in resolve_rules(["VAG00"], ignore=["VAG005", "VAG006"])]
    ['VAG001', 'VAG002', 'VAG003', 'VAG004']
    """
    chosen = list(RULES) if select is None else _expand(select, "select")
    dropped = set() if ignore is None else set(_expand(ignore, "ignore"))
    return [RULES[c] for c in chosen if c not in dropped]


def _expand(codes: Iterable[str], what: str) -> list[str]:
    if isinstance(codes, str):
        raise TypeError(f"{what} must be a list of rule codes, got the string {codes!r}")
    out: list[str] = []
    for raw in codes:
        code = str(raw).strip().upper()
        matched = [c for c in RULES if code == "ALL" or c.startswith(code)] if code else []
        if not matched:
            raise UnknownRuleError(
                f"unknown rule code {raw!r} in {what}; known codes: {', '.join(RULES)}"
            )
        out.extend(c for c in matched if c not in out)
    return out
