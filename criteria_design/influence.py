"""What the weights really do: variance shares, target influence, redundancy, spread.

Under an additive total ``y_i = Σ_j p_ij`` the points a criterion carries (its *nominal*
weight) say little about how much it moves the ranking. Its *effective* weight is its share
of the variance of the total,

    c_j = cov(p_j, y) / var(y),    Σ_j c_j = 1,

(``criteria_methods.md`` §3.3; Paruolo, Saisana & Saltelli 2013, JRSS A 176:609-634:
"nominal weights are not importance"). A criterion everyone scores at the maximum has
``c_j = 0`` whatever its points; an all-or-nothing one can take a large share.

All functions take plain numpy matrices, members x criteria, without missing values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from criteria_design.errors import CriteriaParameterError, ScoresError
from criteria_design.scores import as_matrix

__all__ = [
    "InfluenceDesign",
    "InfluenceWeights",
    "discrimination",
    "influence_weights",
    "points_for_influence",
    "redundant_pairs",
    "variance_shares",
]


def variance_shares(points: Any, weights: Any = None) -> np.ndarray:
    """Each criterion's share of the variance of the (weighted) total.

    ``c_j = w_j cov(p_j, y) / var(y)`` with ``y = Σ_j w_j p_ij`` (``w = 1`` by default).
    The shares sum to 1; a share is negative when a criterion runs against the total.

    Parameters
    ----------
    points : array_like, shape (n_members, n_criteria)
        Points each member scored on each criterion.
    weights : array_like, shape (n_criteria,), optional
        Multipliers of the criteria in the total (default: all 1, points added up).

    Raises
    ------
    ValueError
        If the total is the same for every member (there is no variance to share).

    Examples
    --------
    >>> variance_shares([[10, 5, 3], [0, 5, 1], [10, 5, 1], [0, 5, 3]]).tolist()
    [0.9615384615384616, 0.0, 0.038461538461538464]
    """
    p = as_matrix(points)
    w = np.ones(p.shape[1]) if weights is None else np.asarray(weights, dtype=float)
    if w.shape != (p.shape[1],):
        raise CriteriaParameterError(f"weights have shape {w.shape}, expected ({p.shape[1]},)")
    centred = p - p.mean(axis=0)
    y = centred @ w
    var_y = float(y @ y)
    scale = float(np.abs(centred).max()) * float(np.abs(w).max()) if p.size else 0.0
    if var_y <= (1e-12 * scale) ** 2 * p.shape[0] or var_y == 0:
        raise ScoresError("the total is the same for every member: no variance to share")
    return w * (centred.T @ y) / var_y


@dataclass(frozen=True)
class InfluenceWeights:
    """Weights whose variance shares equal a target, as far as that is possible.

    Attributes
    ----------
    weights : ndarray
        Sum to 1; 0 for criteria that cannot carry influence.
    shares : ndarray
        Variance shares the weights achieve (NaN if the weighted total does not vary).
    target : ndarray
        The requested shares (normalised to sum 1).
    unreachable : tuple of int
        Criteria with a positive target but no variance: no weight can give them influence;
        they must be redesigned (wider range, anchored levels).
    reached : bool
        Whether every reachable criterion got its (renormalised) target share.
    """

    weights: np.ndarray
    shares: np.ndarray
    target: np.ndarray
    unreachable: tuple[int, ...]
    reached: bool


def influence_weights(x: Any, target: Any, *, tol: float = 1e-6,
                      max_sweeps: int = 20_000) -> InfluenceWeights:
    """Weights ``w`` whose variance shares ``w_j (Σ w)_j / wᵀ Σ w`` equal ``target``.

    The one-level inversion of "weights and importance" (Becker et al. 2017, Ecol.
    Indicators 80:12-22) for variance shares. With ``Σ`` the covariance of ``x``, the
    weights solve ``min ½ wᵀ Σ w - Σ_j t_j ln w_j`` over ``w > 0``; its stationarity
    condition is ``w_j (Σ w)_j = t_j`` (then ``wᵀ Σ w = 1``), and the problem is convex, so
    the solution is unique when it exists. It is found by cyclic coordinate descent on the
    correlation scale, each step solving the quadratic in one weight exactly.

    Criteria without variance cannot be given influence by any weight: they are listed in
    ``unreachable`` and the other targets are renormalised. If a positive combination of the
    criteria is constant, no solution exists and ``reached`` is False.

    Parameters
    ----------
    x : array_like, shape (n_members, n_criteria)
        Scores as fractions of the maximum (any common scale works).
    target : array_like, shape (n_criteria,)
        Non-negative intended shares, e.g. the nominal points.

    Examples
    --------
    >>> x = [[1, 1, 0], [1, 0, 1], [0, 1, 1], [0, 0, 0]]
    >>> res = influence_weights(x, [1, 1, 2])
    >>> res.shares.round(3).tolist(), res.reached
    ([0.25, 0.25, 0.5], True)
    """
    x = as_matrix(x, "x")
    t = np.asarray(target, dtype=float)
    if t.shape != (x.shape[1],):
        raise CriteriaParameterError(f"target has shape {t.shape}, expected ({x.shape[1]},)")
    if not np.isfinite(t).all() or (t < 0).any() or t.sum() <= 0:
        raise CriteriaParameterError(
            f"target shares must be non-negative with a positive sum, got {t}"
        )
    t = t / t.sum()
    sd = x.std(axis=0, ddof=0)
    unreachable = tuple(int(j) for j in np.flatnonzero((sd == 0) & (t > 0)))
    live = np.flatnonzero((sd > 0) & (t > 0))
    weights = np.zeros(x.shape[1])
    nan_shares = np.full_like(t, np.nan)
    if live.size == 0:
        return InfluenceWeights(weights, nan_shares, t, unreachable, reached=False)
    tl = t[live] / t[live].sum()
    r = np.atleast_2d(np.corrcoef(x[:, live], rowvar=False)) if live.size > 1 else np.ones((1, 1))
    u = np.sqrt(tl)  # the exact solution when the criteria are uncorrelated
    for _ in range(max_sweeps):
        previous = u.copy()
        for j in range(live.size):
            b = r[j] @ u - u[j]  # Σ_{k≠j} r_jk u_k, since r_jj = 1
            u[j] = (-b + np.sqrt(b * b + 4.0 * tl[j])) / 2.0
        if u.max() > 1e12:
            break  # a positive combination is constant: the objective is unbounded below
        if np.max(np.abs(u - previous)) <= 1e-14 * u.max():
            break
    weights[live] = u / sd[live]
    weights /= weights.sum()
    try:
        shares = variance_shares(x, weights)
    except ValueError:
        return InfluenceWeights(weights, nan_shares, t, unreachable, reached=False)
    reached = bool(np.abs(shares[live] - tl).max() <= tol)
    return InfluenceWeights(weights, shares, t, unreachable, reached)


@dataclass(frozen=True)
class InfluenceDesign:
    """Maximum points that give each criterion its intended share of the variance.

    Attributes
    ----------
    points : ndarray
        Proposed maximum points (same total as requested), 0 where unreachable.
    current_shares : ndarray
        Variance shares under the current maximum points.
    target : ndarray
        Intended shares, normalised over the reachable criteria.
    unreachable : tuple of int
        Criteria no re-weighting can give influence to (they do not vary): redesign them.
    reached : bool
        Whether the proposed points achieve the target exactly.
    """

    points: np.ndarray
    current_shares: np.ndarray
    target: np.ndarray
    unreachable: tuple[int, ...]
    reached: bool


def points_for_influence(points: Any, max_points: Any, target: Any = None, *,
                         total: float | None = None) -> InfluenceDesign:
    """Maximum points each criterion would need to carry its intended influence.

    Scores are kept as fractions of the maximum (``x_ij = p_ij / M_j``: a member keeps its
    level on each criterion) and new maxima ``M'`` are chosen so that the variance shares of
    ``Σ_j M'_j x_ij`` equal ``target`` (by :func:`influence_weights`).

    Parameters
    ----------
    points : array_like, shape (n_members, n_criteria)
        Points each member scored on each criterion.
    max_points : array_like, shape (n_criteria,)
        Current maximum points ``M_j`` (positive).
    target : array_like, optional
        Intended shares; by default the nominal shares ``M_j / Σ M``.
    total : float, optional
        Total of the proposed points; by default ``Σ M``.

    Examples
    --------
    >>> p = [[10, 15], [0, 14], [10, 13], [0, 12]]
    >>> design = points_for_influence(p, [10, 15])
    >>> design.current_shares.round(2).tolist(), design.points.round(1).tolist()
    ([0.88, 0.12], [2.5, 22.5])
    """
    p = as_matrix(points)
    m = np.asarray(max_points, dtype=float)
    if m.shape != (p.shape[1],) or not np.isfinite(m).all() or (m <= 0).any():
        raise CriteriaParameterError(
            f"max_points must be {p.shape[1]} positive numbers, got {m.tolist()}"
        )
    target = m if target is None else target
    total = float(m.sum()) if total is None else float(total)
    if not total > 0:
        raise CriteriaParameterError(f"total must be positive, got {total}")
    current = variance_shares(p)
    res = influence_weights(p / m, target)
    live_target = np.zeros_like(res.target)
    live = res.weights > 0
    live_target[live] = res.target[live] / res.target[live].sum()
    return InfluenceDesign(points=res.weights * total, current_shares=current,
                           target=live_target, unreachable=res.unreachable,
                           reached=res.reached)


def redundant_pairs(points: Any, threshold: float = 0.9) -> list[tuple[int, int, float]]:
    """Pairs of criteria whose Pearson correlation is at least ``threshold`` in absolute value.

    Two criteria measuring the same thing count it twice. The default 0.9 is the
    ``cor_thresh`` of COINr's ``get_corr_flags`` (Becker et al., JRC); questionnaire practice
    calls r > 0.8 "potentially redundant". Constant criteria are skipped (no correlation).

    Returns
    -------
    list of (j, k, r)
        ``j < k``, sorted by decreasing ``|r|``.

    Examples
    --------
    >>> redundant_pairs([[1, 2, 5], [2, 4, 1], [3, 6.5, 4]])
    [(0, 1, 0.9979487157886733)]
    """
    p = as_matrix(points)
    if not 0 < threshold <= 1:
        raise CriteriaParameterError(f"threshold must be in (0, 1], got {threshold}")
    live = np.flatnonzero(np.ptp(p, axis=0) > 0)
    if live.size < 2:
        return []
    r = np.corrcoef(p[:, live], rowvar=False)
    out = [(int(live[a]), int(live[b]), float(r[a, b]))
           for a in range(live.size) for b in range(a + 1, live.size)
           if abs(r[a, b]) >= threshold]
    return sorted(out, key=lambda t: -abs(t[2]))


def discrimination(points: Any, max_points: Any) -> dict[str, np.ndarray]:
    """Spread of each criterion over the members.

    Returns a dict of arrays (one value per criterion): ``sd`` (population SD, points),
    ``n_at_max`` and ``n_at_zero`` (counts, since clusters are small: one member of nine is
    11 %), ``share_at_max``, ``n_distinct`` (2 means all-or-nothing) and ``item_rest_r``, the
    correlation of the criterion with the total of the others (NaN when either is constant).

    Examples
    --------
    >>> d = discrimination([[10, 5], [0, 5], [10, 4]], [10, 5])
    >>> d["n_at_max"].tolist(), d["n_distinct"].tolist()
    ([2, 2], [2, 2])
    """
    p = as_matrix(points)
    m = np.asarray(max_points, dtype=float)
    if m.shape != (p.shape[1],):
        raise CriteriaParameterError(f"max_points has shape {m.shape}, expected ({p.shape[1]},)")
    n = p.shape[0]
    at_max = np.isclose(p, m).sum(axis=0)
    rest = p.sum(axis=1, keepdims=True) - p
    pc, rc = p - p.mean(axis=0), rest - rest.mean(axis=0)
    denom = np.sqrt((pc**2).sum(axis=0) * (rc**2).sum(axis=0))
    item_rest = np.divide((pc * rc).sum(axis=0), denom, out=np.full(p.shape[1], np.nan),
                          where=denom > 0)
    return {
        "sd": p.std(axis=0, ddof=0),
        "n_at_max": at_max,
        "share_at_max": at_max / n,
        "n_at_zero": (p == 0).sum(axis=0),
        "n_distinct": np.array([np.unique(p[:, j]).size for j in range(p.shape[1])]),
        "item_rest_r": item_rest,
    }
