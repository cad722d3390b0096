"""Answers that stay right on awkward input: cost magnitudes, solver failures, typos in rules."""

from __future__ import annotations

import subprocess
import sys
import time

import numpy as np
import pytest
import scipy.sparse as sp
from processes import child_outlives_killed_parent

import optimizer.solvers as solvers
from clustering.datasets import vietnam_provinces
from clustering.errors import FairclustersError
from optimizer import optimize
from optimizer.objectives import cost_scale, default_dissimilarity


@pytest.fixture(scope="module")
def provinces():
    units = vietnam_provinces(2025)
    return units, default_dissimilarity(units)


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
@pytest.mark.parametrize("solver", ["cbc", "highs"])
@pytest.mark.parametrize("factor", [1e-9, 1e15])
def test_the_optimum_does_not_depend_on_the_unit_of_the_dissimilarity(provinces, method,
                                                                      solver, factor):
    # A dissimilarity in đồng (1e15) or in tiny units (1e-9) is the same problem: the
    # optimum scales with it. Unscaled, 1e-9 gave "optimal" plans 13 % above the optimum.
    units, d = provinces
    plain = optimize(units, 6, size=(5, 6), dissimilarity=d, solver=solver, method=method)
    scaled = optimize(units, 6, size=(5, 6), dissimilarity=d * factor, solver=solver,
                      method=method, time_limit=60)
    assert plain.status == scaled.status == "optimal"
    assert scaled.objective == pytest.approx(plain.objective * factor, rel=1e-9)
    assert scaled.bound == pytest.approx(plain.bound * factor, rel=1e-6)
    assert scaled.details["cost_scale"] == cost_scale(d * factor) != 1.0


def test_the_phases_figures_are_in_the_callers_units_too():
    # The bounds were rescaled back to the caller's units but the plans' costs of the
    # phases were not: on districting costs of 1e11 the centres' plan read 1.2 next to
    # a root bound of 8.5e10 (36 units at +-2 %).
    from benchmarks.bench_optimizer import moment_of_inertia
    from clustering.synthetic import planar_unit_set

    units = planar_unit_set(30, seed=0)
    result = optimize(units, 3, weight_tolerance=0.05, dissimilarity=moment_of_inertia(units),
                      method="assignment", solver="highs", time_limit=30)
    details = result.details
    assert details["cost_scale"] != 1.0
    # The centres' plan was the incumbent, the pairs start from it, the MIP from theirs.
    after_pairs = details["centres_objective"] - details["pairs_gain"]
    assert details["root_bound"] <= result.objective <= after_pairs * (1 + 1e-9)
    assert result.objective >= details["centres_objective"] / 2  # the same units


def test_cost_scale_is_a_power_of_ten_only_for_extreme_magnitudes():
    assert cost_scale(np.array([0.0, 3.2])) == 1.0
    assert cost_scale(np.array([7.0e14, 2.0e15])) == 1e15
    assert cost_scale(np.array([2e-9, 0.0])) == 1e-9
    assert cost_scale(None) == 1.0 and cost_scale(np.zeros(3)) == 1.0


def _tiny_milp() -> solvers.MILP:
    return solvers.MILP(c=np.array([1.0, 2.0]), A=sp.csr_matrix([[1.0, 1.0]]),
                        row_lower=np.array([1.0]), row_upper=np.array([np.inf]),
                        col_lower=np.zeros(2), col_upper=np.ones(2),
                        integer=np.ones(2, dtype=bool))


def test_a_missing_cbc_log_keeps_the_point_and_claims_nothing(monkeypatch):
    import dataclasses

    import optimizer.cbc

    real = optimizer.cbc.run_cbc

    def without_log(*args, **kwargs):  # CBC wrote its solution but no log
        return dataclasses.replace(real(*args, **kwargs), log="")

    monkeypatch.setattr(optimizer.cbc, "run_cbc", without_log)
    solution = solvers.solve(_tiny_milp(), "cbc")
    assert solution.status == "feasible"  # a point, but no proof without the log
    assert solution.objective == 1.0 and solution.bound is None


def test_cbc_past_its_deadline_is_stopped_and_leaves_no_process(monkeypatch):
    # CBC checks -sec only between nodes; a run that ignores it is interrupted, then killed.

    import optimizer.cbc

    started = []
    real_popen = subprocess.Popen

    def slow_cbc(args, **kwargs):  # a "CBC" that never returns by itself
        process = real_popen(["sleep", "60"], **kwargs)
        started.append(process)
        return process

    monkeypatch.setattr(optimizer.cbc.subprocess, "Popen", slow_cbc)
    monkeypatch.setattr(optimizer.cbc, "GRACE", 0.5)
    clock = time.perf_counter()
    solution = solvers.solve(_tiny_milp(), "cbc", time_limit=1.0)
    assert time.perf_counter() - clock < 5
    assert solution.status == "no_solution" and "at the time limit" in solution.solver_status
    assert started and started[0].poll() is not None  # the child is gone


