"""Loading unit sets from records, CSV, JSON and pandas DataFrames.

One record per unit. The fields ``id``, ``name``, ``kind``, ``function``,
``region``, ``lat``, ``lon``, ``weight`` and ``neighbors`` have their meaning
in :class:`~clustering.units.Unit`; every other column is kept: numeric ones
become indicators, the others labels (nothing is dropped). An empty cell is a
missing figure. Adjacency comes either from a ``neighbors`` column (ids
separated by ``;``) or from a separate edge list with two id columns.
"""

from __future__ import annotations

import csv
import io
import math
import re
import warnings
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from .errors import (
    AmbiguousNameError,
    MissingDependencyError,
    PlanError,
    UnitSetError,
    UnknownNameError,
)
from .files import file_errors_as, load_json, read_csv_table, read_text
from .names import fold, nfc
from .plan import Plan
from .units import UnitSet

__all__ = [
    "HEADER_ALIASES",
    "MAX_WORKBOOK_BYTES",
    "Sheet",
    "cell_text",
    "from_dataframe",
    "from_records",
    "plan_from_table",
    "read_csv",
    "read_csv_sheet",
    "read_edges_csv",
    "read_json",
    "read_workbook",
    "read_xlsx",
    "written_by_excel",
]

_FIELDS = ("id", "name", "kind", "function", "region", "lat", "lon")
_RESERVED = {*_FIELDS, "weight", "neighbors", "indicators", "labels"}


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _number(value: object, *, where: str) -> float | None:
    if _is_missing(value):
        return None
    if isinstance(value, bool):
        raise UnitSetError(f"{where}: expected a number, got the boolean {value!r}")
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UnitSetError(f"{where}: expected a number, got {value!r}") from None


#: Text a person reads as a number but Python does not: a decimal comma ("1,5"),
#: thousands separators ("1,234,567", "1 234").
_NUMBER_LIKE = re.compile(r"\s*[-+]?(\d{1,3}([,\u00a0 ]\d{3})+([.,]\d+)?|\d+,\d+)\s*")
_LEADING_ZERO = re.compile(r"\s*0\d+\s*")


def _kind(value: object) -> str:
    """``"number"``, ``"code"`` (digits with a leading zero), ``"number-like"`` or ``"text"``."""
    if isinstance(value, bool):
        return "text"
    if isinstance(value, str):
        if _LEADING_ZERO.fullmatch(value):
            return "code"  # "01" is an identifier, not a number
        if _NUMBER_LIKE.fullmatch(value):
            return "number-like"
    try:
        float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "text"
    return "number"


def _looks_numeric(column: str, rows: Sequence[Mapping[str, Any]]) -> bool:
    """Whether ``column`` holds numbers; refuses or warns about cells that only look numeric.

    A column of numbers with a cell such as ``"1,5"`` or ``"1,234,567"`` is an error
    (it would otherwise silently become a column of labels); one with a
    leading-zero cell such as ``"007"`` among plain numbers is kept as labels with
    a warning naming the cell.
    """
    cells = [(r.get("id"), r.get(column)) for r in rows if not _is_missing(r.get(column))]
    kinds = [_kind(v) for _, v in cells]
    if not cells or "text" in kinds:
        return False
    for (uid, value), kind in zip(cells, kinds):
        if kind == "number-like":
            raise UnitSetError(
                f"column {column!r}, unit {uid!r}: {value!r} is not a number (write decimals "
                "with a dot and no thousands separators, e.g. 1.5 or 1234567), so the column "
                "cannot be read as an indicator"
            )
    codes = [(uid, v) for (uid, v), k in zip(cells, kinds) if k == "code"]
    if codes and "number" in kinds:
        widths = {len(str(v).strip()) for _, v in cells}
        digits_only = all(str(v).strip().isdigit() for _, v in cells)
        if not (digits_only and len(widths) == 1):  # fixed-width codes: "01", "10", "96"
            uid, value = codes[0]
            warnings.warn(
                f"column {column!r}, unit {uid!r}: {value!r} has a leading zero, so the column "
                "is read as labels, not numbers; write it without the zero (or pass "
                "indicators=) if it is a number",
                UserWarning, stacklevel=4,
            )
    return not codes


