"""What a percentile among the feasible plans means, with its uncertainty (issue 17, part 2).

A plan's percentile is the mid-rank share ``100 * (#lower + #tied / 2) / N``
of the feasible plans (:func:`benchmarks.compare.percentile`). How sure it is
depends on where the plans came from:

* **every plan enumerated**: the percentile is exact (no interval);
* **uniform independent draws** (:mod:`benchmarks.exact_sampler`): the
  share is a binomial proportion; its interval is Wilson's score interval
  (:func:`wilson_interval`);
* **Markov chains** (:mod:`benchmarks.sampling`): the draws are correlated
  and their distribution is not known to be uniform. The share is the mean of
  the per-step score ``1[lower] + 1[tied] / 2`` over every chain step; its
  interval is Wilson's with the effective sample size (:func:`effective_sample_size`)
  in place of the number of steps, and split-R-hat (:func:`split_rhat`) across
  the independent chains checks that they agree. A warning is attached when
  R-hat exceeds :data:`RHAT_MAX` or the ESS is below :data:`ESS_MIN`; even
  without one the interval is around what the chains target, which is not
  proven uniform.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy.stats import norm

from clustering.errors import FairclustersError

__all__ = [
    "ESS_MIN",
    "RHAT_MAX",
    "PercentileEstimate",
    "chain_percentile",
    "effective_sample_size",
    "estimate_percentile",
    "exact_percentile",
    "mid_rank_scores",
    "split_rhat",
    "uniform_percentile",
    "wilson_interval",
]

#: Split-R-hat above this warns that the chains disagree (Vehtari et al. 2021 recommend 1.01;
#: 1.05 is the older, looser threshold asked for here).
RHAT_MAX = 1.05
#: Effective sample size below this warns that the interval is unreliable.
ESS_MIN = 100.0


@dataclass(frozen=True)
class PercentileEstimate:
    """A percentile (0-100, share of plans with a lower value) and what it rests on.

    Attributes
    ----------
    value : float
        The percentile (exact, or the estimate).
    low, high : float
        Its interval (equal to ``value`` when exact).
    method : str
        ``"exact"``, ``"uniform sample"`` or ``"chains"``.
    n : int
        Plans enumerated, uniform draws, or chain steps.
    level : float
        Confidence level of the interval.
    ess : float or None
        Effective sample size (chains; the draws themselves for uniform samples).
    rhat : float or None
        Split-R-hat across the chains (chains only).
    warnings : list of str
        Why the interval should not be trusted, when it should not (English).
    """

    value: float
    low: float
    high: float
    method: str
    n: int
    level: float = 0.95
    ess: float | None = None
    rhat: float | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def exact(self) -> bool:
        """Whether the percentile is exact (every plan enumerated)."""
        return self.method == "exact"

    @property
    def unreliable(self) -> bool:
        """Whether chains gave it with R-hat above :data:`RHAT_MAX` or ESS below :data:`ESS_MIN`."""
        if self.method != "chains":
            return False
        return not (self.rhat is not None and self.rhat <= RHAT_MAX
                    and self.ess is not None and self.ess >= ESS_MIN)

    def flipped(self) -> PercentileEstimate:
        """The same estimate for ``100 - value`` (the share of plans *beaten* when lower is
        better)."""
        return PercentileEstimate(100 - self.value, 100 - self.high, 100 - self.low,
                                  self.method, self.n, self.level, self.ess, self.rhat,
                                  list(self.warnings))

    def to_dict(self) -> dict[str, Any]:
        """The fields as JSON-ready values."""
        return {"value": self.value, "low": self.low, "high": self.high, "method": self.method,
                "n": self.n, "level": self.level, "ess": self.ess, "rhat": self.rhat,
                "warnings": list(self.warnings)}


def wilson_interval(successes: float, n: float, level: float = 0.95) -> tuple[float, float]:
    """Wilson's score interval for a binomial proportion, as fractions in ``[0, 1]``.

    With ``p = successes / n`` and ``z`` the normal quantile of ``(1 + level) / 2``
    (Wilson, "Probable inference...", JASA 22, 1927; Agresti & Coull, Am. Stat. 52, 1998):

    .. math::

        \\frac{p + z^2/(2n) \\pm z \\sqrt{p(1-p)/n + z^2/(4n^2)}}{1 + z^2/n}

    ``successes`` and ``n`` may be fractional (ties counted half; an effective
    sample size in place of ``n``).

    Parameters
    ----------
    successes : float
        Number (or weighted number) of successes, ``0 <= successes <= n``.
    n : float
        Number of trials (or effective sample size), ``> 0``.
    level : float, default 0.95
        Confidence level.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(8, 10)]
    [0.4902, 0.9433]
    >>> [round(x, 4) for x in wilson_interval(0, 10)]
    [0.0, 0.2775]
    """
    if not n > 0 or not 0 <= successes <= n:
        raise FairclustersError(f"successes={successes!r}, n={n!r}; expected 0 <= s <= n, n > 0")
    z = float(norm.ppf((1 + level) / 2))
    p = successes / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    scale = 1 + z * z / n
    return max(0.0, (centre - spread) / scale), min(1.0, (centre + spread) / scale)


def mid_rank_scores(value: float, values: np.ndarray) -> np.ndarray:
    """Per-plan score ``1`` below ``value``, ``1/2`` tied (relative ``1e-9``), ``0`` above.

    Their mean times 100 is :func:`benchmarks.compare.percentile`.

    Parameters
    ----------
    value : float
        The plan's value.
    values : numpy.ndarray
        The values of the plans ranked against.

    Examples
    --------
    >>> mid_rank_scores(2.0, np.array([1.0, 2.0, 3.0])).tolist()
    [1.0, 0.5, 0.0]
    """
    values = np.asarray(values, dtype=float)
    tied = np.isclose(values, value, rtol=1e-9, atol=1e-12)
    return np.where(tied, 0.5, (values < value).astype(float))


def _autocovariance(x: np.ndarray) -> np.ndarray:
    """Autocovariance of a 1-d series at every lag (FFT, divided by ``n``)."""
    n = x.size
    centred = x - x.mean()
    size = 1 << (2 * n - 1).bit_length()
    spectrum = np.fft.rfft(centred, size)
    return np.fft.irfft(spectrum * np.conj(spectrum), size)[:n] / n


def _as_chains(chains: Sequence[Sequence[float]] | np.ndarray) -> np.ndarray:
    array = np.asarray(chains, dtype=float)
    if array.ndim != 2 or array.shape[1] < 4:
        raise FairclustersError(
            f"chains of shape {array.shape}; expected (n_chains, n_steps) with n_steps >= 4")
    return array


def split_rhat(chains: Sequence[Sequence[float]] | np.ndarray) -> float:
    """Split-R-hat (potential scale reduction) of equal-length chains.

    Each chain is cut into two halves (the middle draw of an odd length is
    dropped), giving ``m`` chains of ``n`` draws; with ``B`` ``n`` times the
    variance of the chain means, ``W`` the mean within-chain variance (both
    with ``ddof=1``) and ``var+ = (n - 1) / n W + B / n``, ``R-hat = sqrt(var+ / W)``
    (Gelman et al., *Bayesian Data Analysis*, 3rd ed., 2013, eq. 11.1-11.4;
    Stan Reference Manual, "Potential scale reduction"). ``1.0`` when every
    draw is equal; ``inf`` when the chains are each constant but differ.

    Parameters
    ----------
    chains : array-like, shape (n_chains, n_steps)
        One row per chain, at least 4 steps.

    Examples
    --------
    >>> round(split_rhat([[1.0, 2.0, 3.0, 4.0], [2.0, 3.0, 4.0, 5.0]]), 4)
    1.9579
    """
    array = _as_chains(chains)
    half = array.shape[1] // 2
    split = np.concatenate([array[:, :half], array[:, array.shape[1] - half:]], axis=0)
    n = split.shape[1]
    within = float(split.var(axis=1, ddof=1).mean())
    between = n * float(split.mean(axis=1).var(ddof=1))
    if within == 0:
        return 1.0 if between == 0 else math.inf
    var_plus = (n - 1) / n * within + between / n
    return math.sqrt(var_plus / within)


def effective_sample_size(chains: Sequence[Sequence[float]] | np.ndarray) -> float:
    """Effective sample size of equal-length chains, with Geyer's initial monotone sequence.

    The multi-chain autocorrelation at lag ``t`` is
    ``rho_t = 1 - (W - mean_chains(acov_t)) / var+`` (``var+`` and ``W`` as in
    :func:`split_rhat`, on the unsplit chains); pairs ``rho_{2t} + rho_{2t+1}``
    are summed (the first always, the next while positive) and made
    non-increasing (Geyer, "Practical Markov chain Monte Carlo", Stat. Sci. 7,
    1992), and ``ESS = m n / tau`` with
    ``tau = -1 + 2 sum_t (rho_{2t} + rho_{2t+1})`` (Gelman et al. 2013,
    eq. 11.7-11.8; Stan Reference Manual, "Effective sample size"). Capped at
    ``m n log10(m n)`` as Stan does. ``m n`` when every draw is equal.

    Parameters
    ----------
    chains : array-like, shape (n_chains, n_steps)
        One row per chain, at least 4 steps.

    Examples
    --------
    >>> round(effective_sample_size([[1.0, -1.0, 1.0, -1.0], [-1.0, 1.0, -1.0, 1.0]]), 3)
    7.225
    """
    array = _as_chains(chains)
    m, n = array.shape
    acov = np.array([_autocovariance(row) for row in array])
    within = float(acov[:, 0].mean() * n / (n - 1))
    var_plus = within * (n - 1) / n
    if m > 1:
        var_plus += float(array.mean(axis=1).var(ddof=1))
    if var_plus == 0:
        return float(m * n)
    rho = 1 - (within - acov.mean(axis=0)) / var_plus
    rho[0] = 1.0
    pairs = [rho[0] + rho[1]]  # the first pair always counts, as in Stan
    for t in range(2, n - 1, 2):
        pair = rho[t] + rho[t + 1]
        if pair <= 0:
            break
        pairs.append(min(pair, pairs[-1]))  # initial monotone sequence
    tau = -1 + 2 * sum(pairs)
    tau = max(tau, 1 / math.log10(m * n))  # n >= 4: m n >= 4
    return float(m * n / tau)


def exact_percentile(value: float, values: np.ndarray) -> PercentileEstimate:
    """The exact percentile among every feasible plan (``values``: one per plan).

    Parameters
    ----------
    value : float
        The plan's value.
    values : numpy.ndarray
        The value of every feasible plan.

    Examples
    --------
    >>> exact_percentile(2.0, np.array([1.0, 2.0, 3.0, 4.0])).value
    37.5
    """
    share = 100.0 * float(mid_rank_scores(value, values).mean())
    return PercentileEstimate(share, share, share, "exact", int(np.size(values)))


def uniform_percentile(value: float, values: np.ndarray, level: float = 0.95
                       ) -> PercentileEstimate:
    """The percentile estimated from independent uniform draws, with Wilson's interval.

    Parameters
    ----------
    value : float
        The plan's value.
    values : numpy.ndarray
        The value of each draw (repeats included).
    level : float, default 0.95
        Confidence level.

    Examples
    --------
    >>> e = uniform_percentile(2.5, np.array([1.0, 2.0, 3.0, 4.0]))
    >>> e.value, [round(x, 1) for x in (e.low, e.high)]
    (50.0, [15.0, 85.0])
    """
    scores = mid_rank_scores(value, values)
    n = scores.size
    low, high = wilson_interval(float(scores.sum()), n, level)
    return PercentileEstimate(100.0 * float(scores.mean()), 100 * low, 100 * high,
                              "uniform sample", n, level, ess=float(n))


def chain_percentile(value: float, traces: Sequence[np.ndarray], level: float = 0.95
                     ) -> PercentileEstimate:
    """The percentile estimated from chains (each the scored values of its steps).

    The estimate is the mean score over every step; the interval Wilson's with
    the effective sample size of the scores; R-hat is that of the scored
    values themselves (the statistic's chains), both over the chains trimmed
    to the shortest. Warnings when R-hat > :data:`RHAT_MAX` or ESS <
    :data:`ESS_MIN`, or when fewer than two chains make R-hat uninformative.

    Parameters
    ----------
    value : float
        The plan's value.
    traces : sequence of numpy.ndarray
        Per chain, the metric's value at every step (the start included).
    level : float, default 0.95
        Confidence level.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> e = chain_percentile(0.0, [rng.normal(size=400) for _ in range(4)])
    >>> e.method, 45 < e.value < 55, e.low < e.value < e.high, e.warnings
    ('chains', True, True, [])
    """
    length = min(len(t) for t in traces)
    warnings: list[str] = []
    steps = int(sum(len(t) for t in traces))
    scores_all = np.concatenate([mid_rank_scores(value, t) for t in traces])
    estimate = 100.0 * float(scores_all.mean())
    if length < 4:
        return PercentileEstimate(estimate, 0.0, 100.0, "chains", steps, level,
                                  warnings=["chains too short for an interval"])
    trimmed = np.array([np.asarray(t, dtype=float)[:length] for t in traces])
    scores = np.array([mid_rank_scores(value, t) for t in trimmed])
    ess = min(effective_sample_size(scores), float(steps))
    rhat = split_rhat(trimmed)
    if len(traces) < 2:
        warnings.append("a single chain: R-hat compares its two halves only")
    if not rhat <= RHAT_MAX:
        warnings.append(f"R-hat {rhat:.3g} > {RHAT_MAX}: the chains disagree, the estimate is "
                        "unreliable")
    if ess < ESS_MIN:
        warnings.append(f"effective sample size {ess:.0f} < {ESS_MIN:.0f}: the interval is "
                        "unreliable")
    low, high = wilson_interval(float(scores_all.mean()) * ess, ess, level)
    return PercentileEstimate(estimate, 100 * low, 100 * high, "chains", steps, level,
                              ess=ess, rhat=rhat, warnings=warnings)


def estimate_percentile(value: float, values: np.ndarray, sample: Any, level: float = 0.95
                        ) -> PercentileEstimate:
    """The percentile of ``value`` with the interval that fits how ``sample`` was made.

    Parameters
    ----------
    value : float
        The plan's value.
    values : numpy.ndarray
        The metric on each row of ``sample.labels`` (non-finite values are left out).
    sample : benchmarks.sampling.PlanSample
        The plans: enumerated (exact), uniform draws (Wilson) or chains (ESS, R-hat).
    level : float, default 0.95
        Confidence level.

    Examples
    --------
    >>> from benchmarks.sampling import PlanSample
    >>> every = PlanSample(labels=np.zeros((4, 2), dtype=int), complete=True,
    ...                    method="enumeration")
    >>> estimate_percentile(2.0, np.array([1.0, 2.0, 3.0, 4.0]), every).value
    37.5
    """
    values = np.asarray(values, dtype=float)
    if sample.complete or not sample.traces:
        return exact_percentile(value, values[np.isfinite(values)])
    traces = [values[np.asarray(t, dtype=np.int64)] for t in sample.traces]
    traces = [t[np.isfinite(t)] for t in traces]
    traces = [t for t in traces if t.size]
    if not traces:
        raise FairclustersError("no sampled values to rank against")
    if sample.method == "uniform sample":
        return uniform_percentile(value, np.concatenate(traces), level)
    return chain_percentile(value, traces, level)
