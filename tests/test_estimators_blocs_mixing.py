"""FunctionBlocs (pure and balanced) and the ClustGeo-style mixing curve."""

import numpy as np
import pytest
from oracles import brute_force_optimum, wcss_cost
from scipy.cluster.hierarchy import fcluster, linkage
from sklearn.base import BaseEstimator

from clustering.errors import InfeasibleError
from clustering.estimators import FunctionBlocs, mixing_curve, propose_alpha
from clustering.estimators.mixing import MixingCurve
from clustering.metrics import purity
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet


def function_units(counts):
    units, i = [], 0
    for function, m in counts.items():
        for _ in range(m):
            units.append({"id": f"u{i}", "name": f"U{i}", "function": function,
                          "indicators": {"x": float((i * 7) % 11), "y": float(i % 5)}})
            i += 1
    return UnitSet(units)


def test_blocs_are_pure_and_balanced():
    s = function_units({"economy": 13, "society": 7, "interior": 4})
    blocs = FunctionBlocs(6, size=(3, 5), random_state=0).fit(s)
    overall, _ = purity(s.labels_of("function"), blocs.labels_)
    assert overall == 1.0
    assert plan_violations(blocs.plan_, ClusterRules(n_clusters=6, size=(3, 5), contiguous=False,
                                                     pure="function")) == []
    # economy 13 units in 3 blocs -> 5,4,4 (hand computed); society 7 in 2 -> 4,3; interior 4
    assert sorted(blocs.plan_.sizes().values()) == [3, 4, 4, 4, 4, 5]
    assert blocs.clusters_per_value_ == {"economy": 3, "society": 2, "interior": 1}


def test_blocs_infeasible_purity_is_diagnosed():
    s = function_units({"economy": 7, "society": 2})
    with pytest.raises(InfeasibleError) as info:
        FunctionBlocs(3, size=(3, 4)).fit(s)
    assert info.value.reason == "purity"


def test_blocs_need_the_label():
    s = planar_unit_set(10)  # no function labels
    with pytest.raises(InfeasibleError, match="function"):
        FunctionBlocs(2).fit(s)


EARTH_KM = 6371.0  # any radius: the shares of inertia and Ward's merges do not depend on it


def zscores(unit_set, names):
    """Indicators as z-scores (population standard deviation), computed with numpy."""
    x = np.column_stack([[u.indicators[n] for u in unit_set] for n in names])
    return (x - x.mean(axis=0)) / x.std(axis=0)


def projected_km(unit_set):
    """The curve's geographic space: equirectangular km about the mean latitude."""
    lat = np.radians([u.lat for u in unit_set])
    lon = np.radians([u.lon for u in unit_set])
    return np.column_stack([EARTH_KM * np.cos(lat.mean()) * lon, EARTH_KM * lat])


def share_explained(features, labels):
    """``1 - W / T``: the share of inertia between the clusters."""
    blocks = [np.flatnonzero(labels == c).tolist() for c in np.unique(labels)]
    return 1 - wcss_cost(blocks, features) / wcss_cost([list(range(len(labels)))], features)


def same_partition(a, b) -> bool:
    a, b = np.asarray(a), np.asarray(b)
    return bool(((a[:, None] == a[None, :]) == (b[:, None] == b[None, :])).all())


def test_mixing_curve_ends_are_ward_on_each_space_alone():
    s = planar_unit_set(60, seed=8)
    curve = mixing_curve(s, 5, [0.0, 0.5, 1.0], indicators=["x1", "x2"])
    z, g = zscores(s, ["x1", "x2"]), projected_km(s)
    # alpha = 0: plain Ward on the economic features alone; alpha = 1: on geography alone
    # (scipy's Ward, not the estimators' scikit-learn tree).
    economic = fcluster(linkage(z, "ward"), 5, "maxclust")
    geographic = fcluster(linkage(g, "ward"), 5, "maxclust")
    assert same_partition(curve.plans[0].labels, economic)
    assert same_partition(curve.plans[-1].labels, geographic)
    assert not same_partition(economic, geographic)  # the two ends differ
    for i, plan in enumerate(curve.plans):
        assert curve.q_indicators[i] == pytest.approx(share_explained(z, plan.labels))
        assert curve.q_geography[i] == pytest.approx(share_explained(g, plan.labels))
    assert curve.q_indicators_normalized[0] == pytest.approx(1.0)
    assert curve.q_geography_normalized[-1] == pytest.approx(1.0)
    assert "alpha" in curve.table()


class ExactMix(BaseEstimator):
    """The best partition of the mixed criterion, by brute force (tiny sets only).

    Minimises ``(1 - alpha) W_Z / T_Z + alpha W_G / T_G`` over every partition
    into ``n_clusters`` blocks, with the spaces built by the test's own code.
    """

    def __init__(self, n_clusters=2, *, indicators=None, log=(), geography=0.0):
        self.n_clusters = n_clusters
        self.indicators = indicators
        self.log = log
        self.geography = geography

    def fit(self, unit_set):
        self.indicators_ = list(self.indicators)
        z, g = zscores(unit_set, self.indicators_), projected_km(unit_set)
        everyone = [list(range(len(unit_set)))]
        tz, tg, a = wcss_cost(everyone, z), wcss_cost(everyone, g), self.geography

        def cost(block):
            return (1 - a) * wcss_cost([block], z) / tz + a * wcss_cost([block], g) / tg

        best = brute_force_optimum(unit_set, self.n_clusters, objective=cost, contiguous=False)
        self.labels_ = np.empty(len(unit_set), dtype=int)
        for c, block in enumerate(best.blocks):
            self.labels_[block] = c
        self.plan_ = Plan.from_labels(unit_set, self.labels_)
        return self


def test_mixing_curve_trade_is_monotone_for_exact_clusterings():
    # For exact minimisers of (1 - alpha) W_Z + alpha W_G, raising alpha never raises
    # the economic homogeneity Q_Z nor lowers the geographic Q_G (add the two optimality
    # inequalities at alpha < beta). Ward is greedy and need not obey this, so the curve
    # is run here with a brute-force estimator.
    s = planar_unit_set(8, seed=3)
    alphas = np.round(np.linspace(0, 1, 11), 10)
    curve = mixing_curve(s, 3, alphas, indicators=["x1", "x2"], estimator=ExactMix())
    assert np.all(np.diff(curve.q_indicators) <= 1e-12)
    assert np.all(np.diff(curve.q_geography) >= -1e-12)
    assert curve.q_indicators[0] > curve.q_indicators[-1]  # a real trade, not a flat line
    assert curve.q_geography[-1] > curve.q_geography[0]
    # The ends are the best achievable in each space alone.
    z, g = zscores(s, ["x1", "x2"]), projected_km(s)
    for q, features in ((curve.q_indicators[0], z), (curve.q_geography[-1], g)):
        best = brute_force_optimum(s, 3, objective="wcss", features=features, contiguous=False)
        assert q == pytest.approx(1 - best.value / wcss_cost([list(range(8))], features))


def test_propose_alpha_by_hand():
    c = MixingCurve(np.array([0.0, 0.25, 0.5, 1.0]), np.array([0.8, 0.78, 0.7, 0.2]),
                    np.array([0.1, 0.5, 0.7, 0.9]), [])
    assert propose_alpha(c, 0.05) == 0.25  # 0.78 >= 0.76 > 0.70
    assert propose_alpha(c, 0.15) == 0.5   # 0.70 >= 0.68
    assert propose_alpha(c, 0.0) == 0.0
    with pytest.raises(ValueError, match="max_loss"):
        propose_alpha(c, 1.5)
