"""Sweeps: grid, parallel results equal serial ones, Ctrl-C keeps finished settings."""

from __future__ import annotations

import itertools
import signal

import joblib
import numpy as np
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


# -- distributed backends: the sweep and the sampler's runs give the serial results ---------

BACKEND_GRID = settings_grid(n_clusters=[2, 3, 4], size=[(1, 3), (2, 4)])


def _serial_reference(path6):
    from benchmarks.sampling import sample_plans
    from clustering.datasets import vietnam_provinces
    from clustering.rules import ClusterRules

    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)

    def run(n_jobs):
        records = sweep(feasible_count, BACKEND_GRID, unit_set=path6, n_jobs=n_jobs,
                        progress=False).records
        samples = [sample_plans(vn, rules, 60, seed=1, n_chains=3, n_jobs=n_jobs,
                                enumerate_limit=10, count_limit=limit) for limit in (10**6, 0)]
        return records, samples

    return run


def _same(a, b):
    records_a, samples_a = a
    records_b, samples_b = b
    assert records_a == records_b
    for x, y in zip(samples_a, samples_b):
        assert x.method == y.method and np.array_equal(x.labels, y.labels)
        assert all(np.array_equal(s, t) for s, t in zip(x.traces, y.traces))


def test_backend_without_generators_falls_back_to_a_list(path6):
    # joblib's multiprocessing backend rejects return_as="generator", as Ray's does.
    run = _serial_reference(path6)
    serial = run(1)
    with joblib.parallel_config(backend="multiprocessing"):
        _same(run(2), serial)


@pytest.mark.parametrize("processes", [False, True], ids=["threads", "processes"])
def test_dask_backend_gives_the_serial_results(path6, processes):
    pytest.importorskip("distributed", reason="Dask is not installed: pip install "
                        "'fairclusters[dask]' (dask[distributed])")
    from dask.distributed import Client, LocalCluster

    run = _serial_reference(path6)
    serial = run(1)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=processes,
                      dashboard_address=None) as cluster, Client(cluster):
        with joblib.parallel_config(backend="dask"):
            _same(run(2), serial)


# Starting Ray takes 10-30 s; it runs in CI (the README installs the ray extra).
def test_ray_backend_gives_the_serial_results(path6):
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install "
                              "'fairclusters[ray]' (ray)")
    from ray.util.joblib import register_ray

    run = _serial_reference(path6)
    serial = run(1)
    # ray.init installs its own SIGINT/SIGTERM handlers and shutdown leaves them in
    # place: put ours back, or later tests of the command line's signals see Ray's.
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        register_ray()
        with joblib.parallel_config(backend="ray"):
            _same(run(2), serial)
    finally:
        ray.shutdown()
        for sig, handler in handlers.items():
            signal.signal(sig, handler)
