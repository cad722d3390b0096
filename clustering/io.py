"""Loading unit sets from records, CSV, JSON and pandas DataFrames.

One record per unit. The fields ``id``, ``name``, ``kind``, ``function``,
``region``, ``lat``, ``lon``, ``weight`` and ``neighbors`` have their meaning
in :class:`~clustering.units.Unit`; every other column is kept: numeric ones
become indicators, the others labels (nothing is dropped). An empty cell is a
missing figure. Adjacency comes either from a ``neighbors`` column (ids
separated by ``;``) or from a separate edge list with two id columns.
"""

from __future__ import annotations

import math
import re
import warnings
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from .errors import UnitSetError
from .files import file_errors_as, load_json, read_csv_table, read_text
from .units import UnitSet

__all__ = ["from_dataframe", "from_records", "read_csv", "read_edges_csv", "read_json"]

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
        One row per unit; UTF-8 with or without a byte-order mark, comma-separated.
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
