"""Units (provinces, ministries, agencies...) and sets of units with their adjacency.

A :class:`Unit` is one member that can be put in a cluster. A :class:`UnitSet`
is an ordered collection of units with an adjacency graph; the order of
``UnitSet.ids`` is the row order of every matrix the library builds from it
(indicators, dissimilarities, assignment variables).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from functools import cached_property
from typing import Any, Literal

import networkx as nx
import numpy as np
from pydantic import ConfigDict, Field, field_validator

from .errors import (
    AmbiguousNameError,
    IndicatorError,
    ParameterError,
    UnitSetError,
    UnknownNameError,
)
from .names import ENGLISH_NAMES, closest_names, fold, nfc, without_prefix
from .tables import html_table, require_pandas
from .validation import FairclustersModel, NFCStr, NFCText

__all__ = ["Unit", "UnitSet"]

# Folded English name -> folded stored name (the table itself is in clustering.names).
_ENGLISH_KEYS = {fold(en): fold(vi) for en, vi in ENGLISH_NAMES.items()}


class Unit(FairclustersModel):
    """One member that can be placed in a cluster.

    Parameters
    ----------
    id : str
        Stable identifier (e.g. the GSO code ``"01"``). Kept as a string.
    name : str
        Display name; Vietnamese names are stored in NFC.
    kind : str, optional
        Administrative kind, e.g. ``"province"``, ``"city"``, ``"ministry"``.
    function : str, optional
        Function label used for blocs (khối thi đua), e.g. ``"economy"``.
    region : str, optional
        Geographic region label. ``None`` when unknown (never guessed).
    lat, lon : float, optional
        Centroid in degrees (WGS84).
    indicators : dict of str to float or None
        Named numeric indicators; ``None`` marks a missing figure. NaN and
        infinite values are rejected: a missing figure must be said to be missing.
    weight : float, optional
        Size weight used for balancing (e.g. population); non-negative.
    labels : dict of str to str
        Other categorical attributes, kept as data.

    Examples
    --------
    >>> u = Unit(id="01", name="Hà Nội", lat=21.0, lon=105.7, weight=8717600,
    ...          indicators={"grdp_per_capita": 162.92})
    >>> u.indicators["grdp_per_capita"]
    162.92
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: NFCText = Field(min_length=1)
    name: NFCText = Field(min_length=1)
    kind: NFCText | None = None
    function: NFCText | None = None
    region: NFCText | None = None
    lat: float | None = None
    lon: float | None = None
    indicators: dict[str, float | None] = Field(default_factory=dict)
    weight: float | None = None
    # Labels are Vietnamese text too (region names, notes): NFC like names, kept unstripped.
    labels: dict[NFCStr, NFCStr] = Field(default_factory=dict)

    @field_validator("lat")
    @classmethod
    def _latitude_in_range(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and -90.0 <= value <= 90.0):
            raise ValueError(f"latitude {value!r} is outside [-90, 90] degrees")
        return value

    @field_validator("lon")
    @classmethod
    def _longitude_in_range(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and -180.0 <= value <= 180.0):
            raise ValueError(f"longitude {value!r} is outside [-180, 180] degrees")
        return value

    @field_validator("indicators")
    @classmethod
    def _indicators_finite(cls, value: dict[str, float | None]) -> dict[str, float | None]:
        for key, x in value.items():
            if x is not None and not math.isfinite(x):
                raise ValueError(
                    f"indicator {key!r} is {x!r}; expected a finite number, "
                    "or None to mark a missing figure"
                )
        return value

    @field_validator("weight")
    @classmethod
    def _weight_non_negative(cls, value: float | None) -> float | None:
        if value is not None and not (math.isfinite(value) and value >= 0):
            raise ValueError(f"weight {value!r} must be a finite number >= 0")
        return value


def _as_unit(item: Unit | Mapping[str, object], position: int) -> Unit:
    if isinstance(item, Unit):
        return item
    try:
        return Unit.model_validate(dict(item))
    except ParameterError as exc:
        ident = dict(item).get("id", f"#{position}")
        problems = "; ".join(map(str, exc.problems))
        raise UnitSetError(f"unit {ident!r} is invalid: {problems}") from None