def _split_neighbors(value: object, where: str) -> list[str]:
    if _is_missing(value):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    if not isinstance(value, (list, tuple)):
        raise UnitSetError(f"{where}: neighbors must be ids separated by ';' or a list of ids, "
                           f"got {value!r:.60}")
    return [str(v) for v in value]


def _mapping_field(row: Mapping[str, Any], key: str, where: str) -> dict[str, Any]:
    value = row.get(key) or {}
    if not isinstance(value, Mapping):
        raise UnitSetError(f"{where}: {key!r} must map names to values, got {value!r:.60}")
    return dict(value)


def from_records(
    records: Sequence[Mapping[str, Any]],
    edges: Iterable[tuple[str, str]] | None = None,
    *,
    weight: str | None = None,
    indicators: Sequence[str] | None = None,
    columns: Mapping[str, str] | None = None,
    asymmetric: Literal["error", "union"] = "error",
    name: str = "",
    provenance: str | None = None,
) -> UnitSet:
    """Build a :class:`UnitSet` from one mapping per unit.

    Parameters
    ----------
    records : sequence of mappings
        One per unit. Keys as described in this module's docstring; a nested
        ``indicators`` or ``labels`` mapping is also accepted.
    edges : iterable of (id, id), optional
        Adjacency as an edge list; otherwise the ``neighbors`` field is used.
    weight : str, optional
        Column used as each unit's size weight (it stays an indicator too).
    indicators : sequence of str, optional
        Columns to treat as indicators. Default: every column whose values
        are all numbers (or empty).
    columns : mapping, optional
        Renames source columns to the field names above, e.g.
        ``{"code": "id", "name_vi": "name"}``.
    asymmetric : {"error", "union"}
        Passed to :class:`UnitSet`.

    Examples
    --------
    >>> s = from_records([
    ...     {"id": "a", "name": "Á", "population": 10, "neighbors": "b"},
    ...     {"id": "b", "name": "B", "population": "", "neighbors": "a"},
    ... ], weight=None)
    >>> s.indicator("population", missing="nan")
    array([10., nan])
    """
    rename = dict(columns or {})
    bad = next((k for k, r in enumerate(records) if not isinstance(r, Mapping)), None)
    if bad is not None:
        raise UnitSetError(f"record #{bad} is {records[bad]!r:.60}; expected a mapping of fields")
    rows = [{rename.get(k, k): v for k, v in dict(r).items()} for r in records]
    if not rows:
        raise UnitSetError("no unit records given")
    # With weight= naming another column, a column literally called "weight" is plain data.
    reserved = _RESERVED - {"weight"} if weight not in (None, "weight") else _RESERVED
    extra_columns = sorted({k for r in rows for k in r} - reserved)
    if not any("id" in r for r in rows):
        found = sorted({str(k) for r in rows for k in r})
        raise UnitSetError(f"no 'id' column; found {found}" + (
            " (the file seems separated by semicolons; it must be comma-separated)"
            if any(";" in k for k in found) else ""))
    if indicators is None:
        indicator_columns = [c for c in extra_columns if _looks_numeric(c, rows)]
    else:
        unknown = [c for c in indicators if c not in extra_columns]
        if unknown:
            raise UnitSetError(f"indicator column(s) {unknown} not found; columns: {extra_columns}")
        indicator_columns = list(indicators)
    if weight is not None and weight not in {k for r in rows for k in r}:
        raise UnitSetError(f"weight column {weight!r} not found in the records")

    units, neighbors = [], {}
    for position, row in enumerate(rows):
        uid = row.get("id")
        if _is_missing(uid):
            raise UnitSetError(f"record #{position} has no id")
        uid = str(uid).strip()
        where = f"unit {uid!r}"
        unit: dict[str, Any] = {k: row[k] for k in ("id", "name", "kind", "function", "region")
                                if k in row and not _is_missing(row[k])}
        unit["id"] = uid
        unit.setdefault("name", uid)
        for coord in ("lat", "lon"):
            if coord in row:
                unit[coord] = _number(row[coord], where=f"{where}, {coord}")
        values = _mapping_field(row, "indicators", where)
        for c in indicator_columns:
            values[c] = row.get(c)
        unit["indicators"] = {
            k: _number(v, where=f"{where}, indicator {k!r}") for k, v in values.items()
        }
        labels = _mapping_field(row, "labels", where)
        labels.update(
            {c: str(row[c]) for c in extra_columns
             if c not in indicator_columns and c in row and not _is_missing(row[c])}
        )
        unit["labels"] = labels
        weight_value = row.get(weight) if weight is not None else row.get("weight")
        unit["weight"] = _number(weight_value, where=f"{where}, weight")
        units.append(unit)
        if "neighbors" in row:
            neighbors[uid] = _split_neighbors(row["neighbors"], where)

    if edges is not None and neighbors and any(neighbors.values()):
        raise UnitSetError("adjacency given twice: both an edge list and a neighbors column")
    return UnitSet(
        units,
        edges,
        neighbors=neighbors if edges is None else None,
        asymmetric=asymmetric,
        name=name,
        provenance=provenance,
    )


