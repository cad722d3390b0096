"""Brute-force oracles for the tests: every partition of a small unit set, by enumeration.

The one home of the tests' exhaustive enumerators. Written independently of the
library: partitions are enumerated here, objectives are computed from their
definitions with numpy, contiguity is checked with networkx. Only
:func:`feasible_plans` asks the library, and only its rule checker
``clustering.rules.plan_violations`` (the thing that defines "follows the rules").

Everything is exponential: the number of partitions of ``n`` items is the Bell
number (115,975 for ``n = 10``), so keep the instances below ten units or so.
Their own hand-value checks are in ``tests/test_oracles.py``.

Import as ``from oracles import ...``: pytest puts ``tests/`` on ``sys.path``
(``tests/`` has no ``__init__.py``; the default ``prepend`` import mode).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from typing import NamedTuple

import networkx as nx
import numpy as np
from scipy.stats import skew

__all__ = [
    "Optimum",
    "best_assignment",
    "blocks_of",
    "brute_force_optimum",
    "count_balance_cost",
    "feasible_plans",
    "label_vectors",
    "partitions_into",
    "pmedian_cost",
    "set_partitions",
    "wcss_cost",
    "wcss_features",
]


def _items(items: int | Sequence) -> list:
    return list(range(items)) if isinstance(items, (int, np.integer)) else list(items)


# -- enumerators -----------------------------------------------------------------------
def set_partitions(items: int | Sequence) -> Iterator[list[list]]:
    """Every partition of ``items`` (or of ``range(items)``) into non-empty blocks, once each.

    Their number is the Bell number of ``len(items)``. Within a block, items
    keep their order in ``items``.

    Examples
    --------
    >>> list(set_partitions("ab"))
    [[['a'], ['b']], [['a', 'b']]]
    >>> [sum(1 for _ in set_partitions(n)) for n in range(6)]
    [1, 1, 2, 5, 15, 52]
    """
    items = _items(items)
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in set_partitions(rest):
        yield [[first], *partition]  # first alone
        for i in range(len(partition)):  # first joins block i
            yield [*partition[:i], [first, *partition[i]], *partition[i + 1:]]


def partitions_into(items: int | Sequence, k: int) -> Iterator[list[list]]:
    """Every partition of ``items`` (or of ``range(items)``) into exactly ``k`` non-empty blocks.

    Their number is the Stirling number of the second kind ``S(n, k)``.

    Examples
    --------
    >>> list(partitions_into("abc", 2))
    [[['a'], ['b', 'c']], [['a', 'b'], ['c']], [['b'], ['a', 'c']]]
    >>> sum(1 for _ in partitions_into(5, 2))
    15
    """
    items = _items(items)
    if k == 0:
        if not items:
            yield []
        return
    if len(items) < k:
        return
    first, rest = items[0], items[1:]
    for p in partitions_into(rest, k - 1):  # first alone
        yield [[first], *p]
    for p in partitions_into(rest, k):  # first joins a block
        for b in range(len(p)):
            yield [*p[:b], [first, *p[b]], *p[b + 1:]]


def label_vectors(n: int, k: int) -> Iterator[tuple[int, ...]]:
    """Every partition of ``range(n)`` into exactly ``k`` blocks, as a label vector.

    Labels are ``0..k-1`` numbered by first appearance (restricted growth
    strings), so each partition appears once; in lexicographic order.

    Examples
    --------
    >>> list(label_vectors(3, 2))
    [(0, 0, 1), (0, 1, 0), (0, 1, 1)]
    """

    def grow(prefix: list[int], used: int) -> Iterator[tuple[int, ...]]:
        left = n - len(prefix)
        if left == 0:
            if used == k:
                yield tuple(prefix)
            return
        if k - used > left:  # not enough positions left to open the missing labels
            return
        for label in range(min(used + 1, k)):
            yield from grow([*prefix, label], max(used, label + 1))

    if n == 0:
        if k == 0:
            yield ()
        return
    yield from grow([], 0)


def feasible_plans(unit_set, rules) -> list[tuple[int, ...]]:
    """Label vectors of every plan of ``unit_set`` that follows ``rules``.

    All :func:`label_vectors` with ``rules.n_clusters`` clusters, kept when
    ``clustering.rules.plan_violations`` finds nothing wrong with the plan.
    """
    from clustering.plan import Plan
    from clustering.rules import plan_violations

    return [
        labels
        for labels in label_vectors(len(unit_set), rules.n_clusters)
        if not plan_violations(Plan.from_labels(unit_set, labels), rules)
    ]


def best_assignment(cost: np.ndarray, *, size=None, weights=None,
                    weight_bounds=None) -> float | None:
    """Least total ``cost[i, label_i]`` over all labellings of ``n`` rows into ``k`` columns.

    Labelled clusters (``k**n`` labellings, empty clusters allowed unless
    ``size`` forbids them); optional bounds on the member count and on the
    total ``weights`` of every cluster. ``None`` when no labelling fits.

    Examples
    --------
    >>> best_assignment(np.array([[0.0, 5.0], [0.0, 1.0], [0.0, 3.0]]), size=(1, 2))
    1.0
    """
    cost = np.asarray(cost, dtype=float)
    n, k = cost.shape
    best = None
    for labels in itertools.product(range(k), repeat=n):
        labels = np.array(labels)
        counts = np.bincount(labels, minlength=k)
        if size is not None and not ((counts >= size[0]) & (counts <= size[1])).all():
            continue
        if weight_bounds is not None:
            totals = np.bincount(labels, weights=weights, minlength=k)
            if not ((totals >= weight_bounds[0]) & (totals <= weight_bounds[1])).all():
                continue
        value = float(cost[np.arange(n), labels].sum())
        if best is None or value < best:
            best = value
    return best


# -- objectives from their definitions ----------------------------------------------------
def blocks_of(plan) -> list[list[int]]:
    """A plan's clusters as lists of unit rows (``unit_set.index``), in cluster order."""
    return [[plan.unit_set.index(u) for u in members] for members in plan.clusters.values()]


