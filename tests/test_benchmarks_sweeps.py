"""Sweeps: grid, parallel results equal serial ones, Ctrl-C keeps finished settings."""

from __future__ import annotations

import itertools

import joblib
import pytest

from benchmarks.sweeps import feasible_count, settings_grid, solve_setting, sweep
from clustering.errors import FairclustersError
from clustering.units import UnitSet


@pytest.fixture(scope="module")
def path6() -> UnitSet:
    ids = list("abcdef")
    return UnitSet([{"id": i, "name": i.upper(), "weight": 1.0} for i in ids],
                   list(itertools.pairwise(ids)))


def compositions(n: int, k: int, low: int, high: int) -> int:
    """Ways to cut a path of n units into k consecutive runs of low..high units (by hand)."""
    if k == 0:
        return int(n == 0)
    return sum(compositions(n - s, k - 1, low, high) for s in range(low, high + 1) if s <= n)


def test_grid_is_the_product_of_the_axes():
    grid = settings_grid(n_clusters=[2, 3], size=[(1, 3), (2, 4)])
    assert grid == [
        {"n_clusters": 2, "size": (1, 3)},
        {"n_clusters": 2, "size": (2, 4)},
        {"n_clusters": 3, "size": (1, 3)},
        {"n_clusters": 3, "size": (2, 4)},
    ]
    with pytest.raises(FairclustersError, match="unknown sweep axes"):
        settings_grid(k=[2])


def test_counts_match_hand_computation(path6):
    grid = settings_grid(n_clusters=[2, 3, 4], size=[(1, 3), (2, 4)])
    result = sweep(feasible_count, grid, unit_set=path6, progress=False)
    assert not result.interrupted and not result.pending
    for record in result.records:
        expected = compositions(6, record["n_clusters"], *record["size"])
        assert record["plans"] == expected
    assert [r["plans"] for r in result.records] == [1, 3, 7, 1, 10, 0]


def test_two_workers_give_the_same_records(path6):
    grid = settings_grid(n_clusters=[2, 3, 4], size=[(1, 3), (2, 4)])
    serial = sweep(feasible_count, grid, unit_set=path6, n_jobs=1, progress=False)
    parallel = sweep(feasible_count, grid, unit_set=path6, n_jobs=2, progress=False)
    assert parallel.records == serial.records


def test_backend_chosen_by_joblib_config_is_used(path6):
    # The documented Dask/Ray route is joblib.parallel_config(backend=...); the
    # local threading backend goes through the same mechanism.
    grid = settings_grid(n_clusters=[2, 3], size=[(1, 3)])
    with joblib.parallel_config(backend="threading"):
        threaded = sweep(feasible_count, grid, unit_set=path6, n_jobs=2, progress=False)
    assert [r["plans"] for r in threaded.records] == [1, 7]


def interrupt_on_three(setting, *, unit_set):
    if setting["n_clusters"] == 3:
        raise KeyboardInterrupt
    return feasible_count(setting, unit_set=unit_set)


def test_ctrl_c_keeps_finished_settings(path6):
    grid = settings_grid(n_clusters=[1, 2, 3, 4], size=[(1, 6)])
    result = sweep(interrupt_on_three, grid, unit_set=path6, progress=False)
    assert result.interrupted
    assert [r["n_clusters"] for r in result.records] == [1, 2]
    assert [r["plans"] for r in result.records] == [1, 5]
    assert [s["n_clusters"] for s in result.pending] == [3, 4]


def test_bad_n_jobs(path6):
    with pytest.raises(FairclustersError, match="n_jobs"):
        sweep(feasible_count, [{"n_clusters": 2}], unit_set=path6, n_jobs=0)


def test_solve_setting_reaches_the_best_enumerated_plan():
    import numpy as np

    from benchmarks.compare import plan_objectives
    from benchmarks.sampling import enumerate_plans
    from clustering.datasets import vietnam_provinces
    from clustering.dissimilarity import default_indicators, dissimilarity
    from clustering.rules import ClusterRules

    vn = vietnam_provinces(2025)
    grid = settings_grid(n_clusters=[6], size=[(5, 6), (6, 6)], geography=[0.3])
    result = sweep(solve_setting, grid, unit_set=vn, progress=False)
    solved, impossible = result.records
    used, logged = default_indicators(vn)
    d = np.asarray(dissimilarity(vn, used, log=logged, geography=0.3))
    every = enumerate_plans(vn, ClusterRules(n_clusters=6, size=(5, 6), contiguous=True))
    assert solved["status"] == "optimal"
    assert solved["objective"] == pytest.approx(plan_objectives(every.labels, d).min())
    assert impossible["status"] == "infeasible" and "34 units" in impossible["message"]
