"""The rules a cluster plan must follow, and why a set of rules may be impossible.

A :class:`ClusterRules` says how many clusters to make and what each must
respect: size bounds by member count and/or by a weight such as population,
contiguity in the adjacency graph, and the planners' constraints (units that
must be together, apart, fixed to a cluster, and clusters pure in a category).

Both the exact optimizer and the heuristic estimators call :func:`diagnose`
before any work, so that an impossible request gets the same explanation
whichever method is used, and :func:`plan_violations` to check a finished plan.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import numpy as np
from pydantic import ConfigDict, Field, field_validator, model_validator

from .bitsets import bits, components
from .compiled_rules import CompiledRules, Violation, count_range
from .errors import (
    AmbiguousNameError,
    FairclustersError,
    InfeasibleError,
    ParameterError,
    UnknownNameError,
)
from .files import file_errors_as, load_json, load_yaml, read_text
from .names import fold, nfc
from .plan import Plan
from .units import UnitSet
from .validation import FairclustersModel

__all__ = [
    "ClosedSplit",
    "ClusterRules",
    "ClusterSpec",
    "CompiledRules",
    "Violation",
    "build_rules",
    "check_feasible",
    "diagnose",
    "infeasible_error",
    "plan_violations",
    "read_rule_file",
    "split_closed",
    "together_groups",
]


class ClusterSpec(FairclustersModel):
    """One named cluster with its own members and, optionally, its own rules.

    Real plans mix clusters formed by function (the centrally-run cities, far
    apart) with clusters formed by geography. A spec fixes ``members`` to the
    cluster it names; every rule left ``None`` is the plan-wide rule of
    :class:`ClusterRules`.

    Parameters
    ----------
    members : list of str
        Units (ids or names) of the cluster, at least one.
    closed : bool, default True
        The cluster holds exactly ``members`` (no other unit joins it); with
        ``False`` they are only fixed to it and others may join.
    contiguous : bool, optional
        ``False`` exempts the cluster from contiguity; default: the plan-wide rule.
    size : (int, int), optional
        Member count bounds of this cluster; default: the plan-wide ``size``.
    weight_bounds : (float, float), optional
        Weight bounds of this cluster; default: the plan-wide ``weight_bounds``.
    pure : str, optional
        Category this cluster must be pure in; default: the plan-wide ``pure``.
    max_impure : int, optional
        Members allowed outside the cluster's most common value of ``pure``;
        default: the plan-wide ``max_impure``.

    Examples
    --------
    >>> spec = ClusterSpec(members=["Hà Nội", "Hải Phòng"], contiguous=False)
    >>> spec.closed, spec.contiguous
    (True, False)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    members: tuple[str, ...] = Field(min_length=1)
    closed: bool = True
    contiguous: bool | None = None
    size: tuple[int, int] | None = None
    weight_bounds: tuple[float, float] | None = None
    pure: str | None = None
    max_impure: int | None = Field(default=None, ge=0)

    @field_validator("size")
    @classmethod
    def _spec_size(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return _checked_size(value)

    @field_validator("weight_bounds")
    @classmethod
    def _spec_weights(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        return _checked_weight_bounds(value)

    @property
    def overrides(self) -> list[str]:
        """The rules this spec sets for its cluster (besides its members)."""
        return [name for name in ("contiguous", "size", "weight_bounds", "pure", "max_impure")
                if getattr(self, name) is not None]


def _checked_size(value: tuple[int, int] | None) -> tuple[int, int] | None:
    if value is not None:
        low, high = value
        if low < 1:
            raise ValueError(f"size minimum {low} must be >= 1 (clusters are not empty)")
        if low > high:
            raise ValueError(f"size bounds ({low}, {high}): minimum exceeds maximum")
    return value


def _checked_weight_bounds(value: tuple[float, float] | None) -> tuple[float, float] | None:
    if value is not None:
        low, high = value
        if not (math.isfinite(low) and math.isfinite(high)) or low < 0:
            raise ValueError(f"weight bounds {value} must be finite and >= 0")
        if low > high:
            raise ValueError(f"weight bounds {value}: lower exceeds upper")
    return value


class ClusterRules(FairclustersModel):
    """What a plan of ``n_clusters`` clusters must respect.

    Parameters
    ----------
    n_clusters : int
        Number of clusters ``k >= 1``.
    size : (int, int), optional
        Bounds ``(min, max)`` on the number of members of every cluster.
    weight_bounds : (float, float), optional
        Bounds ``(lower, upper)`` on every cluster's total weight.
    weight : str, optional
        Indicator used as the weight; ``None`` uses each unit's ``weight``.
    contiguous : bool, default True
        Every cluster must be connected in the adjacency graph (the default of
        :func:`optimizer.optimize` and the estimators too; blocs by function
        pass ``False``).
    together : list of lists of str
        Each group of units (ids or names) must share one cluster.
    apart : list of lists of str
        The units of each group must be in pairwise different clusters.
    fixed : dict of str to str
        Unit -> cluster label: units with the same label share a cluster,
        units with different labels are apart.
    pure : str, optional
        Categorical attribute (e.g. ``"function"``) in which every cluster
        must be pure: all members share one value (blocs by function).
    max_impure : int, default 0
        The soft form of ``pure``: each cluster may hold at most this many
        members outside its most common value (``0``: strictly pure).
    clusters : dict of str to ClusterSpec
        Named clusters with their own members and rules (see
        :class:`ClusterSpec`), e.g. the centrally-run cities as one cluster
        exempt from contiguity; the other clusters follow the rules above.

    Examples
    --------
    >>> r = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    >>> r.size
    (5, 6)
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    n_clusters: int = Field(gt=0)
    size: tuple[int, int] | None = None
    weight_bounds: tuple[float, float] | None = None
    weight: str | None = None
    contiguous: bool = True
    together: tuple[tuple[str, ...], ...] = ()
    apart: tuple[tuple[str, ...], ...] = ()
    fixed: dict[str, str] = Field(default_factory=dict)
    pure: str | None = None
    max_impure: int = Field(default=0, ge=0)
    clusters: dict[str, ClusterSpec] = Field(default_factory=dict)

    @field_validator("size")
    @classmethod
    def _size_bounds(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        return _checked_size(value)

    @field_validator("weight_bounds")
    @classmethod
    def _weight_bounds(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        return _checked_weight_bounds(value)

    @model_validator(mode="after")
    def _impure_needs_pure(self) -> ClusterRules:
        if self.max_impure and self.pure is None:
            raise ValueError(f"max_impure={self.max_impure} needs pure=<category> "
                             "(the category clusters are nearly pure in)")
        return self

    @field_validator("clusters")
    @classmethod
    def _cluster_names(cls, value: dict[str, ClusterSpec]) -> dict[str, ClusterSpec]:
        seen: dict[str, str] = {}
        for name in value:
            key = fold(nfc(str(name)).strip())
            if key in seen:
                raise ValueError(f"cluster {name!r} is declared twice (also as {seen[key]!r}); "
                                 "give each cluster's rules once")
            seen[key] = name
        return {nfc(str(name)).strip(): spec for name, spec in value.items()}

    @field_validator("together", "apart")
    @classmethod
    def _groups(cls, value: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
        for group in value:
            if isinstance(group, str) or len(group) < 2:
                raise ValueError(f"a together/apart group needs at least two units, got {group!r}")
        return value

    @classmethod
    def with_weight_tolerance(
        cls,
        unit_set: UnitSet,
        n_clusters: int,
        tolerance: float,
        *,
        weight: str | None = None,
        **kwargs: object,
    ) -> ClusterRules:
        """Rules whose weight bounds are the ideal cluster weight ``* (1 ± tolerance)``.

        The ideal is the total weight divided by ``n_clusters``.

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> vn = vietnam_provinces(2025)
        >>> r = ClusterRules.with_weight_tolerance(vn, 4, 0.05)
        >>> round(r.weight_bounds[1] / r.weight_bounds[0], 4)
        1.1053
        """
        if not (math.isfinite(tolerance) and 0 <= tolerance < 1):
            raise FairclustersError(f"tolerance={tolerance!r}; expected a fraction in [0, 1)")
        if not isinstance(n_clusters, int) or n_clusters < 1:
            raise FairclustersError(f"n_clusters={n_clusters!r}; expected an integer >= 1")
        ideal = float(unit_set.weights(weight).sum()) / n_clusters
        return cls(
            n_clusters=n_clusters,
            weight_bounds=(ideal * (1 - tolerance), ideal * (1 + tolerance)),
            weight=weight,
            **kwargs,
        )

    def resolved(self, unit_set: UnitSet) -> ClusterRules:
        """The same rules with every unit named by its id (names resolved).

        Raises :class:`~clustering.errors.UnknownNameError` for an unknown unit,
        and :class:`FairclustersError` when ``n_clusters`` exceeds the units.
        """
        if self.n_clusters > len(unit_set):
            raise FairclustersError(
                f"n_clusters={self.n_clusters} exceeds the {len(unit_set)} units"
            )
        for attribute in {self.pure, *(s.pure for s in self.clusters.values())} - {None}:
            unit_set.labels_of(attribute)  # raises on an unknown attribute
        if self.weight_bounds is not None or any(s.weight_bounds for s in self.clusters.values()):
            unit_set.weights(self.weight)  # raises on missing or negative weights
        groups = {kind: tuple(tuple(_resolve(unit_set, u, kind) for u in g)
                              for g in getattr(self, kind))
                  for kind in ("together", "apart")}
        for kind, resolved in groups.items():
            for given, ids in zip(getattr(self, kind), resolved):
                if len(set(ids)) < len(ids):
                    # ["u0", "u0"] apart would be unsatisfiable, together meaningless: a typo.
                    raise FairclustersError(
                        f"{kind} group {list(given)} names a unit twice (as ids {list(ids)}); "
                        "expected distinct units"
                    )
        fixed: dict[str, str] = {}
        for unit, label in self.fixed.items():
            uid = _resolve(unit_set, unit, "fixed")
            if fixed.get(uid, str(label)) != str(label):
                raise FairclustersError(
                    f"unit {uid!r} ({unit_set[uid].name}) is fixed to two clusters, "
                    f"{fixed[uid]!r} and {str(label)!r}; expected one")
            fixed[uid] = str(label)
        return self.model_copy(
            update={**groups, "fixed": fixed, "clusters": _resolved_specs(unit_set, self, fixed)}
        )

    def count_bounds(self, n_units: int) -> tuple[int, int]:
        """Count bounds, ``(1, n)`` when none are set."""
        return self.size if self.size is not None else (1, n_units)

    def compile(self, unit_set: UnitSet) -> CompiledRules:
        """These rules in row-index terms for ``unit_set``, with the checks every method uses.

        Names are resolved first (see :meth:`resolved`).

        Examples
        --------
        >>> from clustering.datasets import vietnam_provinces
        >>> vn = vietnam_provinces(2025)
        >>> compiled = ClusterRules(n_clusters=6, fixed={"Ha Noi": "capital"}).compile(vn)
        >>> compiled.fixed
        {0: 'capital'}
        """
        return CompiledRules.build(unit_set, self.resolved(unit_set))


def _resolve(unit_set: UnitSet, unit: str, where: str) -> str:
    """A unit's id, an unknown or ambiguous name refused with the rule that names it."""
    try:
        return unit_set.resolve(unit)
    except AmbiguousNameError as exc:
        raise AmbiguousNameError(f"{where}: {exc}", name=exc.name, matches=exc.matches) from None
    except UnknownNameError as exc:
        raise UnknownNameError(f"{where}: {exc}") from None


def _resolved_specs(unit_set: UnitSet, rules: ClusterRules, fixed: Mapping[str, str]
                    ) -> dict[str, ClusterSpec]:
    """The cluster specs with members as ids; a unit in two clusters, or too many, refused."""
    owner: dict[str, str] = {}
    out = {}
    for name, spec in rules.clusters.items():
        ids = [_resolve(unit_set, u, f"cluster {name!r}") for u in spec.members]
        for uid in ids:
            other = owner.get(uid) or (fixed[uid] if fixed.get(uid, name) != name else None)
            if other is not None:
                raise FairclustersError(
                    f"unit {uid!r} ({unit_set[uid].name}) is fixed to two clusters, "
                    f"{other!r} and {name!r}; expected one")
            owner[uid] = name
        out[name] = spec.model_copy(update={"members": tuple(dict.fromkeys(ids))})
    for uid, label in fixed.items():
        if label in out and out[label].closed and uid not in out[label].members:
            raise FairclustersError(
                f"unit {uid!r} ({unit_set[uid].name}) is fixed to the closed cluster {label!r} "
                "but is not among its members; list it in the cluster's members")
    if len(out) > rules.n_clusters:
        raise FairclustersError(
            f"{len(out)} clusters are declared ({sorted(out)}) but n_clusters={rules.n_clusters}")
    return out


@dataclass(frozen=True)
class ClosedSplit:
    """Rules with their closed clusters taken out: those clusters, and the rest to solve.

    Attributes
    ----------
    closed : dict of str to list of str
        Each closed cluster's members (ids, in the unit set's order).
    rest_units : UnitSet
        The units of no closed cluster, with the borders among them.
    rest_rules : ClusterRules
        The rules of the rest: ``n_clusters`` minus the closed clusters, the
        groups restricted to the rest, the open cluster specs kept.
    problems : list of InfeasibleError
        Why the closed clusters break their own rules or the groups (found
        without solving; empty when none).
    """

    closed: dict[str, list[str]]
    rest_units: UnitSet
    rest_rules: ClusterRules
    problems: list[InfeasibleError]

    def restricted(self, plan: Plan) -> Plan:
        """``plan``'s clusters on the units of the rest (a start for the rest's problem)."""
        clusters: dict[str, list[str]] = {}
        for uid in self.rest_units.ids:
            clusters.setdefault(plan.cluster_of(uid), []).append(uid)
        return Plan(self.rest_units, clusters, name=plan.name)

    def joined(self, rest_clusters: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
        """The closed clusters, then the rest's (``name (2)``... when a name is taken)."""
        clusters = {name: list(members) for name, members in self.closed.items()}
        for name, members in rest_clusters.items():
            free, k = name, 1
            while free in clusters:
                k += 1
                free = f"{name} ({k})"
            clusters[free] = list(members)
        return clusters


def split_closed(unit_set: UnitSet, rules: ClusterRules) -> ClosedSplit:
    """Take the closed clusters (all members fixed) out of the problem.

    A closed cluster's members are known, so its own rules are checked on
    them once, and the other clusters are exactly the ``k - c`` clusters of
    the remaining units under the remaining rules: a cluster's contiguity,
    bounds and purity depend on its members only, and the closed members are
    apart from every other unit.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> cities = [u.id for u in vn if u.kind == "city"]
    >>> rules = ClusterRules(n_clusters=6, size=(4, 7),
    ...                      clusters={"Đô thị": ClusterSpec(members=cities, contiguous=False)})
    >>> split = split_closed(vn, rules)
    >>> len(split.closed["Đô thị"]), len(split.rest_units), split.rest_rules.n_clusters
    (6, 28, 5)
    """
    rules = rules.resolved(unit_set)
    closed = {name: sorted(spec.members, key=unit_set.index)
              for name, spec in rules.clusters.items() if spec.closed}
    cluster_of = {uid: name for name, members in closed.items() for uid in members}
    problems = [problem for name, members in closed.items()
                for problem in _closed_problems(unit_set, rules, name, members)]
    together = []
    for group in rules.together:
        where = {cluster_of.get(u) for u in group}
        if len(where) > 1 and where & set(closed):
            problems.append(InfeasibleError(
                f"units {_names(unit_set, group)} must be together but some are in the closed "
                f"cluster(s) {sorted(where - {None})} and some are not",
                reason="together", units=tuple(group)))
        elif where == {None}:
            together.append(group)
    apart = []
    for group in rules.apart:
        inside = [cluster_of[u] for u in group if u in cluster_of]
        if len(inside) != len(set(inside)):
            problems.append(InfeasibleError(
                f"units {_names(unit_set, group)} must be apart but some share a closed cluster",
                reason="apart", units=tuple(group)))
        kept = tuple(u for u in group if u not in cluster_of)
        if len(kept) > 1:
            apart.append(kept)
    rest_ids = [uid for uid in unit_set.ids if uid not in cluster_of]
    rest_rules = rules.model_copy(update={
        "n_clusters": rules.n_clusters - len(closed),
        "together": tuple(together),
        "apart": tuple(apart),
        "fixed": {u: label for u, label in rules.fixed.items() if u not in cluster_of},
        "clusters": {n: s for n, s in rules.clusters.items() if not s.closed},
    })
    if rest_rules.n_clusters == 0 and rest_ids:
        problems.append(InfeasibleError(
            f"the {len(closed)} closed cluster(s) use up the {rules.n_clusters} clusters but "
            f"{len(rest_ids)} unit(s) are in none: {_names(unit_set, rest_ids)}",
            reason="count", units=tuple(rest_ids)))
    return ClosedSplit(closed, unit_set.subset(rest_ids), rest_rules, problems)


def _closed_problems(unit_set: UnitSet, rules: ClusterRules, name: str, members: list[str]
                     ) -> list[InfeasibleError]:
    """A closed cluster's own rules, checked on its members (the violations' one check)."""
    compiled = CompiledRules.build(unit_set, rules)
    rows = np.array([unit_set.index(u) for u in members])
    return [InfeasibleError(f"the closed cluster {name!r} breaks its rules: {v}",
                            reason=v.reason, units=v.units)
            for v in compiled.cluster_violations(name, rows)]


#: Keys of a rules file: the fields of ClusterRules, and ``weight_tolerance``.
RULE_FILE_KEYS = ("n_clusters", "size", "weight_bounds", "weight_tolerance", "weight",
                  "contiguous", "together", "apart", "fixed", "pure", "max_impure", "clusters")


def read_rule_file(path: str | Path) -> dict[str, object]:
    """The rules written in a YAML (or JSON) file, as keywords of :func:`build_rules`.

    The keys are those of :class:`ClusterRules` plus ``weight_tolerance``; any
    may be left out (the command line or the defaults give them). Units are
    named by id (quoted: ``"01"``) or by name::

        n_clusters: 6
        size: [4, 7]
        weight_tolerance: 0.5
        together: [[Hà Nội, Hưng Yên]]
        apart: [[Hà Nội, Hồ Chí Minh]]
        fixed: {Quảng Ninh: Đông Bắc}
        pure: kind
        max_impure: 1
        clusters:
          Đô thị:               # the centrally-run cities, far apart
            members: [Hà Nội, Hải Phòng, Huế, Đà Nẵng, Hồ Chí Minh, Cần Thơ]
            contiguous: false
            max_impure: 0

    Parameters
    ----------
    path : str or path
        A ``.yaml``/``.yml`` or ``.json`` file (UTF-8).

    Returns
    -------
    dict
        Key -> value as written (``clusters`` as :class:`ClusterSpec`).

    Raises
    ------
    ParameterError
        Unreadable file, an unknown key (the expected ones listed), a cluster
        declared twice (also by a duplicate key) or a bad spec.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rules.yaml"
    >>> _ = path.write_text("n_clusters: 6\\nclusters:\\n  Đô thị: {members: [Huế], "
    ...                     "contiguous: false}\\n", encoding="utf-8")
    >>> read_rule_file(path)["clusters"]["Đô thị"].contiguous
    False
    """
    path = Path(path)
    with file_errors_as(ParameterError, "cannot be read: "):
        text = read_text(path)
        data = load_json(text, str(path)) if path.suffix.lower() == ".json" else load_yaml(
            text, str(path))
    if data is None:
        return {}
    if not isinstance(data, Mapping):
        raise ParameterError(f"{path}: expected a mapping of rules, got {type(data).__name__}")
    unknown = sorted(set(map(str, data)) - set(RULE_FILE_KEYS))
    if unknown:
        raise ParameterError(f"{path}: unknown key(s) {unknown}; expected some of "
                             f"{list(RULE_FILE_KEYS)}")
    out = {str(k): v for k, v in data.items()}
    for kind in ("together", "apart"):
        if kind in out:
            out[kind] = [[str(u) for u in group] if isinstance(group, list) else group
                         for group in out[kind] or []]
    if "fixed" in out:
        out["fixed"] = {str(u): str(label) for u, label in (out["fixed"] or {}).items()}
    clusters = out.get("clusters") or {}
    if not isinstance(clusters, Mapping):
        raise ParameterError(f"{path}: 'clusters' must map cluster names to their rules")
    specs = {}
    for name, spec in clusters.items():
        if not isinstance(spec, Mapping):
            raise ParameterError(f"{path}: cluster {name!r} must be a mapping with 'members'")
        members = spec.get("members")
        update = {"members": [str(u) for u in members]} if isinstance(members, list) else {}
        try:
            specs[str(name)] = ClusterSpec(**{**spec, **update})
        except ParameterError as exc:
            raise ParameterError(f"{path}: cluster {name!r}: {exc}") from None
    if "clusters" in out:
        out["clusters"] = specs
    return out


def build_rules(unit_set: UnitSet, **settings: object) -> ClusterRules:
    """Rules from keywords (those of :func:`read_rule_file`), names resolved before any solving.

    ``weight_tolerance`` gives weight bounds as the ideal cluster weight
    ``* (1 ± tolerance)`` (:meth:`ClusterRules.with_weight_tolerance`); every
    other keyword is kept as it is, ``size`` included.

    Parameters
    ----------
    unit_set : UnitSet
        The units the rules are for.
    **settings
        Keywords of :class:`ClusterRules`, and ``weight_tolerance``.

    Returns
    -------
    ClusterRules
        Resolved (every unit named by its id).

    Raises
    ------
    FairclustersError
        A bad value, ``weight_tolerance`` with ``weight_bounds``, an unknown
        unit (closest names suggested), a unit fixed to two clusters.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> rules = build_rules(vietnam_provinces(2025), n_clusters=6, size=(5, 6),
    ...                     weight_tolerance=0.5, together=[["Ha Noi", "Hung Yen"]])
    >>> rules.size, rules.weight_bounds is not None, rules.together
    ((5, 6), True, (('01', '33'),))
    """
    settings = {k: v for k, v in settings.items() if v is not None}
    tolerance = settings.pop("weight_tolerance", None)
    if tolerance is not None:
        if "weight_bounds" in settings:
            raise ParameterError("give weight_bounds or weight_tolerance, not both")
        n_clusters = settings.pop("n_clusters", None)
        if not isinstance(n_clusters, int):
            raise ParameterError(f"n_clusters={n_clusters!r}; expected an integer >= 1")
        rules = ClusterRules.with_weight_tolerance(unit_set, n_clusters, float(tolerance),
                                                   **settings)
    else:
        rules = ClusterRules(**settings)
    return rules.resolved(unit_set)


def together_groups(unit_set: UnitSet, rules: ClusterRules) -> list[list[str]]:
    """Units that must share a cluster, merged transitively (``together`` and ``fixed``).

    Only groups of two or more units are returned, members in unit-set order.
    """
    compiled = rules.resolved(unit_set).compile(unit_set)
    return [[unit_set.ids[i] for i in group] for group in compiled.together]


def _names(unit_set: UnitSet, ids: Sequence[str]) -> str:
    shown = ", ".join(f"{uid} ({unit_set[uid].name})" for uid in list(ids)[:8])
    return shown + (f" and {len(ids) - 8} more" if len(ids) > 8 else "")


def diagnose(unit_set: UnitSet, rules: ClusterRules) -> list[InfeasibleError]:
    """Every reason, found before solving, why no plan can satisfy ``rules``.

    The checks are necessary conditions: an empty list does not prove that a
    plan exists, but each error returned proves that none does. Each error has
    a ``reason`` code and the ``units`` involved:

    ``count``
        ``n < k * min`` or ``n > k * max``.
    ``unit_too_heavy``
        A unit's weight exceeds the upper weight bound.
    ``weight_total``
        The total weight cannot be split into ``k`` clusters within the bounds.
    ``component``
        Under contiguity, the adjacency components cannot be split into
        clusters within the bounds, or not into exactly ``k`` of them.
    ``together_apart``
        Two units must be together (directly, transitively or by ``fixed``)
        and apart at once.
    ``together_too_large``
        A must-together group exceeds the size or weight maximum.
    ``together_unreachable``
        Under contiguity, a must-together group lies in different components
        or two of its units are farther apart than a cluster can stretch.
    ``apart_too_many``
        An apart group (or the set of distinct fixed labels) has more units
        than there are clusters.
    ``purity``
        Clusters must be pure in a category but its values cannot be split
        into ``k`` clusters within the size bounds, or a together group mixes values.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> vn = vietnam_provinces(2025)
    >>> [e.reason for e in diagnose(vn, ClusterRules(n_clusters=6, size=(7, 9)))]
    ['count', 'component']
    """
    rules = rules.resolved(unit_set)
    if any(spec.closed for spec in rules.clusters.values()):
        split = split_closed(unit_set, rules)
        if split.rest_rules.n_clusters == 0 or split.problems:
            return split.problems
        return diagnose(split.rest_units, split.rest_rules)
    compiled = rules.compile(unit_set)
    # Clusters with rules of their own void the checks by plan-wide bounds; groups still hold.
    own_rules = any(spec.overrides for spec in rules.clusters.values())
    problems = [] if own_rules else _bound_problems(compiled)
    if compiled.contiguous and not own_rules:
        problems += _component_problems(compiled)
    problems += _together_apart_problems(compiled)
    problems += _apart_count_problems(compiled)
    if not own_rules:
        problems += _together_size_problems(compiled)
    if compiled.categories is not None and not own_rules:
        problems += _purity_problems(compiled)
    elif compiled.soft_categories is not None:
        problems += _missing_category_problems(compiled)
    return problems


def _bound_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Member counts and weights: the totals and the heaviest units."""
    unit_set, n, k = c.unit_set, c.n, c.n_clusters
    low, high = c.size
    problems: list[InfeasibleError] = []
    if n < k * low or n > k * high:
        problems.append(InfeasibleError(
            f"{n} units cannot form {k} clusters of {low} to {high} members "
            f"(possible totals: {k * low} to {k * high})",
            reason="count",
        ))
    if c.weights is None:
        return problems
    w_low, w_high = c.weight_bounds  # type: ignore[misc]
    heavy = [unit_set.ids[i] for i in np.flatnonzero(c.weights > w_high + c.weight_slack)]
    if heavy:
        problems.append(InfeasibleError(
            f"unit(s) {_names(unit_set, heavy)} weigh more than the upper bound "
            f"{w_high:,.6g} on their own",
            reason="unit_too_heavy",
            units=tuple(heavy),
        ))
    total = float(c.weights.sum())
    fewest, most = count_range(total, c.weight_bounds)  # type: ignore[arg-type]
    if not fewest <= k <= most:
        problems.append(InfeasibleError(
            f"total weight {total:,.6g} cannot form {k} clusters weighing "
            f"{w_low:,.6g} to {w_high:,.6g} (possible totals {k * w_low:,.6g} "
            f"to {k * w_high:,.6g})",
            reason="weight_total",
        ))
    return problems


def _component_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Under contiguity, each connected part is split into whole clusters."""
    parts = [bits(p) for p in components(c.mask(range(c.n)), c.neighbour_masks)]
    return _grouped_count_problems(
        c, sorted(parts, key=len), reason="component",
        one=lambda ids: (f"the connected part {_names(c.unit_set, ids)} ({len(ids)} units) "
                         "cannot be split into contiguous clusters within the size bounds"),
        every=lambda fewest, most: (
            f"the adjacency graph has {len(parts)} connected part(s) that need between "
            f"{fewest} and {most} contiguous clusters, not {c.n_clusters}"),
    )


def _grouped_count_problems(c: CompiledRules, groups: list[list[int]], *, reason: str,
                            one: Callable[[list[str]], str],
                            every: Callable[[int, int], str]) -> list[InfeasibleError]:
    """Groups that clusters cannot straddle (connected parts, purity classes).

    Each group is split into whole clusters: its own range of cluster counts
    (:meth:`CompiledRules.cluster_count_range`) must not be empty, and the
    ranges must admit ``k`` in total. ``one`` and ``every`` word the two findings.
    """
    problems, fewest_total, most_total = [], 0, 0
    for members in groups:
        total = c.cluster_weight(members) if c.weights is not None else None
        fewest, most = c.cluster_count_range(len(members), total)
        if fewest > most or most < 1:
            ids = [c.unit_set.ids[i] for i in members]
            problems.append(InfeasibleError(one(ids), reason=reason, units=tuple(ids)))
        fewest_total += fewest
        most_total += most
    if not problems and not (fewest_total <= c.n_clusters <= most_total):
        problems.append(InfeasibleError(every(fewest_total, most_total), reason=reason))
    return problems


def _together_apart_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Units bound together (directly, transitively or by ``fixed``) and apart at once."""
    unit_set, rules, ids = c.unit_set, c.rules, c.unit_set.ids
    group_of = {ids[i]: g for g, group in enumerate(c.together) for i in group}
    problems = []
    for apart in rules.apart:
        seen: dict[int, str] = {}
        for u in apart:
            g = group_of.get(u)
            if g is None:
                continue
            if g in seen:
                problems.append(InfeasibleError(
                    f"units {seen[g]} ({unit_set[seen[g]].name}) and {u} "
                    f"({unit_set[u].name}) must be both together and apart",
                    reason="together_apart",
                    units=(seen[g], u),
                ))
            seen.setdefault(g, u)
    labels_of_group: dict[int, set[str]] = {}
    for unit, label in rules.fixed.items():
        if unit in group_of:
            labels_of_group.setdefault(group_of[unit], set()).add(label)
    for g, labels in labels_of_group.items():
        if len(labels) > 1:
            members = [ids[i] for i in c.together[g] if ids[i] in rules.fixed]
            problems.append(InfeasibleError(
                f"units {_names(unit_set, members)} must be together but are fixed to "
                f"different clusters {sorted(labels)}",
                reason="together_apart",
                units=tuple(members),
            ))
    return problems


def _apart_count_problems(c: CompiledRules) -> list[InfeasibleError]:
    """More units pairwise apart (or distinct fixed labels) than clusters."""
    rules, k, problems = c.rules, c.n_clusters, []
    for apart in rules.apart:
        if len(set(apart)) > k:
            problems.append(InfeasibleError(
                f"{len(set(apart))} units must be pairwise apart but there are only {k} "
                f"clusters: {_names(c.unit_set, apart)}",
                reason="apart_too_many",
                units=tuple(apart),
            ))
    distinct_fixed = sorted(set(rules.fixed.values()))
    if len(distinct_fixed) > k:
        problems.append(InfeasibleError(
            f"units are fixed to {len(distinct_fixed)} different clusters "
            f"({distinct_fixed}) but only {k} clusters are asked for",
            reason="apart_too_many",
            units=tuple(rules.fixed),
        ))
    return problems


def _together_size_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Together groups too large, too heavy, or (with contiguity) too far apart."""
    high, problems = c.size[1], []
    for group in c.together:
        ids = [c.unit_set.ids[i] for i in group]
        if len(group) > high:
            problems.append(InfeasibleError(
                f"{len(group)} units must be together but a cluster holds at most {high}: "
                f"{_names(c.unit_set, ids)}",
                reason="together_too_large",
                units=tuple(ids),
            ))
        if c.weights is not None:
            group_weight = c.cluster_weight(group)
            if not c.weight_ok(group_weight) and group_weight > c.weight_bounds[1]:  # type: ignore[index]
                problems.append(InfeasibleError(
                    f"units {_names(c.unit_set, ids)} must be together but weigh "
                    f"{group_weight:,.6g}, above the upper bound "
                    f"{c.weight_bounds[1]:,.6g}",  # type: ignore[index]
                    reason="together_too_large",
                    units=tuple(ids),
                ))
        if c.contiguous:
            problems += _reachability_problems(c.unit_set, ids, high)
    return problems


def _reachability_problems(
    unit_set: UnitSet, group: list[str], high: int
) -> list[InfeasibleError]:
    # A contiguous cluster holding a and b contains a path between them, so
    # the shortest path (in units) must fit within the size maximum.
    first = group[0]
    lengths = nx.single_source_shortest_path_length(unit_set.graph, first)
    unreachable = [u for u in group if u not in lengths]
    if unreachable:
        return [
            InfeasibleError(
                f"units {first} and {_names(unit_set, unreachable)} must be together but are "
                "not connected by land borders, so no contiguous cluster holds them",
                reason="together_unreachable",
                units=(first, *unreachable),
            )
        ]
    problems = []
    for i, a in enumerate(group):
        # a cluster of at most `high` units spans paths of at most `high - 1` borders
        dist = nx.single_source_shortest_path_length(unit_set.graph, a, cutoff=high - 1)
        for b in group[i + 1:]:
            if b not in dist:
                problems.append(
                    InfeasibleError(
                        f"units {a} and {b} must be together but any contiguous cluster "
                        f"joining them has more than {high} members",
                        reason="together_unreachable",
                        units=(a, b),
                    )
                )
    return problems


def _missing_category_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Purity, strict or soft, needs every unit's category."""
    unit_set, pure = c.unit_set, c.rules.pure
    absent = [u for u, value in zip(unit_set.ids, unit_set.labels_of(pure)) if value is None]
    if not absent:
        return []
    nearly = f" (up to {c.max_impure} members outside the main value)" if c.max_impure else ""
    return [InfeasibleError(
        f"clusters must be pure in {pure!r}{nearly}, which is missing for "
        f"{_names(unit_set, absent)}",
        reason="purity",
        units=tuple(absent),
    )]


def _purity_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Pure clusters: the category is known, together groups are pure, counts fit."""
    unit_set, pure = c.unit_set, c.rules.pure
    categories = c.categories if c.categories is not None else unit_set.labels_of(pure)
    category_of = dict(zip(unit_set.ids, categories))
    absent = _missing_category_problems(c)
    if absent:
        return absent
    problems = []
    for group in c.together:
        values = {categories[i] for i in group}
        if len(values) > 1:
            ids = [unit_set.ids[i] for i in group]
            problems.append(InfeasibleError(
                f"units {_names(unit_set, ids)} must be together but differ in "
                f"{pure!r} ({sorted(values)}), so no pure cluster holds them",
                reason="purity",
                units=tuple(ids),
            ))
    low, high = c.size
    classes: dict[object, list[int]] = {}
    for i, value in enumerate(categories):
        classes.setdefault(value, []).append(i)
    return problems + _grouped_count_problems(
        c, list(classes.values()), reason="purity",
        one=lambda ids: (f"the {len(ids)} units with {pure}={category_of[ids[0]]!r} cannot be "
                         f"split into pure clusters of {low} to {high} members"),
        every=lambda fewest, most: (f"{len(classes)} values of {pure!r} need between {fewest} "
                                    f"and {most} pure clusters, not {c.n_clusters}"),
    )


def check_feasible(unit_set: UnitSet, rules: ClusterRules) -> ClusterRules:
    """Raise :func:`infeasible_error` of :func:`diagnose`'s findings; return resolved rules.

    The estimators and the plan sampler, which must return a plan, call this
    before any work; :func:`optimizer.optimize`, which returns a result,
    reports the same errors in ``result.reasons`` with ``status="infeasible"``
    (``result.raise_if_infeasible()`` raises this same error).
    """
    problems = diagnose(unit_set, rules)
    if problems:
        raise infeasible_error(problems)
    return rules.resolved(unit_set)


def infeasible_error(problems: Sequence[InfeasibleError]) -> InfeasibleError:
    """One error for several reasons: the first's code and units, every reason in the message.

    Examples
    --------
    >>> e = infeasible_error([InfeasibleError("a", reason="count"),
    ...                       InfeasibleError("b", reason="purity")])
    >>> e.reason, str(e)
    ('count', '2 reasons: a; b')
    """
    if not problems:
        raise ValueError("infeasible_error needs at least one reason")
    first = problems[0]
    if len(problems) == 1:
        return first
    listing = "; ".join(str(p) for p in problems)
    return InfeasibleError(
        f"{len(problems)} reasons: {listing}", reason=first.reason, units=first.units
    )


def plan_violations(plan: Plan, rules: ClusterRules) -> list[Violation]:
    """Every way ``plan`` breaks ``rules`` (an empty list when it follows them all).

    Independent of how the plan was made, so tests use it to check the
    optimizer's and the estimators' output. Each :class:`Violation` has a
    ``reason`` (one of :data:`~clustering.compiled_rules.RULE_CODES`), the
    ``cluster`` and ``units`` concerned, and reads as a sentence (``str``).

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> old = vietnam_provinces(2024)
    >>> regions = Plan.from_attribute(old, "region")
    >>> plan_violations(regions, ClusterRules(n_clusters=6, size=(5, 14), contiguous=True))
    []
    >>> for v in plan_violations(regions, ClusterRules(n_clusters=6, size=(5, 13))):
    ...     print(v.reason, v.cluster, len(v.units))
    count Trung du và miền núi phía Bắc 14
    count Bắc Trung Bộ và Duyên hải miền Trung 14
    """
    unit_set = plan.unit_set
    compiled = rules.resolved(unit_set).compile(unit_set)
    return compiled.violations(plan.labels, plan.cluster_names)
