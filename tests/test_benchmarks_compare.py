"""Comparison: percentiles, objectives and gaps against hand computations."""

from __future__ import annotations

import math

import numpy as np
import pytest

from benchmarks.compare import (
    Gap,
    Settings,
    _gap,
    _Scorer,
    percentile,
    plan_objectives,
    region_plan,
    run_benchmark,
)
from benchmarks.sampling import enumerate_plans
from clustering.datasets import vietnam_provinces
from clustering.metrics import fairness_report
from clustering.plan import Plan
from clustering.rules import ClusterRules
from clustering.units import UnitSet

POSITIONS = (0.0, 1.0, 3.0, 6.0)


@pytest.fixture
def line4() -> UnitSet:
    """Four units on a path a-b-c-d with one indicator x = 0, 1, 3, 6."""
    ids = "abcd"
    units = [{"id": u, "name": u.upper(), "indicators": {"x": x}} for u, x in zip(ids, POSITIONS)]
    return UnitSet(units, [("a", "b"), ("b", "c"), ("c", "d")], name="line4")


def test_percentile_is_the_mid_rank():
    values = np.array([3.0, 1.0, 2.0, 2.0, 5.0])
    assert percentile(2.0, values) == pytest.approx(100 * (1 + 2 / 2) / 5)
    assert percentile(0.5, values) == 0.0
    assert percentile(9.0, values) == 100.0
    assert percentile(5.0, values) == pytest.approx(90.0)


def test_p_median_objective_by_hand():
    d = np.abs(np.subtract.outer(POSITIONS, POSITIONS))
    # {a}{b,c,d}: 0 + min(7, 5, 8) = 5 ; {a,b}{c,d}: 1 + 3 = 4 ; {a,b,c}{d}: min(4, 3, 5) = 3
    labels = np.array([[0, 1, 1, 1], [0, 0, 1, 1], [0, 0, 0, 1], [0, 1, 0, 1]])
    assert plan_objectives(labels, d).tolist() == [5.0, 4.0, 3.0, 3.0 + 5.0]


def test_percentiles_of_proposals_by_hand(line4):
    rules = ClusterRules(n_clusters=2, size=(1, 3), contiguous=True)
    # Feasible plans: {a|bcd}, {ab|cd}, {abc|d}; the dissimilarity is |x_i - x_j| / 6
    # (one standardised indicator, scaled to [0, 1]), so objectives are 5/6, 4/6, 3/6.
    middle = Plan(line4, {"L": ["a", "b"], "R": ["c", "d"]}, name="middle")
    scattered = Plan(line4, {"L": ["a", "c"], "R": ["b", "d"]}, name="scattered")
    settings = Settings(rules, geography=0.0, samples=10)
    bench = run_benchmark(line4, [middle, scattered], settings, references=False)
    assert bench.sample.complete and bench.sample.n_distinct == 3
    assert sorted(bench.distribution["objective"] * 6) == pytest.approx([3, 4, 5])
    by_name = {e.name: e for e in bench.evaluations}
    assert by_name["middle"].scores["objective"] == pytest.approx(4 / 6)
    assert by_name["middle"].percentiles["objective"] == pytest.approx(100 * 1.5 / 3)
    # {a,c}{b,d}: 3/6 + 5/6 = 8/6, worse than every feasible plan; it breaks contiguity
    assert by_name["scattered"].percentiles["objective"] == 100.0
    assert sorted(str(v) for v in by_name["scattered"].violations) == [
        "cluster 'L' is in 2 pieces", "cluster 'R' is in 2 pieces"
    ]
    assert {(v.reason, v.cluster) for v in by_name["scattered"].violations} == {
        ("contiguity", "L"), ("contiguity", "R")}
    # cut edges: every feasible plan cuts 1 border; "scattered" cuts all 3
    assert by_name["middle"].percentiles["cut_edges"] == 50.0
    assert by_name["scattered"].scores["cut_edges"] == 3


def test_scores_equal_the_fairness_report():
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    plans = enumerate_plans(vn, rules).labels[::700]
    d = np.random.default_rng(0).random((34, 34))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0)
    indicators = ["grdp_per_capita", "urban_pct", "population"]
    scores = _Scorer(vn, d, indicators, "p-median").score(plans)
    for row, labels in enumerate(plans):
        report = fairness_report(Plan.from_labels(vn, labels), indicators=indicators,
                                 dissimilarity=d)
        assert scores["r2"][row] == pytest.approx(report.r2_overall, rel=1e-9)
        assert scores["mean_within"][row] == pytest.approx(report.mean_within_dissimilarity)
        assert scores["weight_cv"][row] == pytest.approx(report.size_weight.cv)
        assert scores["cut_edges"][row] == report.cut_edges


class _Result:
    def __init__(self, status, objective, bound):
        self.status, self.objective, self.bound = status, objective, bound


def test_gap_is_exact_only_when_proven():
    proven = _gap(12.0, _Result("optimal", 10.0, 10.0))
    assert proven.proven and proven.low == proven.high == pytest.approx(0.2)
    assert "proven optimum" in proven.describe()
    unproven = _gap(12.0, _Result("feasible", 10.0, 8.0))
    assert not unproven.proven
    assert unproven.low == pytest.approx(0.2) and unproven.high == pytest.approx(0.5)
    assert "not proven" in unproven.describe() and "bound" in unproven.describe()
    assert _gap(12.0, None).describe() == "no optimum to compare with"
    assert isinstance(_gap(1.0, _Result("no_solution", None, None)), Gap)
    assert math.isclose(_gap(11.0, _Result("optimal", 10.0, 10.0)).low, 0.1)


def test_region_plan_uses_majority_for_straddling_units():
    vn = vietnam_provinces(2025)
    plan, note = region_plan(vn)
    straddling = [u.id for u in vn if u.region is None]
    assert len(straddling) == 7 and "7 units straddling" in note
    majority = dict(zip(vn.ids, vn.labels_of("region_majority")))
    for uid in vn.ids:
        assert plan.cluster_of(uid) == majority[uid]
    assert plan.n_clusters == 6
