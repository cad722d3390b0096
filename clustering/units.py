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
from typing import Literal

import networkx as nx
import numpy as np
from pydantic import ConfigDict, Field, field_validator

from .errors import IndicatorError, ParameterError, UnitSetError, UnknownNameError
from .names import closest_names, fold, nfc
from .validation import FairclustersModel, NFCStr, NFCText

__all__ = ["Unit", "UnitSet"]


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
    edges : iterable of (id, id) pairs, optional
        Adjacency as an edge list (each border once, either direction).
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

        Tries, in order: an exact id, an exact (NFC) name, then the name with
        diacritics, case and punctuation ignored (:func:`clustering.names.fold`).

        Raises
        ------
        UnknownNameError
            No unit matches; the message suggests the closest names.

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> vietnam_provinces(2025).resolve("Ha Noi")
        '01'
        """
        key = nfc(str(key).strip())
        if key in self._index:
            return key
        by_name = self._ids_by(lambda u: u.name)
        if key in by_name:
            return self._unique(key, by_name[key])
        folded = fold(key)
        by_fold = self._ids_by(lambda u: fold(u.name))
        if folded in by_fold:
            return self._unique(key, by_fold[folded])
        raise UnknownNameError(self._unknown_message(key))

    def _ids_by(self, key_of) -> dict[str, list[str]]:
        table: dict[str, list[str]] = {}
        for u in self.units:
            table.setdefault(key_of(u), []).append(u.id)
        return table

    def _unique(self, key: str, ids: list[str]) -> str:
        if len(ids) > 1:
            raise UnknownNameError(
                f"name {key!r} is ambiguous: it matches units {', '.join(ids)}; use an id"
            )
        return ids[0]

    def _unknown_message(self, key: str) -> str:
        suggestions = closest_names(key, [u.name for u in self.units])
        # Several units may share a suggested name (communes): list all their ids rather
        # than resolve() it, which would raise an ambiguity error instead of this message.
        by_name = self._ids_by(lambda u: u.name)
        hint = (
            "; closest names: "
            + ", ".join(f"{s!r} (id {', '.join(by_name[s])})" for s in suggestions)
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

    def to_records(self) -> list[dict[str, object]]:
        """Units as plain dicts (with a ``neighbors`` list), e.g. for JSON."""
        records = []
        for u in self.units:
            record = u.model_dump(exclude_defaults=True)
            record["id"], record["name"] = u.id, u.name
            record["neighbors"] = sorted(self.graph.neighbors(u.id), key=self._index.get)
            records.append(record)
        return records
