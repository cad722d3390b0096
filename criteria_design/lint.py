"""The table linter: run the selected rules over a criteria table, return findings.

Rules live in :mod:`criteria_design.rigidity` (RIG) and
:mod:`criteria_design.vagueness` (VAG), the structure of bonus and deduction items,
bands and cross-references in :mod:`criteria_design.structure` (RIG009-RIG018, STR001);
:data:`~criteria_design.registry.RULES`
lists them all. Rule selection works like ruff: codes or prefixes in
``select``, minus those in ``ignore``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from clustering.i18n import DEFAULT_LANGUAGE, check_language

# Importing the rule modules registers their rules.
from criteria_design import rigidity, structure, vagueness  # noqa: F401
from criteria_design.config import LintConfig
from criteria_design.findings import Finding
from criteria_design.registry import RULES, Rule, resolve_rules
from criteria_design.table import CriteriaTable, load_table


def lint(
    table: CriteriaTable | str | os.PathLike,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    config: LintConfig | None = None,
    lang: str = DEFAULT_LANGUAGE,
) -> list[Finding]:
    """Check a criteria table for rigidity and vagueness.

    Parameters
    ----------
    table : CriteriaTable or path or str
        A table, or a file/string for :func:`~criteria_design.table.load_table`.
    select, ignore : list of str, optional
        Rule codes or prefixes (``["RIG", "VAG001"]``); default all rules.
    config : LintConfig, optional
        Thresholds and options; default :class:`LintConfig()`.
    lang : {"vi", "en"}
        The language of the messages and fixes: Vietnamese by default.

    Returns
    -------
    list of Finding
        Table-wide findings first, then by criterion in document order, then by code.
        Each finding about a criterion quotes its text, its path of ids in the table
        and its section (see :func:`~criteria_design.report.arrange` for the report order).

    Raises
    ------
    UnknownRuleError
        A selected or ignored code matches no rule (checked before any work).
    FairclustersError
        ``lang`` is not a known language.
    CriteriaTableError
        ``table`` is a file or string that is not a valid table.

    Examples
    --------
    >>> findings = lint('''
    ... title: Khối thi đua
    ... total: 100
    ... period: năm 2024
    ... sections:
    ...   - id: A
    ...     text: Thực hiện tốt công tác cải cách hành chính
    ...     max_points: 100
    ...     kind: qualitative
    ... ''', select=["VAG001", "VAG002"])
    >>> [(f.code, f.criterion_id, f.line) for f in findings]
    [('VAG001', 'A', 6), ('VAG002', 'A', 6)]
    >>> findings[1].message
    'tiêu chí định tính 100 điểm không có thang mức chấm; mỗi người chấm sẽ tự đặt thang điểm riêng'
    """
    lang = check_language(lang)
    rules = resolve_rules(select, ignore)
    if config is None:
        config = LintConfig()
    elif not isinstance(config, LintConfig):
        raise TypeError(f"config must be a LintConfig, got {type(config).__name__}")
    if not isinstance(table, CriteriaTable):
        table = load_table(table)
    order = {table.key(c): i for i, c in enumerate(table.walk())}
    where = {table.key(node): (node.text, "/".join(ids), ids[0])
             for ids, node in table.id_paths()}
    findings = []
    for r in rules:
        for hit in r.check(table, config):
            message, fix = r.render(hit, lang)
            text, path, section = where.get(hit.criterion_id, (None, None, None))
            findings.append(Finding(
                code=r.code,
                severity=hit.severity or config.severities.get(r.code, r.severity),
                message=message,
                suggestion=fix,
                criterion_id=hit.criterion_id,
                line=table.line_of(hit.criterion_id) if hit.criterion_id else None,
                source=table.source,
                data=hit.data,
                criterion_text=text,
                path=path,
                section=section,
            ))
    findings.sort(
        key=lambda f: (-1 if f.criterion_id is None else order[f.criterion_id], f.code)
    )
    return findings


def list_rules() -> list[Rule]:
    """All available rules, in code order."""
    return [RULES[c] for c in sorted(RULES)]