def read_edges_csv(
    path: str | Path, *, columns: tuple[str, str] = ("id_a", "id_b")
) -> tuple[list[tuple[str, str]], dict[tuple[str, str], dict[str, float]]]:
    """Read an edge list: two id columns, other numeric columns as edge attributes.

    Parameters
    ----------
    path : path
        A UTF-8 CSV file (a byte-order mark is accepted) with a header row.
    columns : (str, str)
        The two id columns.

    Returns
    -------
    edges : list of (str, str)
        The edges, in the file's order.
    attributes : dict
        Edge -> its numeric attributes (the other columns).

    Raises
    ------
    UnitSetError
        Not UTF-8, a missing or duplicate column, a ragged row, an empty id
        (the message names the file and line).
    """
    with file_errors_as(UnitSetError):
        table = read_csv_table(path, required=columns)
    edges, attributes = [], {}
    for line, row in table:
        a, b = row[columns[0]].strip(), row[columns[1]].strip()
        if not a or not b:
            raise UnitSetError(f"{path}:{line}: empty unit id in edge ({a!r}, {b!r})")
        edges.append((a, b))
        attrs = {}
        for key, value in row.items():
            if key in columns or _is_missing(value):
                continue
            try:
                attrs[key] = float(value)
            except ValueError:
                continue  # text columns such as names are for reading only
        attributes[(a, b)] = attrs
    return edges, attributes


def read_csv(
    path: str | Path,
    edges: str | Path | Iterable[tuple[str, str]] | None = None,
    **kwargs: Any,
) -> UnitSet:
    """Read a unit set from a CSV file (UTF-8, header row).

    Parameters
    ----------
    path : path
        One row per unit; UTF-8, comma-separated. A file that starts with a
        byte-order mark (Excel's "CSV UTF-8") is read by :func:`read_csv_sheet`
        instead: ``,``, ``;`` or tab separated, Vietnamese headers ("Mã",
        "Tỉnh"...; :data:`HEADER_ALIASES`) accepted.
    edges : path or iterable of pairs, optional
        An edge-list CSV (columns ``id_a``, ``id_b``) or pairs; otherwise the
        ``neighbors`` column of ``path`` is used.
    **kwargs
        Passed to :func:`from_records`.

    Raises
    ------
    UnitSetError
        Not UTF-8, no id column (with a hint when the delimiter is not a comma),
        a duplicate column, a row longer or shorter than the header (file and
        line named), or a bad value (the message starts with the file).
    """
    if written_by_excel(path):
        kwargs.setdefault("name", Path(path).stem)
        return _unit_set_from_sheet(read_csv_sheet(path), edges, kwargs)
    id_column = next((k for k, v in (kwargs.get("columns") or {}).items() if v == "id"), "id")
    with file_errors_as(UnitSetError):
        table = read_csv_table(path, required=[id_column])
    edge_attributes = None
    if isinstance(edges, (str, Path)):
        edges, edge_attributes = read_edges_csv(edges)
    kwargs.setdefault("name", Path(path).stem)
    try:
        unit_set = from_records(table.rows, edges, **kwargs)
    except UnitSetError as exc:
        raise type(exc)(f"{path}: {exc}") from None
    for (a, b), attrs in (edge_attributes or {}).items():
        unit_set.graph.edges[a, b].update(attrs)
    return unit_set


