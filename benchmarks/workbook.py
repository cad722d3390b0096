"""Excel workbooks: the report's tables as ``report.xlsx``, and plans readable back as proposals.

:func:`write_workbook` puts every table of the report in a sheet of its own, with
the very numbers and texts the Markdown report shows (it reuses
:func:`benchmarks.text_report.table_rows`, each plan's fairness rows and scores;
nothing is recomputed):

- a summary (dataset, rules, dissimilarity, optimizer, sample) and how to read the table;
- the side-by-side table;
- one sheet per plan: each cluster, its size, population and members;
- every member of every plan, one row each (plan, cluster, id, name);
- every plan's fairness rows, and its raw scores with their ranks.

:func:`write_plan_xlsx` writes one plan as a proposal workbook that
:func:`benchmarks.proposals.read_proposal` reads back (sheet ``clusters``: cluster,
unit id, unit name; sheet ``about``: name, dataset, notes).

Both need openpyxl (the ``excel`` extra: ``pip install "fairclusters[excel]"``);
without it they raise :class:`~clustering.errors.MissingDependencyError`.
Text is written as text: a name starting with ``=`` is never a formula.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from clustering.errors import MissingDependencyError
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.plan import Plan

from .compare import METRICS, Benchmark
from .text_report import (
    NOT_COMPARABLE,
    WORDS,
    beats,
    display_name,
    legend_lines,
    summary_lines,
    table_rows,
)

__all__ = ["WORKBOOK_SKIPPED", "require_openpyxl", "write_plan_xlsx", "write_workbook"]

#: What the report says when it cannot write ``report.xlsx``.
WORKBOOK_SKIPPED = Text(vi="Không ghi report.xlsx: {why}", en="report.xlsx skipped: {why}")

_SHEETS = {
    "summary": Text(vi="Tóm tắt", en="Summary"),
    "members": Text(vi="Các đơn vị", en="Members"),
    "fairness": Text(vi="Mức độ công bằng", en="Fairness"),
    "scores": Text(vi="Chỉ số", en="Scores"),
}
_HEADERS = {
    "plan": Text(vi="phương án", en="plan"),
    "cluster": Text(vi="cụm", en="cluster"),
    "size": Text(vi="số đơn vị", en="size"),
    "population": Text(vi="dân số", en="population"),
    "members": Text(vi="các đơn vị", en="members"),
    "ids": Text(vi="mã các đơn vị", en="member ids"),
    "unit_id": Text(vi="mã", en="unit_id"),
    "unit_name": Text(vi="tên đơn vị", en="unit_name"),
    "metric": Text(vi="chỉ số", en="metric"),
    "value": Text(vi="giá trị", en="value"),
    "meaning": Text(vi="ý nghĩa", en="meaning"),
    "key": Text(vi="mã chỉ số", en="key"),
    "beats": Text(vi="tốt hơn (%) số phương án hợp lệ", en="better than (%) of valid plans"),
    "comparable": Text(vi="so sánh được", en="comparable"),
}

#: Characters Excel refuses in a sheet's name; names are at most 31 characters.
_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")
#: Control characters an .xlsx cell cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE).
_ILLEGAL = re.compile(r"[\000-\010\013\014\016-\037]")


def require_openpyxl(feature: str = "writing .xlsx files") -> Any:
    """The openpyxl module, or a clear error naming the ``excel`` extra.

    Parameters
    ----------
    feature : str
        What needs openpyxl, named in the message.

    Returns
    -------
    module
        ``openpyxl``.

    Raises
    ------
    MissingDependencyError
        openpyxl is not installed.
    """
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(
            f"{feature} needs openpyxl, which is not installed; install it with "
            "`pip install \"fairclusters[excel]\"` (or `pip install openpyxl`)",
            package="openpyxl",
        ) from None
    return openpyxl


def _title(name: str, taken: set[str]) -> str:
    """A sheet name Excel accepts, distinct (case ignored) from ``taken``."""
    base = _BAD_TITLE.sub(" ", name).strip().strip("'") or "sheet"
    title, k = base[:31], 1
    while title.casefold() in taken:
        k += 1
        suffix = f" ({k})"
        title = base[:31 - len(suffix)] + suffix
    taken.add(title.casefold())
    return title


def _sheet(book: Any, name: str, taken: set[str], header: Sequence[object],
           rows: Sequence[Sequence[object]]) -> Any:
    """A new sheet with a bold, frozen header row, text cells kept as text."""
    ws = book.create_sheet(_title(name, taken))
    bold = _font(bold=True)
    for j, value in enumerate(header, 1):
        _put(ws, 1, j, value).font = bold
    for i, row in enumerate(rows, 2):
        for j, value in enumerate(row, 1):
            _put(ws, i, j, value)
    ws.freeze_panes = "A2"
    for j in range(1, len(header) + 1):
        widest = max((len(str(r[j - 1])) for r in [header, *rows] if len(r) >= j), default=8)
        ws.column_dimensions[ws.cell(1, j).column_letter].width = min(max(widest, 8) + 2, 80)
    return ws


def _font(**kwargs: Any) -> Any:
    from openpyxl.styles import Font

    return Font(**kwargs)


def _put(ws: Any, row: int, column: int, value: object) -> Any:
    if isinstance(value, str):
        value = _ILLEGAL.sub("\ufffd", value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str) and cell.data_type == "f":
        cell.data_type = "s"  # "=..." is a name, not a formula
    return cell


def write_workbook(benchmark: Benchmark, path: str | Path,
                   lang: str = DEFAULT_LANGUAGE) -> Path:
    """Write the report's tables to an ``.xlsx`` workbook, one sheet per table.

    Parameters
    ----------
    benchmark : Benchmark
        The results, as the Markdown report shows them.
    path : str or path
        The workbook to write (replaced if it exists).
    lang : {"vi", "en"}
        Language of the sheet names, headers and texts (Vietnamese by default);
        the numbers are the same in both.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    MissingDependencyError
        openpyxl (the ``excel`` extra) is not installed.
    """
    lang = check_language(lang)
    openpyxl = require_openpyxl("report.xlsx")
    book = openpyxl.Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    h = {k: t(lang) for k, t in _HEADERS.items()}
    lines = [*summary_lines(benchmark, lang), "", *legend_lines(benchmark, lang)]
    _sheet(book, _SHEETS["summary"](lang), taken, [WORDS["title"](lang)],
           [[line] for line in lines])
    header, rows = table_rows(benchmark, lang)
    _sheet(book, WORDS["side_by_side"](lang), taken, header, rows)
    names = {u.id: u.name for u in benchmark.unit_set}
    members, fairness, scores = [], [], []
    metrics = {m.key: m for m in METRICS}
    for e in benchmark.evaluations:
        shown = display_name(e, lang)
        weights = e.report.size_weight.per_cluster if e.report.size_weight else {}
        clusters = [[c, len(m), weights.get(c), ", ".join(names[u] for u in m), ", ".join(m)]
                    for c, m in e.plan.clusters.items()]
        _sheet(book, shown, taken,
               [h["cluster"], h["size"], h["population"], h["members"], h["ids"]], clusters)
        members += [[shown, c, u, names[u]] for c, m in e.plan.clusters.items() for u in m]
        fairness += [[shown, *row] for row in e.report.rows(lang)]
        for key, value in e.scores.items():
            share = beats(e, metrics[key]) if key in metrics else None
            scores.append([shown, key, value, share, WORDS["yes"](lang) if e.comparable
                           else NOT_COMPARABLE(lang)])
    _sheet(book, _SHEETS["members"](lang), taken,
           [h["plan"], h["cluster"], h["unit_id"], h["unit_name"]], members)
    _sheet(book, _SHEETS["fairness"](lang), taken,
           [h["plan"], h["metric"], h["value"], h["meaning"]], fairness)
    _sheet(book, _SHEETS["scores"](lang), taken,
           [h["plan"], h["key"], h["value"], h["beats"], h["comparable"]], scores)
    book.save(path)
    return Path(path)


def write_plan_xlsx(plan: Plan, path: str | Path, *, overwrite: bool = False) -> Path:
    """Write a plan as a proposal workbook that :func:`~benchmarks.proposals.read_proposal` reads.

    Sheet ``clusters`` holds one row per member (``cluster``, ``unit_id``,
    ``unit_name``); sheet ``about`` the plan's ``name``, ``dataset`` and ``notes``.
    Names are written as they are stored (NFC, diacritics kept).

    Parameters
    ----------
    plan : Plan
        The plan to write.
    path : str or path
        The ``.xlsx`` file.
    overwrite : bool
        Whether an existing file may be replaced.

    Returns
    -------
    Path
        ``path``.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false.
    MissingDependencyError
        openpyxl (the ``excel`` extra) is not installed.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("openpyxl")
    >>> import pathlib, tempfile
    >>> from clustering.units import UnitSet
    >>> from benchmarks.proposals import read_proposal
    >>> s = UnitSet([{"id": "1", "name": "Hà Nội"}, {"id": "2", "name": "Huế"}])
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "plan.xlsx"
    >>> _ = write_plan_xlsx(Plan(s, {"Bắc": ["1"], "Trung": ["2"]}), path)
    >>> read_proposal(path, s).plan.clusters
    {'Bắc': ['1'], 'Trung': ['2']}
    """
    path = Path(path)
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    openpyxl = require_openpyxl("write_plan_xlsx()")
    book = openpyxl.Workbook()
    book.remove(book.active)
    taken: set[str] = set()
    rows = [[c, u, plan.unit_set[u].name] for c, m in plan.clusters.items() for u in m]
    _sheet(book, "clusters", taken, ["cluster", "unit_id", "unit_name"], rows)
    _sheet(book, "about", taken, ["key", "value"],
           [["name", plan.name], ["dataset", plan.unit_set.name], ["notes", plan.notes]])
    book.save(path)
    return path
