"""Score sheets: the points each member received on each criterion.

A score sheet is a list of records ``(member, criterion, points)``, optionally with the
``year`` they belong to and, for qualitative criteria marked by several people, the
``rater`` who gave them. It is read from a CSV file or a pandas DataFrame in *long*
format (one row per record)::

    member,criterion,points,year,rater
    Hà Nam,A1,13.5,2023,
    Hà Nam,C1,12,2023,R1
    Hà Nam,C1,14,2023,R2

Criteria are named by their key in the table (the id, or the path ``I/1`` when ids repeat);
a criterion's bonus and deduction items by ``KEY/bonus/ID`` and ``KEY/deduction/ID``.
:func:`resolve_scores` matches the names as recorded (case, diacritics and punctuation
ignored) and reports the others with the closest names instead of stopping.

The statistics in :mod:`criteria_design` work on plain matrices; :meth:`ScoreSheet.matrix`
builds the members x criteria matrix (averaging raters explicitly, never filling gaps),
and :meth:`ScoreSheet.ratings` the units x raters matrix of one qualitative criterion.

Missing scores stay missing (``NaN``); nothing is imputed.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from clustering.files import file_errors_as, read_csv_table
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.names import closest_names, fold, nfc
from criteria_design.errors import CriteriaParameterError, ScoresError
from criteria_design.findings import Finding, Severity
from criteria_design.registry import Message, Words

if TYPE_CHECKING:
    from criteria_design.table import CriteriaTable, Criterion

__all__ = [
    "ScoreRecord",
    "ScoreSheet",
    "ScoredItem",
    "ScoresError",
    "as_matrix",
    "check_scores",
    "compare_scores",
    "constant_columns",
    "load_scores",
    "resolve_scores",
    "scored_items",
    "validate_scores",
]

_REQUIRED = ("member", "criterion", "points")
_OPTIONAL = ("year", "rater")


@dataclass(frozen=True)
class ScoreRecord:
    """One mark: ``points`` given to ``member`` on ``criterion`` (in ``year``, by ``rater``).

    ``line`` is the line of the mark in its file, for messages; it is not part of the mark.
    """

    member: str
    criterion: str
    points: float
    year: int | None = None
    rater: str | None = None
    line: int | None = field(default=None, compare=False)


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
                line=i,
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
#: Words that name the bonus and deduction items of a criterion in a sheet
#: (``I/1/bonus/a`` or ``I/1/thưởng/a``); compared after folding.
_ITEM_WORDS = {"bonus": ("bonus", "thưởng"), "deduction": ("deduction", "trừ")}


@dataclass(frozen=True)
class ScoredItem:
    """What a name on a score sheet stands for in the table.

    Attributes
    ----------
    key : str
        The canonical name: the criterion's key, or ``KEY/bonus/ID`` and ``KEY/deduction/ID``
        for a bonus or deduction item attached to the criterion.
    criterion : Criterion
        The scored criterion (for an item: the criterion carrying it).
    kind : str
        ``"criterion"``, ``"bonus"`` or ``"deduction"``.
    item : Adjustment or None
        The bonus or deduction item, for those kinds.
    """

    key: str
    criterion: Criterion
    kind: str
    item: Any = None


def scored_items(table: CriteriaTable) -> dict[str, ScoredItem]:
    """Every name a score sheet may use for ``table``, by canonical name.

    Leaves are named by their key (:meth:`CriteriaTable.key`); the bonus and deduction items
    of a criterion by ``KEY/bonus/ID`` and ``KEY/deduction/ID``.

    Parameters
    ----------
    table : CriteriaTable
        The table the marks were given under.

    Examples
    --------
    >>> from criteria_design.table import load_table
    >>> t = load_table('''
    ... title: Demo
    ... total: 10
    ... sections:
    ...   - id: A
    ...     text: Tỷ lệ hồ sơ giải quyết đúng hạn
    ...     max_points: 10
    ...     kind: quantitative
    ...     bonuses: [{id: a, text: Mô hình được công nhận, points: 1, per: once}]
    ... ''')
    >>> list(scored_items(t))
    ['A', 'A/bonus/a']
    """
    out: dict[str, ScoredItem] = {}
    for leaf in table.leaves():
        key = table.key(leaf)
        out[key] = ScoredItem(key, leaf, "criterion")
    for node in table.walk():
        key = table.key(node)
        for kind, items in (("bonus", node.bonuses), ("deduction", node.deductions)):
            for item in items:
                name = f"{key}/{kind}/{item.id}"
                out[name] = ScoredItem(name, node, kind, item)
    return out


def _fold_names(items: dict[str, ScoredItem]) -> dict[str, list[str]]:
    """Folded spelling -> canonical names (the Vietnamese item words included)."""
    folded: dict[str, list[str]] = {}
    for name, it in items.items():
        spellings = [name]
        if it.item is not None:
            base = name[: -len(f"{it.kind}/{it.item.id}")]
            spellings += [f"{base}{word}/{it.item.id}" for word in _ITEM_WORDS[it.kind]]
        for spelling in spellings:
            names = folded.setdefault(fold(spelling), [])
            if name not in names:
                names.append(name)
    return folded


# ------------------------------------------------------------------ words of the SCR findings
#: SCR001's finding, the same for every kind of node; the fixes differ.
_OUT_OF_RANGE = Text(
    vi="{who} được {points:g} điểm ở {key}, ngoài khoảng cho phép [{low:g}, {high:g}]",
    en="{who} has {points:g} points on {key}, outside its range [{low:g}, {high:g}]")

#: SCR002's finding: members over a cap (of a node, its bonuses or its deductions).
_OVER_CAP = Text(
    vi="{n} thành viên vượt mức trần {what} của {key} ({cap:g} điểm){when}: {listed}",
    en="{n} member(s) exceed the {what} cap {cap:g} of {key}{when}: {listed}")
#: SCR005's finding: totals above the maximum (declared, or the base plus every bonus).
_OVER_MAX = Text(
    vi="{n} thành viên có tổng điểm vượt mức tối đa {top:g}{when}: {listed}",
    en="{n} member(s) have a total above the maximum {top:g}{when}: {listed}")

#: Every message of the sheet checks with its fix, in both languages; the numbers are
#: passed once (:meth:`~criteria_design.registry.Message.render`).
MESSAGES: dict[str, Message] = {
    "SCR004/group": Message(
        Text(vi="{name!r} là một nhóm của bảng, không phải tiêu chí được chấm: {n_marks} điểm "
                "chấm của nó bị bỏ qua, phần còn lại vẫn được tính",
             en="{name!r} is a group of the table, not a scored criterion: its {n_marks} "
                "mark(s) are left out, the rest is scored"),
        Text(vi="chấm điểm các tiêu chí con của nhóm này",
             en="score its sub-criteria instead")),
    "SCR004/shared": Message(
        Text(vi="{name!r} là mã của nhiều tiêu chí: {n_marks} điểm chấm của nó bị bỏ qua, "
                "phần còn lại vẫn được tính",
             en="{name!r} is the id of several criteria: its {n_marks} mark(s) are left "
                "out, the rest is scored"),
        Text(vi="ghi tiêu chí theo đường dẫn mã: {paths}",
             en="name one by its path: {paths}")),
    "SCR004/unknown": Message(
        Text(vi="bảng {title!r} không có tiêu chí {name!r}: {n_marks} điểm chấm của nó bị bỏ "
                "qua, phần còn lại vẫn được tính",
             en="no criterion {name!r} in table {title!r}: its {n_marks} mark(s) are left "
                "out, the rest is scored"),
        Text(vi="có phải là {close}?", en="did you mean {close}?")),
    "SCR004/unknown-none": Message(
        Text(vi="bảng {title!r} không có tiêu chí {name!r}: {n_marks} điểm chấm của nó bị bỏ "
                "qua, phần còn lại vẫn được tính",
             en="no criterion {name!r} in table {title!r}: its {n_marks} mark(s) are left "
                "out, the rest is scored"),
        Text(vi="dùng đúng mã tiêu chí của bảng", en="use the criterion keys of the table")),
    "SCR001/bonus": Message(
        _OUT_OF_RANGE,
        Text(vi="mục thưởng {item} cộng tối đa {bound:g} điểm (mức trần, hoặc số điểm của mục "
                "khi chỉ cộng một lần); sửa lại điểm chấm",
             en="a bonus of item {item} adds at most {bound:g} points (its cap, or its points "
                "when awarded once); correct the mark")),
    "SCR001/deduction-item": Message(
        _OUT_OF_RANGE,
        Text(vi="mục trừ {item} trừ tối đa {bound:g} điểm; sửa lại điểm chấm",
             en="a deduction of item {item} removes at most {bound:g} points; correct the "
                "mark")),
    "SCR001/deduction": Message(
        _OUT_OF_RANGE,
        Text(vi="sửa lại điểm chấm: điểm trừ ghi số âm, không quá mức trừ tối đa của tiêu chí",
             en="correct the mark: deductions are written as negative points, down to the "
                "criterion's maximum deduction")),
    "SCR001/bonus-criterion": Message(
        _OUT_OF_RANGE,
        Text(vi="sửa lại điểm chấm: tiêu chí thưởng cộng từ 0 đến {high:g} điểm",
             en="correct the mark: a bonus criterion adds between 0 and {high:g} points")),
    "SCR001/criterion": Message(
        _OUT_OF_RANGE,
        Text(vi="sửa lại điểm chấm: tiêu chí được chấm từ 0 đến {high:g} điểm",
             en="correct the mark: the criterion is scored between 0 and {high:g}")),
    "SCR002/node": Message(
        _OVER_CAP,
        Text(vi="chỉ tính tối đa {cap:g} điểm từ {key}; mức trần thường xuyên bị chạm có thể là "
                "quá thấp, hoặc các mục quá dễ đạt",
             en="count at most {cap:g} points from {key}; a cap that binds often may be too "
                "low, or the items too easy")),
    "SCR002/bonus": Message(
        _OVER_CAP,
        Text(vi="chỉ cộng tối đa {cap:g} điểm thưởng ở {key}: điểm thưởng của một tiêu chí bị "
                "giới hạn bởi mức trần điểm thưởng (bonus cap) của nó",
             en="count at most {cap:g} bonus points on {key}: the bonuses of a criterion are "
                "limited by its bonus cap")),
    "SCR002/deduction": Message(
        _OVER_CAP,
        Text(vi="chỉ trừ tối đa {cap:g} điểm ở {key}: điểm trừ của một tiêu chí bị giới hạn "
                "bởi mức trần điểm trừ (deduction cap) của nó",
             en="remove at most {cap:g} points from {key}: the deductions of a criterion are "
                "limited by its deduction cap")),
    "SCR005/max_total": Message(
        _OVER_MAX,
        Text(vi="kiểm tra lại điểm chấm và các mức trần: không thành viên nào được quá điểm "
                "tối đa của bảng (max_total)",
             en="check the marks and the caps: no member can score more than the table's "
                "max_total")),
    "SCR005/bonuses": Message(
        _OVER_MAX,
        Text(vi="kiểm tra lại điểm chấm và các mức trần: không thành viên nào được quá tổng "
                "điểm chuẩn cộng toàn bộ điểm thưởng",
             en="check the marks and the caps: no member can score more than the base total "
                "plus every bonus")),
    "SCR003/members": Message(
        Text(vi="{n} trên {n_members} thành viên chưa có điểm ở {key}{when} ({listed}); các "
                "phép thống kê bỏ qua họ",
             en="{n} of {n_members} members have no mark on {key}{when} ({listed}); "
                "statistics leave them out"),
        Text(vi="bổ sung điểm còn thiếu, hoặc xác nhận tiêu chí không áp dụng với các thành "
                "viên này",
             en="supply the missing marks, or confirm the criterion does not apply to these "
                "members")),
    "SCR003/criteria": Message(
        Text(vi="{n} tiêu chí của bảng chưa có điểm chấm nào: {listed}",
             en="{n} criteria of the table have no marks at all: {listed}"),
        Text(vi="bổ sung điểm chấm của các tiêu chí này để phân tích tác dụng của chúng",
             en="add their marks to analyse how they work")),
    "SCR006": Message(
        Text(vi="{member}{when} ở {key}: {first_label} {first}, {second_label} {second}{diff}",
             en="{member}{when} on {key}: {first_label} {first}, {second_label} {second}{diff}"),
        Text(vi="thống nhất điểm của mục này theo minh chứng và ghi lại lý do điều chỉnh",
             en="settle the item with its evidence and record the reason for the change")),
}

#: The default names of the two sources compared by :func:`compare_scores`.
SOURCE_LABELS = {"vi": ("tự chấm", "thẩm định"), "en": ("self-assessment", "inspection")}

_NO_MARK = Words(vi="không có điểm", en="no mark")
_CAP_KIND = {"bonus": Words(vi="điểm thưởng", en="bonus"),
             "deduction": Words(vi="điểm trừ", en="deduction"),
             "points": Words(vi="tổng điểm", en="points")}


def _in_year(year: int | None, comma: bool = False) -> Words:
    """`` năm 2023`` / `` in 2023`` (or `` (2023)`` in both), empty without a year."""
    if year is None:
        return Words(vi="", en="")
    if comma:
        return Words(vi=f" ({year})", en=f" ({year})")
    return Words(vi=f" năm {year}", en=f" in {year}")


def _place(table: CriteriaTable, key: str | None) -> dict[str, str | None]:
    """The criterion's text, path of ids and section for a finding on ``key`` (or an item)."""
    if key is None:
        return {}
    base = key.split("/bonus/")[0].split("/deduction/")[0]
    for ids, node in table.id_paths():
        if table.key(node) == base:
            return {"criterion_text": node.text, "path": "/".join(ids), "section": ids[0]}
    return {}


