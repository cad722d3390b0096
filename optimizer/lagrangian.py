r"""A Lagrangian lower bound for the p-median with cluster size bounds.

When the LP relaxation of the assignment model is too large to solve in the
time given (hundreds of thousands of variables), a bound can still be had
cheaply by relaxing the constraints that every unit joins exactly one cluster
with multipliers :math:`\lambda_i`:

.. math::

    L(\lambda) = \sum_i \lambda_i + \min_{|C| = k} \sum_{j \in C} c_j(\lambda),
    \qquad
    c_j(\lambda) = \min_{\substack{S \ni j,\ S \subseteq A_j \\ l \le |S| \le u}}
        \sum_{i \in S} (d_{ij} - \lambda_i),

where :math:`A_j` are the units allowed to join centre :math:`j`. For fixed
:math:`\lambda` each :math:`c_j` is found by sorting (the centre, the
:math:`l - 1` cheapest others, then any further negative ones up to
:math:`u - 1`), and the :math:`k` cheapest centres are taken. Every
:math:`L(\lambda)` is a lower bound on the p-median cost of every plan that
meets the size bounds, contiguous or not (contiguity and the other rules
only remove plans). :math:`\lambda` is improved by subgradient steps with
Polyak's step length towards a known plan's cost.
"""

from __future__ import annotations

import time

import numpy as np

__all__ = ["pmedian_lagrangian_bound"]


def _centre_costs(
    reduced: np.ndarray, low: int, high: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``c_j`` without the centre's own term, the members each centre takes, and the order.

    ``reduced[i, j] = d_ij - lambda_i`` for allowed ``i != j``, ``+inf`` when
    ``i`` may not join ``j`` (the centre itself included: it is always in).
    Column ``j`` of the order lists units by increasing reduced cost.
    """
    n = reduced.shape[1]
    order = np.argsort(reduced, axis=0, kind="stable")
    if high <= 1:
        return np.zeros(n), np.zeros(n, dtype=np.int64), order
    others = np.take_along_axis(reduced, order[: high - 1], axis=0)
    prefix = np.cumsum(others, axis=0)
    # The l-1 cheapest, then every further negative one, up to u-1 in all.
    take = np.full(n, low - 1) + (others[low - 1:] < 0).sum(axis=0)
    cost = np.where(take > 0, prefix[np.maximum(take - 1, 0), np.arange(n)], 0.0)
    return cost, take, order


def pmedian_lagrangian_bound(
    d: np.ndarray,
    n_clusters: int,
    size: tuple[int, int],
    *,
    allowed: np.ndarray | None = None,
    upper: float | None = None,
    max_iter: int = 300,
    deadline: float | None = None,
) -> float | None:
    r"""The best Lagrangian bound :math:`\max L(\lambda)` found by subgradient steps.

    Parameters
    ----------
    d : (n, n) array
        Dissimilarity, cost of unit :math:`i` joining the centre :math:`j`.
    n_clusters : int
        Number of centres :math:`k`.
    size : (int, int)
        Member count bounds :math:`l \le |S| \le u`, the centre included.
    allowed : (n, n) bool array, optional
        ``allowed[i, j]`` when unit :math:`i` may join centre :math:`j` (pairs
        every plan leaves apart may be left out; the bound stays valid).
    upper : float, optional
        The cost of a known plan, the target of Polyak's step (default: the
        sum over units of their largest dissimilarity, a crude one).
    max_iter : int, default 300
        Subgradient steps at most.
    deadline : float, optional
        A ``time.perf_counter()`` value at which to stop.

    Returns
    -------
    float or None
        A valid lower bound, or ``None`` if no centre can take a cluster
        within the bounds (every :math:`L(\lambda) = +\infty`).

    Examples
    --------
    Four units on a line, two clusters of two: the optimum is {0, 1}, {2, 3}
    at cost 2, and the bound reaches it.

    >>> x = np.array([0.0, 1.0, 5.0, 6.0])
    >>> d = np.abs(x[:, None] - x[None, :])
    >>> round(pmedian_lagrangian_bound(d, 2, (2, 2), upper=2.0), 6)
    2.0
    """
    d = np.asarray(d, dtype=float)
    n = d.shape[0]
    low, high = size
    if not (1 <= low <= high) or d.shape != (n, n) or not 1 <= n_clusters <= n:
        raise ValueError(
            f"expected a square dissimilarity, 1 <= k <= n and 1 <= low <= high; got shape "
            f"{d.shape}, k={n_clusters}, size={size}"
        )
    high = min(high, n)
    blocked = np.eye(n, dtype=bool) if allowed is None else ~np.asarray(allowed, bool)
    np.fill_diagonal(blocked, True)
    # A centre with fewer than l - 1 possible members can never open.
    can_open = (~blocked).sum(axis=0) >= low - 1
    if can_open.sum() < n_clusters:
        return None
    if upper is None:
        upper = float(d.max(axis=1).sum())
    # Start from each unit's l-th nearest allowed partner: the typical price of
    # placing it, which converges faster than zeros.
    nearest = np.sort(np.where(blocked, np.inf, d), axis=1)
    multipliers = nearest[:, low - 2] if low > 1 else np.zeros(n)
    multipliers = np.where(np.isfinite(multipliers), multipliers, 0.0)
    best, theta, stalled = -np.inf, 2.0, 0
    for _ in range(max_iter):
        if deadline is not None and time.perf_counter() >= deadline:
            break
        reduced = np.where(blocked, np.inf, d - multipliers[:, None])
        cost, take, order = _centre_costs(reduced, low, high)
        cost = cost + np.diag(d) - multipliers  # the centre itself
        cost[~can_open] = np.inf
        chosen = np.argsort(cost, kind="stable")[:n_clusters]
        value = float(multipliers.sum() + cost[chosen].sum())
        if value > best + 1e-12 * max(1.0, abs(value)):
            best, stalled = value, 0
        else:
            stalled += 1
            if stalled >= 20:
                theta, stalled = theta / 2, 0
        # Subgradient: 1 - (number of chosen clusters holding unit i).
        covered = np.zeros(n)
        for j in chosen:
            covered[j] += 1
            covered[order[: take[j], j]] += 1
        gradient = 1.0 - covered
        norm = float(gradient @ gradient)
        if norm == 0 or theta < 1e-6:
            break  # the relaxed solution is a partition: nothing more to gain
        multipliers = multipliers + theta * max(upper - value, 1e-9) / norm * gradient
    return best if np.isfinite(best) else None