def read_json(path: str | Path, **kwargs: Any) -> UnitSet:
    """Read a unit set from JSON.

    The file holds either a list of unit records, or an object
    ``{"units": [...], "edges": [[a, b], ...], "name": ..., "provenance": ...}``.

    Parameters
    ----------
    path : path
        The file (UTF-8, with or without a byte-order mark).
    **kwargs
        Passed to :func:`from_records`.

    Raises
    ------
    UnitSetError
        Not UTF-8, malformed JSON, a duplicate key (file and line named), not
        a list of units, or a bad value (the message starts with the file).
    """
    with file_errors_as(UnitSetError):
        data = load_json(read_text(path), str(path))
    if isinstance(data, list):
        data = {"units": data}
    if not isinstance(data, dict) or "units" not in data:
        raise UnitSetError(f"{path}: expected a list of units or an object with 'units'")
    units, edges = data["units"], data.get("edges")
    if not isinstance(units, list) or not all(isinstance(u, dict) for u in units):
        raise UnitSetError(f"{path}: 'units' must be a list of objects (one per unit)")
    if edges is not None:
        if not isinstance(edges, list) or not all(
            isinstance(e, list) and len(e) == 2 for e in edges
        ):
            raise UnitSetError(f"{path}: 'edges' must be a list of [id, id] pairs")
        edges = [(str(a), str(b)) for a, b in edges]
    kwargs.setdefault("name", str(data.get("name") or Path(path).stem))
    provenance = data.get("provenance")
    kwargs.setdefault("provenance", None if provenance is None else str(provenance))
    try:
        return from_records(units, edges, **kwargs)
    except UnitSetError as exc:
        raise type(exc)(f"{path}: {exc}") from None


def from_dataframe(
    frame: Any, edges: Iterable[tuple[str, str]] | None = None, **kwargs: Any
) -> UnitSet:
    """Build a unit set from a pandas DataFrame (pandas is not a dependency).

    Columns as in :func:`from_records`; NaN cells are missing figures.
    """
    if not hasattr(frame, "to_dict") or not hasattr(frame, "columns"):
        raise TypeError(f"expected a pandas DataFrame, got {type(frame).__name__}")
    records = [
        {k: (None if isinstance(v, float) and math.isnan(v) else v) for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]
    return from_records(records, edges, **kwargs)


# -- spreadsheets: Excel workbooks and the CSV files Excel writes ---------------------------

#: Headers read as the fields they name, compared folded (:func:`clustering.names.fold`:
#: case, diacritics and punctuation ignored): "Mã" is an id, "Tỉnh, thành phố" a name. A
#: plan's member cell may hold an id or a name whichever column it is in ("unit" often holds
#: names); with both an id and a name column, the two must name the same unit.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "cluster": ("cluster", "cụm", "cụm thi đua", "khối", "khối thi đua", "nhóm"),
    "id": ("id", "unit", "unit_id", "mã", "mã số", "mã tỉnh", "mã đơn vị", "mã đvhc", "code"),
    "name": ("name", "unit_name", "tên", "tên đơn vị", "đơn vị", "tỉnh",
             "tỉnh, thành phố", "tỉnh thành", "tên tỉnh", "thành phố", "xã", "xã, phường",
             "địa phương"),
}
_ALIAS_KEYS = {field: {fold(a) for a in names} for field, names in HEADER_ALIASES.items()}

#: Largest uncompressed workbook read (a small file can unpack to gigabytes: a zip bomb).
MAX_WORKBOOK_BYTES = 256 * 2**20