def _say(variant: str, lang: str, **fields: Any) -> dict[str, str]:
    """``message`` and ``suggestion`` of a finding in ``lang``."""
    message, fix = MESSAGES[variant].render(lang, **fields)
    return {"message": message, "suggestion": fix}


def _first_line(sheet: ScoreSheet, criterion: str) -> int | None:
    return next((r.line for r in sheet.records if r.criterion == criterion), None)


def resolve_scores(table: CriteriaTable, sheet: ScoreSheet, lang: str = DEFAULT_LANGUAGE
                   ) -> tuple[ScoreSheet | None, list[Finding]]:
    """Name every criterion of a sheet by its canonical name in the table.

    A name is found exactly, or with case, diacritics and punctuation ignored (``a.1.1``,
    ``A/1/1`` and ``A.1.1`` are one name). Names that stay unknown, name a group, or an id
    several criteria share are reported as **SCR004** errors, with the closest names
    ("did you mean A.1.1"); their marks are left out and the rest is scored.

    Parameters
    ----------
    table : CriteriaTable
        The table the marks were given under.
    sheet : ScoreSheet
        The marks as recorded.
    lang : {"vi", "en"}
        The language of the findings' messages and fixes: Vietnamese by default.

    Returns
    -------
    sheet : ScoreSheet or None
        The marks that fit, named by canonical name (``None`` when none fits).
    findings : list of Finding
        One SCR004 per name that does not fit.
    """
    lang = check_language(lang)
    items = scored_items(table)
    folded = _fold_names(items)
    groups = {fold(table.key(c)): table.key(c) for c in table.walk() if not c.is_leaf}
    shared: dict[str, list[str]] = {}
    for c in table.leaves():
        shared.setdefault(fold(c.id), []).append(table.key(c))
    rename: dict[str, str] = {}
    findings: list[Finding] = []
    for name in sheet.criteria:
        hits = [name] if name in items else folded.get(fold(name), [])
        if len(hits) == 1:
            rename[name] = hits[0]
            continue
        n_marks = sum(r.criterion == name for r in sheet.records)
        fields: dict[str, Any] = {"name": name, "n_marks": n_marks, "title": table.title}
        if fold(name) in groups:
            variant = "SCR004/group"
        elif len(hits) > 1 or len(shared.get(fold(name), [])) > 1:
            variant = "SCR004/shared"
            fields["paths"] = ", ".join(hits if len(hits) > 1 else shared[fold(name)])
        else:
            close = closest_names(name, list(items))
            variant = "SCR004/unknown" if close else "SCR004/unknown-none"
            fields["close"] = Words(vi=" hay ".join(close), en=" or ".join(close))
        findings.append(Finding(
            code="SCR004", severity=Severity.ERROR, source=sheet.source,
            line=_first_line(sheet, name), **_say(variant, lang, **fields),
            data={"value": name, "marks": n_marks}))
    kept = [r for r in sheet.records if r.criterion in rename]
    if not kept:
        return None, findings
    renamed = ScoreSheet((replace(r, criterion=rename[r.criterion]) for r in kept),
                         source=sheet.source)
    return renamed, findings


