"""Render findings as text (terminal), JSON (tools) or Markdown (documents).

One renderer for every check of the package: table linter, score statistics,
rotation audit all report :class:`~criteria_design.findings.Finding` lists.
Reports are in Vietnamese unless ``lang="en"``. Findings are grouped by the
section of the table they concern (table-wide ones first) and ranked within
each group: errors, then warnings, then notes (:func:`arrange`). A kind of
finding repeated on many rows is shown once, as a summary naming the rows
(:func:`collapse_repeats`); the JSON report keeps every finding.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from criteria_design.errors import CriteriaParameterError
from criteria_design.findings import Finding, Severity
from criteria_design.registry import RULES

FORMATS = ("text", "json", "markdown")
#: A kind of per-row finding seen this many times or more is summarised in one entry.
MIN_REPEATS = 10
_SHOWN = 5  # rows named in a summary

SEVERITY_WORDS = {
    "vi": {"error": "lỗi", "warning": "cảnh báo", "info": "lưu ý"},
    "en": {"error": "error", "warning": "warning", "info": "info"},
}
_SUMMARY = Text(
    vi="{count} tiêu chí cùng có phát hiện {code} ({title}): {shown}{more}",
    en="{count} criteria share the finding {code} ({title}): {shown}{more}",
)
_MORE = Text(vi=" và {rest} tiêu chí khác", en=" and {rest} more")
_FIX = Text(vi="cách sửa: {fix}", en="fix: {fix}")
_QUOTE = Text(vi="tiêu chí “{text}” (mục {path})", en="criterion “{text}” (at {path})")
_WHOLE = Text(vi="Toàn bảng", en="Whole table")
_SECTION = Text(vi="Mục {section}", en="Section {section}")
_TOTALS = Text(vi="{total} phát hiện: {error} lỗi, {warning} cảnh báo, {info} lưu ý",
               en="{total} {noun}: {error} {errors}, {warning} {warnings}, {info} info")
_COLUMNS = Text(vi="| mã | mức độ | tiêu chí | dòng | phát hiện | cách sửa | nội dung tiêu chí |",
                en="| code | severity | criterion | line | finding | suggestion | criterion text |")


def arrange(findings: Sequence[Finding]) -> list[tuple[str | None, list[Finding]]]:
    """Findings grouped by section, each group ranked errors, warnings, then notes.

    Parameters
    ----------
    findings : sequence of Finding
        Findings in document order (as :func:`~criteria_design.lint.lint` returns them).

    Returns
    -------
    list of (str or None, list of Finding)
        ``(section id, its findings)``; table-wide findings (section ``None``) first,
        then the sections in the order they first appear. Within a group the order
        is by severity, most severe first, and otherwise the order given.

    Examples
    --------
    >>> fs = [Finding(code="VAG005", severity="info", message="a", section="A"),
    ...       Finding(code="RIG001", severity="warning", message="b", section="A"),
    ...       Finding(code="RIG002", severity="warning", message="c")]
    >>> [(s, [f.code for f in group]) for s, group in arrange(fs)]
    [(None, ['RIG002']), ('A', ['RIG001', 'VAG005'])]
    """
    groups: dict[str | None, list[Finding]] = {None: []}
    for f in findings:
        groups.setdefault(f.section, []).append(f)
    return [(section, sorted(group, key=lambda f: -f.severity.rank))
            for section, group in groups.items() if group]


def collapse_repeats(
    findings: Sequence[Finding], min_repeats: int = MIN_REPEATS, lang: str = DEFAULT_LANGUAGE
) -> list[Finding]:
    """Replace a kind of per-row finding repeated ``min_repeats`` times or more by one summary.

    Parameters
    ----------
    findings : sequence of Finding
        The findings of one report.
    min_repeats : int
        From how many findings of one code on criteria (rows) they are summarised.
    lang : {"vi", "en"}
        The language of the summary's message.

    Returns
    -------
    list of Finding
        The other findings unchanged and in order; each summary takes the place of
        the first finding it replaces, is table-wide, keeps the most severe severity
        and the most common fix, and lists in ``data`` the ``count``, the
        ``criteria`` (keys) and their ``paths``.

    Examples
    --------
    >>> fs = [Finding(code="VAG004", severity="warning", message="no evidence",
    ...               criterion_id=f"A.{i}", path=f"A/A.{i}") for i in range(12)]
    >>> (s,) = collapse_repeats(fs, lang="en")
    >>> print(s.message)  # doctest: +NORMALIZE_WHITESPACE
    12 criteria share the finding VAG004 (No evidence): A/A.0, A/A.1, A/A.2, A/A.3, A/A.4
    and 7 more
    """
    if min_repeats < 2:
        raise CriteriaParameterError(f"min_repeats={min_repeats!r}; expected an integer >= 2")
    lang = check_language(lang)
    by_code = Counter(f.code for f in findings if f.criterion_id is not None)
    repeated = {code for code, n in by_code.items() if n >= min_repeats}
    out: list[Finding] = []
    done: set[str] = set()
    for f in findings:
        if f.criterion_id is None or f.code not in repeated:
            out.append(f)
        elif f.code not in done:  # the first of its kind: the summary goes here
            done.add(f.code)
            out.append(_summary(f.code, [g for g in findings if g.code == f.code
                                         and g.criterion_id is not None], lang))
    return out


def _summary(code: str, rows: list[Finding], lang: str) -> Finding:
    paths = [f.path or f.criterion_id or "" for f in rows]
    rule = RULES.get(code)
    rest = len(rows) - _SHOWN
    message = _SUMMARY(
        lang, count=len(rows), code=code, title=rule.title(lang) if rule else code,
        shown=", ".join(paths[:_SHOWN]), more=_MORE(lang, rest=rest) if rest > 0 else "")
    fix = Counter(f.suggestion for f in rows).most_common(1)[0][0]
    return Finding(
        code=code, severity=max((f.severity for f in rows), key=lambda s: s.rank),
        message=message, suggestion=fix, source=rows[0].source,
        data={"summary": True, "count": len(rows),
              "criteria": [f.criterion_id for f in rows], "paths": paths},
    )



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
    findings: Sequence[Finding],
    fmt: str = "text",
    title: str | None = None,
    lang: str = DEFAULT_LANGUAGE,
    min_repeats: int = MIN_REPEATS,
) -> str:
    """Render findings, grouped by section and ranked by severity.

    Parameters
    ----------
    findings : sequence of Finding
        What to report.
    fmt : {"text", "json", "markdown"}
        The report format.
    title : str, optional
        A heading (text, Markdown) or a ``title`` field (JSON).
    lang : {"vi", "en"}
        The language of the report's own words (headings, severities, totals):
        Vietnamese by default. The findings' messages are in the language they
        were made in (``lint(..., lang=...)``).
    min_repeats : int
        Text and Markdown show a kind of per-row finding repeated this often once,
        as a summary (:func:`collapse_repeats`); JSON lists every finding, in the
        order given, each with its ``section`` and ``path``.

    Examples
    --------
    >>> f = Finding(code="VAG002", severity="warning", message="no rubric",
    ...             suggestion="add levels", criterion_id="B.1", line=12, source="t.yaml",
    ...             criterion_text="Công tác tuyên truyền", path="B/B.1", section="B")
    >>> print(format_findings([f], lang="en"))
    == Section B ==
    t.yaml:12 [B.1] VAG002 warning: no rubric
        criterion “Công tác tuyên truyền” (at B/B.1)
        fix: add levels
    1 finding: 0 errors, 1 warning, 0 info
    """
    if fmt not in FORMATS:
        raise CriteriaParameterError(
            f"unknown report format {fmt!r}; expected one of {', '.join(FORMATS)}"
        )
    lang = check_language(lang)
    findings = list(findings)
    if fmt == "json":
        doc = {
            "title": title,
            "summary": summarize(findings),
            # every finding, in the order given: tools sort and group for themselves
            "findings": [f.model_dump(mode="json") for f in findings],
        }
        return json.dumps(doc, ensure_ascii=False, indent=2)
    groups = arrange(collapse_repeats(findings, min_repeats, lang))
    if fmt == "markdown":
        return _markdown(findings, groups, title, lang)
    return _text(findings, groups, title, lang)


def _summary_line(findings: Sequence[Finding], lang: str) -> str:
    s = summarize(findings)
    return _TOTALS(
        lang, total=s["total"], error=s["error"], warning=s["warning"], info=s["info"],
        noun="finding" if s["total"] == 1 else "findings",
        errors="error" if s["error"] == 1 else "errors",
        warnings="warning" if s["warning"] == 1 else "warnings",
    )


def _heading(section: str | None, lang: str) -> str:
    return _WHOLE(lang) if section is None else _SECTION(lang, section=section)


def _text(findings: Sequence[Finding], groups: list, title: str | None, lang: str) -> str:
    lines = [title] if title else []
    words = SEVERITY_WORDS[lang]
    for section, group in groups:
        lines.append(f"== {_heading(section, lang)} ==")
        for f in group:
            lines.append(f"{f.location} {f.code} {words[f.severity.value]}: {f.message}")
            if f.criterion_text:
                quote = _QUOTE(lang, text=f.criterion_text, path=f.path or f.criterion_id)
                lines.append(f"    {quote}")
            if f.suggestion:
                lines.append(f"    {_FIX(lang, fix=f.suggestion)}")
    lines.append(_summary_line(findings, lang))
    return "\n".join(lines)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _markdown(findings: Sequence[Finding], groups: list, title: str | None, lang: str) -> str:
    lines = [f"## {title}", ""] if title else []
    lines.append(_summary_line(findings, lang))
    words = SEVERITY_WORDS[lang]
    for section, group in groups:
        lines += ["", f"### {_heading(section, lang)}", "", _COLUMNS(lang),
                  "|---|---|---|---|---|---|---|"]
        lines += [
            f"| {f.code} | {words[f.severity.value]} | {_cell(f.criterion_id or '')} | "
            f"{'' if f.line is None else f.line} | {_cell(f.message)} | {_cell(f.suggestion)} | "
            f"{_cell(f.criterion_text or '')} |"
            for f in group
        ]
    return "\n".join(lines)
