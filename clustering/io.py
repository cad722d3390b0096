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
import json
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from .errors import UnitSetError
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


def _looks_numeric(values: Iterable[object]) -> bool:
    present = [v for v in values if not _is_missing(v)]
    if not present:
        return False
    for v in present:
        if isinstance(v, bool):
            return False
        if isinstance(v, str) and re.fullmatch(r"\s*0\d+\s*", v):
            return False  # a code with a leading zero ("01") is an identifier, not a number
        try:
            float(v)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return False
    return True


def _split_neighbors(value: object) -> list[str]:
    if _is_missing(value):
        return []
    if isinstance(value, str):
        return [v.strip() for v in value.split(";") if v.strip()]
    return [str(v) for v in value]  # type: ignore[union-attr]


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
    rows = [{rename.get(k, k): v for k, v in dict(r).items()} for r in records]
    if not rows:
        raise UnitSetError("no unit records given")
    # With weight= naming another column, a column literally called "weight" is plain data.
    reserved = _RESERVED - {"weight"} if weight not in (None, "weight") else _RESERVED
    extra_columns = sorted({k for r in rows for k in r} - reserved)
    if indicators is None:
        indicator_columns = [c for c in extra_columns if _looks_numeric(r.get(c) for r in rows)]
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
        values = dict(row.get("indicators") or {})
        for c in indicator_columns:
            values[c] = row.get(c)
        unit["indicators"] = {
            k: _number(v, where=f"{where}, indicator {k!r}") for k, v in values.items()
        }
        labels = dict(row.get("labels") or {})
        labels.update(
            {c: str(row[c]) for c in extra_columns
             if c not in indicator_columns and c in row and not _is_missing(row[c])}
        )
        unit["labels"] = labels
        weight_value = row.get(weight) if weight is not None else row.get("weight")
        unit["weight"] = _number(weight_value, where=f"{where}, weight")
        units.append(unit)
        if "neighbors" in row:
            neighbors[uid] = _split_neighbors(row["neighbors"])

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
    """Read an edge list: two id columns, other numeric columns as edge attributes."""
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise UnitSetError(f"{path}: edge list lacks column(s) {missing}")
        edges, attributes = [], {}
        for line, row in enumerate(reader, start=2):
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
        One row per unit.
    edges : path or iterable of pairs, optional
        An edge-list CSV (columns ``id_a``, ``id_b``) or pairs; otherwise the
        ``neighbors`` column of ``path`` is used.
    **kwargs
        Passed to :func:`from_records`.
    """
    with open(path, newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    edge_attributes = None
    if isinstance(edges, (str, Path)):
        edges, edge_attributes = read_edges_csv(edges)
    kwargs.setdefault("name", Path(path).stem)
    unit_set = from_records(rows, edges, **kwargs)
    for (a, b), attrs in (edge_attributes or {}).items():
        unit_set.graph.edges[a, b].update(attrs)
    return unit_set


def read_json(path: str | Path, **kwargs: Any) -> UnitSet:
    """Read a unit set from JSON.

    The file holds either a list of unit records, or an object
    ``{"units": [...], "edges": [[a, b], ...], "name": ..., "provenance": ...}``.
    """
    with open(path, encoding="utf-8") as fh:
        try:
            data = json.load(fh)
        except json.JSONDecodeError as exc:
            raise UnitSetError(f"{path}: not valid JSON ({exc})") from None
    if isinstance(data, list):
        data = {"units": data}
    if not isinstance(data, dict) or "units" not in data:
        raise UnitSetError(f"{path}: expected a list of units or an object with 'units'")
    edges = data.get("edges")
    if edges is not None:
        edges = [tuple(e) for e in edges]
    kwargs.setdefault("name", data.get("name", Path(path).stem))
    kwargs.setdefault("provenance", data.get("provenance"))
    return from_records(data["units"], edges, **kwargs)


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