def _who(r: ScoreRecord) -> Words:
    year = f" ({r.year})" if r.year is not None else ""
    return Words(vi=f"{r.member}{year}" + (f", người chấm {r.rater}" if r.rater else ""),
                 en=f"{r.member}{year}" + (f", rater {r.rater}" if r.rater else ""))


def _range_of(it: ScoredItem) -> tuple[float, float, str]:
    """Allowed marks of a scored item and the variant of the advice when a mark falls outside."""
    c = it.criterion
    if it.kind == "bonus":
        return 0.0, it.item.bound, "SCR001/bonus"
    if it.kind == "deduction":
        return -it.item.bound, it.item.bound, "SCR001/deduction-item"
    if c.role == "deduction":
        return c.max_points, 0.0, "SCR001/deduction"
    if c.role == "bonus":
        return 0.0, c.max_points, "SCR001/bonus-criterion"
    return 0.0, c.max_points, "SCR001/criterion"


def _signed(it: ScoredItem, points: float) -> float:
    """Contribution of a mark to the member's total (deduction items may be magnitudes)."""
    return -abs(points) if it.kind == "deduction" else points


def _range_findings(table: CriteriaTable, sheet: ScoreSheet,
                    items: dict[str, ScoredItem], lang: str) -> list[Finding]:
    out = []
    for r in sheet.records:
        it = items[r.criterion]
        low, high, variant = _range_of(it)
        if low - 1e-9 <= r.points <= high + 1e-9:
            continue
        key = table.key(it.criterion)
        out.append(Finding(
            code="SCR001", severity=Severity.ERROR, criterion_id=it.key,
            line=table.line_of(key), source=table.source, **_place(table, key),
            **_say(variant, lang, who=_who(r), points=r.points, key=it.key, low=low,
                   high=high, item=getattr(it.item, "id", ""),
                   bound=getattr(it.item, "bound", 0.0)),
            data={"member": r.member, "year": r.year, "rater": r.rater, "points": r.points,
                  "low": low, "high": high, "kind": it.kind}))
    return out