class UnitSet:
    """An ordered set of units and the adjacency graph between them.

    Parameters
    ----------
    units : iterable of Unit or mappings
        The members, in the order used by every matrix built from the set.
    edges : iterable of (id, id) pairs, or a libpysal ``W``, optional
        Adjacency as an edge list (each border once, either direction), or as
        libpysal weights keyed by unit id (their neighbour lists are used, as
        ``neighbors``; see :mod:`clustering.geo`).
    neighbors : mapping of id to iterable of ids, optional
        Adjacency as neighbour lists; an alternative to ``edges``.
    asymmetric : {"error", "union"}, default "error"
        What to do when neighbour lists disagree (``a`` lists ``b`` but ``b``
        does not list ``a``): ``"error"`` rejects the input; ``"union"`` keeps
        the border and emits a :class:`UserWarning` naming every such pair.
    edge_attributes : mapping of (id, id) to dict, optional
        Attributes stored on graph edges (e.g. shared border length).
    name : str, optional
        A name for the set (e.g. ``"vietnam-provinces-2025"``).
    provenance : str, optional
        Where the data come from (shown by reports).
    default_indicators : sequence of str, optional
        The indicators that describe a unit's development when none are named
        (homogeneity metrics, default dissimilarity, estimators). A dataset sets
        them to avoid double counting (e.g. two series of one quantity);
        otherwise every complete, non-constant indicator is used.

    Attributes
    ----------
    units : tuple of Unit
    ids : tuple of str
        Unit ids in order; row ``i`` of every matrix is ``ids[i]``.
    graph : networkx.Graph
        Nodes are the unit ids (in order), edges the adjacency.

    Examples
    --------
    >>> s = UnitSet([{"id": "a", "name": "A"}, {"id": "b", "name": "B"}], edges=[("a", "b")])
    >>> s.ids, s.graph.number_of_edges()
    (('a', 'b'), 1)
    """

    def __init__(
        self,
        units: Iterable[Unit | Mapping[str, object]],
        edges: Iterable[tuple[str, str]] | None = None,
        *,
        neighbors: Mapping[str, Iterable[str]] | None = None,
        asymmetric: Literal["error", "union"] = "error",
        edge_attributes: Mapping[tuple[str, str], Mapping[str, object]] | None = None,
        name: str = "",
        provenance: str | None = None,
        default_indicators: Sequence[str] | None = None,
    ) -> None:
        if asymmetric not in ("error", "union"):
            raise ValueError(f"asymmetric={asymmetric!r}; expected 'error' or 'union'")
        self.units: tuple[Unit, ...] = tuple(_as_unit(u, i) for i, u in enumerate(units))
        if not self.units:
            raise UnitSetError("a unit set needs at least one unit; got none")
        self.ids: tuple[str, ...] = tuple(u.id for u in self.units)
        self._index = {}
        for position, uid in enumerate(self.ids):
            if uid in self._index:
                raise UnitSetError(
                    f"duplicate unit id {uid!r} (positions {self._index[uid]} and {position})"
                )
            self._index[uid] = position
        self.name = name
        self.provenance = provenance
        unknown = sorted(
            set(default_indicators or ()) - {k for u in self.units for k in u.indicators}
        )
        if unknown:
            raise UnitSetError(f"default_indicators name unknown indicator(s) {unknown}")
        self.default_indicators: tuple[str, ...] | None = (
            tuple(default_indicators) if default_indicators else None
        )

        if edges is not None and hasattr(edges, "neighbors") and hasattr(edges, "id_order"):
            if neighbors is not None:  # a libpysal W: its neighbour lists
                raise UnitSetError("adjacency given twice: a weights object and neighbors")
            edges, neighbors = None, {k: list(v) for k, v in edges.neighbors.items()}
        pairs = list(edges) if edges is not None else []
        if neighbors is not None:
            pairs += self._pairs_from_neighbors(neighbors, asymmetric)
        graph = nx.Graph()
        graph.add_nodes_from(self.ids)
        for a, b in pairs:
            a, b = self._check_endpoint(a, (a, b)), self._check_endpoint(b, (a, b))
            if a == b:
                raise UnitSetError(f"self-loop on unit {a!r}: a unit cannot border itself")
            graph.add_edge(a, b)
        for (a, b), attrs in (edge_attributes or {}).items():
            if not graph.has_edge(a, b):
                raise UnitSetError(
                    f"edge attributes given for ({a!r}, {b!r}), which is not a border"
                )
            graph.edges[a, b].update(attrs)
        self.graph: nx.Graph = graph

    @classmethod
    def from_geodataframe(cls, gdf: Any, id: str, name: str | None = None,
                          **kwargs: Any) -> UnitSet:
        """A unit set from polygons; see :func:`clustering.geo.from_geodataframe`.

        Parameters
        ----------
        gdf : geopandas.GeoDataFrame
            One (multi)polygon per unit, with a CRS.
        id : str
            The column of unit ids.
        name : str, optional
            The column of names.
        **kwargs
            ``contiguity`` (``"queen"`` or ``"rook"``), ``weight``, ``projected_crs``,
            ``set_name``, ``provenance``.
        """
        from .geo import from_geodataframe

        return from_geodataframe(gdf, id, name, **kwargs)

    @classmethod
    def from_weights(cls, units: Iterable[Unit | Mapping[str, object]], w: Any,
                     **kwargs: Any) -> UnitSet:
        """A unit set whose adjacency is the libpysal weights ``w`` (keyed by unit id).

        Parameters
        ----------
        units : iterable of Unit or mappings
            The members.
        w : libpysal.weights.W
            Their neighbour lists, by unit id (non-zero weights are borders).
        **kwargs
            Passed to :class:`UnitSet` (``asymmetric``, ``name``...).
        """
        if not (hasattr(w, "neighbors") and hasattr(w, "id_order")):
            raise TypeError(f"w must be a libpysal W, got {type(w).__name__}")
        return cls(units, w, **kwargs)

    def to_weights(self) -> Any:
        """The borders as a libpysal ``W`` keyed by unit id (:func:`clustering.geo.to_weights`)."""
        from .geo import to_weights

        return to_weights(self)

    # -- construction helpers -------------------------------------------------
    def _check_endpoint(self, uid: object, edge: tuple[object, object]) -> str:
        key = nfc(str(uid).strip())
        if key not in self._index:
            raise UnitSetError(f"adjacency {edge!r} names unknown unit id {uid!r}")
        return key

    def _pairs_from_neighbors(
        self, neighbors: Mapping[str, Iterable[str]], asymmetric: str
    ) -> list[tuple[str, str]]:
        listed = {
            self._check_endpoint(a, (a, "...")): {
                self._check_endpoint(b, (a, b)) for b in bs
            }
            for a, bs in neighbors.items()
        }
        one_sided = sorted(
            (a, b) for a, bs in listed.items() for b in bs if a not in listed.get(b, set())
        )
        if one_sided:
            shown = ", ".join(f"{a}->{b}" for a, b in one_sided[:10])
            more = f" and {len(one_sided) - 10} more" if len(one_sided) > 10 else ""
            if asymmetric == "error":
                raise UnitSetError(
                    f"neighbour lists are asymmetric: {shown}{more} are listed one way only; "
                    "fix the data or pass asymmetric='union' to keep such borders"
                )
            warnings.warn(
                f"neighbour lists are asymmetric ({shown}{more}); kept as borders (union)",
                UserWarning,
                stacklevel=3,
            )
        return [(a, b) for a, bs in listed.items() for b in bs]

    # -- container protocol ---------------------------------------------------
    def __len__(self) -> int:
        return len(self.units)

    def __iter__(self) -> Iterator[Unit]:
        return iter(self.units)

    def __getitem__(self, key: str | int) -> Unit:
        if isinstance(key, int):
            return self.units[key]
        return self.units[self.index(key)]

    def __contains__(self, uid: object) -> bool:
        return uid in self._index

    def __repr__(self) -> str:
        label = f" {self.name!r}" if self.name else ""
        return (
            f"<UnitSet{label}: {len(self)} units, {self.graph.number_of_edges()} borders>"
        )

    def index(self, uid: str) -> int:
        """Row of unit ``uid`` in every matrix built from this set."""
        try:
            return self._index[uid]
        except KeyError:
            raise UnknownNameError(self._unknown_message(uid)) from None

    # -- names ----------------------------------------------------------------
    def resolve(self, key: str) -> str:
        """The id of the unit named or identified by ``key``.

        Tries, in order: an exact id; the name with diacritics, case and
        punctuation ignored (:func:`clustering.names.fold`); the name without an
        official prefix (``"Tỉnh"``, ``"Thành phố"``, ``"TP."``, ``"Phường"``,
        ``"Xã"``, ``"Đặc khu"``; :data:`clustering.names.OFFICIAL_PREFIXES`); an
        English name (:data:`clustering.names.ENGLISH_NAMES`); and a former name
        a unit absorbed (its ``former_names`` label, ``;``-separated, as on the
        built-in 2025 provinces), which also emits a :class:`UserWarning` whose
        message is the note, e.g.
        ``"Bình Dương → Hồ Chí Minh (merged 1 July 2025)"``. A prefix is dropped
        only when the full name matches nothing, so a unit whose own name starts
        with a prefix word (commune ``"Xa Dung"``) resolves by that name. Names
        are looked up in a dictionary built once per unit set.

        Parameters
        ----------
        key : str
            A unit id or a name as written (any Unicode form, diacritics optional).

        Returns
        -------
        str
            The unit's id.

        Raises
        ------
        AmbiguousNameError
            Several units share the folded name (even when one stored name equals
            ``key`` exactly, e.g. ``"Ba Dinh"`` among the communes); the message
            lists each one's id and name. Use an id.
        UnknownNameError
            No unit matches; the message suggests the closest names.

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> new = vietnam_provinces(2025)
        >>> new.resolve("Ha Noi"), new.resolve("TP. Hồ Chí Minh"), new.resolve("Hanoi")
        ('01', '79', '01')
        >>> import warnings
        >>> with warnings.catch_warnings(record=True) as caught:
        ...     warnings.simplefilter("always")
        ...     new.resolve("Bình Dương")
        '79'
        >>> str(caught[0].message)
        'Bình Dương → Hồ Chí Minh (merged 1 July 2025)'
        """
        key = nfc(str(key).strip())
        if key in self._index:
            return key
        by_fold, former = self._name_index
        folded = fold(key)
        stripped = without_prefix(key)
        for candidate in (folded, stripped):
            if candidate is None:
                continue
            if candidate in by_fold:
                return self._unique(key, by_fold[candidate])
            english = _ENGLISH_KEYS.get(candidate)
            if english is not None and english in by_fold:
                return self._unique(key, by_fold[english])
        for candidate in (folded, stripped):
            if candidate in former:
                old_name, uid = former[candidate]
                unit = self.units[self._index[uid]]
                when = unit.labels.get("merged_on")
                note = f"{old_name} → {unit.name}" + (f" (merged {when})" if when else "")
                warnings.warn(note, UserWarning, stacklevel=2)
                return uid
        raise UnknownNameError(self._unknown_message(key))

    @cached_property
    def _name_index(self) -> tuple[dict[str, list[str]], dict[str, tuple[str, str]]]:
        # Built once, on first use: resolving n names is then O(n), not O(n * units).
        # Former names never shadow a current name (they are tried last).
        by_fold: dict[str, list[str]] = {}
        former: dict[str, tuple[str, str]] = {}
        for u in self.units:
            by_fold.setdefault(fold(u.name), []).append(u.id)
            for old in u.labels.get("former_names", "").split(";"):
                if old.strip() and fold(old) != fold(u.name):
                    former.setdefault(fold(old), (old.strip(), u.id))
        return by_fold, former

    def _unique(self, key: str, ids: list[str]) -> str:
        if len(ids) > 1:
            matches = [(uid, self.units[self._index[uid]].name) for uid in ids]
            listed = ", ".join(f"{uid} ({name})" for uid, name in matches)
            raise AmbiguousNameError(
                f"name {key!r} is ambiguous: it matches {len(ids)} units, {listed}; use an id",
                name=key,
                matches=matches,
            )
        return ids[0]

    def _unknown_message(self, key: str) -> str:
        suggestions = closest_names(key, [u.name for u in self.units])
        # Several units may share a suggested name (communes): list all their ids rather
        # than resolve() it, which would raise an ambiguity error instead of this message.
        by_fold = self._name_index[0]
        hint = (
            "; closest names: "
            + ", ".join(
                f"{s!r} (id {', '.join(i for i in by_fold[fold(s)] if self[i].name == s)})"
                for s in suggestions
            )
            if suggestions
            else ""
        )
        return f"no unit with id or name {key!r} in this unit set{hint}"

    # -- numeric views ----------------------------------------------------------
    @property
    def indicator_names(self) -> tuple[str, ...]:
        """Names of all indicators present on at least one unit, sorted."""
        return tuple(sorted({k for u in self.units for k in u.indicators}))

    def complete_indicators(self) -> tuple[list[str], list[str]]:
        """Indicators usable without a missing-value strategy, and why the others are not.

        Only ``default_indicators`` are considered when the set declares them.

        Returns
        -------
        usable : list of str
            Indicators known for every unit and not constant.
        left_out : list of str
            The others, each with the reason (``"grdp (missing for 3 units)"``).
        """
        usable, left_out = [], []
        for name in self.default_indicators or self.indicator_names:
            values = self.indicator(name, missing="nan")
            if np.isnan(values).any():
                left_out.append(f"{name} (missing for {int(np.isnan(values).sum())} units)")
            elif np.ptp(values) == 0:
                left_out.append(f"{name} (constant)")
            else:
                usable.append(name)
        return usable, left_out

    def indicator(self, name: str, *, missing: Literal["raise", "nan"] = "raise") -> np.ndarray:
        """Values of one indicator in unit order.

        Parameters
        ----------
        name : str
            Indicator name.
        missing : {"raise", "nan"}
            ``"raise"`` (default) refuses missing figures, naming the units;
            ``"nan"`` returns them as NaN for callers that handle them explicitly.
        """
        if name not in self.indicator_names:
            raise IndicatorError(
                f"unknown indicator {name!r}; available: {', '.join(self.indicator_names)}"
            )
        values = np.array(
            [
                np.nan if u.indicators.get(name) is None else float(u.indicators[name])
                for u in self.units
            ]
        )
        if missing == "raise" and np.isnan(values).any():
            absent = [self.ids[i] for i in np.flatnonzero(np.isnan(values))]
            raise IndicatorError(
                f"indicator {name!r} is missing for {len(absent)} unit(s): "
                f"{', '.join(absent[:10])}{' ...' if len(absent) > 10 else ''}; "
                "choose a missing-value strategy explicitly"
            )
        return values

    def weights(self, name: str | None = None) -> np.ndarray:
        """Size weights in unit order: ``Unit.weight``, or the indicator ``name``.

        Missing weights raise :class:`IndicatorError`; negative ones are rejected.
        """
        if name is not None:
            values = self.indicator(name)
            if (values < 0).any():
                bad = self.ids[int(np.argmin(values))]
                raise IndicatorError(
                    f"weight indicator {name!r} is negative for unit {bad!r}; expected >= 0"
                )
            return values
        absent = [u.id for u in self.units if u.weight is None]
        if absent:
            raise IndicatorError(
                f"unit weight is missing for {len(absent)} unit(s): {', '.join(absent[:10])}; "
                "set Unit.weight or name an indicator to weigh by"
            )
        return np.array([float(u.weight) for u in self.units])  # type: ignore[arg-type]

    def coordinates(self) -> np.ndarray:
        """``(n, 2)`` array of (lat, lon) in degrees; raises if any is missing."""
        absent = [u.id for u in self.units if u.lat is None or u.lon is None]
        if absent:
            raise UnitSetError(f"coordinates are missing for unit(s): {', '.join(absent[:10])}")
        return np.array([[u.lat, u.lon] for u in self.units], dtype=float)

    def labels_of(self, attribute: str) -> list[str | None]:
        """A categorical attribute (``kind``, ``function``, ``region`` or a label) in order."""
        if attribute in ("kind", "function", "region", "id", "name"):
            return [getattr(u, attribute) for u in self.units]
        if not any(attribute in u.labels for u in self.units):
            raise UnitSetError(
                f"unknown categorical attribute {attribute!r}; expected kind, function, "
                "region or one of the labels: "
                + ", ".join(sorted({k for u in self.units for k in u.labels}))
            )
        return [u.labels.get(attribute) for u in self.units]

    def adjacency_matrix(self) -> np.ndarray:
        """Boolean ``(n, n)`` adjacency in unit order."""
        return nx.to_numpy_array(self.graph, nodelist=list(self.ids), weight=None) > 0

    def edge_index_pairs(self) -> np.ndarray:
        """``(m, 2)`` integer array of borders as row indices (each border once)."""
        pairs = [(self._index[a], self._index[b]) for a, b in self.graph.edges()]
        return np.array(sorted(tuple(sorted(p)) for p in pairs), dtype=int).reshape(-1, 2)

    # -- derived sets -----------------------------------------------------------
    def subset(self, ids: Sequence[str], *, name: str | None = None) -> UnitSet:
        """The units ``ids`` (in that order) with the borders among them."""
        chosen = [self[self.resolve(i)] for i in ids]
        keep = {u.id for u in chosen}
        edges = [(a, b) for a, b in self.graph.edges() if a in keep and b in keep]
        attrs = {(a, b): dict(self.graph.edges[a, b]) for a, b in edges}
        return UnitSet(
            chosen,
            edges,
            edge_attributes=attrs,
            name=self.name if name is None else name,
            provenance=self.provenance,
            default_indicators=self.default_indicators,
        )

    def to_frame(self) -> Any:
        """The units as a pandas DataFrame, one row per unit in the set's order.

        Needs pandas (``pip install pandas``); ``import clustering`` does not.

        Returns
        -------
        pandas.DataFrame
            Columns ``id``, ``name``, ``kind``, ``function``, ``region``, ``weight``,
            ``lat``, ``lon``, then one column per indicator (:attr:`indicator_names`).
            A missing figure is NaN (a missing label is missing too), never invented.
            ``frame.attrs`` holds the set's ``name`` and ``provenance``.

        Raises
        ------
        MissingDependencyError
            pandas is not installed.

        Examples
        --------
        >>> s = UnitSet([{"id": "a", "name": "Hà Nội", "indicators": {"x": 1.5}},
        ...              {"id": "b", "name": "Huế", "indicators": {"x": None}}])
        >>> s.to_frame()[["id", "name", "x"]]
          id    name    x
        0  a  Hà Nội  1.5
        1  b     Huế  NaN
        """
        pd = require_pandas("UnitSet.to_frame()")

        def numbers(values: Iterable[float | None]) -> np.ndarray:
            return np.array([np.nan if v is None else v for v in values], dtype=float)

        columns: dict[str, object] = {
            attribute: [getattr(u, attribute) for u in self.units]
            for attribute in ("id", "name", "kind", "function", "region")
        }
        for attribute in ("weight", "lat", "lon"):
            columns[attribute] = numbers(getattr(u, attribute) for u in self.units)
        for name in self.indicator_names:
            if name not in columns:  # an indicator cannot hide a unit's own field
                columns[name] = numbers(u.indicators.get(name) for u in self.units)
        frame = pd.DataFrame(columns)
        frame.attrs.update(name=self.name, provenance=self.provenance)
        return frame

    def _repr_html_(self) -> str:
        """A notebook's view: the units' id, name, region, weight and place (first rows)."""
        rows = [(u.id, u.name, u.kind, u.region, u.weight, u.lat, u.lon) for u in self.units]
        caption = f"UnitSet {self.name!r}" if self.name else "UnitSet"
        caption += f": {len(self)} units, {self.graph.number_of_edges()} borders"
        headers = ["id", "name", "kind", "region", "weight", "lat", "lon"]
        return html_table(headers, rows, caption=caption)

    def to_records(self) -> list[dict[str, object]]:
        """Units as plain dicts (with a ``neighbors`` list), e.g. for JSON."""
        records = []
        for u in self.units:
            record = u.model_dump(exclude_defaults=True)
            record["id"], record["name"] = u.id, u.name
            record["neighbors"] = sorted(self.graph.neighbors(u.id), key=self._index.get)
            records.append(record)
        return records
