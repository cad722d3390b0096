"""Proposal files: a planner's plan of clusters, in YAML, JSON or CSV.

A proposal names its dataset and lists each cluster's members by id or by
name, with or without Vietnamese diacritics::

    name: Regions, 6 clusters
    dataset: vietnam-2025
    notes: One cluster per GSO region.
    clusters:
      Đồng bằng sông Hồng: [Hà Nội, Hai Phong, "33", Ninh Bình, Quảng Ninh]
      ...

JSON holds the same keys. CSV holds one row per member with the columns
``cluster`` and ``unit`` (or ``unit_id`` / ``unit_name``); its name is the file
name and its dataset is the one given on the command line.

Spreadsheets too: an Excel workbook (``.xlsx``, the ``excel`` extra) holds the
same rows on its first sheet that has a cluster column and a unit column, and
may declare ``name``, ``dataset`` and ``notes`` on a sheet named ``about``
(two columns: key, value). A CSV file Excel wrote (UTF-8 with a byte-order mark)
may be separated by ``;`` or tabs. Headers are matched with case and
diacritics ignored, in English or Vietnamese (``"Cụm"`` for the cluster,
``"Mã"`` for an id, ``"Tỉnh"``, ``"Tỉnh, thành phố"`` or ``"Tên"`` for a name;
:data:`clustering.io.HEADER_ALIASES`); with both an id and a name column, a row
whose id and name are different units is an error. Every error names the file,
the sheet, the row and the value.

Validation is the plan's own (:class:`clustering.plan.Plan`): a unit missing
or placed twice raises :class:`~clustering.errors.PlanError`, an unknown name
raises :class:`~clustering.errors.UnknownNameError` with the closest names.
Files are read by :mod:`clustering.files`: UTF-8 (a byte-order mark is
accepted), YAML without anchors or aliases, no duplicate keys, and member ids
written as YAML numbers (``[01, 04]``) refused with a hint to quote them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from clustering.datasets import COMMUNES, province_communes, vietnam_communes, vietnam_provinces
from clustering.errors import FairclustersError, PlanError, UnitSetError
from clustering.files import _delimiter_hint, file_errors_as, load_json, load_yaml, read_text
from clustering.io import (
    Sheet,
    cell_text,
    plan_from_table,
    read_csv,
    read_csv_sheet,
    read_json,
    read_workbook,
    read_xlsx,
)
from clustering.names import closest_names, fold
from clustering.plan import Plan
from clustering.units import UnitSet

__all__ = [
    "BUILT_IN_DATASETS",
    "DatasetError",
    "Proposal",
    "load_dataset",
    "read_proposal",
    "read_proposals",
]

#: Names accepted for the built-in datasets -> (loader, canonical unit-set name).
BUILT_IN_DATASETS: dict[str, tuple[Any, str]] = {
    "vietnam-2025": (lambda: vietnam_provinces(2025), "vietnam-provinces-2025"),
    "vietnam-2024": (lambda: vietnam_provinces(2024), "vietnam-provinces-2024"),
    "vietnam-communes-2025": (vietnam_communes, "vietnam-communes-2025"),
}
_ALIASES = {canonical: key for key, (_, canonical) in BUILT_IN_DATASETS.items()}
_KEYS = {"name", "dataset", "notes", "clusters"}


class DatasetError(FairclustersError):
    """A dataset name or file that cannot be loaded."""


def load_dataset(spec: str | Path, *, islands: bool = True) -> UnitSet:
    """A unit set from a built-in name (``vietnam-2025``...) or a CSV, JSON or ``.xlsx`` file.

    ``vietnam-communes-2025:<province>`` (an id such as ``79`` or a name, diacritics
    optional) loads one province's communes (:func:`clustering.datasets.province_communes`);
    ``islands`` links its island communes to the mainland (listed in the provenance).

    Raises
    ------
    DatasetError
        Unknown name (the closest built-in names are suggested) or unreadable file.

    Examples
    --------
    >>> len(load_dataset("vietnam-2025"))
    34
    """
    text = str(spec)
    if text.startswith(f"{COMMUNES}:"):  # one province's communes
        return province_communes(text.split(":", 1)[1].strip(), islands=islands)
    key = _ALIASES.get(text, text)
    if key in BUILT_IN_DATASETS:
        return BUILT_IN_DATASETS[key][0]()
    path = Path(text)
    readers = {".csv": read_csv, ".json": read_json, ".xlsx": read_xlsx}
    if path.suffix.lower() in readers:
        if not path.is_file():
            raise DatasetError(f"dataset file {text!r} does not exist")
        return readers[path.suffix.lower()](path)
    hint = closest_names(text, list(BUILT_IN_DATASETS))
    raise DatasetError(
        f"unknown dataset {text!r}; expected one of {sorted(BUILT_IN_DATASETS)} or a "
        ".csv/.json/.xlsx unit-set file" + (f" (did you mean {', '.join(hint)}?)" if hint else "")
    )


def same_dataset(declared: str, unit_set: UnitSet) -> bool:
    """Whether a proposal's declared dataset names ``unit_set`` (built-in alias or name)."""
    canonical = BUILT_IN_DATASETS[declared][1] if declared in BUILT_IN_DATASETS else declared
    if declared.startswith(f"{COMMUNES}:") and unit_set.name.startswith(f"{COMMUNES}:"):
        canonical = f"{COMMUNES}:{vietnam_provinces(2025).resolve(declared.split(':', 1)[1])}"
    return canonical == unit_set.name or Path(declared).stem == unit_set.name


