"""Shared estimator machinery: feature space, objective, inputs, parameter errors."""

import numpy as np
import pytest
from oracles import set_partitions, wcss_cost
from sklearn.base import clone

from clustering.errors import InfeasibleError, ParameterError
from clustering.estimators import (
    AZPLocalSearch,
    FunctionBlocs,
    SizeConstrainedKMeans,
    SpatialWard,
    allocate_clusters,
    mixed_features,
    within_sum_of_squares,
)
from clustering.metrics import fairness_report
from clustering.synthetic import planar_unit_set

ESTIMATORS = [SpatialWard, SizeConstrainedKMeans, AZPLocalSearch, FunctionBlocs]


def test_objective_is_one_minus_r2_of_the_report():
    s = planar_unit_set(40, seed=2)
    labels = np.arange(40) % 5
    x = mixed_features(s, ["x1", "x2", "x3"])
    from clustering.plan import Plan

    report = fairness_report(Plan.from_labels(s, labels), indicators=["x1", "x2", "x3"])
    assert within_sum_of_squares(x, labels) == pytest.approx(1 - report.r2_overall)


def test_within_sum_of_squares_by_hand():
    x = np.array([[0.0, 0.0], [2.0, 0.0], [5.0, 5.0], [5.0, 7.0], [9.0, 9.0]])
    # cluster 0: mean (1,0) -> 1 + 1; cluster 1: mean (5,6) -> 1 + 1; cluster 2: 0
    assert within_sum_of_squares(x, np.array([0, 0, 1, 1, 2])) == pytest.approx(4.0)


def test_mixed_features_split_the_inertia_by_alpha():
    s = planar_unit_set(30, seed=4)
    x = mixed_features(s, ["x1"], geography=0.3)
    centred = x - x.mean(axis=0)
    assert (centred[:, :1] ** 2).sum() == pytest.approx(0.7)
    assert (centred[:, 1:] ** 2).sum() == pytest.approx(0.3)


def test_allocate_clusters_dhondt_and_infeasible():
    assert allocate_clusters([100, 50, 10], [1, 1, 1], [100, 50, 10], 6) == [3, 2, 1]
    assert allocate_clusters([10, 10], [2, 0], [5, 5], 2) == [2, 0]
    with pytest.raises(InfeasibleError):
        allocate_clusters([10, 10], [3, 3], [5, 5], 5)


@pytest.mark.parametrize("cls", ESTIMATORS)
def test_get_set_params_and_clone(cls):
    est = cls(n_clusters=3, geography=0.2, random_state=1)
    params = est.get_params()
    assert params["n_clusters"] == 3 and params["geography"] == 0.2
    twin = clone(est).set_params(n_clusters=4)
    assert twin.n_clusters == 4 and est.n_clusters == 3


@pytest.mark.parametrize("cls", ESTIMATORS)
@pytest.mark.parametrize(
    ("param", "value"), [("n_clusters", 0), ("n_clusters", 2.5), ("geography", 1.5)]
)
def test_bad_parameters_raise_before_work(cls, param, value):
    s = planar_unit_set(20, seed=0)
    with pytest.raises(ParameterError, match=param):
        cls(**{param: value}).fit(s)


def test_bad_bounds_and_inputs():
    s = planar_unit_set(20, seed=0)
    with pytest.raises(ValueError, match="minimum exceeds maximum"):
        SizeConstrainedKMeans(2, size=(8, 5)).fit(s)
    with pytest.raises(ValueError, match="without weight_bounds"):
        SizeConstrainedKMeans(2, weight="population").fit(s)
    with pytest.raises(ValueError, match="adjacency"):
        SpatialWard(2).fit(s, adjacency=np.eye(20))
    with pytest.raises(ValueError, match="shape"):
        SpatialWard(2).fit(np.zeros(5))
    with pytest.raises(ValueError, match="exceeds"):
        SpatialWard(30).fit(s)


def test_infeasible_requests_get_the_shared_diagnosis():
    s = planar_unit_set(20, seed=0)
    for est in (SizeConstrainedKMeans(3, size=(8, 9)), AZPLocalSearch(3, size=(8, 9))):
        with pytest.raises(InfeasibleError) as info:
            est.fit(s)
        assert info.value.reason == "count"


@pytest.mark.parametrize("seed", range(4))
def test_lower_bound_below_brute_force_optimum(seed):
    from clustering.estimators.base import wcss_lower_bound

    x = np.random.default_rng(seed).normal(size=(8, 2))
    best = min(
        wcss_cost(p, x) for p in set_partitions(8) if all(2 <= len(b) <= 3 for b in p)
    )
    bound = wcss_lower_bound(x, (2, 3))
    assert 0 < bound <= best + 1e-12
