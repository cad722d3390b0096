"""The optimizer against independent truths: brute force, published counts, the textbook model.

Plans are checked with ``clustering.rules.plan_violations`` and
``clustering.metrics``, never with the optimizer's own code.
"""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from oracles import blocks_of, brute_force_optimum, pmedian_cost, wcss_cost, wcss_features

from clustering.datasets import vietnam_provinces
from clustering.metrics import cluster_pieces
from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from clustering.synthetic import planar_unit_set
from optimizer import optimize
from optimizer.candidates import connected_subsets, count_connected_subsets
from optimizer.objectives import default_dissimilarity
from optimizer.textbook import textbook_hess

FAST = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def plan_cost(plan, d):
    """p-median cost of a plan, computed from scratch by the oracle."""
    return pmedian_cost(blocks_of(plan), d)


def small_instance(n: int, seed: int):
    units = planar_unit_set(n, seed=seed)
    rng = np.random.default_rng(seed)
    d = rng.random((n, n))
    d = (d + d.T) / 2
    np.fill_diagonal(d, 0.0)
    return units, d


# -- candidates -----------------------------------------------------------------
def test_candidate_counts_match_the_published_figures():
    # Figures measured independently and quoted in the issue.
    assert count_connected_subsets(vietnam_provinces(2025).graph, 5, 6) == 1916
    assert count_connected_subsets(vietnam_provinces(2024).graph, 7, 9) == 287411


@FAST
@given(n=st.integers(4, 9), seed=st.integers(0, 10_000), low=st.integers(1, 3),
       span=st.integers(0, 3))
def test_connected_subsets_equal_brute_force(n, seed, low, span):
    graph = planar_unit_set(n, seed=seed).graph
    high = low + span
    expected = {
        frozenset(c)
        for r in range(low, min(high, n) + 1)
        for c in combinations(graph.nodes, r)
        if nx.is_connected(graph.subgraph(c))
    }
    found = connected_subsets(graph, low, high)
    assert len(found) == len(set(found))  # each listed once
    assert set(found) == expected


def test_count_stops_early_at_the_limit():
    assert count_connected_subsets(nx.complete_graph(25), 1, 25, limit=500) == 501


# -- optimum equals brute force --------------------------------------------------
@FAST
@given(n=st.integers(5, 8), seed=st.integers(0, 10_000), k=st.integers(2, 3),
       slack=st.integers(0, 2), method=st.sampled_from(["enumerate", "assignment"]))
