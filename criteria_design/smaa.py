"""Robustness of a weighted-sum ranking to its weights: SMAA-2 and stability intervals.

Members are ranked by ``s_i = Σ_j w_j x_ij`` where ``x_ij`` is the score as a fraction of
criterion j's maximum and ``w`` sums to 1 (the table's weights are ``w_j = M_j / Σ M``, so
``s_i`` is the total in points divided by ``Σ M``). Fractions of the maximum are used as
they are: min-max or vector normalisation would change the effective weights.

SMAA-2 (Lahdelma & Salminen 2001, Oper. Res. 49:444-454; Tervonen & Lahdelma 2007, EJOR
178:500-513) samples weights and reports

* the rank acceptability ``b_i^r = P(rank(i) = r)``;
* the central weights ``w_i^c = E[w | i ranked first]`` (the typical weights that make i win);
* the confidence factor ``p_i^c = P(i first | w = w_i^c)`` over the performance uncertainty;
* the holistic acceptability ``Σ_r α_r b_i^r`` with meta-weights ``α_r = 1/r``.

With ``N`` samples an acceptability ``b`` has Monte Carlo standard error ``√(b(1-b)/N)``:
at most 0.005 for ``N = 10 000`` (95 % half-width ≤ 0.0098).

Ties (members with equal totals) share the better rank ("1224" competition ranking), so
each member's rank acceptabilities sum to 1 and tied leaders both count as first.

:func:`stability_intervals` gives, for each criterion, the exact interval its weight may
move (the others rescaled proportionally) before the leader changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from criteria_design.errors import CriteriaParameterError, ScoresError
from criteria_design.scores import as_matrix

__all__ = [
    "SMAAResult",
    "StabilityIntervals",
    "competition_ranks",
    "sample_weights",
    "smaa",
    "stability_intervals",
]


def _check_weights(weights: Any, m: int, name: str = "weights") -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    if w.shape != (m,):
        raise CriteriaParameterError(f"{name} has shape {w.shape}, expected ({m},)")
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise CriteriaParameterError(
            f"{name} must be non-negative with a positive sum, got {w.tolist()}"
        )
    return w / w.sum()


def sample_weights(n_criteria: int, n_samples: int, *, nominal: Any = None,
                   spread: float | None = None,
                   rng: np.random.Generator | int | None = None) -> np.ndarray:
    """Random weight vectors, one per row, each summing to 1.

    Without ``nominal``: uniform on the simplex (Dirichlet(1, ..., 1)), the SMAA default
    when nothing is known about the weights. With ``nominal`` and ``spread``: each nominal
    weight times ``U(1 - spread, 1 + spread)``, renormalised (COINr ``get_noisy_weights``
    with ``NoiseFactor = spread``), i.e. "the table's points give or take 25 %".

    Examples
    --------
    >>> w = sample_weights(3, 4, rng=0)
    >>> w.shape, bool(np.allclose(w.sum(axis=1), 1))
    ((4, 3), True)
    """
    if not isinstance(n_criteria, (int, np.integer)) or n_criteria < 1:
        raise CriteriaParameterError(f"n_criteria must be a positive integer, got {n_criteria!r}")
    if not isinstance(n_samples, (int, np.integer)) or n_samples < 1:
        raise CriteriaParameterError(f"n_samples must be a positive integer, got {n_samples!r}")
    rng = np.random.default_rng(rng)
    if nominal is None:
        if spread is not None:
            raise CriteriaParameterError("spread needs nominal weights to spread around")
        # Normalised exponentials are Dirichlet(1, ..., 1): uniform on the simplex.
        e = rng.exponential(size=(n_samples, n_criteria))
        return e / e.sum(axis=1, keepdims=True)
    w0 = _check_weights(nominal, n_criteria, "nominal")
    if spread is None or not 0 <= spread < 1:
        raise CriteriaParameterError(
            f"spread must be in [0, 1) around nominal weights, got {spread!r}"
        )
    w = w0 * rng.uniform(1 - spread, 1 + spread, size=(n_samples, n_criteria))
    return w / w.sum(axis=1, keepdims=True)


def competition_ranks(scores: np.ndarray, rtol: float = 1e-12) -> np.ndarray:
    """Rank each row of ``scores`` (higher is better), ties sharing the better rank.

    Scores closer than ``rtol`` times the largest magnitude count as tied, so that members
    with identical rows tie even after floating-point summation in different orders.

    Examples
    --------
    >>> competition_ranks(np.array([[0.5, 0.9, 0.5, 0.1]])).tolist()
    [[2, 1, 2, 4]]
    """
    s = np.atleast_2d(np.asarray(scores, dtype=float))
    rows, n = s.shape
    order = np.argsort(-s, axis=1)  # tied members get the same rank, so stability is moot
    ordered = np.take_along_axis(s, order, axis=1)
    tol = rtol * max(1.0, float(np.abs(s).max()))
    starts = np.ones(ordered.shape, dtype=bool)
    np.greater(ordered[:, :-1] - ordered[:, 1:], tol, out=starts[:, 1:])
    # Rank in sorted order = 1 + position where the current tie group starts. Accumulating
    # down the columns of the transpose is several times faster than along rows.
    position = np.where(starts, np.arange(n), 0).T
    rank_sorted = np.maximum.accumulate(position, axis=0).T + 1
    ranks = np.empty_like(rank_sorted)
    ranks[np.arange(rows)[:, None], order] = rank_sorted
    return ranks


@dataclass(frozen=True)
class SMAAResult:
    """SMAA-2 indices of a weighted-sum ranking.

    Attributes
    ----------
    rank_acceptability : ndarray, shape (n_members, n_members)
        ``[i, r-1]`` = share of samples in which member i has rank r.
    central_weights : ndarray, shape (n_members, n_criteria)
        Mean weights over the samples where i ranks first (NaN rows when it never does).
    confidence : ndarray, shape (n_members,)
        Share of performance samples in which i ranks first under its central weights
        (0 or 1 without performance uncertainty; NaN when i never ranks first).
    holistic : ndarray, shape (n_members,)
        ``Σ_r b_i^r / r``.
    n_samples : int
    """

    rank_acceptability: np.ndarray
    central_weights: np.ndarray
    confidence: np.ndarray
    holistic: np.ndarray
    n_samples: int

    @property
    def first_rank(self) -> np.ndarray:
        """First-rank acceptability ``b_i^1``."""
        return self.rank_acceptability[:, 0]

    def standard_error(self) -> np.ndarray:
        """Binomial Monte Carlo standard error of each rank acceptability."""
        b = self.rank_acceptability
        return np.sqrt(b * (1 - b) / self.n_samples)


def smaa(x: Any, *, n_samples: int = 10_000, nominal: Any = None,
         spread: float | None = None, weights: Any = None, performances: Any = None,
         rng: np.random.Generator | int | None = None) -> SMAAResult:
    """SMAA-2 for a weighted sum of scores, vectorised over the weight samples.

    Parameters
    ----------
    x : array_like, shape (n_members, n_criteria)
        Scores as fractions of each criterion's maximum.
    n_samples : int
        Number of weight samples (10 000 gives acceptabilities to about ±0.01).
    nominal, spread :
        Sample around nominal weights (see :func:`sample_weights`); uniform on the
        simplex when both are omitted.
    weights : array_like, shape (n_samples, n_criteria), optional
        Weight samples drawn elsewhere (e.g. by hit-and-run under constraints); rows are
        normalised to sum 1. Overrides ``n_samples``, ``nominal`` and ``spread``.
    performances : array_like, shape (k, n_members, n_criteria), optional
        Samples of the scores (e.g. from resampling raters). Each weight sample is paired
        with a performance sample drawn uniformly; ``x`` is then used only for its shape.
    rng : numpy Generator or seed
        Source of the weight and performance samples: the same seed, the same result.

    Examples
    --------
    Two criteria, uniform weights: A beats B when ``0.4 w1 > 0.3 (1 - w1)``, i.e. for
    ``w1 > 3/7``, so A's first-rank acceptability is 4/7 ≈ 0.571.

    >>> res = smaa([[0.9, 0.3], [0.5, 0.6]], n_samples=20_000, rng=1)
    >>> round(float(res.first_rank[0]), 2)
    0.57
    """
    x = as_matrix(x, "x")
    n, m = x.shape
    rng = np.random.default_rng(rng)
    if weights is None:
        w = sample_weights(m, n_samples, nominal=nominal, spread=spread, rng=rng)
    else:
        w = np.asarray(weights, dtype=float)
        if w.ndim != 2 or w.shape[1] != m or w.shape[0] < 1:
            raise CriteriaParameterError(f"weights must have shape (n_samples, {m}), got {w.shape}")
        if not np.isfinite(w).all() or (w < 0).any() or (w.sum(axis=1) <= 0).any():
            raise CriteriaParameterError(
                "weight samples must be non-negative with positive row sums"
            )
        w = w / w.sum(axis=1, keepdims=True)
    big_n = w.shape[0]

    perf = None
    if performances is not None:
        perf = np.asarray(performances, dtype=float)
        if perf.ndim != 3 or perf.shape[1:] != (n, m) or perf.shape[0] < 1:
            raise CriteriaParameterError(
                f"performances must have shape (k, {n}, {m}), got {perf.shape}"
            )
        if not np.isfinite(perf).all():
            raise CriteriaParameterError("performances contain missing or infinite values")
        which = rng.integers(perf.shape[0], size=big_n)
        scores = np.empty((big_n, n))
        for k in np.unique(which):  # one matrix product per performance sample
            rows = which == k
            scores[rows] = w[rows] @ perf[k].T
    else:
        scores = w @ x.T

    ranks = competition_ranks(scores)
    flat = (np.arange(n) * n)[None, :] + (ranks - 1)
    acceptability = np.bincount(flat.ravel(), minlength=n * n).reshape(n, n) / big_n

    first = ranks == 1
    n_first = first.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        central = (first.T.astype(float) @ w) / n_first[:, None]
    central[n_first == 0] = np.nan

    confidence = np.full(n, np.nan)
    winners = np.flatnonzero(n_first > 0)
    if winners.size:
        cw = central[winners]  # (n_winners, m)
        if perf is None:
            s = cw @ x.T  # (n_winners, n)
            confidence[winners] = (competition_ranks(s)[np.arange(winners.size), winners] == 1)
        else:
            s = np.einsum("knm,wm->wkn", perf, cw)  # winner x performance sample x member
            r = competition_ranks(s.reshape(-1, n)).reshape(s.shape)
            confidence[winners] = (r[np.arange(winners.size), :, winners] == 1).mean(axis=1)

    holistic = acceptability @ (1.0 / np.arange(1, n + 1))
    return SMAAResult(acceptability, central, confidence, holistic, big_n)


@dataclass(frozen=True)
class StabilityIntervals:
    """How far each weight may move before the leader changes.

    Weight ``w_k`` is moved to ``v`` and the other weights are rescaled by
    ``(1 - v) / (1 - w_k)`` so that they keep their proportions. The leader stays (weakly)
    first for every ``v`` in ``[lower[k], upper[k]]``; just outside, ``lower_rival[k]`` or
    ``upper_rival[k]`` overtakes it (-1 when the bound is 0 or 1 and nobody does).

    Attributes
    ----------
    leader : int
    weights : ndarray
    lower, upper : ndarray
    lower_rival, upper_rival : ndarray of int
    """

    leader: int
    weights: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    lower_rival: np.ndarray
    upper_rival: np.ndarray

    @property
    def slack(self) -> np.ndarray:
        """Smallest relative move ``min(w - lower, upper - w) / w`` that changes the leader.

        The criterion with the smallest slack is the most critical one (inf when the weight
        can move anywhere, NaN for zero weights).
        """
        w = self.weights
        down = np.where(self.lower_rival >= 0, w - self.lower, np.inf)
        up = np.where(self.upper_rival >= 0, self.upper - w, np.inf)
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(w > 0, np.minimum(down, up) / w, np.nan)


def stability_intervals(x: Any, weights: Any) -> StabilityIntervals:
    """Exact one-at-a-time weight intervals that keep the leader first.

    With ``s_i = Σ_j w_j x_ij``, raising ``w_k`` by ``δ`` and dividing all weights by
    ``1 + δ`` (a common rescaling does not change a weighted-sum ranking), the leader i
    stays ahead of j iff ``(s_i - s_j) + δ (x_ik - x_jk) ≥ 0``. Hence

    * ``δ_high = min_{j: x_jk > x_ik} (s_i - s_j) / (x_jk - x_ik)``,
    * ``δ_low = max_{j: x_jk < x_ik} -(s_i - s_j) / (x_ik - x_jk)``, at least ``-w_k``,

    and the new weight ``(w_k + δ) / (1 + δ)`` ranges over the interval (consistent with
    Triantaphyllou & Sanchez 1997, Decision Sciences 28:151-194; other libraries spread the
    change equally or set the other weights equal, which gives other numbers).

    Parameters
    ----------
    x : array_like, shape (n_members, n_criteria)
        Scores as fractions of the maximum.
    weights : array_like, shape (n_criteria,)
        Current weights (normalised to sum 1).

    Raises
    ------
    ValueError
        If two members tie for first place: there is no single leader to keep.

    Examples
    --------
    >>> st = stability_intervals([[0.9, 0.3], [0.5, 0.6]], [0.5, 0.5])
    >>> st.leader, st.lower.round(4).tolist(), st.upper.round(4).tolist()
    (0, [0.4286, 0.0], [1.0, 0.5714])
    """
    x = as_matrix(x, "x")
    n, m = x.shape
    w = _check_weights(weights, m)
    s = x @ w
    i = int(np.argmax(s))
    others = np.arange(n) != i
    tol = 1e-12 * max(1.0, float(np.abs(s).max()))
    if (s[others] >= s[i] - tol).any():
        tied = [i, *np.flatnonzero(others & (s >= s[i] - tol)).tolist()]
        raise ScoresError(f"members {tied} tie for first place (score {s[i]:.6g}); "
                          "stability intervals need a single leader")
    d = (s[i] - s)[None, :]            # lead over each member, > 0 for j != i
    e = x[i][:, None] - x.T            # (m, n): x_ik - x_jk
    with np.errstate(divide="ignore", invalid="ignore"):
        up_bound = np.where((e < 0) & others, d / -e, np.inf)
        low_bound = np.where((e > 0) & others, -d / e, -np.inf)
    delta_high = up_bound.min(axis=1)
    delta_low = np.maximum(low_bound.max(axis=1), -w)
    upper_rival = np.where(np.isfinite(delta_high), up_bound.argmin(axis=1), -1)
    lower_rival = np.where(low_bound.max(axis=1) > -w, low_bound.argmax(axis=1), -1)
    with np.errstate(invalid="ignore"):
        upper = np.where(np.isfinite(delta_high), (w + delta_high) / (1 + delta_high), 1.0)
    with np.errstate(invalid="ignore", divide="ignore"):
        lower = np.where(delta_low <= -w, 0.0, (w + delta_low) / (1 + delta_low))
    return StabilityIntervals(i, w, np.clip(lower, 0.0, 1.0), np.clip(upper, 0.0, 1.0),
                              lower_rival, upper_rival)