def _totals(sheet: ScoreSheet, year: int | None, items: dict[str, ScoredItem]
            ) -> dict[str, dict[str, float]]:
    """member -> canonical name -> signed points (raters averaged) for one year."""
    p = sheet.matrix(year=year)
    out: dict[str, dict[str, float]] = {}
    for i, member in enumerate(sheet.members):
        row = {}
        for j, name in enumerate(sheet.criteria):
            if not np.isnan(p[i, j]):
                row[name] = _signed(items[name], float(p[i, j]))
        out[member] = row
    return out


def _cap_findings(table: CriteriaTable, marks: dict[str, dict[str, float]],
                  items: dict[str, ScoredItem], year: int | None, lang: str) -> list[Finding]:
    """SCR002: capped nodes, and each criterion's own bonus and deduction caps."""
    out = []

    def over_cap(node_key: str, names: list[str], cap: float, what: str, variant: str) -> None:
        over = {m: t for m, row in marks.items()
                if (t := sum(abs(row[n]) for n in names if n in row)) > cap + 1e-9}
        if over:
            listed = ", ".join(f"{m} {t:g}" for m, t in over.items())
            out.append(Finding(
                code="SCR002", severity=Severity.WARNING, criterion_id=node_key,
                line=table.line_of(node_key), source=table.source, **_place(table, node_key),
                **_say(variant, lang, n=len(over), what=_CAP_KIND[what], cap=cap,
                       key=node_key, when=_in_year(year), listed=listed),
                data={"year": year, "cap": cap, "over": over,
                                         "kind": what}))

    for node in table.walk():
        key = table.key(node)
        if node.cap is not None:
            names = [table.key(x) for x in node.walk() if x.is_leaf]
            what = {"bonus": "bonus", "deduction": "deduction"}.get(node.role, "points")
            over_cap(key, names, node.cap, what, "SCR002/node")
        for kind, cap in (("bonus", node.bonus_cap), ("deduction", node.deduction_cap)):
            if cap is None:
                continue
            names = [n for n, it in items.items() if it.kind == kind and it.criterion is node]
            over_cap(key, names, cap, kind, f"SCR002/{kind}")
    return out