@pytest.mark.parametrize("kind", ["apart", "together"])
def test_a_group_naming_a_unit_twice_is_refused(provinces, kind):
    units, _ = provinces
    with pytest.raises(FairclustersError, match=r"names a unit twice"):
        optimize(units, 6, size=(5, 6), **{kind: [["01", "Hà Nội"]]})
    with pytest.raises(FairclustersError, match=r"names a unit twice"):
        optimize(units, 6, size=(5, 6), **{kind: [["01", "01"]]})


def test_infeasibility_found_by_enumeration_is_not_credited_to_a_solver():
    # Weights 2, 4, 4 and clusters of exactly 5: the totals fit (10 = 2 x 5), so the
    # pre-solve checks pass, but no set of units weighs 5. Enumeration proves it alone.
    from clustering.units import UnitSet

    units = UnitSet([{"id": str(i), "name": str(i), "weight": w} for i, w in enumerate([2, 4, 4])],
                    [("1", "2")])
    result = optimize(units, 2, weight_bounds=(5, 5), contiguous=False, solver="cbc",
                      objective="balance", method="enumerate")
    assert result.status == "infeasible"
    [proof] = result.reasons
    assert proof.reason == "exhaustive"
    assert "cbc" not in str(proof) and "no solver was needed" in str(proof)


def test_the_result_after_a_rebuild_by_reduced_cost_fixing_is_that_of_the_plan():
    # Time running out between fixing (which rebuilds the model with fewer columns) and the
    # next round used to end in "ValueError: matmul" (old round's point, new model's costs).
    from oracles import pmedian_cost

    from clustering.rules import ClusterRules
    from clustering.synthetic import planar_unit_set
    from optimizer.assignment import AssignmentProblem, AssignmentSolver

    units = planar_unit_set(12, seed=3)
    d = default_dissimilarity(units)
    compiled = ClusterRules(n_clusters=3, size=(3, 5)).compile(units)
    engine = AssignmentSolver(AssignmentProblem.from_rules(compiled, d=d), solver="highs")
    engine.mip_round()
    assert engine.incumbent is not None and engine.last_value is not None
    columns = engine.model.n_x
    assert engine.fix_by_reduced_cost()
    assert engine.model.n_x < columns  # rebuilt: the last round's point no longer fits
    solution, labels, _ = engine.result()
    blocks = [np.flatnonzero(labels == c).tolist() for c in np.unique(labels)]
    assert solution.objective == pytest.approx(pmedian_cost(blocks, d))
    assert len(solution.x) == engine.model.n_cols


def test_cut_length_needs_every_border_length_and_never_imputes_one():
    from clustering.units import UnitSet

    units = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
                    [("0", "1"), ("1", "2"), ("2", "3")],
                    edge_attributes={("0", "1"): {"shared_border_km": 2.0},
                                     ("1", "2"): {"shared_border_km": 5.0}})
    with pytest.raises(FairclustersError, match=r"border 2 - 3 has None"):
        optimize(units, 2, size=(2, 2), objective="cut-length")
    counted = optimize(units, 2, size=(2, 2), objective="cut-edges")
    assert counted.status == "optimal" and counted.objective == pytest.approx(1.0)


@pytest.mark.parametrize("method", ["enumerate", "assignment"])
def test_cut_length_weighs_each_border_by_its_km(method):
    # A path 0-1-2-3 with borders of 2, 5 and 1 km: two clusters of two must cut 1-2 (5 km);
    # with sizes 1 to 3, cutting 2-3 (1 km) is the shortest cut.
    from clustering.units import UnitSet

    lengths = {("0", "1"): 2.0, ("1", "2"): 5.0, ("2", "3"): 1.0}
    units = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)], list(lengths),
                    edge_attributes={e: {"shared_border_km": km} for e, km in lengths.items()})
    pairs = optimize(units, 2, size=(2, 2), objective="cut-length", method=method)
    assert pairs.objective == pytest.approx(5.0)
    free = optimize(units, 2, size=(1, 3), objective="cut-length", method=method)
    assert free.objective == pytest.approx(1.0)
    assert free.plan.clusters[free.plan.cluster_of("3")] == ["3"]


