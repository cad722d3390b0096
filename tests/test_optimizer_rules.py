"""Planners' rules, infeasibility, bad input, determinism and honest status."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import blocks_of, brute_force_optimum, pmedian_cost

from clustering.datasets import vietnam_provinces
from clustering.errors import FairclustersError, InfeasibleError, UnknownNameError
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from clustering.units import UnitSet
from optimizer import optimize, pareto_front
from optimizer.solvers import _classify, _parse_cbc_log

FAST = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(seed=st.integers(0, 10_000), method=st.sampled_from(["enumerate", "assignment"]),
       data=st.data())
def test_plans_follow_the_planners_rules(seed, method, data):
    units = planar_unit_set(10, seed=seed)
    ids = list(units.ids)
    picks = data.draw(st.permutations(ids))
    rules = ClusterRules(
        n_clusters=3,
        size=(2, 5),
        contiguous=True,
        together=[picks[:2]],
        apart=[picks[2:4]],
        fixed={picks[4]: "north", picks[5]: "south"},
    )
    result = optimize(units, rules, method=method, solver="highs")
    if result.status == "infeasible":
        assert result.reasons  # explained
        return
    assert result.status == "optimal"
    assert plan_violations(result.plan, rules) == []
    assert {"north", "south"} <= set(result.plan.cluster_names)
    assert result.plan.cluster_of(picks[4]) == "north"


def test_pure_clusters_by_function():
    base = planar_unit_set(9, seed=1)
    functions = ["a", "a", "a", "b", "b", "b", "c", "c", "c"]
    units = UnitSet(
        [u.model_copy(update={"function": f}) for u, f in zip(base.units, functions)],
        list(base.graph.edges()),
    )
    for method in ("enumerate", "assignment"):
        result = optimize(units, 3, size=(3, 3), contiguous=False, pure="function",
                          method=method, solver="highs")
        assert result.status == "optimal"
        rules = ClusterRules(n_clusters=3, size=(3, 3), pure="function", contiguous=False)
        assert plan_violations(result.plan, rules) == []


def star():
    """A hub with four leaves: two contiguous clusters would both need the hub."""
    units = [{"id": str(i), "name": f"U{i}", "weight": 1.0} for i in range(5)]
    return UnitSet(units, [("0", str(i)) for i in range(1, 5)])


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_infeasible_proven_by_the_solver_is_reported_infeasible(method, solver):
    result = optimize(star(), 2, size=(2, 3), method=method, solver=solver,
                      dissimilarity=np.ones((5, 5)) - np.eye(5))
    assert result.status == "infeasible"
    assert result.plan is None
    # Enumeration proves it alone (every cluster's rest is a set of leaves that cannot be
    # split): no solver runs, and none is credited with the proof.
    proved_by = "exhaustive" if method == "enumerate" else "solver"
    assert [r.reason for r in result.reasons] == [proved_by]


@pytest.mark.parametrize(
    ("kwargs", "reason"),
    [
        ({"size": (3, 4)}, "count"),  # 10 units cannot form 4 clusters of 3-4? 12..16
        ({"size": (2, 3), "together": [["u0000", "u0001", "u0002", "u0003"]]},
         "together_too_large"),
        ({"size": (1, 5), "together": [["u0000", "u0001"]], "apart": [["u0001", "u0000"]]},
         "together_apart"),
        ({"size": (1, 5), "apart": [["u0000", "u0001", "u0002", "u0003", "u0004"]]},
         "apart_too_many"),
    ],
)
def test_infeasible_before_solving_with_the_right_reason(kwargs, reason):
    units = planar_unit_set(10, seed=2)
    result = optimize(units, 4, solver="highs", **kwargs)
    assert result.status == "infeasible"
    assert result.method == "presolve"
    assert reason in [r.reason for r in result.reasons]
    assert all(isinstance(r, InfeasibleError) for r in result.reasons)


def test_heavy_unit_is_infeasible_with_its_name():
    units = planar_unit_set(10, seed=2)
    heaviest = units.ids[int(np.argmax(units.weights()))]
    result = optimize(units, 5, weight_tolerance=0.01, solver="highs")
    assert result.status == "infeasible"
    too_heavy = [r for r in result.reasons if r.reason == "unit_too_heavy"]
    assert too_heavy and heaviest in too_heavy[0].units


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_same_inputs_and_seed_give_the_same_plan(method):
    units = planar_unit_set(12, seed=7)
    first = optimize(units, 3, size=(3, 5), method=method, solver="highs", seed=3)
    second = optimize(units, 3, size=(3, 5), method=method, solver="highs", seed=3)
    assert first.plan.same_partition(second.plan)
    assert first.plan.clusters == second.plan.clusters


def test_warm_start_is_accepted_and_the_optimum_unchanged():
    units = planar_unit_set(12, seed=7)
    cold = optimize(units, 3, size=(3, 5), solver="cbc")
    for method in ("enumerate", "assignment"):
        warm = optimize(units, 3, size=(3, 5), solver="cbc", method=method,
                        warm_start=cold.plan)
        assert warm.objective == pytest.approx(cold.objective, abs=1e-7)


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_a_warm_start_that_breaks_the_rules_is_refused(method):
    # Found by review: the assignment model used to return such a start as "feasible".
    units = planar_unit_set(12, seed=7)
    scattered = Plan.from_labels(units, np.arange(12) % 3)
    assert plan_violations(scattered, ClusterRules(n_clusters=3, size=(3, 5), contiguous=True))
    with pytest.raises(FairclustersError, match=r"warm_start breaks the rules.*pieces"):
        optimize(units, 3, size=(3, 5), solver="highs", method=method, warm_start=scattered)


@pytest.mark.parametrize(
    ("args", "kwargs", "error", "text"),
    [
        ((0,), {}, FairclustersError, "n_clusters=0"),
        ((-1,), {}, FairclustersError, "n_clusters=-1"),
        ((11,), {}, FairclustersError, "exceeds the 10 units"),
        ((2,), {"size": (5, 3)}, FairclustersError, "min 5 exceeds max 3"),
        ((2,), {"together": [["u0000", "nowhere"]]}, UnknownNameError, "nowhere"),
        ((2,), {"fixed": {"ghost": "a"}}, UnknownNameError, "ghost"),
        ((2,), {"dissimilarity": np.zeros((3, 3))}, FairclustersError, "shape (3, 3)"),
        ((2,), {"dissimilarity": -np.ones((10, 10))}, FairclustersError, "negative"),
        ((2,), {"dissimilarity": np.full((10, 10), np.nan)}, FairclustersError, "nan"),
        ((2,), {"method": "magic"}, FairclustersError, "magic"),
        ((2,), {"solver": "gurobi"}, FairclustersError, "gurobi"),
        ((2,), {"objective": "variance"}, FairclustersError, "variance"),
        ((2,), {"time_limit": -1}, FairclustersError, "time_limit"),
        ((2,), {"weight_bounds": (1, 2), "weight_tolerance": 0.1}, FairclustersError, "not both"),
        ((2,), {"objective": "wcss", "method": "assignment"}, FairclustersError, "not linear"),
    ],
)
def test_bad_input_gets_a_clear_error(args, kwargs, error, text):
    units = planar_unit_set(10, seed=2)
    with pytest.raises(error, match=None) as info:
        optimize(units, *args, **kwargs)
    assert text.lower() in str(info.value).lower()


def test_rules_object_and_keywords_are_not_mixed():
    units = planar_unit_set(10, seed=2)
    with pytest.raises(FairclustersError, match="rules given twice"):
        optimize(units, ClusterRules(n_clusters=2), size=(2, 8))
    with pytest.raises(TypeError):
        optimize([1, 2, 3], 2)


def test_cbc_stopped_on_time_is_not_called_optimal():
    log = (
        "Result - Stopped on time limit\n\nObjective value:                12.50000000\n"
        "Lower bound:                    11.900\nGap:                            0.05\n"
    )
    result, objective, lower = _parse_cbc_log(log)
    assert (result, objective, lower) == ("Stopped on time limit", 12.5, 11.9)
    assert _classify(result.startswith("Optimal"), objective, lower) == "feasible"
    # Even a claimed optimum is not accepted when the bound disagrees.
    assert _classify(True, 12.5, 11.9) == "feasible"
    assert _classify(True, 12.5, 12.5) == "optimal"


def test_time_limited_run_reports_bound_and_gap_honestly():
    units = planar_unit_set(40, seed=4)
    result = optimize(units, 5, size=(7, 9), method="assignment", solver="cbc",
                      time_limit=2)
    assert result.status in ("optimal", "feasible", "no_solution")
    if result.status == "optimal":
        assert result.gap == 0.0 or result.gap <= 1e-6
    if result.status == "feasible":
        assert result.bound is not None and result.bound <= result.objective + 1e-9
        rules = ClusterRules(n_clusters=5, size=(7, 9), contiguous=True)
        assert plan_violations(result.plan, rules) == []
    assert result.wall_time < 30


def test_pareto_front_marks_non_dominated_points():
    units = planar_unit_set(9, seed=8)
    points = pareto_front(units, 2, tolerances=[0.05, 0.3, 0.9], solver="highs")
    assert [p.tolerance for p in points] == [0.05, 0.3, 0.9]
    solved = [p for p in points if p.plan is not None]
    assert any(p.non_dominated for p in solved)
    for p in solved:  # every plan keeps within its tolerance
        assert p.balance <= p.tolerance + 1e-9
    for p in points:
        if p.non_dominated:
            assert not any(
                q.balance < p.balance and q.homogeneity < p.homogeneity for q in solved
            )


def test_result_prints_status_method_and_clusters():
    units = planar_unit_set(8, seed=1)
    text = str(optimize(units, 2, size=(3, 5), solver="highs"))
    assert "status     optimal" in text and "method     enumerate" in text
    assert "C1 (" in text


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_plan_from_rules_object_keeps_contiguity_from_the_rules(method):
    # Path 0 - 1 - 2 - 3 - 4 - 5 with values 0, 0, 9, 9, 0, 0 and d = |x_i - x_j|. By hand:
    # without contiguity {0,1,4,5} {2,3} costs 0 (and is the only plan that does); with it
    # every plan costs at least 18, e.g. {0,1,2} {3,4,5} at 9 + 9.
    x = np.array([0.0, 0.0, 9.0, 9.0, 0.0, 0.0])
    d = np.abs(x[:, None] - x[None, :])
    units = UnitSet([{"id": str(i), "name": f"U{i}"} for i in range(6)],
                    [(str(i), str(i + 1)) for i in range(5)])
    graph = nx.relabel_nodes(units.graph, {uid: i for i, uid in enumerate(units.ids)})
    for contiguous, by_hand in ((False, 0.0), (True, 18.0)):
        rules = ClusterRules(n_clusters=2, size=(2, 4), contiguous=contiguous)
        best = brute_force_optimum(units, 2, d=d, size=(2, 4), contiguous=contiguous)
        assert best.value == pytest.approx(by_hand)
        result = optimize(units, rules, dissimilarity=d, method=method, solver="highs")
        assert result.rules.contiguous is contiguous
        assert result.status == "optimal"
        assert result.objective == pytest.approx(best.value, abs=1e-9)
        blocks = blocks_of(result.plan)
        assert pmedian_cost(blocks, d) == pytest.approx(best.value, abs=1e-9)
        assert plan_violations(result.plan, rules) == []
        pieces = sorted(nx.number_connected_components(graph.subgraph(b)) for b in blocks)
        if contiguous:
            assert pieces == [1, 1]
        else:  # the optimum is disconnected: the rules object really lifted contiguity
            assert sorted(map(sorted, blocks)) == [[0, 1, 4, 5], [2, 3]]
            assert pieces == [1, 2]


def test_keywords_and_a_rules_object_solve_the_same_problem_by_default():
    # One default for contiguity: ClusterRules, optimize and the estimators all require it.
    from clustering.estimators import AZPLocalSearch

    units = vietnam_provinces(2025)
    by_keywords = optimize(units, 6, size=(5, 6), solver="highs")
    by_rules = optimize(units, ClusterRules(n_clusters=6, size=(5, 6)), solver="highs")
    assert by_keywords.rules == by_rules.rules
    assert by_rules.rules.contiguous and AZPLocalSearch(6).contiguous
    assert by_keywords.objective == pytest.approx(by_rules.objective)
    assert by_keywords.plan.same_partition(by_rules.plan)
