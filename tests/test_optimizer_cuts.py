"""Cutting planes, diving and reconnection of the assignment model, against brute force."""

from __future__ import annotations

from itertools import combinations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracles import brute_force_optimum
from test_optimizer_exact import small_instance

from clustering.plan import Plan
from clustering.rules import ClusterRules, plan_violations
from optimizer.assignment import (
    AssignmentProblem,
    AssignmentSolver,
    _Model,
    cut_loop,
    dive,
    reconnect,
    solve_assignment,
    subproblem,
)
from optimizer.relaxation import LinearRelaxation
from optimizer.separation import VertexSeparators, minimal_separator
from optimizer.solvers import MILP, Solution

FAST = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def separates(graph: nx.Graph, separator, source, target) -> bool:
    rest = graph.subgraph(set(graph) - set(separator))
    return not nx.has_path(rest, source, target)


def lightest_separator_by_brute_force(graph, weights, source, target) -> float:
    others = [v for v in graph if v not in (source, target)]
    best = np.inf
    for r in range(len(others) + 1):
        for subset in combinations(others, r):
            if separates(graph, subset, source, target):
                best = min(best, float(np.sum(weights[list(subset)])))
    return best


# -- separators ---------------------------------------------------------------------
@FAST
@given(n=st.integers(4, 9), seed=st.integers(0, 10_000))
def test_min_separator_is_the_lightest_and_minimal(n, seed):
    units, _ = small_instance(n, seed)
    edges = units.edge_index_pairs()
    graph = nx.Graph(list(map(tuple, edges.tolist())))
    graph.add_nodes_from(range(n))
    rng = np.random.default_rng(seed)
    weights = np.round(rng.random(n), 3) * (rng.random(n) < 0.7)  # some exact zeros
    oracle = VertexSeparators(n, edges)
    pairs = [(s, t) for s in range(n) for t in range(n)
             if s != t and not graph.has_edge(s, t) and nx.has_path(graph, s, t)]
    for source, target in pairs[:6]:
        value, separator = oracle.min_separator(weights, source, target)
        assert separates(graph, separator, source, target)
        # Inclusion-minimal: dropping any unit opens a path.
        for v in separator:
            assert not separates(graph, set(separator) - {v}, source, target)
        # Lightest: zero-weight units count 1e-6 each, so allow that much per unit.
        expected = lightest_separator_by_brute_force(graph, weights, source, target)
        assert expected - 1e-9 <= value <= expected + n * 2e-6
        assert value == pytest.approx(float(weights[separator].sum()))


def test_minimal_separator_rejects_adjacent_units():
    with pytest.raises(ValueError, match="borders"):
        minimal_separator(nx.path_graph(3), {0}, 1)