def test_optimum_equals_brute_force(n, seed, k, slack, method):
    units, d = small_instance(n, seed)
    low = max(1, n // k - slack)
    high = -(-n // k) + slack
    best = brute_force_optimum(units, k, d=d, size=(low, high))
    result = optimize(units, k, size=(low, high), dissimilarity=d, method=method,
                      solver="highs")
    if best is None:
        assert result.status == "infeasible"
        assert result.plan is None
        return
    expected = best.value
    assert result.status == "optimal"
    assert result.objective == pytest.approx(expected, abs=1e-7)
    assert plan_cost(result.plan, d) == pytest.approx(expected, abs=1e-7)
    rules = ClusterRules(n_clusters=k, size=(low, high), contiguous=True)
    assert plan_violations(result.plan, rules) == []
    assert all(p == 1 for p in cluster_pieces(units.graph, result.plan.clusters).values())


@FAST
@given(n=st.integers(5, 8), seed=st.integers(0, 10_000), tolerance=st.sampled_from([0.3, 0.6]))
def test_weighted_bounds_optimum_equals_brute_force(n, seed, tolerance):
    units, d = small_instance(n, seed)
    k = 2
    ideal = sum(u.weight for u in units) / k
    bounds = (ideal * (1 - tolerance), ideal * (1 + tolerance))
    best = brute_force_optimum(units, k, d=d, weight_bounds=bounds)
    for method in ("enumerate", "assignment"):
        result = optimize(units, k, weight_bounds=bounds, dissimilarity=d, method=method,
                          solver="highs")
        if best is None:
            assert result.status == "infeasible"
            continue
        assert result.status == "optimal"
        assert result.objective == pytest.approx(best.value, abs=1e-7)
        rules = ClusterRules(n_clusters=k, weight_bounds=bounds, contiguous=True)
        assert plan_violations(result.plan, rules) == []


def test_non_contiguous_optimum_equals_brute_force():
    units, d = small_instance(8, 3)
    expected = brute_force_optimum(units, 3, d=d, size=(2, 3), contiguous=False).value
    for method in ("enumerate", "assignment"):
        result = optimize(units, 3, size=(2, 3), contiguous=False, dissimilarity=d,
                          method=method, solver="highs")
        assert result.objective == pytest.approx(expected, abs=1e-7)


def test_balance_objective_equals_brute_force():
    units, _ = small_instance(8, 11)
    expected = brute_force_optimum(units, 3, objective="balance", size=(1, 6)).value
    for method in ("enumerate", "assignment"):
        result = optimize(units, 3, size=(1, 6), objective="balance", method=method,
                          solver="highs")
        assert result.status == "optimal"
        assert result.objective == pytest.approx(expected, abs=1e-7)


def test_wcss_objective_equals_brute_force_and_custom_cost():
    units = planar_unit_set(8, seed=5)
    # The built-in "wcss": squares of the standardised default indicators (x1..x3 and
    # population, logged because it is skewed), rebuilt by the oracle from the docs.
    z = wcss_features(units)
    assert z.shape == (8, 4)
    best = brute_force_optimum(units, 2, objective="wcss", features=z, size=(2, 6))
    for solver in ("highs", "cbc"):
        result = optimize(units, 2, size=(2, 6), objective="wcss", solver=solver)
        assert result.status == "optimal"
        assert result.objective == pytest.approx(best.value, abs=1e-7)
        assert wcss_cost(blocks_of(result.plan), z) == pytest.approx(best.value, abs=1e-7)
        assert plan_violations(result.plan, ClusterRules(n_clusters=2, size=(2, 6))) == []
        assert all(p == 1 for p in cluster_pieces(units.graph, result.plan.clusters).values())

    # A custom cost, here the squares of x1..x3 alone, is optimised just the same.
    x = np.column_stack([units.indicator(f"x{i}") for i in (1, 2, 3)])
    x = (x - x.mean(axis=0)) / x.std(axis=0)
    custom_best = brute_force_optimum(units, 2, objective="wcss", features=x, size=(2, 6))

    def wcss(ids):
        return wcss_cost([[units.index(u) for u in ids]], x)

    result = optimize(units, 2, size=(2, 6), objective=wcss, solver="highs")
    assert result.status == "optimal"
    assert result.objective == pytest.approx(custom_best.value, abs=1e-7)
    assert wcss_cost(blocks_of(result.plan), x) == pytest.approx(custom_best.value, abs=1e-7)


# -- both solvers, both methods, the textbook model --------------------------------
@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_solvers_and_methods_agree_with_the_textbook_model(solver):
    units, d = small_instance(9, 42)
    results = {
        m: optimize(units, 3, size=(2, 4), dissimilarity=d, method=m, solver=solver)
        for m in ("enumerate", "assignment")
    }
    book = textbook_hess(3, d, units.edge_index_pairs(), size=(2, 4), solver=solver)
    assert book["status"] == "optimal"
    for result in results.values():
        assert result.status == "optimal"
        assert result.solver == solver
        assert result.objective == pytest.approx(book["objective"], abs=1e-6)


def test_real_provinces_six_clusters_of_five_or_six():
    vn = vietnam_provinces(2025)
    result = optimize(vn, 6, size=(5, 6), solver="highs")
    assert result.status == "optimal" and result.gap == 0.0
    assert result.method == "enumerate" and "1,916 candidate" in result.method_reason
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    assert plan_violations(result.plan, rules) == []


# -- heuristic warm start and reduced-cost fixing ----------------------------------
@pytest.fixture(scope="module")
def monkeypatch_fixing():
    """Reduced-cost fixing and the heuristic start on every model, however small."""
    import optimizer.api
    import optimizer.assignment

    saved = optimizer.assignment.FIXING_FROM
    optimizer.assignment.FIXING_FROM = optimizer.api.FIXING_FROM = 0
    yield
    optimizer.assignment.FIXING_FROM = optimizer.api.FIXING_FROM = saved


@FAST
@given(n=st.integers(6, 10), seed=st.integers(0, 10_000), slack=st.integers(0, 1))
def test_pair_recombination_of_two_clusters_is_the_brute_force_optimum(n, seed, slack):
    from optimizer.heuristic import heuristic_plan, recombine_pairs

    units, d = small_instance(n, seed)
    size = (n // 2 - slack, -(-n // 2) + slack)
    rules = ClusterRules(n_clusters=2, size=size, contiguous=True)
    best = brute_force_optimum(units, 2, d=d, size=size)
    start = heuristic_plan(units, rules, d, seed=seed)
    if best is None:
        assert start is None
        return
    expected = best.value
    assert start is not None
    # With two clusters, re-splitting their union optimally solves the whole problem.
    labels = recombine_pairs(start, d, rules.compile(units))
    plan = Plan.from_labels(units, labels)
    assert plan_violations(plan, rules) == []
    assert plan_cost(plan, d) == pytest.approx(expected, abs=1e-9)


@FAST
@given(n=st.integers(8, 10), seed=st.integers(0, 10_000))
def test_pair_recombination_leaves_every_bordering_pair_at_its_brute_force_optimum(n, seed):
    # Three clusters: the union of a pair is not units 0..m-1, so costs must be
    # taken over the union's own rows and columns of d.
    from clustering.errors import FairclustersError
    from clustering.estimators import AZPLocalSearch
    from optimizer.heuristic import recombine_pairs

    units, d = small_instance(n, seed)
    size = (2, 4)
    rules = ClusterRules(n_clusters=3, size=size, contiguous=True)
    try:  # a start that meets the rules but is not polished on the p-median
        start = AZPLocalSearch(3, size=size, contiguous=True, random_state=seed).fit(units).labels_
    except FairclustersError:
        return
    edges = units.edge_index_pairs()
    labels = recombine_pairs(start, d, rules.compile(units))
    plan = Plan.from_labels(units, labels)
    assert plan_violations(plan, rules) == []
    assert plan_cost(plan, d) <= plan_cost(Plan.from_labels(units, start), d) + 1e-9
    for a, b in {tuple(sorted(labels[e])) for e in edges if labels[e[0]] != labels[e[1]]}:
        union = np.flatnonzero((labels == a) | (labels == b))
        pair = units.subset([units.ids[i] for i in union])
        here = Plan.from_labels(pair, np.where(labels[union] == a, 0, 1))
        best = brute_force_optimum(pair, 2, d=d[np.ix_(union, union)], size=size)
        assert plan_cost(here, d[np.ix_(union, union)]) == pytest.approx(best.value, abs=1e-9)


@FAST
@given(n=st.integers(6, 10), seed=st.integers(0, 10_000), k=st.integers(2, 3))
def test_heuristic_plan_follows_the_rules_and_is_no_better_than_brute_force(n, seed, k):
    from optimizer.heuristic import heuristic_plan, pmedian_value

    units, d = small_instance(n, seed)
    size = (max(1, n // k - 1), -(-n // k) + 1)
    rules = ClusterRules(n_clusters=k, size=size, contiguous=True)
    best = brute_force_optimum(units, k, d=d, size=size)
    labels = heuristic_plan(units, rules, d, seed=seed)
    if labels is None:
        return  # the estimator could not repair a start: the optimizer runs without one
    plan = Plan.from_labels(units, labels)
    assert plan_violations(plan, rules) == []
    assert pmedian_value(labels, d) == pytest.approx(plan_cost(plan, d))
    assert plan_cost(plan, d) >= best.value - 1e-9


@FAST
@given(n=st.integers(8, 12), seed=st.integers(0, 10_000))
def test_more_heuristic_starts_keep_the_cheapest_plan_of_the_seeds_tried(n, seed):
    from clustering.errors import FairclustersError
    from clustering.estimators import AZPLocalSearch
    from optimizer.heuristic import heuristic_plan, pmedian_improver, pmedian_value

    units, d = small_instance(n, seed)
    weights = units.weights("population")
    total = weights.sum()
    rules = ClusterRules(n_clusters=3, weight_bounds=(0.2 * total, 0.5 * total),
                         weight="population", contiguous=True)
    several = heuristic_plan(units, rules, d, seed=seed, starts=4)
    improve = pmedian_improver(rules.compile(units), d)
    seen = []
    for s in range(seed, seed + 4):  # the seeds it may try, run one by one
        try:
            fitted = AZPLocalSearch(3, init="ward", weight_bounds=rules.weight_bounds,
                                    weight="population", contiguous=True,
                                    random_state=s).fit(units)
        except FairclustersError:
            continue
        seen.append(pmedian_value(improve(np.unique(fitted.labels_,
                                                   return_inverse=True)[1]), d))
    if not seen:
        assert several is None
        return
    assert plan_violations(Plan.from_labels(units, several), rules) == []
    value = pmedian_value(several, d)
    # No costlier than the first seed's plan; one of the seeds' plans.
    assert value <= seen[0] + 1e-9
    assert min(abs(value - v) for v in seen) <= 1e-9 * max(1.0, value)
    assert np.array_equal(several, heuristic_plan(units, rules, d, seed=seed, starts=4))


def test_heuristic_starts_must_be_a_positive_integer():
    from clustering.errors import FairclustersError
    from optimizer.heuristic import heuristic_plan

    units, d = small_instance(8, 0)
    rules = ClusterRules(n_clusters=2, size=(3, 5), contiguous=True)
    with pytest.raises(FairclustersError, match="starts=0"):
        heuristic_plan(units, rules, d, starts=0)


@FAST
@given(n=st.integers(6, 9), seed=st.integers(0, 10_000), k=st.integers(2, 3))
@example(n=6, seed=64, k=3)  # HiGHS once returned its start, "Optimal" at a wrong value
@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_reduced_cost_fixing_keeps_the_brute_force_optimum(n, seed, k, solver,
                                                           monkeypatch_fixing):
    units, d = small_instance(n, seed)
    size = (max(1, n // k - 1), -(-n // k))
    best = brute_force_optimum(units, k, d=d, size=size)
    result = optimize(units, k, size=size, dissimilarity=d, method="assignment",
                      solver=solver)
    if best is None:
        assert result.status == "infeasible"
        return
    expected = best.value
    assert result.details["warm_start"] in ("heuristic", None)
    # Fixing must keep the optimum and the bound must stay valid, and with no time
    # limit the optimum is proven.
    assert result.status == "optimal"
    assert plan_cost(result.plan, d) == pytest.approx(expected, abs=1e-7)
    assert result.bound <= expected + 1e-7


# -- input types and the time limit ---------------------------------------------------
def test_enumerate_candidates_takes_numpy_integers():
    from optimizer.candidates import enumerate_candidates

    path = np.array([[0, 1], [1, 2], [2, 3], [3, 4]], dtype=np.int64)
    count, cands = enumerate_candidates(np.int64(5), path, (np.int64(2), np.int64(3)),
                                        apart=np.array([[0, 2]]), roots=np.array([0, 1]))
    # By hand: the connected 2- and 3-sets of a 5-path whose lowest unit is 0 or 1,
    # without both 0 and 2: {0,1}, {1,2}, {1,2,3}.
    assert count == 3
    assert sorted(cands.members(c).tolist() for c in range(count)) == [[0, 1], [1, 2], [1, 2, 3]]


def test_enumerate_candidates_rejects_an_edge_outside_the_units():
    from optimizer.candidates import enumerate_candidates

    with pytest.raises(ValueError, match="edge end 9"):
        enumerate_candidates(4, [(0, 1), (2, 9)], (1, 2))
    with pytest.raises(TypeError, match=r"edge end 1\.5"):
        enumerate_candidates(4, [(0, 1.5)], (1, 2))


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_time_limit_bounds_the_whole_call_on_a_mid_size_instance(solver):
    units = planar_unit_set(250, seed=0)
    limit = 3.0
    result = optimize(units, 25, size=(9, 11), contiguous=True, time_limit=limit,
                      solver=solver)
    assert result.wall_time <= limit + 2.0
    assert result.status in ("optimal", "feasible", "no_solution")
    if result.plan is not None:
        rules = ClusterRules(n_clusters=25, size=(9, 11), contiguous=True)
        assert plan_violations(result.plan, rules) == []
        # The objective is the plan's own cost, and the bound does not exceed it.
        d = default_dissimilarity(units)
        assert result.objective == pytest.approx(plan_cost(result.plan, d))
        if result.bound is not None:
            assert result.bound <= result.objective + 1e-6


@pytest.mark.parametrize("engine", ["scipy", "highspy"])
def test_lp_reduced_costs_by_hand_with_both_row_senses(engine):
    import scipy.sparse as sp

    from optimizer.relaxation import LinearRelaxation
    from optimizer.solvers import MILP

    if engine == "highspy":
        pytest.importorskip("highspy")
    # min x1 + 2 x2 + 3 x3  s.t.  x1 + x2 + x3 >= 1,  x1 <= 1/2,  0 <= x <= 1.
    # By hand: x = (1/2, 1/2, 0), z = 3/2; duals 2 (>= row) and -1 (<= row), so the
    # reduced costs are (1 - 2 + 1, 2 - 2, 3 - 2) = (0, 0, 1).
    model = MILP(c=np.array([1.0, 2.0, 3.0]), A=sp.csr_matrix([[1.0, 1, 1], [1, 0, 0]]),
                 row_lower=np.array([1.0, -np.inf]), row_upper=np.array([np.inf, 0.5]),
                 col_lower=np.zeros(3), col_upper=np.ones(3), integer=np.ones(3, bool))
    point = LinearRelaxation(model, engine=engine).solve()
    assert point.value == pytest.approx(1.5)
    assert point.x == pytest.approx([0.5, 0.5, 0.0])
    assert point.reduced_costs == pytest.approx([0.0, 0.0, 1.0])


@pytest.mark.parametrize("far", [True, False])
def test_a_restart_is_asked_only_far_from_the_bound_and_its_plan_is_used(monkeypatch, far):
    import optimizer.assignment as assignment
    from optimizer.assignment import AssignmentProblem, solve_assignment

    units, d = small_instance(9, 5)
    rules = ClusterRules(n_clusters=3, size=(3, 3), contiguous=True)
    best = brute_force_optimum(units, 3, d=d, size=(3, 3))
    worst = brute_force_optimum(units, 3, size=(3, 3),
                                objective=lambda rows: -pmedian_cost([rows], d))
    # "Far" is any gap at all, or none ever.
    monkeypatch.setattr(assignment, "RESTART_GAP", -1.0 if far else np.inf)
    optimum, poor = np.empty(9, dtype=int), np.empty(9, dtype=int)
    for c, (block, other) in enumerate(zip(best.blocks, worst.blocks)):
        optimum[block], poor[other] = c, c
    asked = []

    def restart(deadline):
        asked.append(deadline)
        return optimum

    p = AssignmentProblem.from_rules(rules.compile(units), d=d)
    solution, labels, details = solve_assignment(p, solver="highs", warm_labels=poor,
                                                 restart=restart, max_rounds=0)
    # Without MIP rounds the incumbent is the warm start, the dive's plan or the restart's.
    assert len(asked) == (1 if far else 0)
    if far:
        assert solution.objective == pytest.approx(best.value, abs=1e-9)
    assert best.value - 1e-9 <= solution.objective <= -worst.value + 1e-9
    assert plan_cost(Plan.from_labels(units, labels), d) == pytest.approx(solution.objective,
                                                                          abs=1e-9)
    assert ("restart_time" in details) == far
