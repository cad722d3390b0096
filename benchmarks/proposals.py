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

from clustering.datasets import vietnam_communes, vietnam_provinces
from clustering.errors import FairclustersError, PlanError
from clustering.files import file_errors_as, load_json, load_yaml, read_text
from clustering.io import read_csv, read_json
from clustering.names import closest_names
from clustering.plan import Plan
from clustering.units import UnitSet

__all__ = [
    "BUILT_IN_DATASETS",
    "DatasetError",
    "Proposal",
    "load_dataset",
    "read_proposal",
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


def load_dataset(spec: str | Path) -> UnitSet:
    """A unit set from a built-in name (``vietnam-2025``...) or a CSV / JSON file.

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
    key = _ALIASES.get(text, text)
    if key in BUILT_IN_DATASETS:
        return BUILT_IN_DATASETS[key][0]()
    path = Path(text)
    if path.suffix.lower() in (".csv", ".json"):
        if not path.is_file():
            raise DatasetError(f"dataset file {text!r} does not exist")
        reader = read_csv if path.suffix.lower() == ".csv" else read_json
        return reader(path)
    hint = closest_names(text, list(BUILT_IN_DATASETS))
    raise DatasetError(
        f"unknown dataset {text!r}; expected one of {sorted(BUILT_IN_DATASETS)} or a "
        ".csv/.json unit-set file" + (f" (did you mean {', '.join(hint)}?)" if hint else "")
    )


def same_dataset(declared: str, unit_set: UnitSet) -> bool:
    """Whether a proposal's declared dataset names ``unit_set`` (built-in alias or name)."""
    canonical = BUILT_IN_DATASETS[declared][1] if declared in BUILT_IN_DATASETS else declared
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


def read_proposal(path: str | Path, unit_set: UnitSet | None = None) -> Proposal:
    """Read and validate a proposal file (``.yaml``/``.yml``, ``.json`` or ``.csv``).

    Parameters
    ----------
    path : str or path
        A YAML, JSON or CSV proposal file.
    unit_set : UnitSet, optional
        The units the proposal partitions. Default: the dataset the file declares.

    Raises
    ------
    PlanError, UnknownNameError
        The clusters are not a partition of the units (missing, repeated or
        unknown members; the closest names are suggested for unknown ones).
    DatasetError
        The file declares a dataset other than ``unit_set``, or none is known.
    FileNotFoundError
        No such file.

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
    if suffix not in (".yaml", ".yml", ".json", ".csv"):
        raise PlanError(f"{path}: unknown proposal format {suffix!r}; use .yaml, .json or .csv")
    if suffix == ".csv":
        if unit_set is None:
            raise DatasetError(f"{path}: a CSV proposal does not name its dataset; give one")
        return Proposal(Plan.read_csv(path, unit_set), dataset=None, path=path)
    data = _document(path)
    declared = str(data["dataset"]) if data.get("dataset") is not None else None
    if unit_set is None:
        if declared is None:
            raise DatasetError(f"{path}: no 'dataset' key and no dataset given")
        unit_set = load_dataset(declared)
    elif declared is not None and not same_dataset(declared, unit_set):
        raise DatasetError(
            f"{path}: the proposal is for dataset {declared!r} but the units are "
            f"{unit_set.name!r}"
        )
    try:
        plan = Plan(
            unit_set,
            data["clusters"],
            name=str(data.get("name") or path.stem),
            notes=str(data.get("notes") or ""),
        )
    except PlanError as exc:
        raise type(exc)(f"{path}: {exc}") from None
    return Proposal(plan, dataset=declared, path=path)