def _table_maximum(table: CriteriaTable) -> float:
    """Highest final score: ``max_total`` if declared, else base plus every bonus bound."""
    if table.max_total is not None:
        return table.max_total
    bonus = sum(s.contribution for s in table.sections if s.role == "bonus")
    return table.total + bonus + sum(c.bonus_bound for c in table.walk())


def _total_findings(table: CriteriaTable, marks: dict[str, dict[str, float]],
                    year: int | None, source: str | None, lang: str) -> list[Finding]:
    """SCR005: a member's recorded total above the table's maximum."""
    top = _table_maximum(table)
    if not math.isfinite(top):
        return []
    over = {m: sum(row.values()) for m, row in marks.items()}
    over = {m: t for m, t in over.items() if t > top + 1e-9}
    if not over:
        return []
    listed = ", ".join(f"{m} {t:g}" for m, t in over.items())
    variant = "SCR005/max_total" if table.max_total is not None else "SCR005/bonuses"
    return [Finding(
        code="SCR005", severity=Severity.ERROR, source=source,
        **_say(variant, lang, n=len(over), top=top, when=_in_year(year), listed=listed),
        data={"year": year, "maximum": top, "over": over})]


def _missing_findings(table: CriteriaTable, sheet: ScoreSheet, year: int | None,
                      last: bool, lang: str) -> list[Finding]:
    """SCR003: base criteria without marks for some members, or without any."""
    p = sheet.matrix(year=year)
    col = {c: j for j, c in enumerate(sheet.criteria)}
    out = []
    unscored = []
    for c in table.leaves():
        key = table.key(c)
        if key not in col:
            unscored.append(key)
            continue
        members = [m for i, m in enumerate(sheet.members) if np.isnan(p[i, col[key]])]
        # Bonus and deduction rows are commonly left out when nothing was awarded.
        if members and c.role == "base":
            out.append(Finding(
                code="SCR003", severity=Severity.INFO, criterion_id=key,
                line=table.line_of(key), source=table.source, **_place(table, key),
                **_say("SCR003/members", lang, n=len(members), n_members=len(sheet.members),
                       key=key, when=_in_year(year), listed=", ".join(members)),
                data={"year": year, "members": members}))
    if unscored and last:
        out.append(Finding(
            code="SCR003", severity=Severity.INFO, source=table.source,
            **_say("SCR003/criteria", lang, n=len(unscored), listed=", ".join(unscored)),
            data={"criteria": unscored}))
    return out


