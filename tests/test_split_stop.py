"""HiGHS MIP rounds stop at their first improving solution in pieces (lazy cuts by restart)."""

from __future__ import annotations

from types import SimpleNamespace

import networkx as nx
import numpy as np
import pytest

from clustering.rules import ClusterRules
from clustering.synthetic import planar_unit_set
from optimizer.assignment import AssignmentProblem, _Model
from optimizer.highs_worker import _watch, split_clusters
from optimizer.solvers import solve


def _split_by_networkx(graph: nx.Graph, centre_of: np.ndarray) -> bool:
    return any(nx.number_connected_components(graph.subgraph(np.flatnonzero(centre_of == j)
                                                             .tolist())) > 1
               for j in np.unique(centre_of))


def test_split_clusters_agrees_with_networkx_on_random_assignments():
    rng = np.random.default_rng(0)
    seen = set()
    for _ in range(300):
        n = int(rng.integers(2, 10))
        graph = nx.gnp_random_graph(n, 0.35, seed=int(rng.integers(1 << 30)))
        edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
        centres = rng.choice(n, size=int(rng.integers(1, n + 1)), replace=False)
        centre_of = centres[rng.integers(len(centres), size=n)]
        centre_of[centres] = centres  # a centre is in its own cluster
        p = AssignmentProblem(n=n, n_clusters=len(centres), edges=edges, contiguous=False, d=None)
        model = _Model(p)
        x = model.vector(centre_of)
        truth = _split_by_networkx(graph, centre_of)
        seen.add(truth)
        assert split_clusters(x, *model.split_check()) == truth, (edges.tolist(), centre_of)
    assert seen == {True, False}


class _FakeHighs:
    """Records the callbacks :func:`_watch` subscribes."""

    def __init__(self) -> None:
        self.cbMipImprovingSolution = SimpleNamespace(subscribe=self._improving)
        self.cbMipInterrupt = SimpleNamespace(subscribe=self._interrupt)

    def _improving(self, f) -> None:
        self.improved = f

    def _interrupt(self, f) -> None:
        self.progress = f


def _event(x: np.ndarray) -> SimpleNamespace:
    event = SimpleNamespace(interrupted=False)
    event.data_out = SimpleNamespace(mip_dual_bound=1.0, objective_function_value=2.0,
                                     mip_solution=x)
    event.interrupt = lambda: setattr(event, "interrupted", True)
    return event


def test_the_worker_interrupts_only_after_an_improving_solution_in_pieces():
    # Path 0-1-2-3; columns x_00, x_10, x_20, x_33, x_13.
    unit, centre = np.array([0, 1, 2, 3, 1]), np.array([0, 0, 0, 3, 3])
    indptr, indices = np.array([0, 1, 3, 5, 6]), np.array([1, 0, 2, 1, 3, 2])
    h, reports = _FakeHighs(), []
    _watch(h, lambda header, arrays: reports.append(header["kind"]),
           [unit, centre, indptr, indices])
    whole = np.array([1.0, 1, 1, 1, 0])  # {0, 1, 2}, {3}
    h.improved(_event(whole))
    tick = _event(whole)
    h.progress(tick)
    assert not tick.interrupted
    h.improved(_event(np.array([1.0, 0, 1, 1, 1])))  # {0, 2}, {1, 3}: in pieces
    tick = _event(whole)
    h.progress(tick)
    assert tick.interrupted
    assert reports[:3] == ["incumbent", "bound", "incumbent"]


def _uncut_model(n: int = 20, k: int = 2) -> _Model:
    """The assignment model of a districting instance without its contiguity rows."""
    units = planar_unit_set(n, seed=1)
    km2 = ((units.coordinates()[:, None, :] - units.coordinates()[None]) ** 2).sum(-1)
    w = units.weights("population")
    ideal = w.sum() / k
    compiled = ClusterRules(n_clusters=k, weight_bounds=(ideal * 0.99, ideal * 1.01)
                            ).compile(units)
    return _Model(AssignmentProblem.from_rules(compiled, d=w[:, None] * km2 / km2.max()))


def test_a_highs_round_stops_at_a_solution_in_pieces_and_does_not_call_it_optimal():
    pytest.importorskip("highspy")
    model = _uncut_model()
    graph = nx.Graph(model.p.edges.tolist())
    whole = solve(model.milp(), "highs")
    assert whole.status == "optimal"  # the plain run goes on to prove its optimum
    milp = model.milp()
    milp.stop_when_split = model.split_check()
    stopped = solve(milp, "highs")
    assert stopped.status == "feasible", stopped.solver_status
    assert "nterrupt" in stopped.solver_status
    assert _split_by_networkx(graph, model.labels(stopped.x)[0])
    assert stopped.objective == pytest.approx(float(milp.c @ stopped.x))
    assert stopped.bound <= whole.objective + 1e-9  # its bound stays a valid bound


def test_the_engine_with_rounds_stopped_at_pieces_proves_the_same_optimum(monkeypatch):
    pytest.importorskip("highspy")
    import optimizer.assignment as assignment
    from benchmarks.bench_optimizer import moment_of_inertia
    from optimizer import optimize

    units = planar_unit_set(20, seed=1)
    graph = nx.Graph(units.edge_index_pairs().tolist())
    results, statuses = {}, []

    def recorded(*args, **kwargs):
        solution = solve(*args, **kwargs)
        statuses.append(solution.solver_status)
        return solution

    monkeypatch.setattr(assignment, "solve", recorded)
    for stop in (False, True):
        monkeypatch.setattr(assignment, "STOP_WHEN_SPLIT", stop)
        results[stop] = optimize(units, 4, weight_tolerance=0.05, solver="highs",
                                 dissimilarity=moment_of_inertia(units), method="assignment",
                                 time_limit=60)
    assert any("nterrupt" in status for status in statuses)  # some round did stop
    assert results[False].status == results[True].status == "optimal"
    assert results[True].objective == pytest.approx(results[False].objective, rel=1e-6)
    labels = results[True].plan.labels
    assert not _split_by_networkx(graph, labels)
