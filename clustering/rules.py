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
from collections.abc import Callable, Sequence

import networkx as nx
import numpy as np
from pydantic import ConfigDict, Field, field_validator

from .bitsets import bits, components
from .compiled_rules import CompiledRules, Violation, count_range
from .errors import FairclustersError, InfeasibleError
from .plan import Plan
from .units import UnitSet
from .validation import FairclustersModel

__all__ = [
    "ClusterRules",
    "CompiledRules",
    "Violation",
    "check_feasible",
    "diagnose",
    "infeasible_error",
    "plan_violations",
    "together_groups",
]


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

    @field_validator("size")
    @classmethod
    def _size_bounds(cls, value: tuple[int, int] | None) -> tuple[int, int] | None:
        if value is not None:
            low, high = value
            if low < 1:
                raise ValueError(f"size minimum {low} must be >= 1 (clusters are not empty)")
            if low > high:
                raise ValueError(f"size bounds ({low}, {high}): minimum exceeds maximum")
        return value

    @field_validator("weight_bounds")
    @classmethod
    def _weight_bounds(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None:
            low, high = value
            if not (math.isfinite(low) and math.isfinite(high)) or low < 0:
                raise ValueError(f"weight bounds {value} must be finite and >= 0")
            if low > high:
                raise ValueError(f"weight bounds {value}: lower exceeds upper")
        return value

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
        if self.pure is not None:
            unit_set.labels_of(self.pure)  # raises on an unknown attribute
        if self.weight_bounds is not None:
            unit_set.weights(self.weight)  # raises on missing or negative weights
        groups = {kind: tuple(tuple(unit_set.resolve(u) for u in g) for g in getattr(self, kind))
                  for kind in ("together", "apart")}
        for kind, resolved in groups.items():
            for given, ids in zip(getattr(self, kind), resolved):
                if len(set(ids)) < len(ids):
                    # ["u0", "u0"] apart would be unsatisfiable, together meaningless: a typo.
                    raise FairclustersError(
                        f"{kind} group {list(given)} names a unit twice (as ids {list(ids)}); "
                        "expected distinct units"
                    )
        return self.model_copy(
            update={
                **groups,
                "fixed": {unit_set.resolve(u): str(c) for u, c in self.fixed.items()},
            }
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
    compiled = rules.resolved(unit_set).compile(unit_set)
    problems = _bound_problems(compiled)
    if compiled.contiguous:
        problems += _component_problems(compiled)
    problems += _together_apart_problems(compiled)
    problems += _apart_count_problems(compiled)
    problems += _together_size_problems(compiled)
    if compiled.categories is not None or compiled.rules.pure is not None:
        problems += _purity_problems(compiled)
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


def _purity_problems(c: CompiledRules) -> list[InfeasibleError]:
    """Pure clusters: the category is known, together groups are pure, counts fit."""
    unit_set, pure = c.unit_set, c.rules.pure
    categories = c.categories if c.categories is not None else unit_set.labels_of(pure)
    category_of = dict(zip(unit_set.ids, categories))
    absent = [u for u, value in category_of.items() if value is None]
    if absent:
        return [InfeasibleError(
            f"clusters must be pure in {pure!r}, which is missing for "
            f"{_names(unit_set, absent)}",
            reason="purity",
            units=tuple(absent),
        )]
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