# -- the relaxation, two engines ---------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_both_engines_agree_after_added_rows_and_fixed_columns(seed):
    pytest.importorskip("highspy")
    rng = np.random.default_rng(seed)
    n, m = 8, 5
    model = MILP(c=rng.random(n), A=sp.csr_matrix(rng.random((m, n))),
                 row_lower=np.ones(m), row_upper=np.full(m, np.inf),
                 col_lower=np.zeros(n), col_upper=np.ones(n), integer=np.ones(n, bool))
    extra = sp.csr_matrix(rng.random((2, n)))
    values = []
    for engine in ("scipy", "highspy"):
        lp = LinearRelaxation(model, engine=engine)
        first = lp.solve()
        lp.add_rows(extra, [-np.inf, 0.5], [1.5, np.inf])
        lp.set_bounds([0, 1], 0.0, 0.0)
        second = lp.solve()
        values.append((first.value, second.value if second else None, lp.status))
    assert values[0][0] == pytest.approx(values[1][0], abs=1e-7)
    assert values[0][2] == values[1][2]
    if values[0][1] is not None:
        assert values[0][1] == pytest.approx(values[1][1], abs=1e-7)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_both_engines_agree_after_added_columns_with_duals_that_price_them(seed):
    # Rows of all three kinds (>=, <=, =), columns added in two steps: each engine's
    # value is the LP's over all the columns (solved cold by linprog), and its row
    # duals give its reduced costs, c - A^T y.
    pytest.importorskip("highspy")
    from scipy.optimize import linprog

    rng = np.random.default_rng(seed)
    m, n, more = 4, 5, 6
    A, extra = rng.random((m, n)), rng.random((m, more))
    lower, upper = np.array([1.0, -np.inf, 2.0, 0.5]), np.array([np.inf, 3.0, 2.0, 4.0])
    model = MILP(c=rng.random(n), A=sp.csr_matrix(A), row_lower=lower, row_upper=upper,
                 col_lower=np.zeros(n), col_upper=np.ones(n), integer=np.ones(n, bool))
    c_more = rng.random(more)
    whole = np.hstack([A, extra])
    cold = linprog(np.concatenate([model.c, c_more]),
                   A_ub=np.vstack([whole[[1, 3]], -whole[[0, 3]]]),
                   b_ub=np.array([3.0, 4.0, -1.0, -0.5]), A_eq=whole[[2]], b_eq=[2.0],
                   bounds=[(0, 1)] * n + [(0, 2)] * more, method="highs")
    for engine in ("scipy", "highspy"):
        lp = LinearRelaxation(model, engine=engine)
        lp.solve()
        lp.add_columns(sp.csc_matrix(extra[:, :2]), c_more[:2], 0.0, 2.0)
        lp.add_columns(sp.csc_matrix(extra[:, 2:]), c_more[2:], 0.0, 2.0)
        point = lp.solve()
        if cold.status == 2:
            assert point is None and lp.status == "infeasible"
            continue
        assert point.value == pytest.approx(cold.fun, abs=1e-7)
        costs = np.concatenate([model.c, c_more])
        assert point.reduced_costs == pytest.approx(costs - whole.T @ point.duals, abs=1e-7)


@pytest.mark.parametrize("engine", ["scipy", "highspy"])
def test_a_row_bounded_on_both_sides_gets_its_dual(engine):
    # min x0 + 2 x1 with x0 + x1 >= 1 and 0.1 <= x0 <= 0.25: x = (0.25, 0.75), and the
    # duals y = (2, -1) price both columns at zero (the upper side of the ranged row binds).
    if engine == "highspy":
        pytest.importorskip("highspy")
    model = MILP(c=np.array([1.0, 2.0]), A=sp.csr_matrix([[1.0, 1.0], [1.0, 0.0]]),
                 row_lower=np.array([1.0, 0.1]), row_upper=np.array([np.inf, 0.25]),
                 col_lower=np.zeros(2), col_upper=np.full(2, np.inf), integer=np.zeros(2, bool))
    point = LinearRelaxation(model, engine=engine).solve()
    assert point.value == pytest.approx(1.75)
    assert point.duals == pytest.approx([2.0, -1.0])
    assert point.reduced_costs == pytest.approx([0.0, 0.0], abs=1e-9)


def test_relaxation_rejects_columns_of_the_wrong_height():
    model = MILP(c=np.ones(2), A=sp.csr_matrix([[1.0, 1.0]]), row_lower=np.array([1.0]),
                 row_upper=np.array([np.inf]), col_lower=np.zeros(2), col_upper=np.ones(2),
                 integer=np.ones(2, bool))
    with pytest.raises(ValueError, match="1 rows"):
        LinearRelaxation(model, engine="scipy").add_columns(sp.csc_matrix([[1.0], [1.0]]),
                                                            [1.0], 0, 1)


def test_relaxation_reports_infeasible():
    model = MILP(c=np.ones(1), A=sp.csr_matrix([[1.0]]), row_lower=np.array([2.0]),
                 row_upper=np.array([np.inf]), col_lower=np.zeros(1), col_upper=np.ones(1),
                 integer=np.ones(1, bool))
    for engine in ("scipy", "highspy"):
        if engine == "highspy":
            pytest.importorskip("highspy")
        lp = LinearRelaxation(model, engine=engine)
        assert lp.solve() is None
        assert lp.status == "infeasible"


def test_relaxation_rejects_rows_of_the_wrong_width():
    model = MILP(c=np.ones(2), A=sp.csr_matrix([[1.0, 1.0]]), row_lower=np.array([1.0]),
                 row_upper=np.array([np.inf]), col_lower=np.zeros(2), col_upper=np.ones(2),
                 integer=np.ones(2, bool))
    with pytest.raises(ValueError, match="2 columns"):
        LinearRelaxation(model, engine="scipy").add_rows(sp.csr_matrix([[1.0]]), [0], [1])


