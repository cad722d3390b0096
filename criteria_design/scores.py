"""Score sheets: the points each member received on each criterion.

A score sheet is a list of records ``(member, criterion, points)``, optionally with the
``year`` they belong to and, for qualitative criteria marked by several people, the
``rater`` who gave them. It is read from a CSV file or a pandas DataFrame in *long*
format (one row per record)::

    member,criterion,points,year,rater
    Hà Nam,A1,13.5,2023,
    Hà Nam,C1,12,2023,R1
    Hà Nam,C1,14,2023,R2

The statistics in :mod:`criteria_design` work on plain matrices; :meth:`ScoreSheet.matrix`
builds the members x criteria matrix (averaging raters explicitly, never filling gaps),
and :meth:`ScoreSheet.ratings` the units x raters matrix of one qualitative criterion.

Missing scores stay missing (``NaN``); nothing is imputed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from clustering.files import file_errors_as, read_csv_table
from clustering.names import nfc
from criteria_design.errors import CriteriaParameterError, ScoresError
from criteria_design.findings import Finding, Severity

if TYPE_CHECKING:
    from criteria_design.table import CriteriaTable, Criterion

__all__ = [
    "ScoreRecord",
    "ScoreSheet",
    "ScoresError",
    "as_matrix",
    "constant_columns",
    "load_scores",
    "validate_scores",
]

_REQUIRED = ("member", "criterion", "points")
_OPTIONAL = ("year", "rater")


@dataclass(frozen=True)
class ScoreRecord:
    """One mark: ``points`` given to ``member`` on ``criterion`` (in ``year``, by ``rater``)."""

    member: str
    criterion: str
    points: float
    year: int | None = None
    rater: str | None = None


def _parse_points(value: Any, where: str) -> float:
    try:
        points = float(value)
    except (TypeError, ValueError):
        raise ScoresError(f"{where}: points {value!r} is not a number") from None
    if math.isnan(points) or math.isinf(points):
        # A blank mark must be left out of the sheet, not written as NaN/inf: a row that
        # exists claims that a mark was given.
        raise ScoresError(f"{where}: points {value!r} is not a finite number; omit the row "
                          "if the member was not scored")
    return points


def _parse_year(value: Any, where: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    try:
        year = float(value)
    except (TypeError, ValueError):
        raise ScoresError(f"{where}: year {value!r} is not an integer") from None
    if not year.is_integer():
        raise ScoresError(f"{where}: year {value!r} is not an integer")
    return int(year)


def _parse_text(value: Any, field: str, where: str, *, required: bool) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        text = ""
    else:
        text = nfc(str(value).strip())
    if not text:
        if required:
            raise ScoresError(f"{where}: {field} is empty")
        return None
    return text


class ScoreSheet:
    """Points of members on criteria, optionally per year and per rater.

    Parameters
    ----------
    records : iterable of ScoreRecord
        The marks. A ``(member, criterion, year, rater)`` combination may appear only once.
    source : str, optional
        Where the records came from, for messages and findings.

    Examples
    --------
    >>> sheet = ScoreSheet([ScoreRecord("P1", "A", 8), ScoreRecord("P2", "A", 6),
    ...                     ScoreRecord("P1", "B", 5), ScoreRecord("P2", "B", 5)])
    >>> sheet.members, sheet.criteria
    (('P1', 'P2'), ('A', 'B'))
    >>> sheet.matrix()
    array([[8., 5.],
           [6., 5.]])
    """

    def __init__(self, records: Iterable[ScoreRecord], source: str | None = None) -> None:
        self.records: tuple[ScoreRecord, ...] = tuple(records)
        self.source = source
        if not self.records:
            raise ScoresError(f"{source or 'score sheet'}: no score records")
        seen: dict[tuple, int] = {}
        for i, r in enumerate(self.records):
            key = (r.member, r.criterion, r.year, r.rater)
            if key in seen:
                raise ScoresError(
                    f"{source or 'score sheet'}: record {i + 1} repeats record {seen[key] + 1} "
                    f"(member {r.member!r}, criterion {r.criterion!r}, year {r.year}, "
                    f"rater {r.rater!r}); each mark may appear once")
            seen[key] = i
        self.members = tuple(dict.fromkeys(r.member for r in self.records))
        self.criteria = tuple(dict.fromkeys(r.criterion for r in self.records))
        self.years = tuple(sorted({r.year for r in self.records if r.year is not None}))
        self.raters = tuple(dict.fromkeys(r.rater for r in self.records if r.rater is not None))
        if self.years and any(r.year is None for r in self.records):
            raise ScoresError(f"{source or 'score sheet'}: some records have a year and some "
                              "do not; give the year on every row or on none")

    # ------------------------------------------------------------------ constructors
    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]], source: str | None = None) -> ScoreSheet:
        """Build a sheet from dict rows with keys ``member, criterion, points[, year, rater]``.

        ``source`` names the input in messages; row numbers count the header as line 1.
        """
        label = source or "scores"
        records = []
        for i, row in enumerate(rows, start=2):
            where = f"{label}, line {i}"
            missing = [k for k in _REQUIRED if k not in row]
            if missing:
                raise ScoresError(f"{where}: missing column(s) {missing}; expected "
                                  f"{list(_REQUIRED)} and optionally {list(_OPTIONAL)}")
            records.append(ScoreRecord(
                member=_parse_text(row["member"], "member", where, required=True),
                criterion=_parse_text(row["criterion"], "criterion", where, required=True),
                points=_parse_points(row["points"], where),
                year=_parse_year(row.get("year"), where),
                rater=_parse_text(row.get("rater"), "rater", where, required=False),
            ))
        return cls(records, source=source)

    @classmethod
    def from_csv(cls, path: str | Path) -> ScoreSheet:
        """Read a long-format CSV (UTF-8, header ``member,criterion,points[,year,rater]``)."""
        path = Path(path)
        try:
            with file_errors_as(ScoresError):
                table = read_csv_table(path)
        except OSError as exc:
            raise ScoresError(f"{path}: cannot read score file ({exc.strerror})") from exc
        unknown = [h for h in table.header if h not in _REQUIRED + _OPTIONAL]
        if unknown:
            raise ScoresError(f"{path}: unknown column(s) {unknown}; expected "
                              f"{list(_REQUIRED)} and optionally {list(_OPTIONAL)}")
        return cls.from_rows(table.rows, source=str(path))

    @classmethod
    def from_frame(cls, frame: Any, source: str | None = None) -> ScoreSheet:
        """Build a sheet from a long-format pandas DataFrame (pandas is not imported here)."""
        columns = getattr(frame, "columns", None)
        if columns is None or not hasattr(frame, "to_dict"):
            raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
        unknown = [c for c in columns if c not in _REQUIRED + _OPTIONAL]
        if unknown:
            raise ScoresError(f"{source or 'DataFrame'}: unknown column(s) {unknown}; expected "
                              f"{list(_REQUIRED)} and optionally {list(_OPTIONAL)}")
        return cls.from_rows(frame.to_dict(orient="records"), source=source or "DataFrame")

    @classmethod
    def from_matrix(cls, points: Any, members: Sequence[str], criteria: Sequence[str],
                    year: int | None = None) -> ScoreSheet:
        """Build a sheet from a members x criteria matrix; ``NaN`` cells are left out."""
        p = np.asarray(points, dtype=float)
        if p.shape != (len(members), len(criteria)):
            raise ScoresError(f"matrix shape {p.shape} does not match {len(members)} members "
                              f"x {len(criteria)} criteria")
        return cls(ScoreRecord(str(m), str(c), float(p[i, j]), year)
                   for i, m in enumerate(members) for j, c in enumerate(criteria)
                   if not np.isnan(p[i, j]))

    # ------------------------------------------------------------------ views
    def _select(self, year: int | None) -> list[ScoreRecord]:
        if year is None:
            if len(self.years) > 1:
                raise ScoresError(f"{self.source or 'score sheet'} holds years {self.years}; "
                                  "choose one with year=...")
            return list(self.records)
        if year not in self.years:
            raise ScoresError(f"year {year} not in the score sheet (years: {self.years})")
        return [r for r in self.records if r.year == year]

    def matrix(self, year: int | None = None, criteria: Sequence[str] | None = None,
               members: Sequence[str] | None = None) -> np.ndarray:
        """Members x criteria points; marks by several raters are averaged.

        Averaging is the usual way a panel's marks become the member's score; cells with no
        mark are ``NaN`` (never filled in).

        Parameters
        ----------
        year : int, optional
            Required when the sheet holds more than one year.
        criteria, members : sequence of str, optional
            Column and row order (default: order of first appearance).
        """
        criteria = tuple(criteria) if criteria is not None else self.criteria
        members = tuple(members) if members is not None else self.members
        col = {c: j for j, c in enumerate(criteria)}
        row = {m: i for i, m in enumerate(members)}
        total = np.zeros((len(members), len(criteria)))
        count = np.zeros_like(total)
        for r in self._select(year):
            if r.criterion in col and r.member in row:
                total[row[r.member], col[r.criterion]] += r.points
                count[row[r.member], col[r.criterion]] += 1
        with np.errstate(invalid="ignore"):
            return np.where(count > 0, total / np.maximum(count, 1), np.nan)

    def ratings(self, criterion: str, year: int | None = None
                ) -> tuple[tuple[str, ...], tuple[str, ...], np.ndarray]:
        """Units (members) x raters marks of one criterion, ``NaN`` where a rater gave none.

        Returns
        -------
        members, raters, marks
        """
        recs = [r for r in self._select(year) if r.criterion == criterion and r.rater is not None]
        if not recs:
            raise ScoresError(f"criterion {criterion!r} has no per-rater marks")
        members = tuple(dict.fromkeys(r.member for r in recs))
        raters = tuple(dict.fromkeys(r.rater for r in recs))
        out = np.full((len(members), len(raters)), np.nan)
        mi = {m: i for i, m in enumerate(members)}
        ri = {r: j for j, r in enumerate(raters)}
        for r in recs:
            out[mi[r.member], ri[r.rater]] = r.points
        return members, raters, out

    def rated_criteria(self) -> tuple[str, ...]:
        """Criteria that carry per-rater marks."""
        return tuple(dict.fromkeys(r.criterion for r in self.records if r.rater is not None))

    def __repr__(self) -> str:
        return (f"ScoreSheet({len(self.members)} members, {len(self.criteria)} criteria, "
                f"years={self.years or None}, raters={len(self.raters)})")


def load_scores(path_or_frame: Any) -> ScoreSheet:
    """Read a score sheet from a CSV path or a long-format pandas DataFrame.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.NamedTemporaryFile("w", suffix=".csv", delete=False) as fh:
    ...     _ = fh.write("member,criterion,points\\nP1,A,8\\nP2,A,6\\n")
    >>> load_scores(fh.name).matrix().ravel().tolist()
    [8.0, 6.0]
    >>> os.unlink(fh.name)
    """
    if isinstance(path_or_frame, (str, Path)):
        return ScoreSheet.from_csv(path_or_frame)
    return ScoreSheet.from_frame(path_or_frame)


def as_matrix(values: Any, name: str = "points", *, allow_nan: bool = False) -> np.ndarray:
    """Check and return a members x criteria float matrix.

    Every statistic in this package calls this first, so bad input fails before any work
    with one message naming the problem.

    Parameters
    ----------
    values : array_like, shape (n_members, n_criteria)
        The numbers to check and convert.
    name : str
        What the matrix is, for messages.
    allow_nan : bool
        Missing cells are refused unless the caller handles them itself.
    """
    try:
        x = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be a numeric members x criteria matrix") from None
    if x.ndim != 2:
        raise CriteriaParameterError(
            f"{name} must be 2-dimensional (members x criteria), got shape {x.shape}"
        )
    if x.shape[0] < 2 or x.shape[1] < 1:
        raise CriteriaParameterError(
            f"{name} needs at least 2 members and 1 criterion, got shape {x.shape}"
        )
    if np.isinf(x).any():
        raise CriteriaParameterError(f"{name} contains infinite values")
    if not allow_nan and np.isnan(x).any():
        i, j = map(int, np.argwhere(np.isnan(x))[0])
        raise CriteriaParameterError(
            f"{name} has a missing value at member {i}, criterion {j} "
            f"({int(np.isnan(x).sum())} in all); statistics need complete rows, "
            "select the members scored on every criterion"
        )
    return x


def constant_columns(values: Any) -> np.ndarray:
    """Boolean mask of criteria on which every member has the same score.

    Such a criterion cannot discriminate: its share of the variance of the total is 0 and
    dispersion-based weights are undefined for it, whatever its points.

    Examples
    --------
    >>> constant_columns([[1, 5], [2, 5]]).tolist()
    [False, True]
    """
    x = as_matrix(values)
    return np.ptp(x, axis=0) == 0


# ---------------------------------------------------------------------------- against a table
def _leaf_for(table: CriteriaTable, sheet: ScoreSheet) -> dict[str, Criterion]:
    """Map every criterion id of the sheet to its leaf, or raise naming all bad ids."""
    leaves = {c.id: c for c in table.leaves()}
    groups = {c.id for c in table.walk() if not c.is_leaf}
    unknown = [c for c in sheet.criteria if c not in leaves and c not in groups]
    grouped = [c for c in sheet.criteria if c in groups]
    if unknown or grouped:
        parts = []
        if unknown:
            parts.append(f"unknown criterion id(s) {unknown}")
        if grouped:
            parts.append(f"id(s) {grouped} are groups, score their sub-criteria instead")
        raise ScoresError(f"{sheet.source or 'score sheet'} does not fit table "
                          f"{table.title!r}: {'; '.join(parts)}")
    return {c: leaves[c] for c in sheet.criteria}


def validate_scores(table: CriteriaTable, sheet: ScoreSheet) -> list[Finding]:
    """Check a score sheet against its criteria table.

    What is an error and what is a finding:

    * **raised** (:class:`ScoresError`): criterion ids the table does not have, or ids of
      groups rather than scored criteria. The sheet cannot be interpreted at all.
    * **SCR001, error finding**: a mark outside the criterion's range (above the maximum or
      below 0; for deductions, above 0 or below the maximum deduction). The data exist but
      are impossible: every such mark is listed so that all can be corrected at once.
    * **SCR002, warning**: the marks under a capped node (typically the bonus section) add up
      to more than its cap for some member; only the cap counts.
    * **SCR003, info**: base criteria of the table with no mark for some members.
      Statistics use only members marked on every criterion; nothing is filled in. Bonus
      and deduction rows may be left out where nothing was awarded (the cap check counts
      them as 0).

    Examples
    --------
    >>> from criteria_design.table import load_table
    >>> table = load_table('''
    ... title: Demo
    ... total: 20
    ... sections:
    ...   - {id: A, text: Growth rate against plan, max_points: 10, kind: quantitative}
    ...   - {id: B, text: Reports filed by 15 January, max_points: 10, kind: quantitative}
    ... ''')
    >>> sheet = ScoreSheet([ScoreRecord("P1", "A", 12), ScoreRecord("P1", "B", 9),
    ...                     ScoreRecord("P2", "A", 7)])
    >>> [f.code for f in validate_scores(table, sheet)]
    ['SCR001', 'SCR003']
    """
    leaf = _leaf_for(table, sheet)
    source = table.source  # findings point at the criterion's line in the table
    findings: list[Finding] = []
    for r in sheet.records:
        c = leaf[r.criterion]
        low, high = (c.max_points, 0.0) if c.role == "deduction" else (0.0, c.max_points)
        if not low - 1e-9 <= r.points <= high + 1e-9:
            who = f"{r.member}" + (f" ({r.year})" if r.year is not None else "") + \
                (f", rater {r.rater}" if r.rater else "")
            findings.append(Finding(
                code="SCR001", severity=Severity.ERROR, criterion_id=c.id,
                line=table.line_of(c.id), source=source,
                message=f"{who} has {r.points:g} points on {c.id}, outside its range "
                        f"[{low:g}, {high:g}]",
                suggestion="correct the mark (deductions are written as negative points)",
                data={"member": r.member, "year": r.year, "rater": r.rater,
                      "points": r.points, "low": low, "high": high}))
    for year in sheet.years or (None,):
        p = sheet.matrix(year=year)
        col = {c: j for j, c in enumerate(sheet.criteria)}
        for node in table.walk():
            if node.cap is None:
                continue
            ids = [x.id for x in node.walk() if x.is_leaf and x.id in col]
            if not ids:
                continue
            total = np.nansum(np.abs(p[:, [col[i] for i in ids]]), axis=1)
            over = [(m, float(t)) for m, t in zip(sheet.members, total, strict=True)
                    if t > node.cap + 1e-9]
            if over:
                listed = ", ".join(f"{m} {t:g}" for m, t in over)
                findings.append(Finding(
                    code="SCR002", severity=Severity.WARNING, criterion_id=node.id,
                    line=table.line_of(node.id), source=source,
                    message=f"{len(over)} member(s) exceed the cap {node.cap:g} of {node.id}"
                            + (f" in {year}" if year is not None else "") + f": {listed}",
                    suggestion=f"count at most {node.cap:g} points from {node.id}; a cap that "
                               "binds often may be too low, or the items too easy",
                    data={"year": year, "cap": node.cap, "over": dict(over)}))
        missing = {c.id: [m for i, m in enumerate(sheet.members)
                          if c.id not in col or np.isnan(p[i, col[c.id]])]
                   for c in table.leaves()}
        for cid, members in missing.items():
            # Bonus and deduction rows are commonly left out when nothing was awarded.
            if members and cid in col and table.find(cid).role == "base":
                findings.append(Finding(
                    code="SCR003", severity=Severity.INFO, criterion_id=cid,
                    line=table.line_of(cid), source=source,
                    message=f"{len(members)} of {len(sheet.members)} members have no mark on "
                            f"{cid}" + (f" in {year}" if year is not None else "")
                            + f" ({', '.join(members)}); statistics leave them out",
                    suggestion="supply the missing marks, or confirm the criterion does not "
                               "apply to these members",
                    data={"year": year, "members": members}))
        unscored = [cid for cid in missing if cid not in col]
        if unscored and year == (sheet.years[-1] if sheet.years else None):
            findings.append(Finding(
                code="SCR003", severity=Severity.INFO, source=source,
                message=f"{len(unscored)} criteria of the table have no marks at all: "
                        f"{', '.join(unscored)}",
                suggestion="add their marks to analyse how they work",
                data={"criteria": unscored}))
    return findings
