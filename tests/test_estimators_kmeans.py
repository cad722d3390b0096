"""SizeConstrainedKMeans and its transport assignment, against brute force."""

import numpy as np
import pytest
from oracles import best_assignment

from clustering.errors import InfeasibleError
from clustering.estimators import SizeConstrainedKMeans, transport_assignment
from clustering.metrics import size_stats
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set


@pytest.mark.parametrize("seed", range(5))
def test_count_bounded_assignment_is_optimal(seed):
    rng = np.random.default_rng(seed)
    cost = rng.random((7, 3))
    labels, status = transport_assignment(cost, size=(2, 3))
    counts = np.bincount(labels, minlength=3)
    assert status == "optimal" and counts.min() >= 2 and counts.max() <= 3
    assert cost[np.arange(7), labels].sum() == pytest.approx(best_assignment(cost, size=(2, 3)))


@pytest.mark.parametrize("seed", range(5))
def test_weight_bounded_assignment_meets_bounds(seed):
    rng = np.random.default_rng(100 + seed)
    cost = rng.random((7, 2))
    weights = rng.integers(1, 10, size=7).astype(float)
    half = weights.sum() / 2
    bounds = (half - 3, half + 3)
    truth = best_assignment(cost, weights=weights, weight_bounds=bounds)
    if truth is None:
        with pytest.raises(InfeasibleError):
            transport_assignment(cost, weights=weights, weight_bounds=bounds)
        return
    labels, status = transport_assignment(cost, weights=weights, weight_bounds=bounds)
    totals = np.bincount(labels, weights=weights, minlength=2)
    assert (totals >= bounds[0]).all() and (totals <= bounds[1]).all()
    value = cost[np.arange(7), labels].sum()
    assert value >= truth - 1e-9
    if status == "optimal":
        assert value == pytest.approx(truth)


def test_infeasible_assignment_is_said():
    with pytest.raises(InfeasibleError, match="LP relaxation is infeasible"):
        transport_assignment(np.zeros((3, 2)), weights=np.array([5.0, 5.0, 5.0]),
                             weight_bounds=(8.0, 8.5))


def test_fit_respects_count_bounds_and_is_seeded():
    s = planar_unit_set(60, seed=1)
    a = SizeConstrainedKMeans(6, size=(9, 11), geography=0.5, random_state=3).fit(s)
    b = SizeConstrainedKMeans(6, size=(9, 11), geography=0.5, random_state=3).fit(s)
    rules = ClusterRules(n_clusters=6, size=(9, 11), contiguous=False)
    assert plan_violations(a.plan_, rules) == []
    assert a.plan_.same_partition(b.plan_)
    assert a.cluster_centers_.shape == (6, a.n_features_in_)


def test_fit_respects_weight_bounds():
    s = planar_unit_set(40, seed=2)
    rules = ClusterRules.with_weight_tolerance(s, 4, 0.1)
    km = SizeConstrainedKMeans(4, weight_bounds=rules.weight_bounds, random_state=0).fit(s)
    totals = {c: float(s.weights()[km.labels_ == k].sum())
              for k, c in enumerate(km.plan_.cluster_names)}
    stats = size_stats(totals, by="weight")
    assert stats.min >= rules.weight_bounds[0] - 1e-6
    assert stats.max <= rules.weight_bounds[1] + 1e-6
    assert km.assignment_status_ in ("optimal", "repaired", "mip-feasible")


def test_array_input_with_sample_weight():
    x = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    w = np.array([1.0, 1.0, 1.0, 1.0, 1.0, 4.0])
    km = SizeConstrainedKMeans(2, weight_bounds=(4.0, 5.0), random_state=0).fit(
        x, sample_weight=w
    )
    totals = np.bincount(km.labels_, weights=w)
    assert totals.min() >= 4 and totals.max() <= 5
