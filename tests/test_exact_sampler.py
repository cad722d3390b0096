"""Exact count and uniform draws of the plans; percentile intervals; ESS and R-hat by hand."""

from __future__ import annotations

import math

import joblib
import numpy as np
import pytest
from oracles import feasible_plans
from scipy.stats import chisquare

from benchmarks.bench_sampler import _enumerable, frequency_check, instances
from benchmarks.exact_sampler import CountBudgetExceeded, ExactCounter, uniform_index
from benchmarks.sampling import _candidate_masks, enumerate_plans, sample_plans
from benchmarks.uncertainty import (
    chain_percentile,
    effective_sample_size,
    split_rhat,
    uniform_percentile,
    wilson_interval,
)
from clustering.datasets import vietnam_provinces
from clustering.rules import ClusterRules
from clustering.units import UnitSet


def grid(rows: int, cols: int, weights=None) -> UnitSet:
    ids = [f"g{r}{c}" for r in range(rows) for c in range(cols)]
    units = [{"id": u, "name": u.upper(), "weight": None if weights is None else weights[i]}
             for i, u in enumerate(ids)]
    edges = [(f"g{r}{c}", f"g{r}{c + 1}") for r in range(rows) for c in range(cols - 1)]
    edges += [(f"g{r}{c}", f"g{r + 1}{c}") for r in range(rows - 1) for c in range(cols)]
    return UnitSet(units, edges, name=f"grid{rows}x{cols}")


def counter_for(units: UnitSet, rules: ClusterRules, **kw) -> ExactCounter:
    compiled = rules.compile(units)
    return ExactCounter(compiled, _candidate_masks(compiled), **kw)


SMALL = [
    (grid(2, 3, [1, 2, 3, 4, 5, 6]), ClusterRules(n_clusters=3, size=(2, 4), contiguous=True)),
    (grid(2, 3, [1, 2, 3, 4, 5, 6]), ClusterRules(n_clusters=3, size=(2, 3), contiguous=False)),
    (grid(2, 3, [1, 2, 3, 4, 5, 6]), ClusterRules(n_clusters=3, contiguous=True,
                                                  weight_bounds=(5.0, 9.0))),
    (grid(2, 3), ClusterRules(n_clusters=2, contiguous=True, together=[["g00", "g12"]],
                              apart=[["g01", "g11"]])),
    (grid(3, 3), ClusterRules(n_clusters=3, size=(2, 4), contiguous=True)),
    (grid(3, 3), ClusterRules(n_clusters=2, contiguous=True)),
]


@pytest.mark.parametrize(("units", "rules"), SMALL, ids=range(len(SMALL)))
def test_count_equals_brute_force(units, rules):
    truth = feasible_plans(units, rules)
    assert truth  # feasible instances, so the comparison means something
    assert counter_for(units, rules).total == len(truth)


def test_count_on_the_34_provinces_equals_the_enumeration():
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    assert counter_for(vn, rules).total == enumerate_plans(vn, rules).n_distinct == 3329


def test_budget_stops_cleanly_and_sample_plans_falls_back_to_chains():
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    counter = counter_for(vn, rules, max_states=100)
    with pytest.raises(CountBudgetExceeded, match="more than 100 memo states") as info:
        _ = counter.total
    assert info.value.states == 101 and counter.states == 0  # memory freed
    sample = sample_plans(vn, rules, 40, enumerate_limit=10, count_limit=100)
    assert sample.method == "recombination chain"
    assert any("exact count of the plans stopped" in n for n in sample.notes)


def test_draws_are_feasible_plans_and_deterministic():
    units, rules = grid(3, 3), ClusterRules(n_clusters=3, size=(2, 4), contiguous=True)
    counter = counter_for(units, rules)
    truth = set(feasible_plans(units, rules))
    rng_a, rng_b = np.random.default_rng(7), np.random.default_rng(7)
    a = [tuple(counter.labels(counter.draw(rng_a)).tolist()) for _ in range(50)]
    b = [tuple(counter.labels(counter.draw(rng_b)).tolist()) for _ in range(50)]
    assert a == b and set(a) <= truth


