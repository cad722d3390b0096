"""Weights: objective (entropy, CRITIC, standard deviation), AHP, and target influence.

:func:`influence_weights` (weights whose variance shares hit a target) lives in
:mod:`criteria_design.influence` beside the variance shares it inverts; it is re-exported
here so that every way of choosing weights is found in one place.

All functions take ``x``, the members x criteria matrix of scores **as fractions of each
criterion's maximum points** (``x_ij = p_ij / M_j``), so that the weights do not depend on
the arbitrary size of the point scales.

Objective weights measure where the *information* (dispersion) sits. They reward
all-or-nothing criteria and ignore policy priorities, so use them as a diagnostic, never as
the table's weights. The MCDA libraries refuse constant or zero columns or return NaN
(``criteria_methods.md`` §5); here a constant column explicitly gets weight 0 (it carries no
information) and ``0 ln 0 = 0`` is the entropy convention for 0/1 data.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from criteria_design.errors import CriteriaParameterError, ScoresError
from criteria_design.influence import InfluenceWeights, influence_weights
from criteria_design.scores import as_matrix

__all__ = [
    "RANDOM_INDEX",
    "AHPResult",
    "InfluenceWeights",
    "ahp_weights",
    "critic_weights",
    "entropy_weights",
    "influence_weights",
    "std_weights",
]


def _normalise(raw: np.ndarray, what: str) -> np.ndarray:
    total = raw.sum()
    if not total > 0:
        raise ScoresError(f"{what}: every criterion is constant, there is no information to weight")
    return raw / total


def entropy_weights(x: Any, *, shift: float = 0.0) -> np.ndarray:
    """Shannon-entropy weights, ``w_j ∝ 1 - E_j``.

    ``q_ij = (x_ij + shift) / Σ_i (x_ij + shift)`` and
    ``E_j = -(1 / ln n) Σ_i q_ij ln q_ij`` with ``0 ln 0 = 0``.

    Parameters
    ----------
    x : array_like, shape (n_members, n_criteria)
        Non-negative scores as fractions of the maximum.
    shift : float
        Added to every score first. Entropy is not shift-invariant: the weight of an
        all-or-nothing criterion depends on this arbitrary choice, which is why it is a
        visible parameter (0 by default).

    Returns
    -------
    ndarray
        Weights summing to 1; constant columns (including all-zero ones) get exactly 0.

    Examples
    --------
    >>> entropy_weights([[1, 0.5, 1], [0, 0.5, 1], [0, 0.5, 1]]).round(3).tolist()
    [1.0, 0.0, 0.0]
    """
    x = as_matrix(x, "x") + shift
    if (x < 0).any():
        raise CriteriaParameterError(
            f"entropy weights need non-negative scores (after the shift); got minimum {x.min():g}"
        )
    n = x.shape[0]
    constant = np.ptp(x, axis=0) == 0
    col_sum = x.sum(axis=0)
    q = np.divide(x, col_sum, out=np.zeros_like(x), where=col_sum > 0)
    plogp = np.where(q > 0, q * np.log(np.where(q > 0, q, 1.0)), 0.0)
    diversity = 1.0 + plogp.sum(axis=0) / np.log(n)
    diversity[constant] = 0.0  # exactly: a constant column has E_j = 1 (or is all zero)
    return _normalise(np.clip(diversity, 0.0, None), "entropy weights")


def std_weights(x: Any) -> np.ndarray:
    """Standard-deviation weights, ``w_j ∝ SD_j`` of the fractions of the maximum.

    Examples
    --------
    >>> std_weights([[1, 0.5, 1], [0, 0.0, 1]]).tolist()
    [0.6666666666666666, 0.3333333333333333, 0.0]
    """
    x = as_matrix(x, "x")
    return _normalise(x.std(axis=0, ddof=0), "standard-deviation weights")


def critic_weights(x: Any) -> np.ndarray:
    """CRITIC weights (Diakoulaki, Mavrotas & Papayannakis 1995).

    Each column is min-max normalised, then ``C_j = SD_j Σ_k (1 - r_jk)`` and
    ``w_j ∝ C_j``. A constant column has no correlation with anything; instead of letting
    its NaN correlation poison every weight, it is left out of the sums and gets weight 0.

    Examples
    --------
    >>> critic_weights([[1, 0, 3], [0, 1, 3], [1, 1, 3]]).round(3).tolist()
    [0.5, 0.5, 0.0]
    """
    x = as_matrix(x, "x")
    constant = np.ptp(x, axis=0) == 0
    live = ~constant
    weights = np.zeros(x.shape[1])
    if live.sum() == 0:
        raise ScoresError("CRITIC weights: every criterion is constant, there is no information")
    z = x[:, live]
    z = (z - z.min(axis=0)) / np.ptp(z, axis=0)
    sd = z.std(axis=0, ddof=0)
    r = np.corrcoef(z, rowvar=False) if z.shape[1] > 1 else np.ones((1, 1))
    weights[live] = sd * (1.0 - np.atleast_2d(r)).sum(axis=1)
    if z.shape[1] == 1:
        weights[live] = 1.0  # a single informative criterion takes all the weight
    return _normalise(weights, "CRITIC weights")


# ---------------------------------------------------------------------------- AHP
#: Random consistency index RI(n) for n = 1..15, by source (``criteria_methods.md`` §3.7).
#: "saaty1980": Saaty 1980, as tabulated in pyDecision; "saaty2005": Saaty 2005, as in AHPy;
#: "tummala_ling": Tummala & Ling 1998 (pymcdm); "donegan_dodd": Donegan & Dodd 1991 (AHPy
#: default). n = 1, 2 are always consistent (RI = 0).
RANDOM_INDEX: dict[str, tuple[float, ...]] = {
    "saaty1980": (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56,
                  1.57, 1.59),
    "saaty2005": (0, 0, 0.52, 0.89, 1.11, 1.25, 1.35, 1.40, 1.45, 1.49, 1.52, 1.54, 1.56,
                  1.58, 1.59),
    "tummala_ling": (0, 0, 0.5799, 0.8921, 1.1159, 1.2358, 1.3322, 1.3952, 1.4537, 1.4882,
                     1.5117, 1.5356, 1.5571, 1.5714, 1.5831),
    "donegan_dodd": (0, 0, 0.4914, 0.8286, 1.0591, 1.1797, 1.2519, 1.3171, 1.3733, 1.4055,
                     1.4213, 1.4497, 1.4643, 1.4822, 1.4969),
}

#: Saaty's acceptance limit for the consistency ratio.
SAATY_CR_LIMIT = 0.10


@dataclass(frozen=True)
class AHPResult:
    """Priority weights of an AHP pairwise comparison matrix and its consistency.

    ``consistent`` is ``cr <= 0.10`` (Saaty's rule of thumb); ``random_index`` names the RI
    table used, since published CRs differ by table.
    """

    weights: np.ndarray
    lambda_max: float
    ci: float
    cr: float
    random_index: str

    @property
    def consistent(self) -> bool:
        return self.cr <= SAATY_CR_LIMIT


def ahp_weights(pairwise: Any, *, random_index: str = "saaty1980",
                rtol: float = 1e-6) -> AHPResult:
    """Principal-eigenvector weights and Saaty's consistency ratio.

    ``A w = λ_max w``; ``CI = (λ_max - n) / (n - 1)``; ``CR = CI / RI(n)``.

    Parameters
    ----------
    pairwise : array_like, shape (n, n)
        Positive reciprocal matrix: ``a_ij`` = how many times criterion i matters more than
        j (Saaty's 1-9 scale), ``a_ji = 1 / a_ij``, ``a_ii = 1``.
    random_index : {"saaty1980", "saaty2005", "tummala_ling", "donegan_dodd"}
        Table of random consistency indices the consistency ratio divides by.
    rtol : float
        Tolerance of the reciprocity check (judgements typed as 0.333 pass).

    Examples
    --------
    >>> res = ahp_weights([[1, 3, 5], [1/3, 1, 3], [1/5, 1/3, 1]])
    >>> res.weights.round(3).tolist(), round(res.cr, 3), res.consistent
    ([0.637, 0.258, 0.105], 0.033, True)
    """
    if random_index not in RANDOM_INDEX:
        raise CriteriaParameterError(f"random_index {random_index!r} unknown; expected one of "
                                     f"{sorted(RANDOM_INDEX)}")
    a = np.asarray(pairwise, dtype=float)
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] == 0:
        raise CriteriaParameterError(
            f"pairwise matrix must be square and non-empty, got shape {a.shape}"
        )
    n = a.shape[0]
    if n > len(RANDOM_INDEX[random_index]):
        raise CriteriaParameterError(
            f"pairwise matrix has {n} items; RI tables stop at "
            f"{len(RANDOM_INDEX[random_index])} (and judgements are unreliable "
            "beyond about 9 items: split the hierarchy)"
        )
    if not np.isfinite(a).all() or (a <= 0).any():
        raise CriteriaParameterError("pairwise judgements must be finite and positive")
    if not np.allclose(np.diag(a), 1.0, rtol=rtol):
        raise CriteriaParameterError(f"pairwise diagonal must be 1, got {np.diag(a).tolist()}")
    bad = np.argwhere(~np.isclose(a * a.T, 1.0, rtol=max(rtol, 1e-3)))
    if bad.size:
        i, j = map(int, bad[0])
        raise CriteriaParameterError(
            f"pairwise matrix is not reciprocal: a[{i},{j}] = {a[i, j]:g} but "
            f"a[{j},{i}] = {a[j, i]:g} (expected {1 / a[i, j]:g})"
        )
    eigvals, eigvecs = np.linalg.eig(a)
    k = int(np.argmax(eigvals.real))  # Perron root: real, simple, largest
    lam = float(eigvals[k].real)
    w = np.abs(eigvecs[:, k].real)
    w /= w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[random_index][n - 1]
    cr = max(ci, 0.0) / ri if ri > 0 else 0.0
    return AHPResult(weights=w, lambda_max=lam, ci=ci, cr=cr, random_index=random_index)
