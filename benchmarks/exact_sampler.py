"""Count the feasible plans exactly and draw them uniformly at random (issue 17, part 1).

Every feasible plan is an exact cover of the units by ``k`` candidate clusters
(:func:`optimizer.candidates.rule_candidates`). The covers are counted by a
memoised recursion over the units still to cover, always branching on the
lowest remaining unit in a *counting order* (so each plan is counted once, its
clusters ordered by their lowest member)::

    N(R, j) = sum over candidates C with lowest(R) in C and C inside R of N(R \\ C, j - 1)
    N(0, 0) = 1,  N(R, 0) = 0 for R non-empty

The memo is keyed by the remaining mask ``R`` and the clusters left ``j``
(one Python ``int``: ``R | j << n``). Candidates are tested against ``R`` with
one vectorised numpy test per state (masks as ``uint64`` words). A state whose
units cannot form ``j`` clusters (count bounds per connected part,
:meth:`~clustering.compiled_rules.CompiledRules.splittable`) counts 0 without
branching.

A **uniform draw** walks the counts: from ``(all units, k)`` pick each child
with probability ``N(child) / N(state)``, using an exact integer in
``[0, N)`` (the counts are Python integers, no overflow). Each plan then has
probability exactly ``1 / N``. Draws are deterministic for a seed; independent
runs get their own streams from :class:`numpy.random.SeedSequence` and can run
through joblib (:func:`benchmarks.sweeps.parallel_map`) with the same result
for any number of workers.

How far it scales: the memo holds one entry per reachable state, which grows
with the width of the frontier between covered and uncovered units (measured
with ``python -m benchmarks.bench_sampler`` on a loaded 2-core machine):

* the 34 provinces of 2025 (6 clusters of 5-6, 1,916 candidates): 3,329
  plans, 4,413 states, 0.03 s;
* the 63 provinces of 2024 (8 clusters of 7-9, 287,411 candidates):
  117,707,209,390 plans, 6,848,807 states, 86-242 s and about 720 MB of
  memo (peak RSS 915 MB). The same units ordered north to south
  (``vn.subset(ids sorted by latitude)``) give the same count with 2,086,399
  states in 41 s (peak RSS 347 MB): the order of the units matters. The
  counter therefore branches in the reverse Cuthill-McKee order of the
  borders (:func:`counting_order`, scipy), which keeps the frontier narrow
  on any unit set: 1,931,266 states on the 63 provinces (3.5x fewer).

Past ``max_states`` (or ``time_limit``) the count stops with
:class:`CountBudgetExceeded` and frees its memo;
:func:`benchmarks.sampling.sample_plans` then falls back to recombination
chains. Its default budget (1,000,000 states, 10 s) keeps the main job fast,
so the 63 provinces get chains unless given ``count_limit=8_000_000,
count_time=None``. Draws are cheap next to the count, and a process backend
would copy the memo to every worker: prefer ``n_jobs=1`` or threads for them.
"""

from __future__ import annotations

import bisect
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from clustering.bitsets import bits
from clustering.compiled_rules import CompiledRules
from clustering.errors import FairclustersError

__all__ = ["CountBudgetExceeded", "ExactCounter", "count_plans", "counting_order",
           "uniform_index"]


def counting_order(rules: CompiledRules) -> np.ndarray:
    """The units in reverse Cuthill-McKee order of the borders (a narrow frontier).

    Branching on the first uncovered unit in this order keeps the set of
    units that are partly surrounded small, and with it the number of
    distinct states of the count. Without contiguity the order does not
    matter: the given one is kept.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> from clustering.rules import ClusterRules
    >>> star = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
    ...                [("0", "1"), ("0", "2"), ("0", "3")])
    >>> sorted(counting_order(ClusterRules(n_clusters=2).compile(star)).tolist())
    [0, 1, 2, 3]
    """
    n = rules.n
    if not rules.contiguous or len(rules.edges) == 0:
        return np.arange(n)
    a, b = rules.edges[:, 0], rules.edges[:, 1]
    graph = sp.csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])), shape=(n, n))
    return np.asarray(reverse_cuthill_mckee(graph, symmetric_mode=True), dtype=np.int64)


def _permuted(mask: int, rank: Sequence[int]) -> int:
    """``mask`` with unit ``i`` moved to bit ``rank[i]``."""
    out = 0
    while mask:
        bit = mask & -mask
        mask ^= bit
        out |= 1 << rank[bit.bit_length() - 1]
    return out


class CountBudgetExceeded(FairclustersError):
    """The count passed its memo or time budget; ``states`` were memoised by then."""

    def __init__(self, message: str, states: int, seconds: float) -> None:
        super().__init__(message)
        self.states = states
        self.seconds = seconds


_WORD = 64


