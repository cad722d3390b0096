"""Statistics of criteria_design against independent truths.

Truths used: variance shares of orthogonal designs (Hadamard columns, known analytically);
hand-computed entropy/CRITIC weights; the closed-form Perron root of 3x3 reciprocal matrices;
exact SMAA acceptabilities from the crossing weights of two criteria; brute-force weight
grids for the stability intervals; Krippendorff's and Shrout & Fleiss's published examples.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.linalg import hadamard

from criteria_design.agreement import (
    icc,
    interpret_alpha,
    interpret_icc,
    krippendorff_alpha,
    raters_needed,
)
from criteria_design.influence import (
    discrimination,
    influence_weights,
    points_for_influence,
    redundant_pairs,
    variance_shares,
)
from criteria_design.smaa import competition_ranks, sample_weights, smaa, stability_intervals
from criteria_design.weighting import ahp_weights, critic_weights, entropy_weights, std_weights

H8 = hadamard(8)[:, 1:].astype(float)  # 7 orthogonal ±1 columns, each with mean 0


# ---------------------------------------------------------------------------- variance shares
def test_variance_shares_of_orthogonal_columns_are_squared_spreads():
    a = np.array([1.0, 2.0, 3.0])
    points = 10 + H8[:, :3] * a  # independent criteria with SDs 1, 2, 3
    np.testing.assert_allclose(variance_shares(points), a**2 / (a**2).sum(), atol=1e-12)


def test_constant_criterion_has_zero_share_whatever_its_points():
    points = np.column_stack([5 + H8[:, 0], np.full(8, 15.0), 3 + 2 * H8[:, 1]])
    np.testing.assert_allclose(variance_shares(points), [0.2, 0.0, 0.8], atol=1e-12)


def test_collinear_criteria_share_by_their_scale():
    # y = 3 h, cov(h, y) / var(y) = 3 / 9 and cov(2h, y) / var(y) = 6 / 9
    points = np.column_stack([H8[:, 0], 2 * H8[:, 0]])
    np.testing.assert_allclose(variance_shares(points), [1 / 3, 2 / 3], atol=1e-12)


def test_variance_shares_refuse_a_constant_total_and_missing_values():
    with pytest.raises(ValueError, match="no variance"):
        variance_shares(np.column_stack([H8[:, 0], -H8[:, 0]]))
    with pytest.raises(ValueError, match="missing value at member 1, criterion 0"):
        variance_shares([[1, 2], [np.nan, 3], [2, 2]])


@settings(max_examples=40, deadline=None)
@given(arrays(float, (6, 4), elements=st.integers(0, 10).map(float)))
def test_variance_shares_sum_to_one(points):
    if np.ptp(points.sum(axis=1)) == 0:
        return
    assert variance_shares(points).sum() == pytest.approx(1.0, abs=1e-9)


# ---------------------------------------------------------------------------- target influence
def test_influence_weights_on_orthogonal_columns_are_sqrt_target_over_sd():
    sd = np.array([0.5, 0.1, 0.25])
    x = 0.5 + H8[:, :3] * sd
    target = np.array([0.2, 0.3, 0.5])
    res = influence_weights(x, target)
    expected = np.sqrt(target) / sd  # w_j² sd_j² = t_j (up to a common factor)
    np.testing.assert_allclose(res.weights, expected / expected.sum(), rtol=1e-9)
    assert res.reached and res.unreachable == ()


def test_influence_weights_reach_the_target_on_correlated_data():
    rng = np.random.default_rng(3)
    base = rng.normal(size=(40, 1))
    x = np.column_stack([base + rng.normal(scale=s, size=(40, 1)) for s in (0.3, 1, 2, 0.5)])
    target = np.array([0.1, 0.2, 0.3, 0.4])
    res = influence_weights(x, target)
    assert res.reached
    np.testing.assert_allclose(variance_shares(x, res.weights), target, atol=1e-6)


def test_influence_weights_report_what_no_weight_can_reach():
    x = np.column_stack([0.5 + 0.1 * H8[:, 0], np.ones(8), 0.5 + 0.2 * H8[:, 1]])
    res = influence_weights(x, [1, 1, 2])
    assert res.unreachable == (1,) and res.weights[1] == 0
    np.testing.assert_allclose(res.shares, [1 / 3, 0, 2 / 3], atol=1e-9)
    # x2 = 1 - x1: every positive combination is constant (up to scale), no solution.
    opposite = np.column_stack([0.5 + 0.1 * H8[:, 0], 0.5 - 0.1 * H8[:, 0]])
    assert not influence_weights(opposite, [1, 1]).reached


def test_points_for_influence_keeps_levels_and_total():
    sd_frac = np.array([0.4, 0.05])
    x = 0.5 + H8[:, :2] * sd_frac
    maxima = np.array([10.0, 15.0])
    design = points_for_influence(x * maxima, maxima)
    # Orthogonal: share_j ∝ (M'_j sd_j)², so M'_j ∝ sqrt(t_j) / sd_j with t = (0.4, 0.6).
    expected = np.sqrt([0.4, 0.6]) / sd_frac
    np.testing.assert_allclose(design.points, 25 * expected / expected.sum(), rtol=1e-9)
    assert design.reached


def test_redundant_pairs_and_discrimination():
    x = np.column_stack([H8[:, 0], H8[:, 0] + 0.01 * H8[:, 1], H8[:, 2], np.ones(8)])
    assert [(a, b) for a, b, _ in redundant_pairs(x)] == [(0, 1)]
    d = discrimination(np.column_stack([5 + 5 * H8[:, 0], np.full(8, 10.0)]), [10, 10])
    assert d["n_at_max"].tolist() == [4, 8] and d["n_distinct"].tolist() == [2, 1]
    assert np.isnan(d["item_rest_r"]).all()  # each is constant or faces a constant rest


# ---------------------------------------------------------------------------- objective weights
def test_entropy_weights_match_hand_computation_and_handle_constant_and_binary():
    x = np.array([[1, 1, 0.5, 0], [0, 1, 0.5, 0], [0, 0, 0.5, 0]])
    e2 = math.log(2) / math.log(3)  # entropy of (1/2, 1/2, 0) on 3 members
    raw = np.array([1.0, 1 - e2, 0.0, 0.0])
    np.testing.assert_allclose(entropy_weights(x), raw / raw.sum(), atol=1e-12)
    assert entropy_weights(x, shift=1.0)[0] < entropy_weights(x)[0]  # not shift-invariant
    with pytest.raises(ValueError, match="non-negative"):
        entropy_weights([[-1, 0], [1, 1]])
    with pytest.raises(ValueError, match="every criterion is constant"):
        entropy_weights([[1, 0], [1, 0]])


def test_critic_and_std_weights_ignore_constant_columns():
    x = np.array([[0, 0, 7], [1, 0, 7], [1, 1, 7]], dtype=float)
    # min-max already; equal SDs, r = 0.5: C_1 = C_2, the constant column gets exactly 0.
    np.testing.assert_allclose(critic_weights(x), [0.5, 0.5, 0.0])
    assert not np.isnan(critic_weights(x)).any()
    np.testing.assert_allclose(std_weights([[0, 0, 1], [1, 0.5, 1]]), [2 / 3, 1 / 3, 0])


# ---------------------------------------------------------------------------- AHP
def test_ahp_three_by_three_matches_closed_form():
    a = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    res = ahp_weights(a)
    c = a[0, 1] * a[1, 2] / a[0, 2]  # for n = 3, λ_max = 1 + c^(1/3) + c^(-1/3)
    lam = 1 + c ** (1 / 3) + c ** (-1 / 3)
    assert res.lambda_max == pytest.approx(lam, abs=1e-10)
    assert res.cr == pytest.approx((lam - 3) / 2 / 0.58, abs=1e-10)
    gm = np.prod(a, axis=1) ** (1 / 3)  # n = 3: the eigenvector is the geometric mean
    np.testing.assert_allclose(res.weights, gm / gm.sum(), atol=1e-10)
    assert res.consistent
    assert ahp_weights(a, random_index="donegan_dodd").cr > res.cr  # smaller RI


def test_ahp_consistent_matrix_recovers_weights_and_inconsistent_one_fails():
    w = np.array([0.4, 0.3, 0.2, 0.1])
    res = ahp_weights(np.outer(w, 1 / w))
    np.testing.assert_allclose(res.weights, w, atol=1e-12)
    assert res.cr == pytest.approx(0, abs=1e-12)
    bad = np.outer(w, 1 / w)
    bad[0, 3], bad[3, 0] = 1 / 9, 9  # one reversed judgement
    assert not ahp_weights(bad).consistent


def test_ahp_rejects_bad_matrices():
    with pytest.raises(ValueError, match="not reciprocal"):
        ahp_weights([[1, 3], [3, 1]])
    with pytest.raises(ValueError, match="random_index"):
        ahp_weights([[1]], random_index="saaty1990")
    with pytest.raises(ValueError, match="positive"):
        ahp_weights([[1, -2], [-0.5, 1]])


# ---------------------------------------------------------------------------- SMAA
# Three members, two criteria. s(w1) = w1 x1 + (1 - w1) x2: a = 0.3 + 0.6 w1,
# b = 0.6 - 0.1 w1, c = 0.8 - 0.6 w1. Crossings at 0.4 (b = c), 5/12 (a = c), 3/7 (a = b):
# c is first on [0, 0.4], b on [0.4, 3/7], a on [3/7, 1].
X3 = np.array([[0.9, 0.3], [0.5, 0.6], [0.2, 0.8]])


def _exact_rank_acceptability(x: np.ndarray, grid: int = 200_001) -> np.ndarray:
    w1 = (np.arange(grid) + 0.5) / grid  # midpoints: w1 ~ U(0, 1) is Dirichlet(1, 1)
    s = np.outer(w1, x[:, 0]) + np.outer(1 - w1, x[:, 1])
    ranks = (-s).argsort(axis=1).argsort(axis=1)
    return np.stack([(ranks == r).mean(axis=0) for r in range(x.shape[0])], axis=1)


def test_smaa_first_rank_matches_crossing_weights():
    res = smaa(X3, n_samples=20_000, rng=11)
    exact = np.array([4 / 7, 3 / 7 - 0.4, 0.4])
    se = np.sqrt(exact * (1 - exact) / res.n_samples)
    assert (np.abs(res.first_rank - exact) <= 4 * se + 1e-12).all()
    full = _exact_rank_acceptability(X3)
    assert np.abs(res.rank_acceptability - full).max() <= 4 * np.sqrt(0.25 / 20_000)
    # a wins for w1 uniform on [3/7, 1]: its central weight is the midpoint.
    assert res.central_weights[0, 0] == pytest.approx(5 / 7, abs=0.01)
    np.testing.assert_array_equal(res.confidence, [1, 1, 1])  # winning sets are convex


def test_smaa_ties_share_first_rank_and_rows_sum_to_one():
    x = np.array([[0.5, 0.5], [0.5, 0.5], [0.1, 0.2]])
    res = smaa(x, n_samples=500, rng=0)
    np.testing.assert_allclose(res.first_rank, [1, 1, 0])
    np.testing.assert_allclose(res.rank_acceptability.sum(axis=1), 1)
    assert competition_ranks(np.array([[3, 1, 3, 2]])).tolist() == [[1, 4, 1, 3]]


def test_smaa_around_nominal_and_with_performance_samples():
    w = sample_weights(3, 2000, nominal=[0.5, 0.3, 0.2], spread=0.25, rng=4)
    ratio = w * (np.array([0.5, 0.3, 0.2]) ** -1)
    assert (ratio.max(axis=1) / ratio.min(axis=1) <= 1.25 / 0.75 + 1e-12).all()
    same = smaa(X3, n_samples=3000, rng=2)
    copies = smaa(X3, n_samples=3000, rng=2, performances=np.stack([X3, X3]))
    np.testing.assert_allclose(same.first_rank, copies.first_rank, atol=0.04)
    # With noisy performances a leader is no longer first with certainty at its centre.
    noisy = X3 + np.random.default_rng(5).normal(0, 0.2, size=(50, *X3.shape))
    assert (smaa(X3, n_samples=3000, rng=2, performances=noisy).confidence < 1).any()


def test_smaa_rejects_bad_input():
    with pytest.raises(ValueError, match="spread"):
        smaa(X3, nominal=[0.5, 0.5], spread=1.5)
    with pytest.raises(ValueError, match="shape"):
        smaa(X3, weights=np.ones((10, 3)))


# ---------------------------------------------------------------------------- stability
def _brute_force_interval(x, w, k, leader, grid=20_001):
    v = np.linspace(0, 1, grid)
    others = np.delete(np.arange(len(w)), k)
    scale = (1 - v) / (1 - w[k])
    s = np.outer(v, x[:, k]) + np.outer(scale, x[:, others] @ w[others])
    keeps = s[:, leader] >= np.delete(s, leader, axis=1).max(axis=1) - 1e-12
    return v[keeps].min(), v[keeps].max()


@pytest.mark.parametrize("seed", range(5))
def test_stability_intervals_match_brute_force(seed):
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.4, 1.0, size=(7, 4))
    w = rng.dirichlet(np.ones(4))
    st_ = stability_intervals(x, w)
    assert st_.leader == int(np.argmax(x @ w))
    for k in range(4):
        lo, hi = _brute_force_interval(x, w, k, st_.leader)
        assert st_.lower[k] == pytest.approx(lo, abs=1e-4)
        assert st_.upper[k] == pytest.approx(hi, abs=1e-4)
        assert st_.lower[k] <= w[k] <= st_.upper[k]


def test_stability_refuses_a_tie_for_first():
    with pytest.raises(ValueError, match="tie for first"):
        stability_intervals([[0.5, 0.5], [0.5, 0.5]], [0.5, 0.5])


# ---------------------------------------------------------------------------- agreement
NAN = np.nan
KRIPPENDORFF = np.array([  # Krippendorff (2011), 4 observers x 12 units; transposed below
    [1, 2, 3, 3, 2, 1, 4, 1, 2, NAN, NAN, NAN],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, NAN, 3],
    [NAN, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, NAN],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, NAN],
]).T


@pytest.mark.parametrize(("level", "published"), [
    ("nominal", 0.743), ("ordinal", 0.815), ("interval", 0.849), ("ratio", 0.797)])
def test_krippendorff_alpha_textbook_example(level, published):
    assert krippendorff_alpha(KRIPPENDORFF, level) == pytest.approx(published, abs=5e-4)


def test_krippendorff_alpha_edge_cases():
    assert krippendorff_alpha([[1, 1], [2, 2], [3, 3]]) == pytest.approx(1.0)
    assert np.isnan(krippendorff_alpha([[2, 2], [2, 2]]))
    with pytest.raises(ValueError, match="level"):
        krippendorff_alpha(KRIPPENDORFF, "cardinal")
    with pytest.raises(ValueError, match="no unit has two"):
        krippendorff_alpha([[1, NAN], [NAN, 2]])


def test_icc_shrout_fleiss_published_values():
    data = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    res = icc(data)
    got = [res.icc1, res.icc_a1, res.icc_c1, res.icc1k, res.icc_ak, res.icc_ck]
    np.testing.assert_allclose(got, [0.17, 0.29, 0.71, 0.44, 0.62, 0.91], atol=0.005)
    with pytest.raises(ValueError, match="missing mark"):
        icc([[1, NAN], [2, 3]])


def test_agreement_bands_and_spearman_brown():
    assert [interpret_alpha(a) for a in (0.8, 0.667, 0.66)] == \
        ["acceptable", "tentative", "unacceptable"]
    assert [interpret_icc(v) for v in (0.49, 0.5, 0.75, 0.9)] == \
        ["poor", "moderate", "good", "excellent"]
    k = raters_needed(0.27, 0.75)
    assert k * 0.27 / (1 + (k - 1) * 0.27) == pytest.approx(0.75)  # Spearman-Brown forward
    assert raters_needed(-0.1, 0.75) == math.inf
