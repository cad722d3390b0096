"""Estimating the candidates before enumerating, and choosing the method on the estimate.

The truth for the estimates is brute force: every subset of a small grid,
tested for connectivity (networkx), size, weight and the apart rule.
"""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

import optimizer.api as api
from clustering.compiled_rules import weight_slack
from clustering.datasets import vietnam_provinces
from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from optimizer.candidates import enumerate_candidates, estimate_candidates
from optimizer.objectives import parse_objective

GRID = nx.convert_node_labels_to_integers(nx.grid_2d_graph(3, 4))  # 12 units
EDGES = sorted(GRID.edges())


def _brute_force(size, weights, bounds, apart):
    """(candidates, sets the search visits): connected, within size, weight and apart."""
    n = GRID.number_of_nodes()
    slack = weight_slack(bounds)
    candidates = visited = 0
    for k in range(1, size[1] + 1):
        for subset in itertools.combinations(range(n), k):
            if not nx.is_connected(GRID.subgraph(subset)):
                continue
            if any(len(set(group) & set(subset)) > 1 for group in apart):
                continue
            weight = float(weights[list(subset)].sum())
            if weight > bounds[1] + slack:
                continue
            visited += 1  # the search reaches every such set, below the floors too
            candidates += k >= size[0] and weight >= bounds[0] - slack
    return candidates, visited


@pytest.mark.parametrize("size, bounds, apart", [
    ((1, 12), (-np.inf, np.inf), []),
    ((3, 5), (-np.inf, np.inf), [[0, 5]]),
    ((2, 6), (9.0, 14.0), []),
])
def test_estimates_agree_with_brute_force(size, bounds, apart):
    weights = np.random.default_rng(3).integers(1, 6, size=12).astype(float)
    true_candidates, true_visits = _brute_force(size, weights, bounds, apart)
    counted, _ = enumerate_candidates(12, EDGES, size, weights=weights, weight_bounds=bounds,
                                      apart=apart, collect=False)
    assert counted == true_candidates  # the brute force is the enumeration's truth too
    estimate = estimate_candidates(12, EDGES, size, weights=weights, weight_bounds=bounds,
                                   apart=apart, probes=40_000, seed=1)
    assert estimate.probes == 40_000
    assert estimate.candidates == pytest.approx(true_candidates, rel=0.1)
    assert estimate.visits == pytest.approx(true_visits, rel=0.1)


def test_the_estimate_is_exact_on_a_path_and_reproducible():
    # On a path, a walk from a given root has one child at each step: no variance.
    path = [(i, i + 1) for i in range(7)]
    for root in range(8):  # the intervals starting at the root
        est = estimate_candidates(8, path, (1, 8), roots=[root], probes=5, seed=4)
        assert (est.candidates, est.visits) == (8 - root, 8 - root)
    again = estimate_candidates(12, EDGES, (2, 6), probes=300, seed=7)
    assert again == estimate_candidates(12, EDGES, (2, 6), probes=300, seed=7)
    assert again != estimate_candidates(12, EDGES, (2, 6), probes=300, seed=8)


def test_no_root_light_enough_gives_zero():
    est = estimate_candidates(3, [(0, 1), (1, 2)], (1, 3), weights=np.array([5.0, 6.0, 7.0]),
                              weight_bounds=(0.0, 4.0), probes=10)
    assert (est.candidates, est.visits, est.probes) == (0.0, 0.0, 0)


@pytest.mark.parametrize("probes", [0, -3, 2.5, True])
def test_bad_probes_are_refused_by_name(probes):
    with pytest.raises(ValueError, match=r"probes="):
        estimate_candidates(3, [(0, 1)], (1, 2), probes=probes)


def _forbid_counting(monkeypatch):
    def counting(*args, **kwargs):
        raise AssertionError("the candidates were counted")
    monkeypatch.setattr(api, "rule_candidates", counting)


def test_a_vast_pool_chooses_the_assignment_model_without_counting(monkeypatch):
    units = planar_unit_set(60, seed=0)
    compiled = ClusterRules.with_weight_tolerance(units, 5, 0.005,
                                                  contiguous=True).compile(units)
    _forbid_counting(monkeypatch)
    method, reason = api._choose_method("auto", compiled, parse_objective("p-median"),
                                        api.CANDIDATE_LIMIT, None)
    assert method == "assignment" and "estimated" in reason


def test_a_small_pool_is_still_counted_and_enumerated():
    compiled = ClusterRules(n_clusters=6, size=(5, 6),
                            contiguous=True).compile(vietnam_provinces(2025))
    method, reason = api._choose_method("auto", compiled, parse_objective("p-median"),
                                        api.CANDIDATE_LIMIT, None)
    assert (method, reason.split()[0]) == ("enumerate", "1,916")


def test_an_objective_that_needs_enumeration_is_counted_whatever_the_estimate(monkeypatch):
    units = planar_unit_set(60, seed=0)
    compiled = ClusterRules.with_weight_tolerance(units, 5, 0.005,
                                                  contiguous=True).compile(units)
    _forbid_counting(monkeypatch)

    def per_cluster(members):
        return float(len(members))

    with pytest.raises(AssertionError, match="counted"):
        api._choose_method("auto", compiled, parse_objective(per_cluster),
                           api.CANDIDATE_LIMIT, None)


def test_the_method_chosen_does_not_depend_on_the_machine_speed(monkeypatch):
    # On a machine 50 times slower (each look at the clock 0.05 s later than the last),
    # the 63 provinces' 287,411 candidates are still counted, within the same budget of
    # visits, and enumerated; a 1 s clock chose the assignment model there.
    import time

    import optimizer.candidates as candidates

    compiled = ClusterRules(n_clusters=8, size=(7, 9),
                            contiguous=True).compile(vietnam_provinces(2024))
    goal = parse_objective("p-median")
    estimate = candidates.estimate_rule_candidates(compiled, probes=api.ESTIMATE_PROBES)
    monkeypatch.setattr(api, "estimate_rule_candidates", lambda *args, **kwargs: estimate)
    looks = itertools.count(1)

    class SlowClock:
        @staticmethod
        def perf_counter() -> float:
            return time.perf_counter() + 0.05 * next(looks)

    monkeypatch.setattr(candidates, "time", SlowClock)
    method, reason = api._choose_method("auto", compiled, goal, api.CANDIDATE_LIMIT, None)
    assert (method, reason.split()[0]) == ("enumerate", "287,411")
    # The budget is what stops a count: a smaller one chooses the assignment model.
    monkeypatch.setattr(api, "COUNT_VISITS", 100_000)
    method, reason = api._choose_method("auto", compiled, goal, api.CANDIDATE_LIMIT, None)
    assert method == "assignment" and "visited" in reason


def test_a_count_stops_after_its_budget_of_visits():
    from optimizer.candidates import VisitLimitExceeded, rule_candidates

    compiled = ClusterRules(n_clusters=8, size=(7, 9),
                            contiguous=True).compile(vietnam_provinces(2024))
    with pytest.raises(VisitLimitExceeded) as stopped:
        rule_candidates(compiled, collect=False, max_visits=100_000)
    # Checked every few thousand visits: stopped soon after the budget, short of the end.
    assert 100_000 <= stopped.value.visits < 110_000
    assert 0 < stopped.value.count < 287_411
    assert rule_candidates(compiled, collect=False, max_visits=1_000_000)[0] == 287_411