class Sheet:
    """A table read from a workbook sheet or a CSV file, with where each row came from.

    Attributes
    ----------
    source : str
        The file.
    sheet : str or None
        The sheet's name (``None`` for a CSV file).
    header : list of str
        The column names as written (stripped, NFC).
    rows : list of dict
        One mapping column -> cell per data row (blank rows skipped). Workbook
        cells keep their type (``str``, ``int``, ``float``...); CSV cells are text.
    lines : list of int
        The row number of each row in the sheet or file (the header is row 1).
    row_word : str
        What a row is called in messages when it is not a sheet's row or a file's
        line (e.g. ``"feature"``); empty otherwise.
    """

    def __init__(self, source: str, sheet: str | None, header: list[str],
                 rows: list[dict[str, Any]], lines: list[int], *, row_word: str = "") -> None:
        self.source, self.sheet, self.header = source, sheet, header
        self.rows, self.lines = rows, lines
        self.row_word = row_word

    def where(self, line: int | None = None) -> str:
        """``"file, sheet 'S', row 3"`` (a workbook), ``"file:3"`` (a CSV file), or
        ``"file, feature 3"`` (rows called ``row_word``, e.g. GeoJSON features)."""
        if self.row_word:
            return self.source if line is None else f"{self.source}, {self.row_word} {line}"
        if self.sheet is None:
            return self.source if line is None else f"{self.source}:{line}"
        at = f"{self.source}, sheet {self.sheet!r}"
        return at if line is None else f"{at}, row {line}"

    def column(self, field: str) -> str | None:
        """The column holding ``field`` (``"cluster"``, ``"id"``, ``"name"``), or ``None``.

        Parameters
        ----------
        field : str
            A key of :data:`HEADER_ALIASES`.

        Raises
        ------
        UnitSetError
            Two columns name the same field (e.g. "Tỉnh" and "Tên").

        Examples
        --------
        >>> Sheet("p.csv", None, ["Cụm", "Tỉnh, thành phố"], [], []).column("name")
        'Tỉnh, thành phố'
        """
        exact = [h for h in self.header if h == field]
        if exact:
            return exact[0]
        found = [h for h in self.header if fold(h) in _ALIAS_KEYS[field]]
        if len(found) > 1:
            raise UnitSetError(
                f"{self.where(1)}: columns {found} all name the {field} field; keep one"
            )
        return found[0] if found else None