def _star():
    """A hub with four leaves: two contiguous clusters of 2-3 would both need the hub."""
    from clustering.units import UnitSet

    units = [{"id": str(i), "name": f"U{i}", "weight": 1.0} for i in range(5)]
    return UnitSet(units, [("0", str(i)) for i in range(1, 5)])


@pytest.mark.parametrize("solver", ["cbc", "highs"])
def test_a_solver_proof_of_infeasibility_is_confirmed_and_names_the_blocking_rules(solver):
    result = optimize(_star(), 2, size=(2, 3), method="assignment", solver=solver,
                      dissimilarity=np.ones((5, 5)) - np.eye(5))
    assert result.status == "infeasible"
    assert result.details["confirmed_by"] == ("highs" if solver == "cbc" else "cbc")
    # Without contiguity any split works; without the size bounds, {hub + 3 leaves} + {leaf}.
    assert result.details["blocking_rules"] == ["contiguity", "count"]
    assert "contiguity, count" in str(result.reasons[0])


def test_a_wrong_infeasible_from_one_solver_is_refuted_by_the_other(monkeypatch):
    import optimizer.assignment as assignment

    real = assignment.solve

    def cbc_says_infeasible(milp, solver, **kwargs):  # a solver bug, simulated
        if solver == "cbc":
            return solvers.Solution("infeasible", None, None, None, None, "cbc",
                                    "Problem is infeasible", 0.0)
        return real(milp, solver, **kwargs)

    monkeypatch.setattr(assignment, "solve", cbc_says_infeasible)
    units = vietnam_provinces(2025)
    result = optimize(units, 6, size=(5, 6), method="assignment", solver="cbc", time_limit=60)
    assert result.status == "optimal"
    assert "cbc said infeasible" in result.details["refuted_infeasible"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux's")
def test_cbc_dies_with_a_python_process_killed_without_cleanup(tmp_path):
    # SIGKILL gives Python no chance to stop its child: the kernel must (PR_SET_PDEATHSIG).
    script = tmp_path / "solve.py"
    script.write_text(
        "import subprocess, sys\n"
        "import optimizer.cbc\n"
        "from optimizer import solvers\n"
        "from tests.test_optimizer_robustness import _tiny_milp\n"
        "real = subprocess.Popen\n"
        "def slow(args, **kwargs):\n"
        "    p = real(['sleep', '60'], **kwargs)\n"
        "    print(p.pid, flush=True)\n"
        "    return p\n"
        "optimizer.cbc.subprocess.Popen = slow\n"
        "solvers.solve(_tiny_milp(), 'cbc', time_limit=60)\n", encoding="utf-8")
    survivor = child_outlives_killed_parent(script)
    assert survivor is None, f"the solver child {survivor} outlived its parent"



def test_border_hops_are_networkx_shortest_paths_and_n_across_the_sea():
    import networkx as nx

    from clustering.dissimilarity import border_hops
    from clustering.synthetic import planar_unit_set
    from clustering.units import UnitSet

    units = planar_unit_set(25, seed=4)
    hops = border_hops(units)
    lengths = dict(nx.all_pairs_shortest_path_length(units.graph))
    ids = units.ids
    assert all(hops[i, j] == lengths[a][b] for i, a in enumerate(ids) for j, b in enumerate(ids))
    island = UnitSet([{"id": str(i), "name": str(i)} for i in range(3)], [("0", "1")])
    assert border_hops(island)[0].tolist() == [0.0, 1.0, 3.0]


def test_a_cut_edges_objective_under_tight_weight_bounds_starts_from_a_valid_plan():
    # Cut edges on 80 units at +-0.5 % used to end with no plan: the root LP (24,480
    # columns) is not solved in time and nothing else gave one. The heuristic's plan, on
    # the borders crossed, is the start for every objective, not only for p-median.
    from clustering.rules import ClusterRules, plan_violations
    from clustering.synthetic import planar_unit_set

    units = planar_unit_set(36, seed=2)
    result = optimize(units, 3, weight_tolerance=0.02, objective="cut-edges",
                      method="assignment", solver="highs", time_limit=5)
    assert result.details["warm_start"] == "heuristic"
    assert result.plan is not None and result.status in ("optimal", "feasible")
    rules = ClusterRules(n_clusters=3, weight_bounds=result.rules.weight_bounds)
    assert plan_violations(result.plan, rules) == []
    labels = result.plan.labels
    cut = sum(labels[a] != labels[b] for a, b in units.edge_index_pairs())
    assert result.objective == pytest.approx(cut)
    assert result.bound is None or result.bound <= cut + 1e-6
