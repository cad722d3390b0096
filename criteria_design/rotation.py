"""Rotation or merit? Tests on the history of a cluster's leading units.

Each year a cluster elects the leading unit (đơn vị dẫn đầu) it proposes for the emulation
flag; that choice must follow merit. The review behind this package found it often goes by
turn (luân phiên). The *chair* of the cluster (cụm trưởng), by contrast, is meant to rotate
under the 2011 guidance on organising clusters; a rotating chair is not a defect, a flag
that follows the chair seat is.

None of the MCDA or composite-indicator tools tests this, so the tests are our own
(``criteria_methods.md`` §3.11). Null hypothesis throughout: each year's leader is drawn
independently and uniformly from the ``n`` members, regardless of score.

* **T1, winner rank** (needs the scores): ``S = Σ_t rank_t`` of the elected leader in that
  year's totals. Under the null each rank is uniform on ``1..n_t``; the exact distribution
  of ``S`` is their convolution. Small ``S`` means merit: ``p = P(S ≤ s)``.
* **T2, distinct leaders** (``T ≤ n``): ``D`` distinct leaders in ``T`` years;
  ``p = P(D ≥ d)`` by the occupancy recursion. Many distinct leaders means spreading.
  It loses all power once ``T > n`` (``D`` is capped at ``n``).
* **T3, repeat gaps**: ``G`` = number of repeat leaderships less than ``n`` years after the
  member's previous one; ``p = P(G_perm ≤ g)`` over re-orderings of the years (each member
  keeps its count), exact by enumeration when small, else by permutations.
* **T4, balance**: ``X² = Σ_i (c_i - T/n)² / (T/n)`` over the win counts of all ``n``
  members; ``p = P(X² ≤ x²)`` under the uniform multinomial (exact, by recursion over
  members). Counts too even to be chance mean rotation.

The sequence tests T2-T4 are combined with a Bonferroni correction, so a history drawn at
random is flagged with probability at most ``alpha``. Whether a history of a given length can
reveal rotation at all is stated by :func:`detectability`.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from clustering.files import file_errors_as, read_csv_table
from clustering.names import nfc
from criteria_design.errors import HistoryError

__all__ = [
    "ClusterHistory",
    "HistoryError",
    "TestResult",
    "audit_history",
    "balance_test",
    "detectability",
    "distinct_leaders_test",
    "gap_test",
    "load_history",
    "rotation_tests",
    "winner_rank_test",
]


@dataclass(frozen=True)
class TestResult:
    """One test: its statistic, one-sided p-value and how the p-value was obtained."""

    name: str
    statistic: float
    p_value: float
    method: str  # "exact" or "permutation (N)"
    detail: dict = field(default_factory=dict)


# ---------------------------------------------------------------------------- input
@dataclass(frozen=True)
class ClusterHistory:
    """Leaders of one cluster, year by year.

    Parameters
    ----------
    cluster : str
        Name of the emulation cluster (cụm or khối) the history belongs to.
    years : sequence of int
        Strictly increasing.
    leaders : sequence of str
        The unit elected leader (proposed for the flag) each year.
    n_members : int
        Number of members competing each year.
    chairs : sequence of str or None, optional
        The chair each year, when known.
    source : str or None, optional
        The file the history was read from, for findings.
    """

    cluster: str
    years: tuple[int, ...]
    leaders: tuple[str, ...]
    n_members: int
    chairs: tuple[str | None, ...] | None = None
    source: str | None = None

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        except (TypeError, ValueError):
            raise HistoryError(f"cluster {self.cluster!r}: years must be integers, "
                               f"got {self.years!r:.80}") from None
        # Names may be given as numbers (unit codes): compare them as text, in NFC.
        object.__setattr__(self, "leaders", tuple(nfc(str(x).strip()) for x in self.leaders))
        if self.chairs is not None:
            object.__setattr__(self, "chairs",
                               tuple(nfc(str(c).strip()) if c else None for c in self.chairs))
        where = f"cluster {self.cluster!r}"
        if not self.years:
            raise HistoryError(f"{where}: empty history")
        if len(self.leaders) != len(self.years):
            raise HistoryError(f"{where}: {len(self.years)} years but {len(self.leaders)} leaders")
        if any(b <= a for a, b in itertools.pairwise(self.years)):
            raise HistoryError(f"{where}: years must be strictly increasing, got {self.years}")
        if not isinstance(self.n_members, (int, np.integer)) or self.n_members < 2:
            raise HistoryError(f"{where}: n_members must be an integer >= 2, "
                               f"got {self.n_members!r}")
        distinct = len(set(self.leaders))
        if distinct > self.n_members:
            raise HistoryError(f"{where}: {distinct} different leaders but only "
                               f"{self.n_members} members")
        if self.chairs is not None and len(self.chairs) != len(self.years):
            raise HistoryError(f"{where}: {len(self.years)} years but {len(self.chairs)} chairs")


def load_history(path: str | Path) -> dict[str, ClusterHistory]:
    """Read award histories from a CSV with columns ``year, cluster, leader, n_members``
    and optionally ``chair``.

    ``n_members`` must be the same for every year of a cluster (the tests assume a fixed
    field of competitors); a cluster whose size changed should be split into periods.

    Returns
    -------
    dict
        Cluster name -> :class:`ClusterHistory`, in order of appearance.
    """
    path = Path(path)
    required = ("year", "cluster", "leader", "n_members")
    try:
        with file_errors_as(HistoryError):
            table = read_csv_table(path)
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read history ({exc.strerror})") from exc
    header = table.header
    missing = [c for c in required if c not in header]
    unknown = [c for c in header if c not in (*required, "chair")]
    if missing or unknown:
        raise HistoryError(f"{path}: columns must be {list(required)} and optionally "
                           f"'chair'; missing {missing}, unknown {unknown}")
    grouped: dict[str, list[tuple[int, dict]]] = {}
    for line, row in table:
        cluster = nfc((row["cluster"] or "").strip())
        if not cluster or not (row["leader"] or "").strip():
            raise HistoryError(f"{path}, line {line}: cluster and leader must not be empty")
        grouped.setdefault(cluster, []).append((line, row))
    out = {}
    for cluster, items in grouped.items():
        parsed = []
        for line, row in items:
            try:
                year, n = int(row["year"]), int(row["n_members"])
            except (TypeError, ValueError):
                raise HistoryError(f"{path}, line {line}: year {row['year']!r} and n_members "
                                   f"{row['n_members']!r} must be integers") from None
            parsed.append((year, n, row["leader"], (row.get("chair") or "").strip() or None,
                           line))
        parsed.sort()
        sizes = {p[1] for p in parsed}
        if len(sizes) > 1:
            raise HistoryError(f"{path}: cluster {cluster!r} has n_members {sorted(sizes)}; "
                               "split its history where the membership changed")
        for a, b in itertools.pairwise(parsed):
            if a[0] == b[0]:
                raise HistoryError(f"{path}, lines {a[4]} and {b[4]}: cluster {cluster!r} has "
                                   f"two leaders for {a[0]}")
        has_chair = "chair" in header and any(p[3] for p in parsed)
        out[cluster] = ClusterHistory(
            cluster=cluster, years=[p[0] for p in parsed], leaders=[p[2] for p in parsed],
            n_members=parsed[0][1], chairs=[p[3] for p in parsed] if has_chair else None,
            source=str(path))
    return out


# ---------------------------------------------------------------------------- tests
def winner_rank_test(ranks: Sequence[int], n_members: int | Sequence[int]) -> TestResult:
    """T1: were the elected leaders the top scorers more often than chance?

    Parameters
    ----------
    ranks : sequence of int
        Rank of the elected leader in each year's totals (1 = top scorer).
    n_members : int or sequence of int
        Members ranked each year.

    Returns
    -------
    TestResult
        ``p = P(S ≤ s)`` under uniform ranks, exact. ``detail`` has the mean rank and the
        number of years the top scorer was elected.

    Examples
    --------
    Three years, the top scorer of 5 elected each time: ``p = 5⁻³``.

    >>> round(winner_rank_test([1, 1, 1], 5).p_value, 6)
    0.008
    """
    r = np.asarray(ranks)
    if r.ndim != 1 or r.size == 0:
        raise HistoryError("ranks must be a non-empty sequence")
    ns = np.broadcast_to(np.asarray(n_members), r.shape)
    if (r < 1).any() or (r > ns).any() or not np.issubdtype(r.dtype, np.integer):
        raise HistoryError(f"ranks must be integers in 1..n_members, got {r.tolist()}")
    dist = np.array([1.0])  # distribution of the partial sum, offset by the years done
    for n in ns:
        dist = np.convolve(dist, np.full(int(n), 1.0 / int(n)))
    s = int(r.sum())
    p = float(dist[: s - r.size + 1].sum())  # index 0 is S = T (every rank 1)
    return TestResult("winner rank", s, min(p, 1.0), "exact",
                      {"mean_rank": float(r.mean()), "top_elected": int((r == 1).sum()),
                       "years": int(r.size)})


def _occupancy(n: int, years: int) -> np.ndarray:
    """``P(D = d)``, d = 0..n, distinct members among ``years`` uniform draws from ``n``."""
    p = np.zeros(n + 1)
    p[0] = 1.0
    k = np.arange(n + 1)
    for _ in range(years):
        new = p * k / n
        new[1:] += p[:-1] * (n - k[:-1]) / n
        p = new
    return p


def distinct_leaders_test(leaders: Sequence[str], n_members: int) -> TestResult:
    """T2: more distinct leaders than uniform random choice gives? ``p = P(D ≥ d)``.

    Examples
    --------
    Nine years, nine different leaders among nine members: ``p = 9!/9⁹``.

    >>> round(distinct_leaders_test(list("ABCDEFGHI"), 9).p_value, 5)
    0.00094
    """
    t = len(leaders)
    d = len(set(leaders))
    p = float(_occupancy(n_members, t)[d:].sum())
    return TestResult("distinct leaders", d, min(p, 1.0), "exact", {"years": t})


def _gap_statistics(orders: np.ndarray, n_members: int) -> np.ndarray:
    """``G`` for each row of ``orders`` (integer codes): positions whose member also led in
    one of the previous ``n_members - 1`` years."""
    orders = np.atleast_2d(orders)
    repeat = np.zeros(orders.shape, dtype=bool)
    for lag in range(1, min(n_members, orders.shape[1])):
        repeat[:, lag:] |= orders[:, lag:] == orders[:, :-lag]
    return repeat.sum(axis=1)


def _distinct_orders(counts: Counter) -> int:
    total = math.factorial(sum(counts.values()))
    for c in counts.values():
        total //= math.factorial(c)
    return total


def _multiset_orders(counts: dict, length: int):
    """Every distinct ordering of a multiset (each equally likely under a uniform shuffle)."""
    if length == 0:
        yield ()
        return
    for item in list(counts):
        if counts[item]:
            counts[item] -= 1
            for rest in _multiset_orders(counts, length - 1):
                yield (item, *rest)
            counts[item] += 1


def gap_test(leaders: Sequence[str], n_members: int, *, n_permutations: int = 9_999,
             exact_limit: int = 10_000,
             rng: np.random.Generator | int | None = None) -> TestResult:
    """T3: are repeat leaderships spaced out more evenly than a random order would?

    ``G`` counts leaderships that come less than ``n_members`` years after the same
    member's previous one. The year order is re-shuffled, each member keeping its number
    of wins; ``p = P(G_perm ≤ g)``. All distinct orders are enumerated when there are at
    most ``exact_limit``; otherwise ``p = (1 + #{G_perm ≤ g}) / (1 + N)`` from ``N``
    random permutations (never 0, valid at any N).

    Examples
    --------
    Two members: of the 6 orders of AABB only ABAB and BABA have no quick repeat.

    >>> gap_test(list("ABAB"), 2).p_value
    0.3333333333333333
    """
    codes = np.unique(np.asarray(leaders, dtype=str), return_inverse=True)[1].ravel()
    g = int(_gap_statistics(codes, n_members)[0])
    counts = Counter(codes.tolist())
    if _distinct_orders(counts) <= exact_limit:
        orders = np.array(list(_multiset_orders(dict(counts), codes.size)))
        p = float(np.mean(_gap_statistics(orders, n_members) <= g))
        return TestResult("repeat gaps", g, p, "exact", {"orders": len(orders)})
    rng = np.random.default_rng(rng)
    perms = rng.permuted(np.broadcast_to(codes, (n_permutations, codes.size)), axis=1)
    hits = int((_gap_statistics(perms, n_members) <= g).sum())
    p = (1 + hits) / (1 + n_permutations)
    return TestResult("repeat gaps", g, p, f"permutation ({n_permutations})", {})


def _sum_of_squares_distribution(n: int, years: int) -> np.ndarray:
    """``P(Σ_i c_i² = q)`` for uniform multinomial counts of ``years`` over ``n`` members.

    Members are added one at a time: given ``r`` years left for ``k`` members, the next
    member's count is Binomial(r, 1/k); the state is (years left, sum of squares so far).
    """
    size = years * years + 1
    dp = np.zeros((years + 1, size))
    dp[years, 0] = 1.0
    for k in range(n, 0, -1):
        new = np.zeros_like(dp)
        for r in range(years + 1):
            row = dp[r]
            if not row.any():
                continue
            cs = [r] if k == 1 else range(r + 1)
            for c in cs:
                prob = math.comb(r, c) * (1 / k) ** c * (1 - 1 / k) ** (r - c) if k > 1 else 1.0
                if prob == 0:
                    continue
                new[r - c, c * c:] += prob * row[: size - c * c]
        dp = new
    return dp[0]


def balance_test(leaders: Sequence[str], n_members: int) -> TestResult:
    """T4: are the win counts too even to be chance? ``p = P(X² ≤ x²)``, exact.

    Examples
    --------
    Two members, two years, one win each: only ``AB`` and ``BA`` of the four equally likely
    sequences are this even.

    >>> balance_test(["A", "B"], 2).p_value
    0.5
    """
    t = len(leaders)
    counts = np.array(list(Counter(leaders).values()) + [0] * (n_members - len(set(leaders))))
    expected = t / n_members
    x2 = float(((counts - expected) ** 2).sum() / expected)
    q = int((counts**2).sum())
    dist = _sum_of_squares_distribution(n_members, t)
    p = float(dist[: q + 1].sum())
    return TestResult("balance", x2, min(p, 1.0), "exact",
                      {"counts": sorted(counts.tolist(), reverse=True)})


def rotation_tests(history: ClusterHistory, ranks: Sequence[int] | None = None, *,
                   n_permutations: int = 9_999,
                   rng: np.random.Generator | int | None = None) -> dict[str, TestResult]:
    """Run every test that applies to a history (T2 only when ``T ≤ n``, T1 with ranks).

    Examples
    --------
    >>> h = ClusterHistory("X", range(2010, 2019), list("ABCDEFGHI"), n_members=9)
    >>> sorted(rotation_tests(h, rng=0))
    ['balance', 'distinct leaders', 'repeat gaps']
    """
    n, t = history.n_members, len(history.years)
    out = {}
    if t <= n:
        out["distinct leaders"] = distinct_leaders_test(history.leaders, n)
    out["repeat gaps"] = gap_test(history.leaders, n, n_permutations=n_permutations, rng=rng)
    out["balance"] = balance_test(history.leaders, n)
    if ranks is not None:
        if len(ranks) != t:
            raise HistoryError(f"{len(ranks)} ranks for {t} years")
        out["winner rank"] = winner_rank_test(ranks, n)
    return out


def detectability(n_members: int, n_years: int) -> dict[str, float]:
    """The smallest p-values a history of this length can produce.

    * ``"rotation"``: p of the most rotation-like history (``min(T, n)`` distinct leaders,
      counts as even as possible) under the better of T2 and T4, times the Bonferroni
      factor used by the audit. Power against strict rotation at level ``alpha`` is 1 if
      this is ≤ alpha and 0 otherwise: the statistics of a strict rotation are fixed.
    * ``"merit"``: p of T1 when the top scorer won every year, ``n⁻ᵀ``.

    Examples
    --------
    >>> d = detectability(9, 3)   # three years of nine members: rotation cannot show
    >>> round(d["rotation"], 2), round(d["merit"], 4)
    (1.0, 0.0014)
    """
    if n_members < 2 or n_years < 1:
        raise HistoryError(f"need n_members >= 2 and n_years >= 1, got {n_members}, {n_years}")
    base, extra = divmod(n_years, n_members)
    leaders = [f"m{i}" for i in range(n_members) for _ in range(base + (i < extra))]
    p_bal = balance_test(leaders, n_members).p_value
    tests = 2  # T3 and T4 always run; T2 too when T <= n
    p = p_bal
    if n_years <= n_members:
        tests = 3
        p = min(p, float(_occupancy(n_members, n_years)[n_years:].sum()))
    return {"rotation": min(1.0, p * tests), "merit": float(n_members) ** -n_years}


# ---------------------------------------------------------------------------- findings
def _winner_ranks(history: ClusterHistory, scores) -> tuple[list[int], list[int], list[int]]:
    """Rank of each year's leader among the members with complete totals that year.

    Returns the ranks, the number of members ranked each year, and the years skipped
    because the leader had no complete total (nothing is imputed).
    """
    from criteria_design.smaa import competition_ranks

    ranks, sizes, skipped = [], [], []
    for year, leader in zip(history.years, history.leaders, strict=True):
        if year not in scores.years:
            skipped.append(year)
            continue
        p = scores.matrix(year=year)
        complete = ~np.isnan(p).any(axis=1)
        members = [m for m, ok in zip(scores.members, complete, strict=True) if ok]
        if leader not in members or len(members) < 2:
            skipped.append(year)
            continue
        r = competition_ranks(p[complete].sum(axis=1)[None, :])[0]
        ranks.append(int(r[members.index(leader)]))
        sizes.append(len(members))
    return ranks, sizes, skipped


def audit_history(histories, scores=None, *, alpha: float = 0.05, n_permutations: int = 9_999,
                  rng: np.random.Generator | int | None = 0) -> list:
    """Findings on award histories: rotation of the flag leader, merit, chair, power.

    ====== ======== ==============================================================
    code   severity finding
    ====== ======== ==============================================================
    ROT001 warning  the leader sequence is more even than chance (T2-T4, Bonferroni)
    ROT002 warning  elected leaders were not the top scorers more often than chance (T1)
    ROT003 info     the history is too short for even a strict rotation to show
    ROT004 warning  the leader was the cluster's chair more often than chance
    ====== ======== ==============================================================

    The chair is expected to rotate; only the flag leader is tested for rotation. When
    the scores show merit (T1 significant) an even sequence is reported as information:
    members may genuinely take turns at the top.

    Parameters
    ----------
    histories : ClusterHistory or mapping of cluster -> ClusterHistory
        Who led each cluster each year.
    scores : ScoreSheet or mapping of cluster -> ScoreSheet, optional
        Per-year marks of the cluster's members, for T1. A single sheet is allowed only for
        a single cluster.
    alpha : float
        Family-wise error rate of the rotation verdict.
    n_permutations : int
        Permutations of the gap test when its orders are too many to enumerate.
    rng : numpy Generator or seed
        For the permutations (fixed by default: the same history gives the same report).

    Examples
    --------
    >>> h = ClusterHistory("Cụm 1", range(2012, 2024), list("ABCDEFABCDEF"), n_members=6)
    >>> [f.code for f in audit_history(h)]
    ['ROT001']
    """
    from criteria_design.findings import Finding, Severity
    from criteria_design.scores import ScoreSheet

    if not 0 < alpha < 1:
        raise HistoryError(f"alpha must be in (0, 1), got {alpha}")
    if isinstance(histories, ClusterHistory):
        histories = {histories.cluster: histories}
    if isinstance(scores, ScoreSheet):
        if len(histories) != 1:
            raise HistoryError(f"one score sheet for {len(histories)} clusters; pass a mapping "
                               "cluster -> score sheet")
        scores = {next(iter(histories)): scores}
    scores = scores or {}
    unknown = [c for c in scores if c not in histories]
    if unknown:
        raise HistoryError(f"scores given for cluster(s) {unknown} not in the history")
    rng = np.random.default_rng(rng)
    out = []
    for name, h in histories.items():
        n, t = h.n_members, len(h.years)
        ranks = sizes = None
        skipped: list[int] = []
        if name in scores:
            ranks, sizes, skipped = _winner_ranks(h, scores[name])
        tests = rotation_tests(h, n_permutations=n_permutations, rng=rng)
        k = len(tests)
        p_rot = min(1.0, k * min(r.p_value for r in tests.values()))
        merit = None
        if ranks:
            merit = winner_rank_test(ranks, sizes)
        summary = {r.name: {"statistic": r.statistic, "p_value": r.p_value,
                            "method": r.method} for r in tests.values()}
        where = f"cluster {name} ({t} years, {n} members)"
        if p_rot <= alpha:
            shows_merit = merit is not None and merit.p_value <= alpha
            out.append(Finding(
                code="ROT001", severity=Severity.INFO if shows_merit else Severity.WARNING,
                message=f"{where}: the flag leaders are spread more evenly than chance "
                        f"(combined p = {p_rot:.3g}; {len(set(h.leaders))} different leaders, "
                        f"wins {sorted(Counter(h.leaders).values(), reverse=True)})"
                        + ("; but the leaders were the top scorers, consistent with merit"
                           if shows_merit else ": a sign of election by turn (luân phiên)"),
                suggestion="elect the leading unit by the year's scores and publish them; "
                           "rotate the chair, not the flag",
                source=h.source, data={"cluster": name, "tests": summary, "p_combined": p_rot}))
        if merit is not None and merit.p_value > alpha:
            out.append(Finding(
                code="ROT002", severity=Severity.WARNING,
                message=f"{where}: the elected leader was the top scorer in "
                        f"{merit.detail['top_elected']} of {len(ranks)} scored years; mean rank "
                        f"{merit.detail['mean_rank']:.1f} (p = {merit.p_value:.3g} against "
                        "election unrelated to the scores)"
                        + (f"; years without a complete score: {skipped}" if skipped else ""),
                suggestion="the flag must follow merit: propose the member with the best "
                           "total, or record why another was chosen",
                source=h.source, data={"cluster": name, "ranks": ranks, "p_value": merit.p_value}))
        power = detectability(n, t)
        if power["rotation"] > alpha:
            needed = next(y for y in range(t + 1, 10 * n + 2)
                          if detectability(n, y)["rotation"] <= alpha)
            out.append(Finding(
                code="ROT003", severity=Severity.INFO,
                message=f"{where}: too short to detect rotation: even a strict rotation would "
                        f"give p = {power['rotation']:.3g} > {alpha:g}; about {needed} years "
                        "are needed",
                suggestion="pool more years of history before concluding either way",
                source=h.source,
                data={"cluster": name, "best_p": power["rotation"], "years_needed": needed}))
        if h.chairs is not None:
            pairs = [(lead, ch) for lead, ch in zip(h.leaders, h.chairs, strict=True) if ch]
            same = sum(lead == ch for lead, ch in pairs)
            # P(at least `same` of len(pairs) years) when the leader is independent of the chair.
            p_chair = float(sum(math.comb(len(pairs), j) * (1 / n) ** j * (1 - 1 / n)
                                ** (len(pairs) - j) for j in range(same, len(pairs) + 1)))
            if pairs and p_chair <= alpha:
                out.append(Finding(
                    code="ROT004", severity=Severity.WARNING,
                    message=f"{where}: the chair was also the flag leader in {same} of "
                            f"{len(pairs)} years (p = {p_chair:.3g}; 1 in {n} expected)",
                    suggestion="the chair rotates by the guidance; the flag must not follow "
                               "the chair seat",
                    source=h.source,
                    data={"cluster": name, "same": same, "years": len(pairs),
                          "p_value": p_chair}))
    return out
