"""FunctionBlocs (pure and balanced) and the ClustGeo-style mixing curve."""

import numpy as np
import pytest

from clustering.errors import InfeasibleError
from clustering.estimators import FunctionBlocs, SpatialWard, mixing_curve, propose_alpha
from clustering.estimators.mixing import MixingCurve
from clustering.metrics import purity
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
    assert plan_violations(blocs.plan_, ClusterRules(n_clusters=6, size=(3, 5),
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


def test_mixing_curve_ends_and_monotone_trade():
    s = planar_unit_set(60, seed=8)
    curve = mixing_curve(s, 5, [0.0, 0.5, 1.0], indicators=["x1", "x2"])
    # at alpha = 0 the clustering is plain Ward on indicators: Q_Z equals its R^2
    ward0 = SpatialWard(5, indicators=["x1", "x2"], connectivity=False).fit(s)
    assert curve.q_indicators[0] == pytest.approx(1 - ward0.objective_)
    assert curve.q_indicators[0] >= curve.q_indicators[-1]
    assert curve.q_geography[-1] >= curve.q_geography[0]
    assert curve.q_indicators_normalized[0] == pytest.approx(1.0)
    assert "alpha" in curve.table()


def test_propose_alpha_by_hand():
    c = MixingCurve(np.array([0.0, 0.25, 0.5, 1.0]), np.array([0.8, 0.78, 0.7, 0.2]),
                    np.array([0.1, 0.5, 0.7, 0.9]), [])
    assert propose_alpha(c, 0.05) == 0.25  # 0.78 >= 0.76 > 0.70
    assert propose_alpha(c, 0.15) == 0.5   # 0.70 >= 0.68
    assert propose_alpha(c, 0.0) == 0.0
    with pytest.raises(ValueError, match="max_loss"):
        propose_alpha(c, 1.5)