def check_scores(table: CriteriaTable, sheet: ScoreSheet,
                 lang: str = DEFAULT_LANGUAGE) -> list[Finding]:
    """The checks of :func:`validate_scores` on a sheet already named by canonical names.

    Parameters
    ----------
    table : CriteriaTable
        The table the marks were given under.
    sheet : ScoreSheet
        Marks named as :func:`resolve_scores` returns them.
    lang : {"vi", "en"}
        The language of the findings' messages and fixes: Vietnamese by default.
    """
    lang = check_language(lang)
    items = scored_items(table)
    findings = _range_findings(table, sheet, items, lang)
    years = sheet.years or (None,)
    for year in years:
        marks = _totals(sheet, year, items)
        findings += _cap_findings(table, marks, items, year, lang)
        findings += _total_findings(table, marks, year, sheet.source, lang)
        findings += _missing_findings(table, sheet, year, last=year == years[-1], lang=lang)
    return findings


def validate_scores(table: CriteriaTable, sheet: ScoreSheet,
                    lang: str = DEFAULT_LANGUAGE) -> list[Finding]:
    """Check a score sheet against its criteria table.

    * **SCR004, error**: a name the table does not have (with "did you mean"), a group, or
      an id several criteria share; its marks are left out and the rest is checked.
    * **SCR001, error**: a mark outside its range: 0 to the maximum for a criterion, below 0
      down to the maximum deduction for a deduction criterion, up to its cap (or its
      points, once) for a bonus item, and as much for a deduction item (either sign).
    * **SCR002, warning**: the marks under a capped node (a bonus section), or the bonus or
      deduction items of one criterion, add up to more than its cap for some member.
    * **SCR005, error**: a member's recorded total (bonuses added, deductions removed)
      above the table's maximum (``max_total``, else the base total plus every bonus).
    * **SCR003, info**: base criteria with no mark for some members (statistics use only
      members marked on every criterion; nothing is filled in). Bonus and deduction rows
      may be left out where nothing was awarded.

    Parameters
    ----------
    table : CriteriaTable
        The table the marks were given under.
    sheet : ScoreSheet
        The marks; criteria are named by key (``I/1``), id, or ``KEY/bonus/ID`` and
        ``KEY/deduction/ID`` for a criterion's items.
    lang : {"vi", "en"}
        The language of the findings' messages and fixes: Vietnamese by default.

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
    ...                     ScoreRecord("P2", "A", 7), ScoreRecord("P2", "Bx", 7)])
    >>> [f.code for f in validate_scores(table, sheet)]
    ['SCR004', 'SCR001', 'SCR005', 'SCR003']
    """
    resolved, findings = resolve_scores(table, sheet, lang)
    if resolved is not None:
        findings += check_scores(table, resolved, lang)
    return findings


