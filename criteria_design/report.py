"""Render findings as text (terminal), JSON (tools) or Markdown (documents).

One renderer for every check of the package: table linter, score statistics,
rotation audit all report :class:`~criteria_design.findings.Finding` lists.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from criteria_design.errors import CriteriaParameterError
from criteria_design.findings import Finding, Severity

FORMATS = ("text", "json", "markdown")


def summarize(findings: Sequence[Finding]) -> dict[str, int]:
    """Counts by severity, most severe first, and the total.

    Examples
    --------
    >>> summarize([Finding(code="VAG004", severity="warning", message="no evidence")])
    {'error': 0, 'warning': 1, 'info': 0, 'total': 1}
    """
    counts = Counter(f.severity for f in findings)
    return {s.value: counts.get(s, 0) for s in reversed(Severity)} | {"total": len(findings)}


def format_findings(
    findings: Sequence[Finding], fmt: str = "text", title: str | None = None
) -> str:
    """Render findings.

    Parameters
    ----------
    findings : sequence of Finding
    fmt : {"text", "json", "markdown"}
    title : str, optional
        A heading (text, Markdown) or a ``title`` field (JSON).

    Examples
    --------
    >>> f = Finding(code="VAG002", severity="warning", message="no rubric",
    ...             suggestion="add levels", criterion_id="B.1", line=12, source="t.yaml")
    >>> print(format_findings([f]))
    t.yaml:12 [B.1] VAG002 warning: no rubric
        fix: add levels
    1 finding: 0 errors, 1 warning, 0 info
    """
    if fmt not in FORMATS:
        raise CriteriaParameterError(
            f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    findings = list(findings)
    if fmt == "json":
        doc = {
            "title": title,
            "summary": summarize(findings),
            "findings": [f.model_dump(mode="json") for f in findings],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)
    if fmt == "markdown":
        return _markdown(findings, title)
    return _text(findings, title)


def _summary_line(findings: Sequence[Finding]) -> str:
    s = summarize(findings)
    noun = "finding" if s["total"] == 1 else "findings"
    errors = "error" if s["error"] == 1 else "errors"
    warnings = "warning" if s["warning"] == 1 else "warnings"
    return (f"{s['total']} {noun}: {s['error']} {errors}, {s['warning']} {warnings}, "
            f"{s['info']} info")


def _text(findings: Sequence[Finding], title: str | None) -> str:
    lines = [title] if title else []
    for f in findings:
        lines.append(f"{f.location} {f.code} {f.severity.value}: {f.message}")
        if f.suggestion:
            lines.append(f"    fix: {f.suggestion}")
    lines.append(_summary_line(findings))
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(findings: Sequence[Finding], title: str | None) -> str:
    lines = [f"## {title}", ""] if title else []
    lines.append(_summary_line(findings))
    if findings:
        lines += [
            "",
            "| code | severity | criterion | line | finding | suggestion |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            f"| {f.code} | {f.severity.value} | {_cell(f.criterion_id or '(table)')} | "
            f"{'' if f.line is None else f.line} | {_cell(f.message)} | {_cell(f.suggestion)} |"
            for f in findings
        ]
    return "\n".join(lines)