def biased_draw(counter: ExactCounter, rng: np.random.Generator) -> list[int]:
    """A deliberately biased sampler: each next cluster uniform among those that can finish."""
    remaining, left, chosen = (1 << counter.n) - 1, counter.k, []
    while left:
        options = [c for c in counter.fitting(remaining)
                   if counter.count(remaining & ~c, left - 1)]
        cluster = options[int(rng.integers(len(options)))]
        chosen.append(cluster)
        remaining &= ~cluster
        left -= 1
    return [counter.to_units(c) for c in chosen]


def chi_square_p(draw, counter: ExactCounter, index: dict, n_draws: int, seed: int) -> float:
    rng = np.random.default_rng(seed)
    rows = [index[tuple(counter.labels(draw(rng)).tolist())] for _ in range(n_draws)]
    return float(chisquare(np.bincount(rows, minlength=len(index))).pvalue)


def test_frequencies_pass_chi_square_and_a_biased_sampler_fails():
    units, rules = grid(3, 3), ClusterRules(n_clusters=3, size=(2, 4), contiguous=True)
    counter = counter_for(units, rules)
    index = {p: i for i, p in enumerate(feasible_plans(units, rules))}
    n_draws = 40 * len(index)
    threshold = 0.001
    assert chi_square_p(lambda rng: counter.draw(rng), counter, index, n_draws, 0) > threshold
    assert chi_square_p(lambda rng: biased_draw(counter, rng), counter, index, n_draws,
                        0) < threshold


def test_uniform_index_is_uniform_and_exact_for_big_totals():
    rng = np.random.default_rng(1)
    counts = np.bincount([uniform_index(5, rng) for _ in range(5000)], minlength=5)
    assert chisquare(counts).pvalue > 0.001
    big = 3 * 10**40
    assert all(0 <= uniform_index(big, rng) < big for _ in range(100))


# -- intervals, ESS and R-hat by hand ---------------------------------------------------


def test_wilson_interval_by_hand():
    # p = 0.8, n = 10, z = 1.959964: centre 0.8 + z^2/20 = 0.992073,
    # half-width z sqrt(0.016 + z^2/400) = 0.313617, over 1 + z^2/10 = 1.384146.
    low, high = wilson_interval(8, 10)
    assert low == pytest.approx(0.678456 / 1.384146, abs=1e-5)
    assert high == pytest.approx(1.305690 / 1.384146, abs=1e-5)
    # no success: low 0, high 2 z^2/20 / (1 + z^2/10) = 0.384146 / 1.384146
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.277531), abs=1e-5)
    estimate = uniform_percentile(2.5, np.array([1.0, 2.0, 3.0, 4.0]))
    assert (estimate.value, estimate.method) == (50.0, "uniform sample")


def test_split_rhat_by_hand():
    # Halves [1,2] [3,4] [2,3] [4,5]: n = 2, W = 0.5, chain means 1.5 3.5 2.5 4.5 with
    # variance 5/3, B = 10/3; var+ = W/2 + B/2 = 23/12; R-hat = sqrt(23/6).
    assert split_rhat([[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]]) == pytest.approx(
        math.sqrt(23 / 6))
    assert split_rhat([[1.0] * 4, [1.0] * 4]) == 1.0
    assert split_rhat([[1.0] * 4, [2.0] * 4]) == math.inf


def test_ess_by_hand():
    # Alternating chains: acov 1, -3/4, 1/2, -1/4; W = 4/3, var+ = 1; rho_1 = -13/12;
    # tau = -1 + 2 (1 - 13/12) < 1/log10(8), so ESS = 8 log10(8) (Stan's cap).
    alternating = [[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]]
    assert effective_sample_size(alternating) == pytest.approx(8 * math.log10(8))
    assert effective_sample_size([[3.0] * 5, [3.0] * 5]) == 10.0