def _words(mask: int, n_words: int) -> np.ndarray:
    return np.array([(mask >> (_WORD * w)) & ((1 << _WORD) - 1) for w in range(n_words)],
                    dtype=np.uint64)


def uniform_index(total: int, rng: np.random.Generator) -> int:
    """An integer uniform in ``[0, total)``, exact for Python integers of any size.

    Draws ``total.bit_length()`` random bits and rejects values ``>= total``
    (fewer than two tries on average).

    Parameters
    ----------
    total : int
        The number of outcomes, at least 1.
    rng : numpy.random.Generator
        The source of randomness.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> sorted({uniform_index(3, rng) for _ in range(50)})
    [0, 1, 2]
    >>> 0 <= uniform_index(10**30, rng) < 10**30
    True
    """
    if total < 1:
        raise FairclustersError(f"total={total!r}; expected at least 1 outcome")
    n_bits = (total - 1).bit_length()
    while True:
        value = 0
        for _ in range(-(-n_bits // 32)):
            value = (value << 32) | int(rng.integers(0, 1 << 32))
        value &= (1 << n_bits) - 1
        if value < total:
            return value


@dataclass
class _Stats:
    states: int = 0
    started: float = 0.0


class ExactCounter:
    """The number of plans (exact covers by candidate clusters), memoised, and uniform draws.

    Parameters
    ----------
    rules : CompiledRules
        The rules; only ``n``, ``n_clusters``, ``size`` and the splittability
        test are used here (the candidates carry every other rule).
    candidates : sequence of int
        Every valid cluster as a bit mask over the units.
    max_states : int, default 2,000,000
        Stop with :class:`CountBudgetExceeded` past this many memo entries
        (each costs about 100-150 bytes).
    time_limit : float, optional
        Stop with :class:`CountBudgetExceeded` past this many seconds of counting.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> from clustering.rules import ClusterRules
    >>> from benchmarks.sampling import _candidate_masks
    >>> path = UnitSet([{"id": str(i), "name": str(i)} for i in range(6)],
    ...                [(str(i), str(i + 1)) for i in range(5)])
    >>> compiled = ClusterRules(n_clusters=2, size=(2, 4), contiguous=True).compile(path)
    >>> counter = ExactCounter(compiled, _candidate_masks(compiled))
    >>> counter.total
    3
    >>> counter.draw(np.random.default_rng(0)) in ([3, 60], [7, 56], [15, 48])
    True
    """

    def __init__(self, rules: CompiledRules, candidates: Sequence[int], *,
                 max_states: int = 2_000_000, time_limit: float | None = None) -> None:
        # Count in the counting order: bit j of every mask below is unit order[j]; the
        # rules are compiled again on the units in that order, for the splittability test.
        self.order = counting_order(rules)
        self.rank = np.empty(rules.n, dtype=np.int64)
        self.rank[self.order] = np.arange(rules.n)
        if np.array_equal(self.order, np.arange(rules.n)):
            self.rules = rules
        else:
            units = rules.unit_set
            self.rules = rules.rules.compile(units.subset([units.ids[i] for i in self.order]))
            rank = self.rank.tolist()
            candidates = [_permuted(int(m), rank) for m in candidates]
        rules = self.rules
        self.n = rules.n
        self.k = rules.n_clusters
        self.max_states = max_states
        self.time_limit = time_limit
        self.n_words = max(1, -(-self.n // _WORD))
        by_lowest: list[list[int]] = [[] for _ in range(self.n)]
        for mask in candidates:
            by_lowest[(mask & -mask).bit_length() - 1].append(int(mask))
        self.by_lowest = by_lowest
        self.arrays = [
            np.array([_words(m, self.n_words) for m in group], dtype=np.uint64).reshape(
                len(group), self.n_words)
            for group in by_lowest
        ]
        self.memo: dict[int, int] = {}
        self._stats = _Stats()
        self._total: int | None = None
        self._root: tuple[list[int], list[int]] | None = None

    @property
    def total(self) -> int:
        """The number of feasible plans (counted on first use)."""
        if self._total is None:
            self._stats = _Stats(started=time.perf_counter())
            self._total = self.count((1 << self.n) - 1, self.k)
        return self._total

    @property
    def states(self) -> int:
        """Memo entries held."""
        return len(self.memo)

    def fitting(self, remaining: int) -> list[int]:
        """The candidates holding the lowest remaining unit and inside ``remaining``.

        Masks here and in :meth:`count` are in the counting order (:meth:`to_units`).

        Parameters
        ----------
        remaining : int
            The units still to cover, a non-empty bit mask.
        """
        low = (remaining & -remaining).bit_length() - 1
        array = self.arrays[low]
        if array.shape[0] == 0:
            return []
        outside = _words(~remaining & ((1 << (_WORD * self.n_words)) - 1), self.n_words)
        keep = np.flatnonzero(~np.any(array & outside, axis=1))
        group = self.by_lowest[low]
        return [group[i] for i in keep.tolist()]

    def count(self, remaining: int, left: int) -> int:
        """Plans of the units of ``remaining`` into ``left`` clusters (memoised).

        Parameters
        ----------
        remaining : int
            Bit mask of the units still to cover.
        left : int
            Clusters still to form.
        """
        if left == 0 or remaining == 0:
            return int(left == 0 and remaining == 0)
        size = remaining.bit_count()
        low, high = self.rules.size
        if not left * low <= size <= left * high:
            return 0
        key = remaining | (left << self.n)
        found = self.memo.get(key)
        if found is not None:
            return found
        if self.rules.splittable(remaining, left):
            total = sum(self.count(remaining & ~c, left - 1) for c in self.fitting(remaining))
        else:
            total = 0
        self.memo[key] = total
        self._check_budget()
        return total

    def _check_budget(self) -> None:
        states = len(self.memo)
        elapsed = time.perf_counter() - self._stats.started
        over_time = (self.time_limit is not None and states % 1024 == 0
                     and elapsed > self.time_limit)
        if states > self.max_states or over_time:
            what = (f"more than {self.max_states:,} memo states" if states > self.max_states
                    else f"more than {self.time_limit:g} s")
            self.memo.clear()  # free the memory now: the count is abandoned
            raise CountBudgetExceeded(
                f"exact count of the plans stopped: {what} ({states:,} states in "
                f"{elapsed:.1f} s); too many plans to count, sample them with chains instead",
                states, elapsed)

    def draw(self, rng: np.random.Generator) -> list[int]:
        """One plan uniformly at random, as its clusters' masks (lowest member first).

        Parameters
        ----------
        rng : numpy.random.Generator
            The source of randomness; the same state gives the same plan.
        """
        total = self.total
        if total == 0:
            raise FairclustersError("no plan to draw: the count is 0")
        remaining, left, chosen = (1 << self.n) - 1, self.k, []
        memo = self.memo
        while left > 1:
            r = uniform_index(self.count(remaining, left), rng)
            if left == self.k:  # the first choice, shared by every draw: cumulative counts once
                if self._root is None:
                    fits = self.fitting(remaining)
                    shift = (left - 1) << self.n
                    self._root = (fits, list(itertools.accumulate(
                        memo.get((remaining & ~c) | shift, 0) for c in fits)))
                fits, cumulative = self._root
                cluster = fits[bisect.bisect_right(cumulative, r)]
            else:
                # Every state with plans was memoised by the count; the others count 0.
                shift = (left - 1) << self.n
                for cluster in self.fitting(remaining):
                    weight = memo.get((remaining & ~cluster) | shift, 0)
                    if r < weight:
                        break
                    r -= weight
            chosen.append(cluster)
            remaining &= ~cluster
            left -= 1
        chosen.append(remaining)  # the last cluster is what remains (a candidate: count > 0)
        return sorted((self.to_units(mask) for mask in chosen), key=lambda m: m & -m)

    def to_units(self, mask: int) -> int:
        """A mask of the counting order (:meth:`fitting`, the memo) in the units' own bits.

        Parameters
        ----------
        mask : int
            Bit ``j`` stands for unit ``order[j]``.
        """
        return _permuted(mask, self.order.tolist())

    def labels(self, masks: Sequence[int]) -> np.ndarray:
        """Canonical labels of a plan given by its clusters' masks (lowest member first).

        Parameters
        ----------
        masks : sequence of int
            The clusters as bit masks.
        """
        out = np.empty(self.n, dtype=np.int64)
        for c, mask in enumerate(sorted(masks, key=lambda m: m & -m)):
            out[bits(mask)] = c
        return out


def count_plans(rules: CompiledRules, candidates: Sequence[int], *,
                max_states: int = 2_000_000, time_limit: float | None = None
                ) -> ExactCounter:
    """Count the plans (see :class:`ExactCounter`); :class:`CountBudgetExceeded` past a budget.

    Parameters
    ----------
    rules : CompiledRules
        The compiled rules.
    candidates : sequence of int
        Every valid cluster as a bit mask.
    max_states : int, default 2,000,000
        Memo budget (entries).
    time_limit : float, optional
        Time budget in seconds.

    Returns
    -------
    ExactCounter
        With :attr:`ExactCounter.total` computed, ready to draw.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.rules import ClusterRules
    >>> from benchmarks.sampling import _candidate_masks
    >>> compiled = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True).compile(
    ...     vietnam_provinces(2025))
    >>> count_plans(compiled, _candidate_masks(compiled)).total
    3329
    """
    counter = ExactCounter(rules, candidates, max_states=max_states, time_limit=time_limit)
    _ = counter.total
    return counter