# -- root cuts and diving against brute force -----------------------------------------
def _problem(n, seed, k):
    units, d = small_instance(n, seed)
    size = (max(1, n // k - 1), -(-n // k) + 1)
    p = AssignmentProblem(n=n, n_clusters=k, edges=units.edge_index_pairs(), contiguous=True,
                          d=d, size=size)
    return units, d, size, p


@FAST
@given(n=st.integers(5, 9), seed=st.integers(0, 10_000), k=st.integers(2, 3))
def test_root_bound_is_valid_and_the_dive_plan_is_contiguous(n, seed, k):
    units, d, size, p = _problem(n, seed, k)
    best = brute_force_optimum(units, k, d=d, size=size)
    optimum = None if best is None else best.value
    model = _Model(p)
    separators = VertexSeparators(n, p.edges)
    plain = LinearRelaxation(model.milp()).solve()
    relaxation = LinearRelaxation(model.milp())
    root = cut_loop(model, relaxation, separators)
    if optimum is None:
        return  # nothing to compare a bound with
    assert root is not None
    # Cuts only tighten, and never cut off the contiguous optimum.
    assert plain.value - 1e-7 <= root.value <= optimum + 1e-7
    centre_of = dive(model, relaxation, separators)
    if centre_of is None:
        return  # a dead end is allowed; a returned plan must be valid
    rules = ClusterRules(n_clusters=k, size=size, contiguous=True)
    assert plan_violations(Plan.from_labels(units, centre_of), rules) == []
    cost = sum(d[i, centre_of[i]] for i in range(n))
    assert cost >= optimum - 1e-7


# -- reconnection of a plan in pieces ------------------------------------------------
def _broken_plan(seed: int, n: int = 12, k: int = 3, size=(3, 5)):
    """A contiguous plan within bounds, then one unit handed to a cluster it does not
    border (``None`` when the seed gives no such case)."""
    units, d = small_instance(n, seed)
    graph = nx.Graph(list(map(tuple, units.edge_index_pairs().tolist())))
    rng = np.random.default_rng(seed)
    labels = np.full(n, -1)
    for c, chunk in enumerate(np.array_split(list(nx.bfs_tree(graph, int(rng.integers(n)))), k)):
        labels[chunk] = c
    rules = ClusterRules(n_clusters=k, size=size, contiguous=True)
    if plan_violations(Plan.from_labels(units, labels), rules):
        return None
    far = [(i, c) for i in range(n) for c in range(k)
           if labels[i] != c and not any(labels[v] == c for v in graph[i])
           and (labels == c).sum() + 1 <= size[1] and (labels == labels[i]).sum() - 1 >= size[0]]
    if not far:
        return None
    i, c = far[0]
    broken = labels.copy()
    broken[i] = c
    return units, d, graph, rules, broken, i


def test_reconnect_mends_only_the_clusters_around_a_detached_piece():
    cases = [case for seed in range(40) if (case := _broken_plan(seed)) is not None]
    assert len(cases) >= 8  # the check below must run on enough plans
    for units, d, graph, rules, broken, i in cases:
        p = AssignmentProblem(n=len(units), n_clusters=rules.n_clusters,
                              edges=units.edge_index_pairs(), contiguous=True, d=d,
                              size=rules.size)
        assert plan_violations(Plan.from_labels(units, broken), rules)  # really broken
        mended = reconnect(p, broken, graph, solver="highs")
        assert mended is not None
        assert plan_violations(Plan.from_labels(units, mended), rules) == []
        # Only the unit's cluster and the clusters bordering it may change.
        involved = {broken[i]} | {broken[v] for v in graph[i]}
        untouched = ~np.isin(broken, list(involved))
        assert np.array_equal(mended[untouched], broken[untouched])



def test_reconnect_gives_way_to_a_smaller_union_when_the_whole_one_finds_nothing(monkeypatch):
    # A union that finds no plan in its time (here: every union of more than two clusters)
    # must give way to the union of the broken cluster and one cluster bordering its
    # detached piece; the old code gave up with None.
    import optimizer.assignment as assignment

    exact = assignment.solve_assignment
    asked: list[int] = []

    def two_at_most(sub, **kwargs):
        asked.append(sub.n_clusters)
        if sub.n_clusters > 2:
            return Solution("no_solution", None, None, None, None, "highs", "time", 0.0), None, {}
        return exact(sub, **kwargs)

    monkeypatch.setattr(assignment, "solve_assignment", two_at_most)

    def one_broken_cluster_bordering_two(case) -> bool:
        _, _, graph, _, broken, i = case
        broken_clusters = [c for c in range(3) if not nx.is_connected(
            graph.subgraph(np.flatnonzero(broken == c).tolist()))]
        return broken_clusters == [broken[i]] and len({broken[v] for v in graph[i]}) >= 2

    cases = [case for seed in range(60) if (case := _broken_plan(seed)) is not None
             and one_broken_cluster_bordering_two(case)]
    assert len(cases) >= 3
    for units, d, graph, rules, broken, i in cases:
        p = AssignmentProblem(n=len(units), n_clusters=rules.n_clusters,
                              edges=units.edge_index_pairs(), contiguous=True, d=d,
                              size=rules.size)
        asked.clear()
        mended = reconnect(p, broken, graph, solver="highs")
        assert asked[0] == 3  # the whole union was tried first
        assert mended is not None
        assert plan_violations(Plan.from_labels(units, mended), rules) == []
        changed = set(broken[mended != broken].tolist()) | set(mended[mended != broken].tolist())
        assert broken[i] in changed and len(changed) == 2  # the broken cluster and one other


def test_reconnect_skips_a_union_in_more_pieces_than_clusters(monkeypatch):
    # Clusters {0, 1, 4} and {2, 3} on the path 0-1-2-3 with unit 4 an island: the piece
    # {4} borders no cluster, so the only union is its own cluster, in two pieces for one
    # cluster. No model can split it: nothing is solved, and the answer is None.
    import optimizer.assignment as assignment

    asked: list[int] = []
    monkeypatch.setattr(assignment, "solve_assignment",
                        lambda sub, **kw: asked.append(sub.n) or (None, None, {}))
    edges = np.array([[0, 1], [1, 2], [2, 3]])
    graph = nx.Graph(edges.tolist())
    graph.add_node(4)
    p = AssignmentProblem(n=5, n_clusters=2, edges=edges, contiguous=True,
                          d=np.zeros((5, 5)), size=(1, 4))
    assert reconnect(p, np.array([0, 0, 1, 1, 0]), graph, solver="highs") is None
    assert asked == []

def test_subproblem_carries_the_rules_in_its_own_indices():
    edges = np.array([[0, 1], [1, 2], [2, 3], [3, 4]])
    d = np.arange(25, dtype=float).reshape(5, 5)
    p = AssignmentProblem(n=5, n_clusters=2, edges=edges, contiguous=True, d=d, size=(1, 3),
                          together=[[1, 2]], apart=[[0, 3, 4]], categories=list("abbab"),
                          forbidden={(2, 4)})
    sub = subproblem(p, np.array([1, 2, 4]), 1)
    assert sub.n == 3 and sub.n_clusters == 1
    assert sub.edges.tolist() == [[0, 1]]  # only 1-2 lies inside
    assert sub.d.tolist() == d[np.ix_([1, 2, 4], [1, 2, 4])].tolist()
    assert sub.together == [[0, 1]]
    assert sub.apart == []  # only unit 4 of the apart group is inside
    assert sub.categories == ["b", "b", "b"]
    assert sub.forbidden == {(1, 2)}


@pytest.mark.parametrize("seed", [1, 5, 8])
def test_pair_repartition_never_worsens_and_ends_two_optimal(seed):
    # Independent truth: for every two bordering clusters of the result, brute force over
    # every split of their union finds none cheaper; the start is the worst valid plan.
    from oracles import feasible_plans, pmedian_cost
    from test_optimizer_exact import small_instance

    from optimizer.assignment import repartition_pairs

    units, d = small_instance(10, seed)
    rules = ClusterRules(n_clusters=3, size=(3, 4))
    problem = AssignmentProblem.from_rules(rules.compile(units), d=d)

    def cost(labels) -> float:
        labels = np.asarray(labels)
        return pmedian_cost([np.flatnonzero(labels == c).tolist() for c in np.unique(labels)], d)

    worst = np.array(max(feasible_plans(units, rules), key=cost))
    better = repartition_pairs(problem, worst, _index_graph(units), solver="highs", cost=cost)
    assert plan_violations(Plan.from_labels(units, better), rules) == []
    assert cost(better) <= cost(worst)
    bordering = {tuple(sorted((better[a], better[b]))) for a, b in units.edge_index_pairs()
                 if better[a] != better[b]}
    for a, b in bordering:
        union = np.flatnonzero((better == a) | (better == b))
        now = pmedian_cost(
            [np.flatnonzero(better == a).tolist(), np.flatnonzero(better == b).tolist()], d)
        sub = units.subset([units.ids[i] for i in union])
        best = brute_force_optimum(sub, 2, d=d[np.ix_(union, union)], size=(3, 4))
        assert now <= best.value + 1e-9


def test_pair_repartition_stops_at_its_deadline():
    import time

    from test_optimizer_exact import small_instance

    from optimizer.assignment import repartition_pairs

    units, d = small_instance(10, 1)
    rules = ClusterRules(n_clusters=3, size=(3, 4))
    problem = AssignmentProblem.from_rules(rules.compile(units), d=d)
    start = np.array([0, 0, 0, 1, 1, 1, 2, 2, 2, 2])
    calls = []
    same = repartition_pairs(problem, start, _index_graph(units), solver="highs",
                             cost=lambda labels: calls.append(1) or 0.0,
                             deadline=time.perf_counter())
    assert same.tolist() == start.tolist() and len(calls) == 1


def _index_graph(units) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(range(len(units)))
    graph.add_edges_from(units.edge_index_pairs().tolist())
    return graph


# -- when the start is asked ----------------------------------------------------------
@pytest.mark.parametrize("late", [False, True])
@pytest.mark.parametrize("centres_found", [True, False])
def test_the_start_is_asked_first_or_only_when_the_centres_plan_found_none(
        monkeypatch, late, centres_found):
    # start_late: asked after the root and the centres' plan, and only when no plan is in
    # hand by then; otherwise asked first. Either way the optimum is brute force's.
    units, d, size, p = _problem(9, 3, 3)
    best = brute_force_optimum(units, 3, d=d, size=size)
    order: list[str] = []
    exact_centres = AssignmentSolver.centres_plan
    exact_root = AssignmentSolver.root_cuts

    def root_cuts(self):
        if self.start is not None:  # the call's own solver, not those of its sub-problems
            order.append("root")
        return exact_root(self)

    def centres_plan(self, root):
        if self.start is None:
            return exact_centres(self, root)
        order.append("centres")
        return exact_centres(self, root) if centres_found else False

    monkeypatch.setattr(AssignmentSolver, "root_cuts", root_cuts)
    monkeypatch.setattr(AssignmentSolver, "centres_plan", centres_plan)
    plan = np.empty(9, dtype=int)
    for c, block in enumerate(best.blocks):
        plan[block] = c

    def start(*, deadline):
        order.append("start")
        return plan

    solution, _, details = solve_assignment(p, solver="highs", start=start, start_late=late)
    assert solution.status == "optimal"
    assert solution.objective == pytest.approx(best.value)
    if not late:
        assert order == ["start", "root", "centres"]
    elif centres_found:  # its plan is in hand: the start is not asked
        assert "centres_objective" in details and order == ["root", "centres"]
    else:
        assert order == ["root", "centres", "start"]
    assert ("start_objective" in details) == ("start" in order)


def test_a_start_that_gives_no_plan_is_asked_once(monkeypatch):
    # Asked first (start_late off), it gives nothing, and nor does the centres' plan; the
    # second chance after that plan must not run the heuristic again.
    monkeypatch.setattr(AssignmentSolver, "centres_plan", lambda self, root: False)
    units, d, size, p = _problem(9, 3, 3)
    best = brute_force_optimum(units, 3, d=d, size=size)
    asked: list[float | None] = []

    def start(*, deadline):
        asked.append(deadline)
        return None

    solution, _, details = solve_assignment(p, solver="highs", start=start)
    assert len(asked) == 1 and "start_objective" not in details
    assert solution.status == "optimal" and solution.objective == pytest.approx(best.value)