def test_ess_and_rhat_on_iid_and_ar1_chains():
    rng = np.random.default_rng(0)
    iid = rng.normal(size=(4, 1000))
    assert 3000 < effective_sample_size(iid) < 5000 and split_rhat(iid) < 1.01
    phi, x = 0.9, np.zeros((4, 2000))
    for t in range(1, 2000):
        x[:, t] = phi * x[:, t - 1] + rng.normal(size=4)
    expected = 8000 * (1 - phi) / (1 + phi)  # 421: the AR(1) integrated autocorrelation
    assert 0.6 * expected < effective_sample_size(x) < 1.4 * expected
    shifted = x + np.arange(4)[:, None] * 5.0  # chains that disagree
    assert split_rhat(shifted) > 1.05


def test_chain_percentile_warns_when_chains_disagree():
    low = np.zeros(200)
    high = np.ones(200)
    est = chain_percentile(0.5, [low, high])
    assert est.value == 50.0 and any("R-hat" in w for w in est.warnings)


# -- serial == parallel, and the validation script ----------------------------------------


@pytest.mark.parametrize("count_limit", [1_000_000, 0], ids=["uniform", "chains"])
def test_serial_equals_parallel(count_limit):
    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    options = dict(seed=3, n_chains=3, enumerate_limit=10, count_limit=count_limit)
    serial = sample_plans(vn, rules, 90, n_jobs=1, **options)
    with joblib.parallel_config(backend="threading"):
        threaded = sample_plans(vn, rules, 90, n_jobs=2, **options)
    assert np.array_equal(serial.labels, threaded.labels)
    assert all(np.array_equal(a, b) for a, b in zip(serial.traces, threaded.traces))
    assert len(serial.traces) == 3 and sum(len(t) for t in serial.traces) >= 90


def test_bench_sampler_smoke():
    out: list[str] = []
    _enumerable(instances(quick=True)[1], 400, 0, out)
    text = "\n".join(out)
    assert "83 plans (enumerated)" in text and text.count("chi-square p") == 2
    tv, p = frequency_check(np.array([0, 0, 0, 1]), 2)
    assert tv == pytest.approx(0.25) and 0 < p < 1


def test_report_says_what_the_percentiles_mean_with_intervals():
    from benchmarks.compare import Settings, run_benchmark
    from benchmarks.text_report import percentile_meaning, terminal_table
    from clustering.plan import Plan

    vn = vietnam_provinces(2025)
    rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    plan = Plan.from_labels(vn, enumerate_plans(vn, rules).labels[0])
    runs = {
        "uniform": Settings(rules, samples=300, enumerate_limit=10),
        "chains": Settings(rules, samples=300, enumerate_limit=10, count_limit=0),
    }
    for method, settings in runs.items():
        b = run_benchmark(vn, [plan], settings, references=False)
        est = b.evaluations[0].intervals["objective"]
        assert est.low <= est.value <= est.high and not est.exact
        en, vi = percentile_meaning(b, "en")[0], percentile_meaning(b, "vi")[0]
        assert ("Wilson" in en) == (method == "uniform") and ("R-hat" in en) == (method == "chains")
        assert "95 %" in vi and "bách phân vị" in vi
        assert f"{100 - est.high:.0f}-{100 - est.low:.0f}" in terminal_table(b, lang="en")


def test_unreliable_chain_estimates_are_flagged():
    rng = np.random.default_rng(2)
    good = chain_percentile(0.0, [rng.normal(size=400) for _ in range(4)])
    assert not good.unreliable and not good.warnings
    short = chain_percentile(0.0, [rng.normal(size=30) for _ in range(2)])
    assert short.unreliable and any("effective sample size" in w for w in short.warnings)
    assert not uniform_percentile(0.0, rng.normal(size=10)).unreliable
