r"""Rules compiled once for a unit set: the one place where each rule is checked.

:class:`~clustering.rules.ClusterRules` speaks in unit ids and names. Every
method that builds or checks plans (the exact models, the heuristics, the
plan sampler, the checker :func:`~clustering.rules.plan_violations`) needs
the same rules in row-index terms: count and weight bounds, the borders, the
groups that must be together (merged transitively with ``fixed``), the groups
that must be apart (``fixed`` labels included), and the categories clusters
must be pure in. :meth:`ClusterRules.compile <clustering.rules.ClusterRules.compile>`
builds a :class:`CompiledRules` holding them, with the checks every method
uses, and one weight tolerance.

A cluster :math:`C` is *valid* when

.. math::

    L \le |C| \le U, \qquad
    L_w - \varepsilon \le \textstyle\sum_{i \in C} w_i \le U_w + \varepsilon,

it holds all or none of each together group, at most one unit of each apart
group, one value of the purity category, and (with contiguity) it is
connected. :math:`\varepsilon` is :data:`WEIGHT_TOLERANCE` times
:math:`\max(1, U_w)`: round-off in summed weights never decides validity.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np

from .bitsets import bits, components, is_connected, mask_of, neighbour_masks
from .i18n import Text

if TYPE_CHECKING:
    from .rules import ClusterRules
    from .units import UnitSet

__all__ = [
    "RULE_CODES",
    "VIOLATION_TEXTS",
    "WEIGHT_TOLERANCE",
    "CompiledRules",
    "Violation",
    "count_range",
    "impure_count",
    "weight_slack",
]

#: Relative slack on weight bounds, the same for every method.
WEIGHT_TOLERANCE = 1e-9

#: The rule each violation (and each infeasibility reason) concerns.
RULE_CODES = ("n_clusters", "count", "weight", "contiguity", "together", "apart", "fixed",
              "purity")


def impure_count(values: Sequence[Hashable]) -> int:
    """Members outside a cluster's most common value: what ``max_impure`` bounds.

    Examples
    --------
    >>> impure_count(["city", "province", "province", "province"])
    1
    """
    counts: dict[Hashable, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    return len(values) - max(counts.values(), default=0)


def weight_slack(bounds: tuple[float, float] | None) -> float:
    """The absolute slack on weight bounds: :data:`WEIGHT_TOLERANCE` times ``max(1, upper)``.

    Examples
    --------
    >>> weight_slack((10.0, 2e9))
    2.0
    """
    if bounds is None or not math.isfinite(bounds[1]):
        return WEIGHT_TOLERANCE
    return WEIGHT_TOLERANCE * max(1.0, abs(bounds[1]))


def count_range(total: float, bounds: tuple[float, float]) -> tuple[float, float]:
    """How many clusters with totals in ``bounds`` can split ``total`` (granularity aside).

    Each cluster may pass a bound by :func:`weight_slack`, as
    :meth:`CompiledRules.weight_ok` allows, so this never rules out a plan
    that the checks accept.

    Examples
    --------
    >>> count_range(10.0, (3.0, 4.0))
    (3, 3)
    >>> count_range(8.0 + 1e-9, (2.0, 4.0))  # two clusters each within the slack of 4
    (2, 4)
    """
    slack = weight_slack(bounds)
    low, high = bounds[0] - slack, bounds[1] + slack
    fewest = math.ceil(total / high) if high > 0 else (0 if total <= 0 else math.inf)
    most = math.floor(total / low) if low > 0 else math.inf
    return fewest, most


#: Each violation's sentence in both languages; its figures come from ``Violation.fields``.
VIOLATION_TEXTS: dict[str, Text] = {
    "n_clusters": Text(vi="{found} cụm thay vì {expected}",
                       en="{found} clusters instead of {expected}"),
    "count": Text(vi="cụm {cluster!r} có {count} đơn vị, ngoài khoảng [{low}, {high}]",
                  en="cluster {cluster!r} has {count} members, outside [{low}, {high}]"),
    "weight": Text(vi="cụm {cluster!r} có {measure_vi} {total}, ngoài khoảng [{low}, {high}]",
                   en="cluster {cluster!r} weighs {total}, outside [{low}, {high}]"),
    "contiguity": Text(vi="cụm {cluster!r} bị chia thành {pieces} mảnh",
                       en="cluster {cluster!r} is in {pieces} pieces"),
    "purity": Text(vi="cụm {cluster!r} gộp các giá trị {attribute} {values}",
                   en="cluster {cluster!r} mixes {attribute} values {values}"),
    "purity_soft": Text(vi="cụm {cluster!r} có {impure} đơn vị khác {attribute} chủ đạo, "
                           "quá mức cho phép {max_impure}",
                        en="cluster {cluster!r} has {impure} members outside its main "
                           "{attribute}, more than the {max_impure} allowed"),
    "closed_extra": Text(vi="cụm đóng {label!r} nhận thêm các đơn vị {units}",
                         en="the closed cluster {label!r} also holds units {units}"),
    "together": Text(vi="các đơn vị {units} phải cùng cụm nhưng bị tách ra",
                     en="units {units} must be together but are split"),
    "apart": Text(vi="các đơn vị {units} phải khác cụm nhưng có đơn vị chung cụm",
                  en="units {units} must be apart but some share a cluster"),
    "fixed_split": Text(vi="các đơn vị gán sẵn vào {label!r} bị chia ra các cụm {clusters}",
                        en="units fixed to {label!r} are split over clusters {clusters}"),
    "fixed_shared": Text(vi="các đơn vị gán sẵn vào các cụm khác nhau lại chung một cụm",
                         en="units fixed to different labels share a cluster"),
}


@dataclass(frozen=True)
class Violation:
    """One way a plan breaks the rules.

    Attributes
    ----------
    reason : str
        The rule broken, one of :data:`RULE_CODES`.
    cluster : str or None
        The cluster concerned, when one is.
    units : tuple of str
        The unit ids concerned (empty when the whole plan is).
    detail : str
        The readable sentence in English, also given by ``str(violation)``.
    fields : dict
        The figures of the sentence (counts, bounds, pieces...), for :meth:`text`.
    text_key : str
        Which sentence of :data:`VIOLATION_TEXTS` says it (default: ``reason``).
    """

    reason: str
    cluster: str | None
    units: tuple[str, ...]
    detail: str
    fields: dict = field(default_factory=dict, compare=False, repr=False)
    text_key: str | None = field(default=None, compare=False, repr=False)

    def __str__(self) -> str:
        return self.detail

    def text(self, lang: str = "vi") -> str:
        """The sentence in ``lang`` (Vietnamese by default), with the same figures.

        Examples
        --------
        >>> v = _violation("contiguity", "A", ("1", "3"), pieces=2)
        >>> v.text("vi"), v.text("en") == str(v)
        ("cụm 'A' bị chia thành 2 mảnh", True)
        """
        key = self.text_key or self.reason
        if key not in VIOLATION_TEXTS:
            return self.detail
        return VIOLATION_TEXTS[key](lang, cluster=self.cluster, **self.fields)

    def to_dict(self) -> dict[str, object]:
        """The fields as JSON-ready values."""
        return {"reason": self.reason, "cluster": self.cluster, "units": list(self.units),
                "detail": self.detail}


def _violation(reason: str, cluster: str | None, unit_ids: tuple[str, ...], /, *,
               text: str | None = None, **fields: object) -> Violation:
    """A violation whose English detail and bilingual text come from one set of figures."""
    sentence = VIOLATION_TEXTS[text or reason]("en", cluster=cluster, **fields)
    return Violation(reason, cluster, unit_ids, sentence, dict(fields), text)


def _merged_groups(n: int, groups: Sequence[Sequence[int]]) -> list[list[int]]:
    """Groups sharing a unit merged (union-find), each sorted, ordered by first member."""
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for group in groups:
        for a, b in pairwise(group):
            parent[find(a)] = find(b)
    merged: dict[int, list[int]] = {}
    for i in sorted({i for g in groups for i in g}):
        merged.setdefault(find(i), []).append(i)
    return sorted((g for g in merged.values() if len(g) > 1), key=lambda g: g[0])


@dataclass(frozen=True, eq=False)
class CompiledRules:
    """Rules in row-index terms for one unit set, with the checks every method shares.

    Build it with :meth:`ClusterRules.compile <clustering.rules.ClusterRules.compile>`.

    Attributes
    ----------
    unit_set : UnitSet
    rules : ClusterRules
        The rules with every unit named by its id.
    n, n_clusters : int
        Number of units and of clusters.
    size : (int, int)
        Member count bounds, ``(1, n)`` when none are set.
    weights : numpy.ndarray or None
        Unit weights when weight bounds are set.
    weight_bounds : (float, float) or None
    contiguous : bool
    edges : numpy.ndarray of int, shape (m, 2)
        The borders by row index (each once), whether or not contiguity is required.
    together : list of lists of int
        Units that must share a cluster, merged transitively with ``fixed``.
    apart : list of lists of int
        Units that must be pairwise apart: the ``apart`` groups, then one unit
        per ``fixed`` label when there are two labels or more.
    categories : list or None
        The purity category of each unit.
    fixed : dict of int to str
        Unit row -> the label of its cluster (the members of the cluster specs
        included, labelled by the spec's name).
    soft_categories : list or None
        The category of each unit when clusters may hold up to ``max_impure``
        members outside their main value (``categories`` is then ``None``:
        the methods that build plans do not model the soft rule; see
        :meth:`purity_ok`).
    max_impure : int

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.rules import ClusterRules
    >>> vn = vietnam_provinces(2025)
    >>> compiled = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True).compile(vn)
    >>> compiled.size, compiled.contiguous, compiled.n
    ((5, 6), True, 34)
    >>> compiled.cluster_ok(compiled.mask([0, 1, 2]))
    False
    """

    unit_set: UnitSet
    rules: ClusterRules
    n: int
    n_clusters: int
    size: tuple[int, int]
    weights: np.ndarray | None
    weight_bounds: tuple[float, float] | None
    contiguous: bool
    edges: np.ndarray
    together: list[list[int]] = field(default_factory=list)
    apart: list[list[int]] = field(default_factory=list)
    categories: list[Hashable] | None = None
    fixed: dict[int, str] = field(default_factory=dict)
    soft_categories: list[Hashable] | None = None
    max_impure: int = 0

    @classmethod
    def build(cls, unit_set: UnitSet, rules: ClusterRules) -> CompiledRules:
        """Compile ``rules`` (already resolved to ids) for ``unit_set``."""
        index = unit_set.index
        n = len(unit_set)
        fixed = {index(u): label for u, label in rules.fixed.items()}
        fixed.update({index(u): name for name, spec in rules.clusters.items()
                      for u in spec.members})
        by_label: dict[str, list[int]] = {}
        for i, label in sorted(fixed.items()):
            by_label.setdefault(label, []).append(i)
        together = _merged_groups(
            n, [[index(u) for u in g] for g in rules.together] + list(by_label.values())
        )
        apart = [[index(u) for u in g] for g in rules.apart]
        if len(by_label) > 1:  # one unit per label: same-label units are a together group
            apart.append(sorted(units[0] for units in by_label.values()))
        weights = None
        if rules.weight_bounds is not None or any(
                s.weight_bounds for s in rules.clusters.values()):
            weights = np.asarray(unit_set.weights(rules.weight), dtype=float)
        categories = None if rules.pure is None else list(unit_set.labels_of(rules.pure))
        soft = rules.max_impure > 0 and categories is not None
        return cls(
            unit_set=unit_set,
            rules=rules,
            n=n,
            n_clusters=rules.n_clusters,
            size=rules.count_bounds(n),
            weights=weights,
            weight_bounds=rules.weight_bounds,
            contiguous=rules.contiguous,
            edges=unit_set.edge_index_pairs(),
            together=together,
            apart=apart,
            categories=None if soft else categories,
            fixed=fixed,
            soft_categories=categories if soft else None,
            max_impure=rules.max_impure,
        )

    # -- derived structures ------------------------------------------------------
    @cached_property
    def neighbours(self) -> list[list[int]]:
        """Each unit's neighbours by row index (the borders, contiguity or not)."""
        out: list[list[int]] = [[] for _ in range(self.n)]
        for a, b in self.edges.tolist():
            out[a].append(b)
            out[b].append(a)
        return out

    @cached_property
    def neighbour_masks(self) -> list[int]:
        """Neighbour bit masks of the *rules*: the borders, or everyone without contiguity."""
        return neighbour_masks(self.n, self.edges.tolist() if self.contiguous else None)

    @cached_property
    def border_masks(self) -> list[int]:
        """Neighbour bit masks of the borders, whether or not contiguity is required."""
        return neighbour_masks(self.n, self.edges.tolist())

    @cached_property
    def together_masks(self) -> list[int]:
        return [mask_of(g) for g in self.together]

    @cached_property
    def apart_masks(self) -> list[int]:
        return [mask_of(g) for g in self.apart if len(g) > 1]

    @cached_property
    def category_masks(self) -> list[int]:
        """One mask per value of the purity category (empty without purity)."""
        if self.categories is None:
            return []
        by_value: dict[Hashable, int] = {}
        for i, value in enumerate(self.categories):
            by_value[value] = by_value.get(value, 0) | (1 << i)
        return list(by_value.values())

    @cached_property
    def frozen(self) -> np.ndarray:
        """Units that single moves must leave in place: fixed, or bound to others."""
        out = np.zeros(self.n, dtype=bool)
        out[[i for g in self.together for i in g]] = True
        out[list(self.fixed)] = True
        return out

    @property
    def weight_slack(self) -> float:
        """The absolute slack every weight check uses (see :func:`weight_slack`)."""
        return weight_slack(self.weight_bounds)

    @property
    def has_group_rules(self) -> bool:
        """Whether together, apart, fixed or purity rules are set."""
        return bool(self.together or self.apart or self.fixed or self.categories is not None
                    or self.soft_categories is not None)

    def mask(self, indices: Sequence[int]) -> int:
        """The bit mask of unit rows."""
        return mask_of(indices)

    # -- checks on one cluster ------------------------------------------------------
    def count_ok(self, count: int) -> bool:
        return self.size[0] <= count <= self.size[1]

    def weight_ok(self, total: float) -> bool:
        """Whether a cluster weight is within the bounds (up to :attr:`weight_slack`)."""
        if self.weight_bounds is None:
            return True
        slack = self.weight_slack
        return self.weight_bounds[0] - slack <= total <= self.weight_bounds[1] + slack

    def bounds_ok(self, count: int, total: float = 0.0) -> bool:
        """Count and weight bounds of one cluster."""
        return self.count_ok(count) and self.weight_ok(total)

    def bound_excess(self, count: float, total: float = 0.0, *, weight_scale: float = 1.0
                     ) -> float:
        """How far a cluster is outside its bounds: members, plus weight over ``weight_scale``.

        Zero exactly when :meth:`bounds_ok`; the repair heuristics minimise the sum.
        """
        low, high = self.size
        excess = max(low - count, 0.0) + max(count - high, 0.0)
        if self.weight_bounds is not None:
            w_low, w_high = self.weight_bounds
            slack = self.weight_slack
            excess += (max(w_low - slack - total, 0.0) + max(total - w_high - slack, 0.0)
                       ) / weight_scale
        return excess

    def cluster_weight(self, members: Sequence[int]) -> float:
        return 0.0 if self.weights is None else float(self.weights[list(members)].sum())

    def groups_ok(self, mask: int) -> bool:
        """Together (all or none), apart (at most one) and purity (one value, or at most
        ``max_impure`` members outside the main one) for one cluster."""
        if any(mask & g and mask & g != g for g in self.together_masks):
            return False
        if any((mask & g).bit_count() > 1 for g in self.apart_masks):
            return False
        if self.soft_categories is not None and not self.purity_ok(bits(mask)):
            return False
        return not self.category_masks or sum(bool(mask & c) for c in self.category_masks) == 1

    def cluster_ok(self, mask: int, *, check_connected: bool = True) -> bool:
        """Whether the units of ``mask`` may form one cluster under every rule.

        ``check_connected=False`` skips contiguity, for callers whose clusters
        are connected by construction (tree cuts, connected enumeration).
        """
        # Cheapest tests first: this runs on every split the heuristics and sampler try.
        if not self.count_ok(mask.bit_count()):
            return False
        if self.weights is not None and not self.weight_ok(self.cluster_weight(bits(mask))):
            return False
        if self.has_group_rules and not self.groups_ok(mask):
            return False
        return not check_connected or self.mask_connected(mask)

    def can_merge(self, a: int, b: int) -> bool:
        """Whether clusters ``a`` and ``b`` (masks) may become one cluster, later grown further.

        Checks what growing cannot repair: the maximum count and weight, apart
        groups and purity; with contiguity, the two must border each other.
        """
        union = a | b
        members = bits(union)
        if len(members) > self.size[1]:
            return False
        if self.weights is not None and (
            self.cluster_weight(members) > self.weight_bounds[1] + self.weight_slack  # type: ignore[index]
        ):
            return False
        if any((union & g).bit_count() > 1 for g in self.apart_masks):
            return False
        if self.category_masks and sum(bool(union & c) for c in self.category_masks) > 1:
            return False
        if self.soft_categories is not None and not self.purity_ok(members):
            return False  # growing never lowers the members outside the main value
        if self.contiguous:
            return any(self.neighbour_masks[i] & b for i in bits(a))
        return True

    def connected(self, members: Sequence[int]) -> bool:
        """Whether ``members`` are connected by borders (always true without contiguity)."""
        return not self.contiguous or is_connected(mask_of(members), self.neighbour_masks)

    def mask_connected(self, mask: int) -> bool:
        """:meth:`connected` for a bit mask."""
        return not self.contiguous or is_connected(mask, self.neighbour_masks)

    # -- checks on a set of clusters ---------------------------------------------------
    def cluster_count_range(self, count: int, total: float | None = None) -> tuple[int, int]:
        """Fewest and most clusters within the bounds that ``count`` units weighing
        ``total`` can form (counts and totals only: a necessary condition).

        Examples
        --------
        >>> from clustering.units import UnitSet
        >>> from clustering.rules import ClusterRules
        >>> units = UnitSet([{"id": str(i), "name": str(i)} for i in range(9)], [])
        >>> ClusterRules(n_clusters=2, size=(2, 4), contiguous=False).compile(
        ...     units).cluster_count_range(9)
        (3, 4)
        """
        low, high = self.size
        fewest, most = -(-count // high), count // low
        if total is not None and self.weight_bounds is not None:
            w_fewest, w_most = count_range(total, self.weight_bounds)
            fewest, most = max(fewest, w_fewest), min(most, w_most)
        return fewest, most

    def splittable(self, mask: int, n_clusters: int) -> bool:
        """Whether the units of ``mask`` could form ``n_clusters`` clusters within the bounds.

        Each connected part (every unit is every other's neighbour without
        contiguity) must be split into whole clusters; a part of ``s`` units
        weighing ``w`` needs between :meth:`cluster_count_range` clusters, and
        these ranges must admit ``n_clusters`` in total. ``False`` proves that
        no split exists; ``True`` does not prove one does.

        Examples
        --------
        >>> from clustering.units import UnitSet
        >>> from clustering.rules import ClusterRules
        >>> path = UnitSet([{"id": str(i), "name": str(i)} for i in range(3)],
        ...                [("0", "1"), ("1", "2")])
        >>> compiled = ClusterRules(n_clusters=1, size=(2, 2), contiguous=True).compile(path)
        >>> compiled.splittable(0b011, 1), compiled.splittable(0b101, 1)
        (True, False)
        """
        fewest = most = 0
        for part in components(mask, self.neighbour_masks):
            total = None if self.weights is None else self.cluster_weight(bits(part))
            need_low, need_high = self.cluster_count_range(part.bit_count(), total)
            if need_low > need_high:
                return False
            fewest, most = fewest + need_low, most + need_high
            if fewest > n_clusters:
                return False
        return fewest <= n_clusters <= most

    def violations(self, labels: Sequence[int] | np.ndarray,
                   cluster_names: Sequence[str] | None = None) -> list[Violation]:
        """Every way the plan given by ``labels`` breaks the rules (empty when none).

        ``labels[i]`` is the cluster of unit row ``i``; ``cluster_names[c]``
        names cluster ``c`` in the messages (default ``C1, C2...`` by label).
        """
        labels = np.asarray(labels, dtype=np.int64)
        values = np.unique(labels)
        if cluster_names is None:
            cluster_names = [f"C{int(v) + 1}" for v in range(int(values.max()) + 1)]
        clusters = {cluster_names[int(v)]: np.flatnonzero(labels == v) for v in values}
        out: list[Violation] = []
        if len(clusters) != self.n_clusters:
            out.append(_violation("n_clusters", None, (), found=len(clusters),
                                  expected=self.n_clusters))
        for name, members in clusters.items():
            out += self.cluster_violations(name, members)
        out += self._group_violations(labels, cluster_names)
        return out

    def cluster_violations(self, name: str, members: Sequence[int] | np.ndarray
                           ) -> list[Violation]:
        """Every way one cluster (unit rows ``members``) breaks its rules.

        Its rules are the plan-wide ones, or those of the cluster spec whose
        members it holds (:class:`~clustering.rules.ClusterSpec`).
        """
        members = np.asarray(members, dtype=np.int64)
        ids = tuple(self.unit_set.ids[i] for i in members)
        spec_name, spec = self._spec_of(ids)
        out = []
        low, high = spec.size if spec is not None and spec.size else self.size
        if not low <= len(members) <= high:
            out.append(_violation("count", name, ids, count=len(members), low=low, high=high))
        bounds = (spec.weight_bounds if spec is not None and spec.weight_bounds
                  else self.weight_bounds)
        if bounds is not None:
            total, slack = self.cluster_weight(members), weight_slack(bounds)
            if not bounds[0] - slack <= total <= bounds[1] + slack:
                measure = self.rules.weight
                out.append(_violation(
                    "weight", name, ids, total=f"{total:,.6g}", low=f"{bounds[0]:,.6g}",
                    high=f"{bounds[1]:,.6g}", measure_vi="dân số" if measure is None else measure,
                    measure_en="population" if measure is None else measure))
        contiguous = (spec.contiguous if spec is not None and spec.contiguous is not None
                      else self.contiguous)
        if contiguous:
            pieces = sum(1 for _ in components(mask_of(members), self.border_masks))
            if pieces != 1:
                out.append(_violation("contiguity", name, ids, pieces=pieces))
        out += self._purity_violations(name, members, spec)
        if spec is not None and spec.closed:
            extra = [u for u in ids if u not in spec.members]
            if extra:
                out.append(_violation("fixed", name, tuple(extra), text="closed_extra",
                                      label=spec_name, units=extra))
        return out

    def _spec_of(self, ids: Sequence[str]) -> tuple[str | None, object]:
        """The spec whose members a cluster holds: ``(name, spec)``, else ``(None, None)``."""
        held = set(ids)
        for spec_name, spec in self.rules.clusters.items():
            if spec.members[0] in held:
                return spec_name, spec
        return None, None

    def _purity_rule(self, spec: object) -> tuple[str | None, int]:
        """The category and the allowed impurity of a cluster with ``spec`` (or none)."""
        pure = getattr(spec, "pure", None) or self.rules.pure
        limit = getattr(spec, "max_impure", None)
        return pure, self.rules.max_impure if limit is None else limit

    def purity_ok(self, members: Sequence[int]) -> bool:
        """Whether one cluster of plan-wide rules (unit rows) follows purity, soft or strict.

        Examples
        --------
        >>> from clustering.units import UnitSet
        >>> from clustering.rules import ClusterRules
        >>> units = UnitSet([{"id": str(i), "name": str(i), "kind": k}
        ...                  for i, k in enumerate("aab")], [])
        >>> c = ClusterRules(n_clusters=1, pure="kind", max_impure=1,
        ...                  contiguous=False).compile(units)
        >>> c.purity_ok([0, 1, 2]), c.purity_ok([0, 2])
        (True, True)
        """
        categories = self.categories if self.categories is not None else self.soft_categories
        if categories is None:
            return True
        return impure_count([categories[i] for i in members]) <= self.max_impure

    def _purity_violations(self, name: str, members: np.ndarray, spec: object
                           ) -> list[Violation]:
        pure, limit = self._purity_rule(spec)
        if pure is None:
            return []
        if pure == self.rules.pure:
            categories = self.categories if self.categories is not None else self.soft_categories
        else:
            categories = list(self.unit_set.labels_of(pure))
        values = [categories[i] for i in members]  # type: ignore[index]
        ids = tuple(self.unit_set.ids[i] for i in members)
        if limit == 0 and len(set(values)) > 1:
            return [_violation("purity", name, ids, attribute=pure,
                               values=sorted(set(values), key=str))]
        impure = impure_count(values)
        if impure > limit:
            return [_violation("purity", name, ids, text="purity_soft", attribute=pure,
                               impure=impure, max_impure=limit)]
        return []

    def _group_violations(self, labels: np.ndarray, names: Sequence[str]) -> list[Violation]:
        rules, out = self.rules, []
        cluster_of = {uid: names[int(c)] for uid, c in zip(self.unit_set.ids, labels)}
        for group in rules.together:
            if len({cluster_of[u] for u in group}) > 1:
                out.append(_violation("together", None, tuple(group), units=list(group)))
        for group in rules.apart:
            seen = [cluster_of[u] for u in group]
            if len(set(seen)) < len(seen):
                out.append(_violation("apart", None, tuple(group), units=list(group)))
        fixed = {self.unit_set.ids[i]: label for i, label in sorted(self.fixed.items())}
        by_label: dict[str, set[str]] = {}
        for unit, label in fixed.items():
            by_label.setdefault(label, set()).add(cluster_of[unit])
        for label, where in by_label.items():
            if len(where) > 1:
                units = tuple(u for u, lab in fixed.items() if lab == label)
                out.append(_violation("fixed", None, units, text="fixed_split", label=label,
                                      clusters=sorted(where)))
        single = [next(iter(c)) for c in by_label.values() if len(c) == 1]
        if len(single) != len(set(single)):
            out.append(_violation("fixed", None, tuple(fixed), text="fixed_shared"))
        return out
