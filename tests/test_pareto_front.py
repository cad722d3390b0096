"""Pareto fronts of named criteria: the exact two-criteria front against brute force, inputs."""

from __future__ import annotations

import functools

import numpy as np
import pytest
from oracles import blocks_of, feasible_plans, pmedian_cost
from scipy.optimize import linear_sum_assignment

from clustering.errors import FairclustersError
from clustering.plan import Plan
from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from optimizer import pareto_front
from optimizer.objectives import default_dissimilarity


def definitions(units, labels, current, d=None) -> dict[str, float]:
    """Every criterion of one plan, from its definition (independent of optimizer.pareto)."""
    labels = np.asarray(labels)
    k = labels.max() + 1
    w = np.array([u.weight for u in units], dtype=float)
    totals = np.array([w[labels == c].sum() for c in range(k)])
    counts = np.bincount(labels)
    edges = [(units.index(a), units.index(b)) for a, b in units.graph.edges()]
    overlap = np.array([[np.sum((labels == a) & (current == b)) for b in range(current.max() + 1)]
                        for a in range(k)])
    rows, cols = linear_sum_assignment(-overlap)
    return {
        "homogeneity": pmedian_cost(blocks_of(Plan.from_labels(units, labels)),
                                    default_dissimilarity(units) if d is None else d),
        "population-balance": float(np.abs(totals - w.sum() / k).max() / (w.sum() / k)),
        "size-balance": int(counts.max() - counts.min()),
        "cut-edges": sum(labels[a] != labels[b] for a, b in edges),
        "moves": len(labels) - int(overlap[rows, cols].sum()),
    }


@functools.cache
def scored_plans(n: int, seed: int, k: int, contiguous: bool):
    units = planar_unit_set(n, seed=seed)
    plans = feasible_plans(units, ClusterRules(n_clusters=k, contiguous=contiguous))
    current = np.asarray(plans[len(plans) // 2])
    d = default_dissimilarity(units)
    return units, current, [definitions(units, p, current, d) for p in plans]


def brute_front(scores: list[dict], first: str, second: str) -> list[tuple[float, float]]:
    values = sorted({(round(s[first], 9), round(s[second], 9)) for s in scores})
    return [v for v in values
            if not any(o[0] <= v[0] and o[1] <= v[1] and o != v for o in values)]


PAIRS = [("homogeneity", "population-balance"), ("homogeneity", "size-balance"),
         ("homogeneity", "moves"), ("cut-edges", "population-balance"),
         ("homogeneity", "cut-edges")]


@pytest.mark.parametrize("pair", PAIRS)
@pytest.mark.parametrize(("n", "seed", "k"), [(8, 1, 2), (9, 4, 3)])
def test_two_criteria_front_equals_brute_force(pair, n, seed, k):
    units, current, scores = scored_plans(n, seed, k, True)
    today = Plan.from_labels(units, current)
    front = pareto_front(units, k, pair, current=today, solver="highs")
    assert front.method == "epsilon-constraint" and front.complete
    assert all(p.proven and p.status == "optimal" and p.non_dominated for p in front)
    expected = brute_front(scores, *pair)
    assert len(front) == len(expected)
    assert np.allclose(np.array(front.values(), dtype=float), np.array(expected), atol=1e-7)
    for p in front:  # the scores are the plan's own, by the definitions
        own = definitions(units, p.plan.labels, current)
        assert p.scores[pair[1]] == pytest.approx(own[pair[1]])


def test_three_criteria_grid_is_non_dominated_but_not_complete():
    units, _, scores = scored_plans(8, 1, 2, True)
    criteria = ("homogeneity", "population-balance", "size-balance")
    front = pareto_front(units, 2, criteria, grid=2, solver="highs")
    assert front.method == "epsilon-grid" and not front.complete and len(front) >= 1
    values = {tuple(round(s[c], 9) for c in criteria) for s in scores}
    for p in front:  # each point is on the true front: nothing feasible dominates it
        mine = tuple(round(p.scores[c], 9) for c in criteria)
        assert mine in values
        assert not any(all(o <= m for o, m in zip(other, mine)) and other != mine
                       for other in values)


def test_heuristic_front_is_labelled():
    units = planar_unit_set(7, seed=1)
    front = pareto_front(units, 2, method="heuristic", seed=0)
    assert front.method == "heuristic" and not front.complete
    assert len(front) >= 1 and not any(p.proven for p in front)


def test_bad_criteria_are_refused_before_solving():
    units = planar_unit_set(6, seed=2)
    with pytest.raises(FairclustersError, match=r"unknown criteria \['fairness'\].*size-balance"):
        pareto_front(units, 2, ("homogeneity", "fairness"))
    with pytest.raises(FairclustersError, match="needs the current plan"):
        pareto_front(units, 2, ("homogeneity", "moves"))
    with pytest.raises(FairclustersError, match="repeats"):
        pareto_front(units, 2, ("homogeneity", "homogeneity"))
    with pytest.raises(FairclustersError, match="at least 2 criteria"):
        pareto_front(units, 2, ("homogeneity",))
    with pytest.raises(FairclustersError, match="cannot be solved exactly"):
        pareto_front(units, 2, ("population-balance", "size-balance"), method="exact")
    with pytest.raises(FairclustersError, match="weight_tolerance"):
        pareto_front(units, 2, weight_tolerance=0.1)


def test_max_points_stops_the_sweep_and_is_not_complete():
    units, _, _ = scored_plans(8, 1, 2, True)
    front = pareto_front(units, 2, ("cut-edges", "population-balance"), max_points=2,
                         solver="highs")
    assert len(front) + len(front.dominated) == 2 and not front.complete
