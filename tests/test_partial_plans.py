"""Partial plans: units left in no cluster, refused where completeness is needed, completed
optimally (brute force agrees) without moving a placed unit, reported with the unplaced units."""

from __future__ import annotations

import numpy as np
import pytest
from oracles import feasible_plans, pmedian_cost

from clustering.errors import FairclustersError, PlanError
from clustering.metrics import fairness_report
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.units import UnitSet
from optimizer.complete import complete_plan


def grid(rows: int = 2, cols: int = 4, seed: int = 0) -> UnitSet:
    """A rows x cols grid of units with random indicators and coordinates."""
    rng = np.random.default_rng(seed)
    units = [{"id": f"u{r}{c}", "name": f"U{r}{c}", "lat": 10.0 + r, "lon": 106.0 + c,
              "weight": float(rng.integers(1, 10)),
              "indicators": {"x": float(rng.normal()), "y": float(rng.normal())}}
             for r in range(rows) for c in range(cols)]
    edges = [(f"u{r}{c}", f"u{r}{c + 1}") for r in range(rows) for c in range(cols - 1)]
    edges += [(f"u{r}{c}", f"u{r + 1}{c}") for r in range(rows - 1) for c in range(cols)]
    return UnitSet(units, edges)


def test_partial_plan_lists_unassigned_and_a_complete_plan_is_unchanged():
    units = grid()
    partial = Plan.partial(units, {"A": ["u00", "U01"], "B": ["u13"]}, name="p")
    assert partial.unassigned == ["u02", "u03", "u10", "u11", "u12"]
    assert not partial.is_complete
    assert partial.partial_labels.tolist() == [0, 0, -1, -1, -1, -1, -1, 1]
    complete = Plan(units, {"A": units.ids[:4], "B": units.ids[4:]})
    assert complete.unassigned == [] and complete.is_complete
    assert complete.labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    with pytest.raises(PlanError, match="in no cluster"):
        Plan(units, {"A": ["u00"]})  # a missing unit is still an error by default


def test_code_needing_completeness_refuses_a_partial_plan():
    units = grid()
    partial = Plan.partial(units, {"A": ["u00"], "B": ["u13"]}, name="p")
    with pytest.raises(PlanError, match=r"partial: 6 unit\(s\) in no cluster"):
        partial.labels  # noqa: B018
    with pytest.raises(PlanError, match="partial"):
        plan_violations(partial, ClusterRules(n_clusters=2))
    with pytest.raises(PlanError, match=r"'u02' .* is in no cluster"):
        partial.cluster_of("u02")
    assert partial.to_frame()["cluster"].isna().sum() == 6


def test_partial_plan_round_trips_through_json(tmp_path):
    units = grid()
    partial = Plan.partial(units, {"A": ["u00"], "B": ["u13"]}, name="p")
    partial.to_json(tmp_path / "p.json")
    back = Plan.read_json(tmp_path / "p.json", units)
    assert back.unassigned == partial.unassigned and back.clusters == partial.clusters


def test_fairness_report_scores_the_placed_units_and_names_the_others():
    units = grid()
    partial = Plan.partial(units, {"A": ["u00", "u01"], "B": ["u12", "u13"]}, name="p")
    report = fairness_report(partial)
    assert report.n_units == 4
    assert report.size_count.per_cluster == {"A": 2.0, "B": 2.0}
    assert report.unplaced == {"u02": "U02", "u03": "U03", "u10": "U10", "u11": "U11"}
    text = report.to_text("en")
    assert "4 units not placed: U02 (u02), U03 (u03), U10 (u10), U11 (u11)" in text
    assert "4 đơn vị chưa được xếp" in report.to_text("vi")
    # the placed units scored exactly as a plan of their own
    alone = Plan(units.subset(["u00", "u01", "u12", "u13"]), partial.clusters)
    assert report.homogeneity == fairness_report(alone).homogeneity
    assert fairness_report(Plan(units, {"A": units.ids})).unplaced == {}


def dissimilarity(units: UnitSet) -> np.ndarray:
    x = np.array([[u.indicators["x"], u.indicators["y"]] for u in units])
    return np.sqrt(((x[:, None, :] - x[None, :, :]) ** 2).sum(-1))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_completion_equals_brute_force_and_never_moves_a_placed_unit(seed, method):
    units = grid(seed=seed)
    d = dissimilarity(units)
    partial = Plan.partial(units, {"A": ["u00"], "B": ["u03", "u13"]}, name="p")
    rules = ClusterRules(n_clusters=3, size=(2, 3), contiguous=True)
    result = complete_plan(partial, rules, dissimilarity=d, method=method, solver="highs")
    assert result.status == "optimal" and result.plan.is_complete
    for name, members in partial.clusters.items():
        assert set(members) <= set(result.plan.clusters[name])  # never moved
    assert result.details["completed"] == partial.unassigned
    # brute force: every plan following the rules with the placed units where they are
    fixed = ClusterRules(n_clusters=3, size=(2, 3), contiguous=True,
                         fixed={"u00": "A", "u03": "B", "u13": "B"})
    best = min(pmedian_cost([np.flatnonzero(np.array(lab) == c) for c in set(lab)], d)
               for lab in feasible_plans(units, fixed))
    assert result.objective == pytest.approx(best, abs=1e-6)
    blocks = [[units.index(u) for u in m] for m in result.plan.clusters.values()]
    assert pmedian_cost(blocks, d) == pytest.approx(best, abs=1e-6)
    assert plan_violations(result.plan, rules) == []


def test_completion_refuses_conflicts_before_solving():
    units = grid()
    partial = Plan.partial(units, {"A": ["u00"], "B": ["u13"], "C": ["u03"]})
    with pytest.raises(FairclustersError, match=r"3 clusters but rules\.n_clusters=2"):
        complete_plan(partial, ClusterRules(n_clusters=2))
    with pytest.raises(FairclustersError, match="another cluster than the plan's"):
        complete_plan(partial, ClusterRules(n_clusters=3, fixed={"u00": "B"}))


def test_infeasible_completion_is_reported():
    units = grid()
    # A and B are the two ends of a row; a contiguous cluster of at most 2 cannot join them
    partial = Plan.partial(units, {"A": ["u00", "u03"]})
    result = complete_plan(partial, ClusterRules(n_clusters=4, size=(2, 2)), solver="highs")
    assert result.status == "infeasible" and result.plan is None