@dataclass(frozen=True)
class Proposal:
    """A validated proposal: its plan, the dataset it declares and where it came from."""

    plan: Plan
    dataset: str | None
    path: Path | None = None

    @property
    def name(self) -> str:
        return self.plan.name

    @property
    def notes(self) -> str:
        return self.plan.notes


def _document(path: Path) -> Mapping[str, Any]:
    with file_errors_as(PlanError, "cannot be parsed: "):
        text = read_text(path)
        if path.suffix.lower() in (".yaml", ".yml"):
            data = load_yaml(text, str(path), numbers_in_lists=False)
        else:
            data = load_json(text, str(path))
    if not isinstance(data, Mapping):
        raise PlanError(f"{path}: expected a mapping with 'clusters', got {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - _KEYS)
    if unknown:
        raise PlanError(f"{path}: unknown key(s) {unknown}; expected some of {sorted(_KEYS)}")
    clusters = data.get("clusters")
    if not isinstance(clusters, Mapping):
        raise PlanError(f"{path}: 'clusters' must map cluster names to member lists")
    return data


def _units_for(path: Path, declared: str | None, unit_set: UnitSet | None) -> UnitSet:
    """The unit set a proposal partitions: the one given, else the one it declares."""
    if unit_set is None:
        if declared is None:
            raise DatasetError(f"{path}: no 'dataset' key and no dataset given")
        return load_dataset(declared)
    if declared is not None and not same_dataset(declared, unit_set):
        raise DatasetError(
            f"{path}: the proposal is for dataset {declared!r} but the units are "
            f"{unit_set.name!r}"
        )
    return unit_set


def read_proposal(path: str | Path, unit_set: UnitSet | None = None, *,
                  allow_unassigned: bool = False) -> Proposal:
    """Read and validate a proposal file (``.yaml``/``.yml``, ``.json``, ``.csv`` or ``.xlsx``).

    Parameters
    ----------
    path : str or path
        A YAML, JSON, CSV or Excel (``.xlsx``) proposal file.
    unit_set : UnitSet, optional
        The units the proposal partitions. Default: the dataset the file declares.
    allow_unassigned : bool, default False
        Accept a partial plan (YAML/JSON; see :func:`read_proposals` for every format).

    Raises
    ------
    PlanError, UnknownNameError
        The clusters are not a partition of the units (missing, repeated or
        unknown members; the closest names are suggested for unknown ones), or a
        spreadsheet has no cluster or unit column or a bad row (file, sheet, row
        and value named).
    DatasetError
        The file declares a dataset other than ``unit_set``, or none is known.
    FileNotFoundError
        No such file.
    MissingDependencyError
        An ``.xlsx`` file without openpyxl (the ``excel`` extra).

    Examples
    --------
    >>> from importlib.resources import files
    >>> p = read_proposal(files("benchmarks") / "examples" / "regions_majority.yaml")
    >>> p.plan.n_clusters, p.dataset
    (6, 'vietnam-2025')
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"proposal file {str(path)!r} does not exist")
    suffix = path.suffix.lower()
    if suffix not in (".yaml", ".yml", ".json", ".csv", ".xlsx"):
        raise PlanError(
            f"{path}: unknown proposal format {suffix!r}; use .yaml, .json, .csv or .xlsx"
        )
    if suffix in (".csv", ".xlsx"):
        return _spreadsheet_proposal(path, unit_set)
    data = _document(path)
    declared = str(data["dataset"]) if data.get("dataset") is not None else None
    unit_set = _units_for(path, declared, unit_set)
    try:
        plan = Plan(
            unit_set,
            data["clusters"],
            name=str(data.get("name") or path.stem),
            notes=str(data.get("notes") or ""),
            allow_unassigned=allow_unassigned,
        )
    except PlanError as exc:
        raise type(exc)(f"{path}: {exc}") from None
    return Proposal(plan, dataset=declared, path=path)


#: Headers (folded) of the column that dates a row: one plan per value.
_YEAR_COLUMNS = {fold(n) for n in ("year", "năm", "snapshot")}


def read_proposals(path: str | Path, unit_set: UnitSet | None = None, *,
                   allow_unassigned: bool = False) -> list[Proposal]:
    """Every plan of a proposal file: one per snapshot, never merged.

    A CSV or ``.xlsx`` table with a ``year`` (``năm``, ``snapshot``) column
    holds one snapshot per value: each is read as its own plan, named
    ``"<name> (<year>)"``, so that a cluster listed in two years with different
    members gives two plans, not one merged cluster. (YAML and JSON refuse a
    cluster listed twice: a duplicate key.) Other files hold one plan.

    Parameters
    ----------
    path : str or path
        A proposal file (see :func:`read_proposal`).
    unit_set : UnitSet, optional
        The units the proposal partitions. Default: the dataset the file declares.
    allow_unassigned : bool, default False
        Accept partial plans (units in no cluster), e.g. to complete them.

    Returns
    -------
    list of Proposal
        In the order the snapshots first appear.

    Examples
    --------
    >>> from importlib.resources import files
    >>> [p.plan.n_clusters for p in read_proposals(
    ...     files("benchmarks") / "examples" / "regions_majority.yaml")]
    [6]
    """
    path = Path(path)
    if path.suffix.lower() not in (".csv", ".xlsx"):
        return [read_proposal(path, unit_set, allow_unassigned=allow_unassigned)]
    if not path.is_file():
        raise FileNotFoundError(f"proposal file {str(path)!r} does not exist")
    sheets = read_workbook(path) if path.suffix.lower() == ".xlsx" else [read_csv_sheet(path)]
    year = next((h for s in sheets for h in s.header if fold(h) in _YEAR_COLUMNS), None)
    if year is None and not allow_unassigned:
        return [read_proposal(path, unit_set)]
    about = next((_about(s) for s in sheets if s.sheet and fold(s.sheet) in _ABOUT_SHEETS), {})
    if path.suffix.lower() == ".csv" and unit_set is None:
        raise DatasetError(f"{path}: a CSV proposal does not name its dataset; give one")
    unit_set = _units_for(path, about.get("dataset"), unit_set)
    table = _member_table(path, [s for s in sheets if fold(s.sheet or "") not in _ABOUT_SHEETS])
    groups: dict[str, tuple[list[dict[str, Any]], list[int]]] = {}
    for line, row in zip(table.lines, table.rows):
        key = cell_text(row.get(year)) if year is not None else ""
        if year is not None and not key:
            raise PlanError(f"{table.where(line)}: empty {year!r} cell")
        rows, lines = groups.setdefault(key, ([], []))
        rows.append(row)
        lines.append(line)
    name = about.get("name") or path.stem
    out = []
    for key, (rows, lines) in groups.items():
        snapshot = Sheet(table.source, table.sheet, table.header, rows, lines)
        plan = _snapshot_plan(snapshot, unit_set, f"{name} ({key})" if key else name,
                              about.get("notes", ""), allow_unassigned)
        out.append(Proposal(plan, dataset=about.get("dataset"), path=path))
    return out


def _snapshot_plan(table: Sheet, unit_set: UnitSet, name: str, notes: str,
                   allow_unassigned: bool) -> Plan:
    """One snapshot's plan; a partial one read over the units it names, then widened."""
    if not allow_unassigned:
        return plan_from_table(table, unit_set, name=name, notes=notes)
    column = table.column("id") or table.column("name")
    try:
        named = {unit_set.resolve(cell_text(row[column])) for row in table.rows
                 if cell_text(row[column])}
    except FairclustersError:  # the table reader names the row and suggests names
        plan_from_table(table, unit_set, name=name, notes=notes)
        raise
    placed = plan_from_table(table, unit_set.subset(sorted(named, key=unit_set.index)),
                             name=name, notes=notes)
    return Plan.partial(unit_set, placed.clusters, name=name, notes=notes)


# -- spreadsheets -------------------------------------------------------------------------

#: Names of the sheet that declares a proposal's name, dataset and notes (folded).
_ABOUT_SHEETS = {fold(n) for n in ("about", "proposal", "info", "thông tin", "phương án")}
_ABOUT_KEYS = {
    fold(alias): key
    for key, aliases in {
        "name": ("name", "tên", "tên phương án"),
        "dataset": ("dataset", "bộ dữ liệu", "dữ liệu"),
        "notes": ("notes", "note", "ghi chú"),
    }.items()
    for alias in aliases
}


def _as_plan_error(exc: UnitSetError) -> PlanError:
    return PlanError(str(exc))


def _spreadsheet_proposal(path: Path, unit_set: UnitSet | None) -> Proposal:
    """A proposal from a CSV file or an ``.xlsx`` workbook (see the module docstring)."""
    try:
        sheets = read_workbook(path) if path.suffix.lower() == ".xlsx" else [read_csv_sheet(path)]
    except UnitSetError as exc:
        raise _as_plan_error(exc) from None
    about: dict[str, str] = {}
    for sheet in sheets:
        if sheet.sheet is not None and fold(sheet.sheet) in _ABOUT_SHEETS:
            about = _about(sheet)
    if path.suffix.lower() == ".csv" and unit_set is None:
        raise DatasetError(f"{path}: a CSV proposal does not name its dataset; give one")
    declared = about.get("dataset")
    if unit_set is None and declared is None:
        raise DatasetError(f"{path}: the workbook names no dataset (a 'dataset' row on a sheet "
                           "named 'about') and no dataset was given (--dataset)")
    unit_set = _units_for(path, declared, unit_set)
    table = _member_table(path, [s for s in sheets if fold(s.sheet or "") not in _ABOUT_SHEETS])
    plan = plan_from_table(table, unit_set, name=about.get("name") or path.stem,
                           notes=about.get("notes", ""))
    return Proposal(plan, dataset=declared, path=path)


def _about(sheet: Sheet) -> dict[str, str]:
    """``name``, ``dataset`` and ``notes`` from the rows (key, value) of an ``about`` sheet."""
    out: dict[str, str] = {}
    for line, cells in [(1, sheet.header), *((k, list(r.values()))
                                              for k, r in zip(sheet.lines, sheet.rows))]:
        key = _ABOUT_KEYS.get(fold(cell_text(cells[0])))
        value = cell_text(cells[1]) if len(cells) > 1 else ""
        if key is None and fold(cell_text(cells[0])) not in ("key", "khoa", ""):
            raise PlanError(f"{sheet.where(line)}: unknown key {cell_text(cells[0])!r}; expected "
                            "name, dataset or notes")
        if key is not None and value:
            out[key] = value
    return out


def _member_table(path: Path, sheets: list[Sheet]) -> Sheet:
    """The first sheet with a cluster column and a unit (id or name) column."""
    try:
        for sheet in sheets:
            if sheet.column("cluster") and (sheet.column("id") or sheet.column("name")):
                return sheet
    except UnitSetError as exc:
        raise _as_plan_error(exc) from None
    if not sheets:
        raise PlanError(f"{path}: no sheet holds a table")
    found = "; ".join(f"{s.sheet!r}: {s.header}" if s.sheet else str(s.header) for s in sheets)
    hint = _delimiter_hint(sheets[0].header) if sheets[0].sheet is None else ""
    where = f"{path}:1" if sheets[0].sheet is None else str(path)
    raise PlanError(
        f"{where}: no 'cluster' column (or 'Cụm') with a 'unit' column (or 'unit_id', "
        f"'unit_name', 'Mã', 'Tỉnh', 'Tên'...); found {found}{hint}"
    )