def pmedian_cost(blocks: Sequence[Sequence[int]], d: np.ndarray) -> float:
    """``sum over blocks S of min_{j in S} sum_{i in S} d[i, j]`` (Hess et al., 1965).

    Examples
    --------
    >>> x = np.array([0.0, 1.0, 2.0, 10.0])
    >>> pmedian_cost([[0, 1, 2], [3]], np.abs(x[:, None] - x[None, :]))
    2.0
    """
    d = np.asarray(d, dtype=float)
    return float(sum(min(d[list(b), j].sum() for j in b) for b in blocks))


def wcss_cost(blocks: Sequence[Sequence[int]], features: np.ndarray) -> float:
    """``sum over blocks S of sum_{i in S} |x_i - mean_S x|^2``.

    Examples
    --------
    >>> wcss_cost([[0, 1], [2]], np.array([[0.0], [2.0], [7.0]]))
    2.0
    """
    x = np.asarray(features, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    return float(sum(((x[list(b)] - x[list(b)].mean(axis=0)) ** 2).sum() for b in blocks))


def count_balance_cost(blocks: Sequence[Sequence[int]], n: int, k: int) -> float:
    """``sum over blocks S of |size(S) - n/k| / (n/k)``: relative deviation from the ideal size.

    Examples
    --------
    >>> count_balance_cost([[0], [1, 2, 3]], 4, 2)
    1.0
    """
    ideal = n / k
    return float(sum(abs(len(b) - ideal) / ideal for b in blocks))


def wcss_features(unit_set) -> np.ndarray:
    """The standardised indicators of the optimizer's ``"wcss"``, rebuilt from the documentation.

    ``optimizer.objectives``: z-scores of the default indicators, logged where
    skewed. The default indicators (``clustering.dissimilarity.default_indicators``)
    are the declared ``default_indicators`` of the set, else all its
    indicators, kept when known for every unit and not constant; one is logged
    when all its values are positive and its sample skewness (the biased
    moment estimator, ``scipy.stats.skew``) exceeds 1. Z-scores use the
    population standard deviation. Rows in unit order.
    """
    names = list(getattr(unit_set, "default_indicators", None) or unit_set.indicator_names)
    columns = []
    for name in names:
        values = np.array([u.indicators.get(name, np.nan) for u in unit_set], dtype=float)
        if np.isnan(values).any() or np.ptp(values) == 0:
            continue
        if values.min() > 0 and skew(values) > 1.0:
            values = np.log(values)
        columns.append((values - values.mean()) / values.std())
    return np.column_stack(columns)


# -- optimum by brute force ------------------------------------------------------------
class Optimum(NamedTuple):
    """Best value, and the first partition reaching it (blocks of unit rows)."""

    value: float
    blocks: list[list[int]]


def brute_force_optimum(
    unit_set,
    k: int,
    *,
    objective: str | Callable[[list[int]], float] = "p-median",
    d: np.ndarray | None = None,
    features: np.ndarray | None = None,
    size: tuple[int, int] | None = None,
    weight_bounds: tuple[float, float] | None = None,
    contiguous: bool = True,
) -> Optimum | None:
    """The least objective over every partition of ``unit_set`` into ``k`` clusters.

    Parameters
    ----------
    unit_set : UnitSet
        Its graph (for ``contiguous``) and unit weights (for ``weight_bounds``)
        are used; rows are unit indices.
    objective : {"p-median", "wcss", "balance"} or callable
        ``"p-median"`` with ``d`` (:func:`pmedian_cost`), ``"wcss"`` with
        ``features`` (:func:`wcss_cost`), ``"balance"`` by member count
        (:func:`count_balance_cost`), or a cost of one block of rows.
    size, weight_bounds : (min, max), optional
        Bounds on every cluster's member count and total weight (1e-6 slack).
    contiguous : bool
        Every cluster connected in the adjacency graph (networkx).

    Returns
    -------
    Optimum or None
        ``None`` when no partition meets the bounds.
    """
    n = len(unit_set)
    if objective == "p-median":
        def cost(b):
            return pmedian_cost([b], d)
    elif objective == "wcss":
        def cost(b):
            return wcss_cost([b], features)
    elif objective == "balance":
        def cost(b):
            return count_balance_cost([b], n, k)
    elif callable(objective):
        cost = objective
    else:
        raise ValueError(f"objective={objective!r}")
    weights = np.array([u.weight for u in unit_set], dtype=float) if weight_bounds else None
    graph = nx.relabel_nodes(unit_set.graph, {uid: i for i, uid in enumerate(unit_set.ids)})
    best = None
    for blocks in partitions_into(n, k):
        if size and any(not size[0] <= len(b) <= size[1] for b in blocks):
            continue
        if weight_bounds and any(
            not weight_bounds[0] - 1e-6 <= weights[b].sum() <= weight_bounds[1] + 1e-6
            for b in blocks
        ):
            continue
        if contiguous and any(not nx.is_connected(graph.subgraph(b)) for b in blocks):
            continue
        value = float(sum(cost(b) for b in blocks))
        if best is None or value < best.value - 1e-12:
            best = Optimum(value, blocks)
    return best