def compare_scores(table: CriteriaTable, first: ScoreSheet, second: ScoreSheet, *,
                   labels: tuple[str, str] | None = None,
                   tolerance: float = 1e-9, lang: str = DEFAULT_LANGUAGE) -> list[Finding]:
    """Two score sources for the same members compared item by item (**SCR006**).

    Typically the member's self-assessment (tự chấm) against the inspection or appraisal
    (thẩm định) of the verifying department. Each item whose marks differ by more than
    ``tolerance``, or that only one source marked, is one warning naming the member, the
    year, both marks and the difference; names that do not fit the table are reported as
    in :func:`resolve_scores` and left out.

    Parameters
    ----------
    table : CriteriaTable
        The table both sources scored.
    first, second : ScoreSheet
        The two sources (raters averaged within each).
    labels : tuple of str, optional
        Names of the two sources in messages (default :data:`SOURCE_LABELS` in ``lang``:
        "tự chấm", "thẩm định" / "self-assessment", "inspection").
    tolerance : float
        Largest difference read as agreement.
    lang : {"vi", "en"}
        The language of the findings' messages and fixes: Vietnamese by default.

    Examples
    --------
    >>> from criteria_design.table import load_table
    >>> t = load_table('''
    ... title: Demo
    ... total: 20
    ... sections:
    ...   - {id: A, text: Growth rate against plan, max_points: 10, kind: quantitative}
    ...   - {id: B, text: Reports filed by 15 January, max_points: 10, kind: quantitative}
    ... ''')
    >>> own = ScoreSheet([ScoreRecord("P1", "A", 9), ScoreRecord("P1", "B", 8)])
    >>> checked = ScoreSheet([ScoreRecord("P1", "A", 9), ScoreRecord("P1", "B", 6)])
    >>> [(f.criterion_id, f.data["difference"]) for f in compare_scores(t, own, checked)]
    [('B', -2.0)]
    """
    if tolerance < 0:
        raise CriteriaParameterError(f"tolerance must be >= 0, got {tolerance}")
    lang = check_language(lang)
    if labels is None:
        labels = SOURCE_LABELS[lang]
    a, findings = resolve_scores(table, first, lang)
    b, more = resolve_scores(table, second, lang)
    findings += more
    if a is None or b is None:
        return findings
    if bool(a.years) != bool(b.years):
        raise ScoresError(f"{a.source or labels[0]} and {b.source or labels[1]}: one source "
                          "gives years and the other does not")
    names = list(dict.fromkeys(a.criteria + b.criteria))
    order = {n: i for i, n in enumerate(scored_items(table))}
    names.sort(key=lambda n: order[n])
    members = list(dict.fromkeys(a.members + b.members))
    for year in sorted(set(a.years) | set(b.years)) or [None]:
        ma = _marks(a, year, members, names)
        mb = _marks(b, year, members, names)
        when = _in_year(year, comma=True)
        for i, member in enumerate(members):
            for j, name in enumerate(names):
                x, y = ma[i, j], mb[i, j]
                if np.isnan(x) and np.isnan(y):
                    continue
                if not (np.isnan(x) or np.isnan(y)) and abs(x - y) <= tolerance:
                    continue
                shown = [Words(vi=f"{v:g}", en=f"{v:g}") if not np.isnan(v) else _NO_MARK
                         for v in (x, y)]
                diff = None if np.isnan(x) or np.isnan(y) else float(y - x)
                gap = (Words(vi=f" (chênh lệch {diff:+g})", en=f" (difference {diff:+g})")
                       if diff is not None else Words(vi="", en=""))
                findings.append(Finding(
                    code="SCR006", severity=Severity.WARNING, criterion_id=name,
                    line=table.line_of(name.split("/bonus/")[0].split("/deduction/")[0]),
                    source=table.source, **_place(table, name),
                    **_say("SCR006", lang, member=member, when=when, key=name,
                           first_label=labels[0], first=shown[0], second_label=labels[1],
                           second=shown[1], diff=gap),
                    data={"member": member, "year": year, "first": None if np.isnan(x)
                          else float(x), "second": None if np.isnan(y) else float(y),
                          "difference": diff}))
    return findings


def _marks(sheet: ScoreSheet, year: int | None, members: list[str],
           names: list[str]) -> np.ndarray:
    if year is not None and year not in sheet.years:
        return np.full((len(members), len(names)), np.nan)
    return sheet.matrix(year=year, criteria=names, members=members)
