"""Agreement between raters on qualitative criteria: Krippendorff's alpha and the ICC.

When several people mark the same qualitative criterion ("leadership effective,
innovative"), the marks are only as good as their agreement. Both statistics take a matrix
``ratings`` of shape ``(n_units, n_raters)``: one row per member scored (the unit), one
column per rater, ``NaN`` where a rater gave no mark. (Krippendorff's own papers print the
transpose, raters x units.)

Thresholds (every one is a parameter of the checks in :mod:`criteria_design.score_checks`):

* Krippendorff's alpha (Krippendorff 2004, *Content Analysis*, 2nd ed., §11.4; as given in
  the JASP reliability help): ``α ≥ 0.800`` acceptable, ``0.667 ≤ α < 0.800`` only for
  tentative conclusions, ``α < 0.667`` unacceptable.
* ICC (Koo & Li 2016, J Chiropr Med 15:155-163): ``< 0.5`` poor, ``0.5-0.75`` moderate,
  ``0.75-0.9`` good, ``≥ 0.9`` excellent.

Fleiss' kappa is deliberately absent: it treats 12, 13 and 14 points as unrelated
categories, which is wrong for point scales.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

from criteria_design.errors import CriteriaParameterError, ScoresError

__all__ = [
    "ICCResult",
    "icc",
    "interpret_alpha",
    "interpret_icc",
    "krippendorff_alpha",
    "raters_needed",
]

Level = Literal["nominal", "ordinal", "interval", "ratio"]

#: Krippendorff (2004): lowest alpha for tentative conclusions, and for acceptable data.
ALPHA_TENTATIVE = 0.667
ALPHA_ACCEPTABLE = 0.800
#: Koo & Li (2016) ICC band limits: poor < 0.5 <= moderate < 0.75 <= good < 0.9 <= excellent.
ICC_BANDS = (0.5, 0.75, 0.9)


def _ratings(ratings: Any, *, allow_nan: bool) -> np.ndarray:
    try:
        r = np.asarray(ratings, dtype=float)
    except (TypeError, ValueError):
        raise TypeError("ratings must be a numeric units x raters matrix") from None
    if r.ndim != 2 or r.shape[0] < 2 or r.shape[1] < 2:
        raise CriteriaParameterError(f"ratings must be units x raters with at least 2 of each, "
                                     f"got shape {r.shape}")
    if np.isinf(r).any():
        raise CriteriaParameterError("ratings contain infinite values")
    if not allow_nan and np.isnan(r).any():
        i, j = map(int, np.argwhere(np.isnan(r))[0])
        raise CriteriaParameterError(
            f"ratings have a missing mark (unit {i}, rater {j}); the ICC needs "
            "every rater to mark every unit: use krippendorff_alpha, or keep "
            "only complete units"
        )
    return r


def krippendorff_alpha(ratings: Any, level: Level = "interval") -> float:
    """Krippendorff's alpha, ``1 - D_o / D_e``, with any number of raters and missing marks.

    Computed from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
    alpha-reliability"): each unit with ``m_u ≥ 2`` marks contributes its ordered pairs of
    marks with weight ``1 / (m_u - 1)``; units with fewer marks are not pairable and are
    left out. ``D_o`` averages the squared difference ``δ²`` over these pairs, ``D_e`` over
    all pairs of pairable marks regardless of unit.

    Parameters
    ----------
    ratings : array_like, shape (n_units, n_raters)
        ``NaN`` for a missing mark.
    level : {"nominal", "ordinal", "interval", "ratio"}
        Metric ``δ²``: 0/1; squared rank distance within the pooled marks; ``(c - k)²``;
        ``((c - k) / (c + k))²``. Use "interval" for points.

    Returns
    -------
    float
        Alpha; NaN when all pairable marks are equal (no variation: agreement undefined).

    Examples
    --------
    Krippendorff's textbook reliability data (4 observers, 12 units), as units x raters:

    >>> nan = float("nan")
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, nan, nan, nan],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, nan, 3],
    ...         [nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, nan],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, nan]]
    >>> round(krippendorff_alpha(np.array(data).T, "interval"), 3)
    0.849
    """
    if level not in ("nominal", "ordinal", "interval", "ratio"):
        raise CriteriaParameterError(
            f"level {level!r} unknown; expected nominal, ordinal, interval or ratio"
        )
    r = _ratings(ratings, allow_nan=True)
    marks_per_unit = (~np.isnan(r)).sum(axis=1)
    r = r[marks_per_unit >= 2]
    if r.shape[0] == 0:
        raise ScoresError("no unit has two or more marks: nothing to compare")
    values = np.unique(r[~np.isnan(r)])
    if level == "ratio" and (values < 0).any():
        raise CriteriaParameterError("ratio metric needs non-negative marks")
    index = np.searchsorted(values, r)
    counts = np.zeros((r.shape[0], values.size))
    rows, cols = np.nonzero(~np.isnan(r))
    np.add.at(counts, (rows, index[rows, cols]), 1.0)
    m_u = counts.sum(axis=1)
    # Coincidences o_ck = Σ_u (n_uc n_uk - [c = k] n_uc) / (m_u - 1).
    o = np.einsum("uc,uk,u->ck", counts, counts, 1.0 / (m_u - 1))
    o -= np.diag((counts / (m_u - 1)[:, None]).sum(axis=0))
    n_c = o.sum(axis=1)
    n = n_c.sum()
    c, k = np.meshgrid(values, values, indexing="ij")
    if level == "nominal":
        delta2 = (c != k).astype(float)
    elif level == "interval":
        delta2 = (c - k) ** 2
    elif level == "ratio":
        with np.errstate(invalid="ignore", divide="ignore"):
            delta2 = np.where(c + k > 0, ((c - k) / (c + k)) ** 2, 0.0)
    else:  # ordinal: marks between c and k, counting the end points half
        cum = np.cumsum(n_c)
        idx = np.arange(values.size)
        lo, hi = np.minimum.outer(idx, idx), np.maximum.outer(idx, idx)
        between = cum[hi] - np.where(lo > 0, cum[lo - 1], 0.0)
        delta2 = (between - (n_c[lo] + n_c[hi]) / 2.0) ** 2
    expected = (np.outer(n_c, n_c) * delta2).sum()
    if expected == 0:
        return float("nan")
    return float(1.0 - (n - 1) * (o * delta2).sum() / expected)


@dataclass(frozen=True)
class ICCResult:
    """Intraclass correlations (Shrout & Fleiss 1979; McGraw & Wong 1996 names).

    ``single`` forms are the reliability of one rater's mark, ``average`` forms that of the
    mean of the ``k`` raters' marks.

    Attributes
    ----------
    icc1, icc1k : one-way random effects (each unit marked by different raters).
    icc_a1, icc_ak : two-way, absolute agreement (Shrout-Fleiss ICC(2,1), ICC(2,k)).
    icc_c1, icc_ck : two-way, consistency (ICC(3,1), ICC(3,k)); rater leniency ignored.
    n_units, n_raters : int
    """

    icc1: float
    icc_a1: float
    icc_c1: float
    icc1k: float
    icc_ak: float
    icc_ck: float
    n_units: int
    n_raters: int


def icc(ratings: Any) -> ICCResult:
    """Intraclass correlation coefficients from a complete units x raters matrix.

    From the two-way ANOVA mean squares: ``MSR`` (units), ``MSC`` (raters), ``MSE``
    (residual) and ``MSW`` (within units),

    * ``ICC(1,1) = (MSR - MSW) / (MSR + (k-1) MSW)``,
    * ``ICC(A,1) = (MSR - MSE) / (MSR + (k-1) MSE + k (MSC - MSE) / n)``,
    * ``ICC(C,1) = (MSR - MSE) / (MSR + (k-1) MSE)``,

    and the average-measure forms ``(MSR - MSW) / MSR``,
    ``(MSR - MSE) / (MSR + (MSC - MSE) / n)`` and ``(MSR - MSE) / MSR``.

    For marks that decide a ranking, ``icc_a1`` (absolute agreement) is the relevant one: a
    lenient rater shifts members' totals.

    Examples
    --------
    Shrout & Fleiss (1979), Table 2: 6 targets, 4 judges.

    >>> data = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8],
    ...         [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    >>> res = icc(data)
    >>> round(res.icc1, 2), round(res.icc_a1, 2), round(res.icc_c1, 2)
    (0.17, 0.29, 0.71)
    """
    r = _ratings(ratings, allow_nan=False)
    n, k = r.shape
    grand = r.mean()
    ss_total = ((r - grand) ** 2).sum()
    ss_rows = k * ((r.mean(axis=1) - grand) ** 2).sum()
    ss_cols = n * ((r.mean(axis=0) - grand) ** 2).sum()
    msr = ss_rows / (n - 1)
    msc = ss_cols / (k - 1)
    mse = (ss_total - ss_rows - ss_cols) / ((n - 1) * (k - 1))
    msw = (ss_total - ss_rows) / (n * (k - 1))

    def ratio(num: float, den: float) -> float:
        return float(num / den) if den != 0 else float("nan")

    return ICCResult(
        icc1=ratio(msr - msw, msr + (k - 1) * msw),
        icc_a1=ratio(msr - mse, msr + (k - 1) * mse + k * (msc - mse) / n),
        icc_c1=ratio(msr - mse, msr + (k - 1) * mse),
        icc1k=ratio(msr - msw, msr),
        icc_ak=ratio(msr - mse, msr + (msc - mse) / n),
        icc_ck=ratio(msr - mse, msr),
        n_units=n,
        n_raters=k,
    )


def raters_needed(single: float, target: float) -> float:
    """Raters whose averaged mark reaches reliability ``target`` (Spearman-Brown).

    ``k = target (1 - single) / (single (1 - target))``; infinite when ``single <= 0``.

    Examples
    --------
    >>> round(raters_needed(0.27, 0.75), 1)
    8.1
    """
    if not 0 < target < 1:
        raise CriteriaParameterError(f"target reliability must be in (0, 1), got {target}")
    if not single < 1:
        raise CriteriaParameterError(f"single-rater reliability must be below 1, got {single}")
    if single <= 0:
        return float("inf")
    return target * (1 - single) / (single * (1 - target))


def interpret_alpha(alpha: float) -> str:
    """"acceptable" (≥ 0.800), "tentative" (≥ 0.667) or "unacceptable" (Krippendorff 2004).

    Examples
    --------
    >>> interpret_alpha(0.849), interpret_alpha(0.7), interpret_alpha(0.26)
    ('acceptable', 'tentative', 'unacceptable')
    """
    if np.isnan(alpha):
        return "undefined"
    if alpha >= ALPHA_ACCEPTABLE:
        return "acceptable"
    return "tentative" if alpha >= ALPHA_TENTATIVE else "unacceptable"


def interpret_icc(value: float) -> str:
    """Koo & Li (2016) band: "poor", "moderate", "good" or "excellent".

    Examples
    --------
    >>> interpret_icc(0.29), interpret_icc(0.91)
    ('poor', 'excellent')
    """
    if np.isnan(value):
        return "undefined"
    labels = ("poor", "moderate", "good", "excellent")
    return labels[int(np.searchsorted(ICC_BANDS, value, side="right"))]
