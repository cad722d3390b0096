"""Cluster plans: a partition of a unit set into named clusters.

A plan is valid when every unit of the set is in exactly one cluster and no
cluster is empty. Members may be written by id or by name (with or without
Vietnamese diacritics); they are stored as ids.

A *partial* plan (``allow_unassigned=True`` or :meth:`Plan.partial`) may leave
units in no cluster, as sources that place only some units do; they are
listed in :attr:`Plan.unassigned`. Code that needs a label for every unit
(:attr:`Plan.labels`, the rule checks, the optimizer's warm start...) refuses
a partial plan with a :class:`~clustering.errors.PlanError`;
:func:`optimizer.complete.complete_plan` places the rest.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .errors import AmbiguousNameError, PlanError, UnknownNameError
from .files import file_errors_as, load_json, read_csv_table, read_text
from .names import nfc
from .tables import html_table, require_pandas
from .units import UnitSet

__all__ = ["Plan", "canonical_labels"]


class Plan:
    """A partition of ``unit_set`` into named clusters.

    Parameters
    ----------
    unit_set : UnitSet
        The units being partitioned.
    clusters : mapping of str to sequence of str
        Cluster name -> members (ids or names). Cluster order is kept.
    name : str, optional
        The plan's name, e.g. ``"regions"`` or a proposal's title.
    notes : str, optional
        Free text kept with the plan.
    allow_unassigned : bool, default False
        Accept units in no cluster (a partial plan); by default a missing
        unit is an error.

    Attributes
    ----------
    clusters : dict of str to list of str
        Cluster name -> member ids, members in the unit set's order.
    labels : numpy.ndarray of int
        ``labels[i]`` is the position (in ``cluster_names``) of the cluster of
        unit ``unit_set.ids[i]``; a partial plan raises :class:`PlanError`
        (see :attr:`partial_labels`).
    unassigned : list of str
        The ids of the units in no cluster (empty for a complete plan).

    Raises
    ------
    PlanError
        A unit is missing (unless ``allow_unassigned``) or repeated, or a
        cluster is empty.
    UnknownNameError
        A member matches no unit (the message suggests the closest names).

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> s = UnitSet([{"id": "1", "name": "Hà Nội"}, {"id": "2", "name": "Huế"}])
    >>> Plan(s, {"north": ["Ha Noi"], "centre": ["2"]}).clusters
    {'north': ['1'], 'centre': ['2']}
    >>> Plan(s, {"north": ["Ha Noi"]}, allow_unassigned=True).unassigned
    ['2']
    """

    def __init__(
        self,
        unit_set: UnitSet,
        clusters: Mapping[str, Sequence[str]],
        *,
        name: str = "",
        notes: str = "",
        allow_unassigned: bool = False,
    ) -> None:
        if not isinstance(unit_set, UnitSet):
            raise TypeError(f"unit_set must be a UnitSet, got {type(unit_set).__name__}")
        if isinstance(clusters, (str, bytes)) or not isinstance(clusters, Mapping):
            raise PlanError(
                f"clusters must map cluster names to member lists, got {type(clusters).__name__}"
            )
        self.unit_set = unit_set
        self.name = name
        self.notes = notes
        owner: dict[str, str] = {}
        repeated: list[str] = []
        resolved: dict[str, list[str]] = {}
        for cluster_name, members in clusters.items():
            cluster_name = nfc(str(cluster_name))
            if cluster_name in resolved:
                raise PlanError(f"cluster name {cluster_name!r} is used twice")
            if isinstance(members, (str, bytes)):
                raise PlanError(
                    f"cluster {cluster_name!r}: members must be a list, got the string {members!r}"
                )
            if len(members) == 0:
                raise PlanError(f"cluster {cluster_name!r} is empty; every cluster needs a member")
            ids = []
            for member in members:
                try:
                    uid = unit_set.resolve(member)
                except AmbiguousNameError as exc:  # keep the type and the matches
                    raise AmbiguousNameError(
                        f"cluster {cluster_name!r}: {exc}", name=exc.name, matches=exc.matches
                    ) from None
                except UnknownNameError as exc:
                    raise UnknownNameError(f"cluster {cluster_name!r}: {exc}") from None
                if uid in owner:
                    where = (
                        f"clusters {owner[uid]!r} and {cluster_name!r}"
                        if owner[uid] != cluster_name
                        else f"cluster {cluster_name!r} twice"
                    )
                    repeated.append(f"{uid!r} ({unit_set[uid].name}) in {where}")
                owner[uid] = cluster_name
                ids.append(uid)
            resolved[cluster_name] = ids
        if repeated:
            raise PlanError("unit(s) placed more than once: " + "; ".join(repeated))
        missing = [uid for uid in unit_set.ids if uid not in owner]
        if missing and not allow_unassigned:
            raise PlanError(
                f"{len(missing)} unit(s) in no cluster: {_unit_list(unit_set, missing)} "
                "(for a partial plan, pass allow_unassigned=True or use Plan.partial)")
        if not resolved:
            raise PlanError("a plan needs at least one cluster")
        self.clusters: dict[str, list[str]] = {
            c: sorted(ids, key=unit_set.index) for c, ids in resolved.items()
        }
        self.unassigned: list[str] = missing
        position = {c: k for k, c in enumerate(self.clusters)}
        self._labels = np.array([position.get(owner.get(uid), -1) for uid in unit_set.ids])

    @property
    def labels(self) -> np.ndarray:
        """The cluster position of every unit; a partial plan is refused (:class:`PlanError`)."""
        if self.unassigned:
            raise PlanError(
                f"plan {self.name or '(unnamed)'!r} is partial: {len(self.unassigned)} unit(s) "
                f"in no cluster ({_unit_list(self.unit_set, self.unassigned)}); this needs "
                "every unit placed: complete it first (optimizer.complete.complete_plan)")
        return self._labels

    @property
    def partial_labels(self) -> np.ndarray:
        """Like :attr:`labels`, with ``-1`` for the units in no cluster."""
        return self._labels

    @property
    def is_complete(self) -> bool:
        """Whether every unit is in a cluster."""
        return not self.unassigned

    @classmethod
    def partial(cls, unit_set: UnitSet, clusters: Mapping[str, Sequence[str]],
                **kwargs: Any) -> Plan:
        """A plan that may leave units in no cluster (``allow_unassigned=True``).

        Parameters
        ----------
        unit_set : UnitSet
            The units being (partly) partitioned.
        clusters : mapping of str to sequence of str
            Cluster name -> members (ids or names).
        **kwargs
            Passed to :class:`Plan` (``name``, ``notes``).

        Examples
        --------
        >>> from clustering.units import UnitSet
        >>> s = UnitSet([{"id": i, "name": i} for i in "abc"])
        >>> p = Plan.partial(s, {"x": ["a"]})
        >>> p.unassigned, p.is_complete, p.partial_labels.tolist()
        (['b', 'c'], False, [0, -1, -1])
        """
        return cls(unit_set, clusters, allow_unassigned=True, **kwargs)

    # -- constructors --------------------------------------------------------
    @classmethod
    def from_labels(
        cls,
        unit_set: UnitSet,
        labels: Sequence[int] | np.ndarray,
        cluster_names: Sequence[str] | None = None,
        **kwargs: Any,
    ) -> Plan:
        """A plan from one cluster label per unit.

        Clusters are named ``cluster_names[label]``; with no names given, labels
        that are all strings name their clusters themselves, other labels give
        ``"C1"``, ``"C2"``... in order of first appearance.

        Parameters
        ----------
        unit_set : UnitSet
            The units being partitioned.
        labels : sequence, numpy array or pandas Series
            One label per unit, in the unit set's order. A pandas Series whose
            index holds unit ids or names (as :meth:`UnitSet.resolve` accepts) is
            aligned by its index, in any order; an integer index holding
            ``0 .. n-1`` (a default index, perhaps shuffled) gives the rows of the
            unit set (integer index entries are rows; unit ids are strings).
        cluster_names : sequence of str, optional
            ``cluster_names[label]`` names the cluster of integer ``label``.
        **kwargs
            Passed to :class:`Plan` (``name``, ``notes``).

        Raises
        ------
        PlanError
            Not one label per unit, a label without a name, or a Series whose
            index misses, repeats or does not know units (the message names them).

        Examples
        --------
        >>> from clustering.units import UnitSet
        >>> s = UnitSet([{"id": i, "name": i} for i in "abc"])
        >>> Plan.from_labels(s, [1, 0, 1]).clusters
        {'C1': ['a', 'c'], 'C2': ['b']}
        >>> import pandas as pd
        >>> Plan.from_labels(s, pd.Series(["x", "y", "x"], index=["c", "b", "a"])).clusters
        {'x': ['a', 'c'], 'y': ['b']}
        """
        if hasattr(labels, "index") and hasattr(labels, "to_numpy"):  # a pandas Series
            labels = _aligned_series(unit_set, labels)
        labels = list(np.asarray(labels).tolist())
        if len(labels) != len(unit_set):
            raise PlanError(f"got {len(labels)} labels for {len(unit_set)} units")
        if cluster_names is None:
            order = list(dict.fromkeys(labels))
            named = all(isinstance(lab, str) for lab in order)
            names = {lab: nfc(lab) if named else f"C{k + 1}" for k, lab in enumerate(order)}
        else:
            names = dict(enumerate(cluster_names))
            unknown = sorted({lab for lab in labels if lab not in names}, key=str)
            if unknown:
                raise PlanError(f"labels {unknown} have no entry in cluster_names")
        clusters: dict[str, list[str]] = {names[lab]: [] for lab in dict.fromkeys(labels)}
        for uid, lab in zip(unit_set.ids, labels):
            clusters[names[lab]].append(uid)
        return cls(unit_set, clusters, **kwargs)

    @classmethod
    def from_attribute(cls, unit_set: UnitSet, attribute: str, **kwargs: Any) -> Plan:
        """One cluster per value of a categorical attribute (e.g. ``"region"``).

        Raises :class:`PlanError` naming the units where the attribute is missing.
        """
        values = unit_set.labels_of(attribute)
        absent = [uid for uid, v in zip(unit_set.ids, values) if v is None]
        if absent:
            raise PlanError(
                f"attribute {attribute!r} is missing for unit(s) {', '.join(absent)}; "
                "they cannot be placed by it"
            )
        clusters: dict[str, list[str]] = {}
        for uid, value in zip(unit_set.ids, values):
            clusters.setdefault(str(value), []).append(uid)
        kwargs.setdefault("name", f"by {attribute}")
        return cls(unit_set, clusters, **kwargs)

    # -- views ---------------------------------------------------------------
    @property
    def cluster_names(self) -> list[str]:
        return list(self.clusters)

    @property
    def n_clusters(self) -> int:
        return len(self.clusters)

    def sizes(self) -> dict[str, int]:
        """Number of members of each cluster."""
        return {c: len(m) for c, m in self.clusters.items()}

    def cluster_of(self, unit: str) -> str:
        """The name of the cluster holding ``unit`` (an id or a name); none: :class:`PlanError`."""
        uid = self.unit_set.resolve(unit)
        label = int(self._labels[self.unit_set.index(uid)])
        if label < 0:
            raise PlanError(f"unit {uid!r} ({self.unit_set[uid].name}) is in no cluster of "
                            f"the partial plan {self.name or '(unnamed)'!r}")
        return self.cluster_names[label]

    def same_partition(self, other: Plan) -> bool:
        """Whether two plans group the units identically, whatever the cluster names."""
        return self.unit_set.ids == other.unit_set.ids and (
            canonical_labels(self.labels) == canonical_labels(other.labels))

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        sizes = ", ".join(str(len(m)) for m in self.clusters.values())
        unplaced = f", {len(self.unassigned)} units in none" if self.unassigned else ""
        return f"<Plan{label}: {self.n_clusters} clusters of sizes {sizes}{unplaced}>"

    def to_frame(self) -> Any:
        """The plan as a pandas DataFrame: one row per unit, in the unit set's order.

        Needs pandas (``pip install pandas``); ``import clustering`` does not.

        Returns
        -------
        pandas.DataFrame
            Columns ``unit`` (id), ``name`` and ``cluster`` (``None`` for a unit
            in no cluster of a partial plan); ``frame.attrs["name"]`` is the plan's
            name. ``Plan.from_labels(unit_set, frame.set_index("unit")["cluster"])``
            gives a complete plan back, rows in any order.

        Raises
        ------
        MissingDependencyError
            pandas is not installed.

        Examples
        --------
        >>> from clustering.units import UnitSet
        >>> s = UnitSet([{"id": "1", "name": "Hà Nội"}, {"id": "2", "name": "Huế"}])
        >>> Plan(s, {"north": ["1"], "centre": ["2"]}).to_frame()
          unit    name cluster
        0    1  Hà Nội   north
        1    2     Huế  centre
        """
        pd = require_pandas("Plan.to_frame()")
        names = self.cluster_names
        frame = pd.DataFrame({
            "unit": list(self.unit_set.ids),
            "name": [u.name for u in self.unit_set],
            "cluster": [names[int(k)] if k >= 0 else None for k in self._labels],
        })
        frame.attrs["name"] = self.name
        return frame

    def to_geodataframe(self) -> Any:
        """The plan as a GeoDataFrame; see :func:`clustering.geo.plan_to_geodataframe`.

        One row per unit (``unit``, ``name``, ``cluster``), with the shipped polygons
        of the units when there are some, else points at their centroids. Needs the
        ``geo`` extra (geopandas).
        """
        from .geo import plan_to_geodataframe

        return plan_to_geodataframe(self)

    def _repr_html_(self) -> str:
        """A notebook's view: one row per cluster, its size and members by name.

        No map yet: no unit polygons are shipped (centroids only).
        """
        caption = f"Plan {self.name!r}" if self.name else "Plan"
        caption += f": {len(self.unit_set)} units in {self.n_clusters} clusters"
        if self.unassigned:
            caption += f"; {len(self.unassigned)} units not placed"
        rows = [
            (name, len(members), _listed([f"{self.unit_set[u].name} ({u})" for u in members], 30))
            for name, members in self.clusters.items()
        ]
        return html_table(["cluster", "size", "members"], rows, caption=caption)

    # -- input / output ------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """``{"name", "notes", "dataset", "clusters"}`` with member ids (and ``"unassigned"``
        for a partial plan)."""
        out: dict[str, Any] = {
            "name": self.name,
            "notes": self.notes,
            "dataset": self.unit_set.name,
            "clusters": {c: list(m) for c, m in self.clusters.items()},
        }
        if self.unassigned:
            out["unassigned"] = list(self.unassigned)
        return out

    def to_json(self, path: str | Path, *, overwrite: bool = False) -> None:
        """Write the plan as JSON (UTF-8, names kept with their diacritics)."""
        _refuse_overwrite(path, overwrite)
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )

    def to_csv(self, path: str | Path, *, overwrite: bool = False) -> None:
        """Write one row per member: ``cluster,unit_id,unit_name``."""
        _refuse_overwrite(path, overwrite)
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["cluster", "unit_id", "unit_name"])
            for cluster, members in self.clusters.items():
                for uid in members:
                    writer.writerow([cluster, uid, self.unit_set[uid].name])

    @classmethod
    def from_dict(cls, unit_set: UnitSet, data: Mapping[str, Any], *,
                  allow_unassigned: bool = False) -> Plan:
        """A plan from ``{"clusters": {...}, "name": ..., "notes": ...}``.

        A document listing ``"unassigned"`` units (as :meth:`to_dict` writes a
        partial plan) is read as a partial plan, as is any with ``allow_unassigned``.
        """
        if not isinstance(data, Mapping) or "clusters" not in data:
            raise PlanError("a plan document needs a 'clusters' mapping of name -> members")
        dataset = data.get("dataset")
        if dataset and unit_set.name and dataset != unit_set.name:
            raise PlanError(
                f"the plan is for dataset {dataset!r}, not for the unit set {unit_set.name!r}"
            )
        return cls(
            unit_set,
            data["clusters"],
            name=str(data.get("name") or ""),
            notes=str(data.get("notes") or ""),
            allow_unassigned=allow_unassigned or bool(data.get("unassigned")),
        )

    @classmethod
    def read_json(cls, path: str | Path, unit_set: UnitSet, *,
                  allow_unassigned: bool = False) -> Plan:
        """Read a plan written by :meth:`to_json` (or by hand, members by id or name).

        Parameters
        ----------
        path : path
            A UTF-8 JSON file (a byte-order mark is accepted).
        unit_set : UnitSet
            The units the plan partitions.
        allow_unassigned : bool, default False
            Read a partial plan (units in no cluster allowed).

        Raises
        ------
        PlanError
            Not UTF-8, malformed JSON or a duplicate key (file and line named), or
            not a partition of ``unit_set`` (the message starts with the file).
        """
        with file_errors_as(PlanError):
            data = load_json(read_text(path), str(path))
        try:
            return cls.from_dict(unit_set, data, allow_unassigned=allow_unassigned)
        except PlanError as exc:
            raise type(exc)(f"{path}: {exc}") from None

    @classmethod
    def read_csv(cls, path: str | Path, unit_set: UnitSet, *, name: str = "",
                 allow_unassigned: bool = False) -> Plan:
        """Read rows ``cluster,unit`` (``unit`` may be ``unit_id`` or ``unit_name``).

        Parameters
        ----------
        path : path
            A comma-separated UTF-8 file (a byte-order mark is accepted).
        unit_set : UnitSet
            The units the plan partitions.
        name : str, optional
            The plan's name (default: the file name without suffix).
        allow_unassigned : bool, default False
            Read a partial plan (units in no cluster allowed).

        Raises
        ------
        PlanError
            Not UTF-8, a missing or duplicate column (with a hint when the
            delimiter is not a comma), a row longer or shorter than the header,
            an empty cell (file and line named), or not a partition of
            ``unit_set`` (the message starts with the file).
        """
        members = ("unit", "unit_id", "id", "unit_name", "name")
        with file_errors_as(PlanError):
            table = read_csv_table(path, required=["cluster"], any_of=members)
        member_column = next(c for c in members if c in table.header)
        clusters: dict[str, list[str]] = {}
        for line, row in table:
            cluster, member = row["cluster"].strip(), row[member_column].strip()
            if not cluster or not member:
                raise PlanError(f"{path}:{line}: empty cluster or unit in row {row}")
            clusters.setdefault(cluster, []).append(member)
        try:
            return cls(unit_set, clusters, name=name or Path(path).stem,
                       allow_unassigned=allow_unassigned)
        except PlanError as exc:
            raise type(exc)(f"{path}: {exc}") from None


def _aligned_series(unit_set: UnitSet, series: Any) -> list[object]:
    """A Series' values in the unit set's order: by row for an integer index holding
    ``0 .. n-1`` (in any order), else by its index of unit ids or names; refused when it
    misses, repeats or does not know units."""
    if getattr(series, "ndim", 1) != 1:
        raise PlanError("labels must be one column (a Series), not a table; pick its column")
    keys, values = list(series.index), series.to_numpy().tolist()
    n = len(unit_set)
    if (len(keys) == n
            and all(isinstance(k, (int, np.integer)) and not isinstance(k, bool) for k in keys)
            and sorted(int(k) for k in keys) == list(range(n))):
        # row positions (a default index, perhaps shuffled): put each value back at its row
        by_row = dict(zip((int(k) for k in keys), values))
        return [by_row[k] for k in range(n)]
    by_id: dict[str, object] = {}
    unknown, ambiguous, repeated = [], [], []
    for key, value in zip(keys, values):
        try:
            uid = unit_set.resolve(str(key))
        except AmbiguousNameError:
            ambiguous.append(str(key))
            continue
        except UnknownNameError:
            unknown.append(str(key))
            continue
        if uid in by_id:
            repeated.append(uid)
        by_id[uid] = value
    missing = [uid for uid in unit_set.ids if uid not in by_id]
    problems = [
        f"{what}: {_listed(list(dict.fromkeys(items)))}"
        for what, items in (("unknown units", unknown),
                            ("ambiguous names (use ids)", ambiguous),
                            ("repeated units", repeated), ("missing units", missing))
        if items
    ]
    if problems:
        raise PlanError(
            "the labels' index must name every unit once (ids or names), or be 0 .. n-1; "
            + "; ".join(problems)
        )
    return [by_id[uid] for uid in unit_set.ids]


def _unit_list(unit_set: UnitSet, ids: Sequence[str], limit: int = 10) -> str:
    """``'01' (Hà Nội), ...`` for at most ``limit`` units, then how many more."""
    shown = ", ".join(f"{uid!r} ({unit_set[uid].name})" for uid in ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _listed(items: list[str], limit: int = 20) -> str:
    more = f" and {len(items) - limit} more" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def canonical_labels(labels: Sequence[int] | np.ndarray) -> tuple[int, ...]:
    """Labels renumbered by order of first appearance, so equal partitions compare equal.

    Examples
    --------
    >>> canonical_labels(np.array([2, 2, 0, 1, 0]))
    (0, 0, 1, 2, 1)
    """
    first: dict[int, int] = {}
    return tuple(first.setdefault(int(x), len(first)) for x in labels)


def _refuse_overwrite(path: str | Path, overwrite: bool) -> None:
    if Path(path).exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