def _cell_text(value: object) -> str:
    """A cell as text: numbers whole when they are ("1", not "1.0"), text stripped and NFC."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return nfc(str(value)).strip()


def _table(source: str, sheet: str | None, cells: list[tuple[int, list[Any]]]) -> Sheet:
    """Check a header and rows of cells (blank rows already dropped) and build a :class:`Sheet`."""
    if not cells:
        raise UnitSetError(f"{source}" + (f", sheet {sheet!r}" if sheet else "")
                           + ": the table is empty; expected a header row")
    first, raw = cells[0]
    while raw and _cell_text(raw[-1]) == "":
        raw = raw[:-1]  # trailing empty header cells (Excel keeps formatted columns)
    header = [_cell_text(h) for h in raw]
    table = Sheet(source, sheet, header, [], [])
    blank = [i + 1 for i, h in enumerate(header) if not h]
    repeated = sorted({h for h in header if header.count(h) > 1})
    if blank or repeated:
        what = (f"column(s) {blank} of the header have no name" if blank
                else f"duplicate column name(s) {repeated} in the header")
        raise UnitSetError(f"{table.where(first)}: {what}")
    for line, row in cells[1:]:
        extra = [v for v in row[len(header):] if _cell_text(v) != ""]
        if sheet is None and len(row) != len(header):
            raise UnitSetError(
                f"{table.where(line)}: {len(row)} cell(s) but the header has {len(header)} "
                f"columns ({', '.join(header)}); check the delimiters and quotes of this row"
            )
        if extra:
            raise UnitSetError(
                f"{table.where(line)}: the value {extra[0]!r} is in a column without a header "
                f"(the header has {len(header)} columns: {', '.join(header)})"
            )
        padded = [*row, *[None] * (len(header) - len(row))]
        table.rows.append({h: v for h, v in zip(header, padded)})
        table.lines.append(line)
    return table


def _sniff(first_line: str) -> str:
    """The delimiter among ``,``, ``;`` and tab that splits the header line most often."""
    counts = {d: len(next(csv.reader([first_line], delimiter=d), [])) for d in ",;\t"}
    return max(counts, key=lambda d: (counts[d], d == ","))


def written_by_excel(path: str | Path) -> bool:
    """Whether a CSV file starts with a UTF-8 byte-order mark, as Excel's "CSV UTF-8" does.

    Such files are read by :func:`read_csv_sheet` (delimiter sniffed, Vietnamese
    headers); other CSV files must be comma-separated.

    Parameters
    ----------
    path : str or path
        The file.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "u.csv"
    >>> _ = p.write_bytes(b"\\xef\\xbb\\xbfid;name\\n")
    >>> written_by_excel(p)
    True
    """
    with open(path, "rb") as fh:
        return fh.read(3) == b"\xef\xbb\xbf"


def read_csv_sheet(path: str | Path, *, delimiter: str | None = None) -> Sheet:
    """Read a CSV file as a :class:`Sheet`; one Excel wrote has its delimiter sniffed.

    With no ``delimiter``, a file that starts with a byte-order mark
    (:func:`written_by_excel`) is split on whichever of ``,``, ``;`` and tab
    splits its header row most often; any other file on commas. Blank lines
    are skipped; every other row must have as many cells as the header.

    Parameters
    ----------
    path : str or path
        The file (UTF-8, with or without a byte-order mark).
    delimiter : str, optional
        Split on this instead.

    Returns
    -------
    Sheet
        Its header and rows (cells as text).

    Raises
    ------
    UnitSetError
        Not UTF-8, an empty or repeated column name, a row of another length
        than the header, or a malformed cell (file and line named).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "u.csv"
    >>> _ = p.write_bytes("\\ufeffMã;Tỉnh\\n01;Hà Nội\\n".encode())
    >>> read_csv_sheet(p).rows
    [{'Mã': '01', 'Tỉnh': 'Hà Nội'}]
    """
    with file_errors_as(UnitSetError):
        text = read_text(path)
    if delimiter is None:
        delimiter = _sniff(text.split("\n", 1)[0]) if written_by_excel(path) else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    cells: list[tuple[int, list[Any]]] = []
    try:
        for row in reader:
            if row and any(c.strip() for c in row):
                cells.append((reader.line_num, row))
    except csv.Error as exc:
        raise UnitSetError(f"{path}:{reader.line_num}: malformed CSV: {exc}") from None
    return _table(str(path), None, cells)


def _require_openpyxl(feature: str) -> Any:
    try:
        import openpyxl
    except ImportError:
        raise MissingDependencyError(
            f"{feature} needs openpyxl, which is not installed; install it with "
            "`pip install \"fairclusters[excel]\"` (or `pip install openpyxl`)",
            package="openpyxl",
        ) from None
    return openpyxl


def read_workbook(path: str | Path) -> list[Sheet]:
    """Every sheet of an ``.xlsx`` workbook as a :class:`Sheet` (read-only, values only).

    Formulas give their last computed value (``data_only``); nothing in the file
    is run. The workbook's uncompressed size is checked first
    (:data:`MAX_WORKBOOK_BYTES`). Empty sheets are left out.

    Parameters
    ----------
    path : str or path
        The workbook (needs the ``excel`` extra: openpyxl).

    Returns
    -------
    list of Sheet
        The non-empty sheets in the workbook's order.

    Raises
    ------
    UnitSetError
        Not an ``.xlsx`` workbook (e.g. an old ``.xls``), too large once
        uncompressed, or a sheet with a bad header or row (file, sheet, row named).
    MissingDependencyError
        openpyxl is not installed.
    """
    openpyxl = _require_openpyxl("reading .xlsx files")
    source = str(path)
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise UnitSetError(
            f"{source}: not an .xlsx workbook (an old .xls file? save it as .xlsx or CSV UTF-8)"
        ) from None
    if size > MAX_WORKBOOK_BYTES:
        raise UnitSetError(f"{source}: the workbook unpacks to {size:,} bytes; more than the "
                           f"{MAX_WORKBOOK_BYTES:,} read")
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise UnitSetError(f"{source}: cannot read the workbook: {exc}") from None
    sheets = []
    try:
        for ws in book.worksheets:
            cells = [(k, list(row)) for k, row in enumerate(ws.iter_rows(values_only=True), 1)
                     if any(_cell_text(v) != "" for v in row)]
            if cells:
                sheets.append(_table(source, ws.title, cells))
    finally:
        book.close()
    return sheets


def _aliased(table: Sheet, fields: Sequence[str]) -> dict[str, str]:
    """Column -> field for the fields ``table`` names under another header ("Mã" -> "id")."""
    rename = {}
    for field in fields:
        column = table.column(field)
        if column is not None and column != field:
            rename[column] = field
    return rename


def _unit_set_from_sheet(table: Sheet, edges: Any, kwargs: dict[str, Any]) -> UnitSet:
    kwargs.setdefault("columns", _aliased(table, ("id", "name")))
    rows = [{k: (_cell_text(v) if k in kwargs["columns"] or isinstance(v, str) else v)
             for k, v in row.items()} for row in table.rows]
    edge_attributes = None
    if isinstance(edges, (str, Path)):
        edges, edge_attributes = read_edges_csv(edges)
    try:
        unit_set = from_records(rows, edges, **kwargs)
    except UnitSetError as exc:
        raise type(exc)(f"{table.where()}: {exc}") from None
    for (a, b), attrs in (edge_attributes or {}).items():
        unit_set.graph.edges[a, b].update(attrs)
    return unit_set


def read_xlsx(
    path: str | Path,
    edges: str | Path | Iterable[tuple[str, str]] | None = None,
    *,
    sheet: str | None = None,
    **kwargs: Any,
) -> UnitSet:
    """Read a unit set from an ``.xlsx`` workbook: one row per unit, a header row.

    Columns as in :func:`from_records`; Vietnamese headers name the fields too
    (:data:`HEADER_ALIASES`: "Mã" is the id, "Tỉnh" or "Tên" the name), compared
    with case and diacritics ignored. An id Excel stored as a number is read as
    its digits (``1``, not ``1.0``; a dropped leading zero is not guessed back).

    Parameters
    ----------
    path : str or path
        The workbook (needs the ``excel`` extra: openpyxl).
    edges : path or iterable of pairs, optional
        An edge-list CSV (columns ``id_a``, ``id_b``) or pairs; otherwise the
        ``neighbors`` column is used.
    sheet : str, optional
        The sheet to read (default: the first non-empty one).
    **kwargs
        Passed to :func:`from_records`.

    Raises
    ------
    UnitSetError
        Not a workbook, no such sheet, a bad header, row or value (file, sheet
        and row or unit named).
    MissingDependencyError
        openpyxl is not installed.
    """
    sheets = read_workbook(path)
    chosen = sheets[:1] if sheet is None else [s for s in sheets if s.sheet == sheet]
    if not chosen:
        names = [s.sheet for s in sheets]
        problem = f"no sheet {sheet!r}; sheets: {names}" if sheet is not None else "it is empty"
        raise UnitSetError(f"{path}: {problem}")
    kwargs.setdefault("name", Path(path).stem)
    return _unit_set_from_sheet(chosen[0], edges, kwargs)


# -- plans from tables ---------------------------------------------------------------------


def cell_text(value: object) -> str:
    """A cell as text: numbers whole when they are (``1``, not ``1.0``), text stripped and NFC.

    Parameters
    ----------
    value : object
        A cell as read (``None`` for an empty one).

    Examples
    --------
    >>> cell_text(1.0), cell_text(None), cell_text(" Huế ")
    ('1', '', 'Huế')
    """
    return _cell_text(value)


def _resolve(table: Sheet, line: int, column: str, value: object, unit_set: UnitSet) -> str:
    text = cell_text(value)
    hint = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        hint = (" (the cell is a number: Excel drops leading zeros, so format the column as "
                "Text, or write the name)")
    try:
        return unit_set.resolve(text)
    except AmbiguousNameError as exc:
        raise AmbiguousNameError(f"{table.where(line)}, column {column!r}: {exc}",
                                 name=exc.name, matches=exc.matches) from None
    except UnknownNameError as exc:
        raise UnknownNameError(f"{table.where(line)}, column {column!r}: {exc}{hint}") from None


def _member(table: Sheet, line: int, row: dict[str, Any], columns: list[str],
            unit_set: UnitSet) -> str:
    """The unit of one row: by its id column and/or its name column, which must agree."""
    found = {c: _resolve(table, line, c, row[c], unit_set) for c in columns if cell_text(row[c])}
    if not found:
        raise PlanError(f"{table.where(line)}: no unit in column(s) {columns} of row {row}")
    ids = sorted(set(found.values()))
    if len(ids) > 1:
        said = ", ".join(f"{c} {cell_text(row[c])!r} is {uid} ({unit_set[uid].name})"
                         for c, uid in found.items())
        raise PlanError(f"{table.where(line)}: the row names two units: {said}")
    return ids[0]


def plan_from_table(table: Sheet, unit_set: UnitSet, *, name: str = "", notes: str = "") -> Plan:
    """A plan from a table of one row per member: a cluster column, an id and/or a name column.

    Columns are found by :meth:`Sheet.column` (English or Vietnamese headers); a
    member is resolved by :meth:`UnitSet.resolve` (ids, names with or without
    diacritics). With both an id and a name column, they must name the same unit.

    Parameters
    ----------
    table : Sheet
        The rows (from :func:`read_csv_sheet`, :func:`read_workbook`, a GeoJSON file...).
    unit_set : UnitSet
        The units the plan partitions.
    name : str
        The plan's name.
    notes : str
        The plan's notes.

    Returns
    -------
    Plan
        The plan, clusters in the order they first appear.

    Raises
    ------
    PlanError
        No cluster or unit column, an empty cell, a row naming two different units,
        or not a partition (the message names the file, sheet or row, and the value).
    UnknownNameError
        A member matches no unit (closest names suggested; a numeric id cell gets a
        hint about the leading zeros Excel drops).

    Examples
    --------
    >>> s = UnitSet([{"id": "01", "name": "Hà Nội"}, {"id": "46", "name": "Huế"}])
    >>> t = Sheet("p.csv", None, ["Cụm", "Tỉnh"], [{"Cụm": "Bắc", "Tỉnh": "Ha Noi"},
    ...                                            {"Cụm": "Trung", "Tỉnh": "Huế"}], [2, 3])
    >>> plan_from_table(t, s).clusters
    {'Bắc': ['01'], 'Trung': ['46']}
    """
    cluster_column = table.column("cluster")
    columns = [c for c in (table.column("id"), table.column("name")) if c is not None]
    if cluster_column is None or not columns:
        raise PlanError(f"{table.where(1)}: no cluster column ('cluster', 'Cụm'...) with a unit "
                        f"column ('unit', 'Mã', 'Tỉnh'...); found {table.header}")
    clusters: dict[str, list[str]] = {}
    for line, row in zip(table.lines, table.rows):
        uid = _member(table, line, row, columns, unit_set)
        cluster = cell_text(row[cluster_column])
        if not cluster:
            raise PlanError(f"{table.where(line)}: empty cluster for unit {uid!r} "
                            f"({unit_set[uid].name})")
        clusters.setdefault(cluster, []).append(uid)
    try:
        return Plan(unit_set, clusters, name=name, notes=notes)
    except PlanError as exc:
        raise type(exc)(f"{table.where()}: {exc}") from None
