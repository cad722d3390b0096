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

from clustering.files import CsvTable, file_errors_as, read_csv_table
from clustering.i18n import DEFAULT_LANGUAGE, Text, check_language
from clustering.names import closest_names, fold, nfc
from criteria_design.errors import HistoryError

__all__ = [
    "ClusterHistory",
    "HistoryError",
    "HistoryEvent",
    "TestResult",
    "audit_history",
    "balance_awards_test",
    "balance_test",
    "detectability",
    "distinct_awardees_test",
    "distinct_leaders_test",
    "gap_awards_test",
    "gap_test",
    "load_history",
    "rotation_tests",
    "winner_rank_test",
    "years_needed",
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
#: Recognised roles (folded spellings -> role). The chair and vice-chair run the cluster's
#: work; only the leader (đơn vị dẫn đầu, proposed for the flag) is tested for rotation.
_ROLES = {
    "leader": "leader", "dan dau": "leader", "don vi dan dau": "leader",
    "awardee": "leader", "nhan co": "leader",
    "chair": "chair", "cum truong": "chair", "truong cum": "chair", "khoi truong": "chair",
    "truong khoi": "chair",
    "vice chair": "vice_chair", "cum pho": "vice_chair", "pho cum": "vice_chair",
    "khoi pho": "vice_chair", "pho khoi": "vice_chair",
    "withdrawal": "withdrawal", "withdrew": "withdrawal", "rut": "withdrawal",
    "xin rut": "withdrawal", "nhuong": "withdrawal", "nhuong co": "withdrawal",
}


@dataclass(frozen=True)
class HistoryEvent:
    """A recorded event of a year's award, such as a member withdrawing.

    Parameters
    ----------
    year : int
        The year of the award concerned.
    unit : str
        The member the event is about (the one who withdrew).
    kind : str
        ``"withdrawal"``: the member stood down so that another could receive the flag.
    reason : str or None
        The reason as recorded ("đã nhận cờ năm trước").
    line : int or None
        Line of the event in its file, for findings.
    """

    year: int
    unit: str
    kind: str = "withdrawal"
    reason: str | None = None
    line: int | None = None


def _names(value: object) -> tuple[str, ...]:
    """A year's awardees: one name, several, or none (``None``, ``""``)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ()
    if isinstance(value, str) or not isinstance(value, Sequence):
        value = (value,)
    return tuple(nfc(str(x).strip()) for x in value if str(x).strip())


def _year_leaders(value: object) -> str | tuple[str, ...] | None:
    """One leader as a name, several as a tuple, none as ``None``."""
    names = _names(value)
    if not names:
        return None
    return names[0] if len(names) == 1 else names


@dataclass(frozen=True)
class ClusterHistory:
    """Award history of one cluster, year by year.

    Parameters
    ----------
    cluster : str
        Name of the emulation cluster (cụm or khối) the history belongs to.
    years : sequence of int
        Strictly increasing.
    leaders : sequence
        The leading unit(s) each year (đơn vị dẫn đầu, proposed for the flag): a name, a
        sequence of names when several units were awarded, or ``None`` for a year with no
        leader (a chair only).
    n_members : int
        Number of members competing each year.
    chairs : sequence of str or None, optional
        The chair (cụm trưởng) each year, when known.
    source : str or None, optional
        The file the history was read from, for findings.
    vice_chairs : sequence or None, optional
        The vice-chair(s) (cụm phó) each year, when known; kept apart from the chair.
    events : sequence of HistoryEvent, optional
        Recorded events (a member withdrawing in favour of another).
    """

    cluster: str
    years: tuple[int, ...]
    leaders: tuple
    n_members: int
    chairs: tuple[str | None, ...] | None = None
    source: str | None = None
    vice_chairs: tuple[tuple[str, ...], ...] | None = None
    events: tuple[HistoryEvent, ...] = ()

    def __post_init__(self) -> None:
        where = f"cluster {self.cluster!r}"
        try:
            object.__setattr__(self, "years", tuple(int(y) for y in self.years))
        except (TypeError, ValueError):
            raise HistoryError(f"{where}: years must be integers, "
                               f"got {self.years!r:.80}") from None
        # Names may be given as numbers (unit codes): compare them as text, in NFC.
        object.__setattr__(self, "leaders", tuple(_year_leaders(x) for x in self.leaders))
        if self.chairs is not None:
            object.__setattr__(self, "chairs",
                               tuple(nfc(str(c).strip()) if c else None for c in self.chairs))
        if self.vice_chairs is not None:
            object.__setattr__(self, "vice_chairs", tuple(_names(v) for v in self.vice_chairs))
        object.__setattr__(self, "events", tuple(self.events))
        self._check(where)

    def _check(self, where: str) -> None:
        if not self.years:
            raise HistoryError(f"{where}: empty history")
        for name, seq in (("leaders", self.leaders), ("chairs", self.chairs),
                          ("vice-chairs", self.vice_chairs)):
            if seq is not None and len(seq) != len(self.years):
                raise HistoryError(f"{where}: {len(self.years)} years but {len(seq)} {name}")
        if any(b <= a for a, b in itertools.pairwise(self.years)):
            raise HistoryError(f"{where}: years must be strictly increasing, got {self.years}")
        if not isinstance(self.n_members, (int, np.integer)) or self.n_members < 2:
            raise HistoryError(f"{where}: n_members must be an integer >= 2, "
                               f"got {self.n_members!r}")
        for year, names in zip(self.years, self.awardees, strict=True):
            if len(set(names)) < len(names):
                raise HistoryError(f"{where}: {year} lists the same leader twice: {names}")
            if len(names) >= self.n_members:
                raise HistoryError(f"{where}: {len(names)} leaders in {year} but only "
                                   f"{self.n_members} members")
        distinct = len({a for names in self.awardees for a in names})
        if distinct > self.n_members:
            raise HistoryError(f"{where}: {distinct} different leaders but only "
                               f"{self.n_members} members")
        if not any(self.awardees) and not self.events:
            raise HistoryError(f"{where}: no year has a leader")
        unknown = [e.year for e in self.events if e.year not in self.years]
        if unknown:
            raise HistoryError(f"{where}: events in years {unknown} outside the history")

    @property
    def awardees(self) -> tuple[tuple[str, ...], ...]:
        """The leaders of each year as a tuple of names (empty for a year without one)."""
        return tuple(() if x is None else (x,) if isinstance(x, str) else tuple(x)
                     for x in self.leaders)

    @property
    def single(self) -> bool:
        """True when every year with a leader has exactly one."""
        return all(len(a) <= 1 for a in self.awardees)


def _role(value: str, where: str) -> str:
    role = _ROLES.get(fold(value))
    if role is None:
        close = closest_names(value, sorted(set(_ROLES)), n=2)
        hint = f"; did you mean {' or '.join(close)}?" if close else ""
        raise HistoryError(f"{where}: role {value!r} is not one of leader (dẫn đầu), chair "
                           f"(cụm trưởng), vice_chair (cụm phó), withdrawal (rút){hint}")
    return role


_WIDE = ("year", "cluster", "leader", "n_members")
_LONG = ("year", "cluster", "unit", "role", "n_members")
_OPTIONAL = ("chair", "vice_chair", "reason")


def _rows(path: Path, table: CsvTable
          ) -> list[tuple[int, str, int, int, str, str, str | None]]:
    """Every row as ``(line, cluster, year, n, role, unit, reason)``, in both layouts."""
    header = set(table.header)
    long_form = "role" in header or "unit" in header
    required = _LONG if long_form else _WIDE
    missing = [c for c in required if c not in header]
    unknown = [c for c in table.header if c not in (*required, *_OPTIONAL)]
    if missing or unknown:
        raise HistoryError(f"{path}: columns must be {list(_WIDE)} (one row per leader) or "
                           f"{list(_LONG)} (one row per role or event), optionally "
                           f"{list(_OPTIONAL)}; missing {missing}, unknown {unknown}")
    out = []
    for line, row in table:
        where = f"{path}, line {line}"
        cluster = nfc((row["cluster"] or "").strip())
        if not cluster:
            raise HistoryError(f"{where}: cluster must not be empty")
        try:
            year, n = int(row["year"]), int(row["n_members"])
        except (TypeError, ValueError):
            raise HistoryError(f"{where}: year {row['year']!r} and n_members "
                               f"{row['n_members']!r} must be integers") from None
        reason = nfc((row.get("reason") or "").strip()) or None
        entries = []
        if long_form:
            entries.append((_role(row["role"] or "", where), row["unit"]))
        else:
            entries.append(("leader", row["leader"]))
            entries += [(r, row.get(r)) for r in ("chair", "vice_chair")]
        given = [(role, nfc((unit or "").strip())) for role, unit in entries]
        given = [(role, unit) for role, unit in given if unit]
        if not given or (long_form and len(given) < len(entries)):
            raise HistoryError(f"{where}: {'unit' if long_form else 'leader (or chair)'} "
                               "must not be empty")
        out += [(line, cluster, year, n, role, unit, reason) for role, unit in given]
    return out


def _one_cluster(path: Path, cluster: str, rows: list[tuple]) -> ClusterHistory:
    sizes = {r[3] for r in rows}
    if len(sizes) > 1:
        raise HistoryError(f"{path}: cluster {cluster!r} has n_members {sorted(sizes)}; "
                           "split its history where the membership changed")
    years = sorted({r[2] for r in rows})
    leaders: dict[int, list[str]] = {y: [] for y in years}
    chairs: dict[int, tuple[str, int]] = {}
    vice: dict[int, list[str]] = {y: [] for y in years}
    events = []
    seen: dict[tuple, int] = {}
    for line, _, year, _, role, unit, reason in rows:
        if role == "withdrawal":
            events.append(HistoryEvent(year, unit, "withdrawal", reason, line))
            continue
        if role == "chair":
            if year in chairs and chairs[year][0] != unit:
                raise HistoryError(f"{path}, lines {chairs[year][1]} and {line}: cluster "
                                   f"{cluster!r} has two chairs for {year}")
            chairs[year] = (unit, line)
            continue
        if (year, role, unit) in seen:
            raise HistoryError(f"{path}, lines {seen[(year, role, unit)]} and {line}: cluster "
                               f"{cluster!r} lists {unit!r} twice as {role} for {year}")
        seen[(year, role, unit)] = line
        (leaders if role == "leader" else vice)[year].append(unit)
    return ClusterHistory(
        cluster=cluster, years=years,
        leaders=[tuple(leaders[y]) if len(leaders[y]) > 1 else
                 (leaders[y][0] if leaders[y] else None) for y in years],
        n_members=rows[0][3],
        chairs=[chairs[y][0] if y in chairs else None for y in years] if chairs else None,
        vice_chairs=[vice[y] for y in years] if any(vice.values()) else None,
        events=events, source=str(path))


def load_history(path: str | Path) -> dict[str, ClusterHistory]:
    """Read award histories from a CSV file.

    Two layouts are read (see ``criteria_design/README.md``):

    * one row per leader: ``year, cluster, leader, n_members`` and optionally ``chair``,
      ``vice_chair`` (the original format); several rows of one year are several awardees,
      an empty ``leader`` with a ``chair`` is a year with a chair but no leader;
    * one row per role or event: ``year, cluster, unit, role, n_members`` and optionally
      ``reason``; ``role`` is ``leader`` (dẫn đầu), ``chair`` (cụm trưởng), ``vice_chair``
      (cụm phó) or ``withdrawal`` (rút, nhường: the unit stood down so that another could
      receive the flag, with the stated ``reason``).

    ``n_members`` must be the same for every year of a cluster (the tests assume a fixed
    field of competitors); a cluster whose size changed should be split into periods.

    Parameters
    ----------
    path : str or Path
        The CSV file (UTF-8).

    Returns
    -------
    dict
        Cluster name -> :class:`ClusterHistory`, in order of appearance.
    """
    path = Path(path)
    try:
        with file_errors_as(HistoryError):
            table = read_csv_table(path)
    except OSError as exc:
        raise HistoryError(f"{path}: cannot read history ({exc.strerror})") from exc
    grouped: dict[str, list] = {}
    for row in _rows(path, table):
        grouped.setdefault(row[1], []).append(row)
    if not grouped:
        raise HistoryError(f"{path}: no history rows")
    return {cluster: _one_cluster(path, cluster, rows) for cluster, rows in grouped.items()}


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


# ---------------------------------------------------------------------------- several awardees
def _award_matrix(awardees: Sequence[tuple[str, ...]], n_members: int) -> np.ndarray:
    """Years x members indicator of the awards (members never awarded are extra columns)."""
    names = list(dict.fromkeys(a for year in awardees for a in year))
    col = {name: j for j, name in enumerate(names)}
    m = np.zeros((len(awardees), n_members), dtype=bool)
    for t, year in enumerate(awardees):
        m[t, [col[a] for a in year]] = True
    return m


def distinct_awardees_test(awardees: Sequence[Sequence[str]], n_members: int) -> TestResult:
    """T2 with several awardees a year: ``p = P(D ≥ d)`` distinct awardees, exact.

    Each year's ``k_t`` awardees are a uniform random set of ``k_t`` of the ``n`` members;
    the number of new names in a year is hypergeometric given those already seen.

    Parameters
    ----------
    awardees : sequence of sequence of str
        The awardees of each year.
    n_members : int
        Members competing each year.

    Examples
    --------
    Two years, two awardees of four each, all different: ``1/C(4, 2) = 1/6``.

    >>> round(distinct_awardees_test([("A", "B"), ("C", "D")], 4).p_value, 4)
    0.1667
    """
    n = n_members
    p = np.zeros(n + 1)
    p[0] = 1.0
    for year in awardees:
        k = len(year)
        new = np.zeros_like(p)
        for d in np.flatnonzero(p):
            for j in range(max(0, k - d), min(k, n - d) + 1):
                new[d + j] += p[d] * math.comb(n - d, j) * math.comb(d, k - j) / math.comb(n, k)
        p = new
    d = len({a for year in awardees for a in year})
    return TestResult("distinct leaders", d, min(float(p[d:].sum()), 1.0), "exact",
                      {"years": len(awardees)})


def _random_awards(sizes: Sequence[int], n: int, draws: int,
                   rng: np.random.Generator) -> np.ndarray:
    """``draws`` simulated histories (draws x years x members) under the null."""
    out = np.zeros((draws, len(sizes), n), dtype=bool)
    rows = np.arange(draws)[:, None]
    for t, k in enumerate(sizes):
        picked = np.argsort(rng.random((draws, n)), axis=1)[:, :k]
        out[rows, t, picked] = True
    return out


def balance_awards_test(awardees: Sequence[Sequence[str]], n_members: int, *,
                        n_simulations: int = 9_999,
                        rng: np.random.Generator | int | None = None) -> TestResult:
    """T4 with several awardees a year: win counts too even to be chance?

    ``Σ_i c_i²`` of the observed counts against histories simulated under the null (each
    year a uniform random set of the same size); ``p = (1 + #{q_sim ≤ q}) / (1 + N)``.

    Parameters
    ----------
    awardees : sequence of sequence of str
        The awardees of each year.
    n_members : int
        Members competing each year.
    n_simulations : int
        Simulated histories.
    rng : numpy Generator or seed
        For the simulations.
    """
    m = _award_matrix(awardees, n_members)
    q = int((m.sum(axis=0) ** 2).sum())
    sims = _random_awards([len(a) for a in awardees], n_members, n_simulations,
                          np.random.default_rng(rng))
    hits = int(((sims.sum(axis=1) ** 2).sum(axis=1) <= q).sum())
    total = m.sum()
    expected = total / n_members
    x2 = float(((m.sum(axis=0) - expected) ** 2).sum() / expected)
    return TestResult("balance", x2, (1 + hits) / (1 + n_simulations),
                      f"simulation ({n_simulations})",
                      {"counts": sorted(m.sum(axis=0).tolist(), reverse=True)})


def _set_gaps(m: np.ndarray, window: int) -> np.ndarray:
    """Awards (over the last two axes) whose member was awarded in the previous
    ``window - 1`` years; ``m`` is (..., years, members)."""
    recent = np.zeros(m.shape, dtype=bool)
    for lag in range(1, min(window, m.shape[-2])):
        recent[..., lag:, :] |= m[..., :-lag, :]
    return (m & recent).sum(axis=(-2, -1))


def gap_awards_test(awardees: Sequence[Sequence[str]], n_members: int, *,
                    n_permutations: int = 9_999,
                    rng: np.random.Generator | int | None = None) -> TestResult:
    """T3 with several awardees a year: awards spaced out more evenly than chance?

    A round of the cluster takes ``w = ceil(n / k̄)`` years with ``k̄`` awards a year; ``G``
    counts awards to a member already awarded in the previous ``w - 1`` years. The years
    are re-ordered at random (each keeps its set of awardees); ``p = P(G_perm ≤ g)``,
    estimated as ``(1 + hits) / (1 + N)``.

    Parameters
    ----------
    awardees : sequence of sequence of str
        The awardees of each year.
    n_members : int
        Members competing each year.
    n_permutations : int
        Random re-orderings of the years.
    rng : numpy Generator or seed
        For the permutations.
    """
    m = _award_matrix(awardees, n_members)
    window = math.ceil(n_members * len(awardees) / m.sum())
    g = int(_set_gaps(m, window))
    rng = np.random.default_rng(rng)
    orders = rng.permuted(np.broadcast_to(np.arange(len(awardees)),
                                          (n_permutations, len(awardees))), axis=1)
    hits = int((_set_gaps(m[orders], window) <= g).sum())
    return TestResult("repeat gaps", g, (1 + hits) / (1 + n_permutations),
                      f"permutation ({n_permutations})", {"window": window})


def rotation_tests(history: ClusterHistory, ranks: Sequence[int] | None = None, *,
                   n_permutations: int = 9_999,
                   rng: np.random.Generator | int | None = None) -> dict[str, TestResult]:
    """Run every test that applies to a history (T2 only when ``T ≤ n``, T1 with ranks).

    Years without a leader (a chair only) carry no information on how the leader is
    chosen and are left out. With several awardees in some year, T2 is exact over sets,
    T3 and T4 are estimated by permutations and simulations.

    Parameters
    ----------
    history : ClusterHistory
        The cluster's leaders.
    ranks : sequence of int, optional
        Rank of each year's leader in that year's totals, for T1 (single leaders only).
    n_permutations : int
        Permutations (and simulations) where the exact distribution is not used.
    rng : numpy Generator or seed
        For the permutations.

    Examples
    --------
    >>> h = ClusterHistory("X", range(2010, 2019), list("ABCDEFGHI"), n_members=9)
    >>> sorted(rotation_tests(h, rng=0))
    ['balance', 'distinct leaders', 'repeat gaps']
    """
    n = history.n_members
    awarded = [a for a in history.awardees if a]
    if not awarded:
        raise HistoryError(f"cluster {history.cluster!r}: no year has a leader to test")
    out = {}
    if history.single:
        leaders = [a[0] for a in awarded]
        if len(leaders) <= n:
            out["distinct leaders"] = distinct_leaders_test(leaders, n)
        out["repeat gaps"] = gap_test(leaders, n, n_permutations=n_permutations, rng=rng)
        out["balance"] = balance_test(leaders, n)
    else:
        if sum(map(len, awarded)) <= n:
            out["distinct leaders"] = distinct_awardees_test(awarded, n)
        out["repeat gaps"] = gap_awards_test(awarded, n, n_permutations=n_permutations,
                                             rng=rng)
        out["balance"] = balance_awards_test(awarded, n, n_simulations=n_permutations,
                                             rng=rng)
    if ranks is not None:
        if len(ranks) != len(awarded):
            raise HistoryError(f"{len(ranks)} ranks for {len(awarded)} years with a leader")
        out["winner rank"] = winner_rank_test(ranks, n)
    return out


def detectability(n_members: int, n_years: int) -> dict[str, float]:
    """The smallest p-values a history of this length can produce.

    * ``"rotation"``: p of the most rotation-like history (``min(T, n)`` distinct leaders,
      counts as even as possible) under the better of T2 and T4, times the Bonferroni
      factor used by the audit. Power against strict rotation at level ``alpha`` is 1 if
      this is ≤ alpha and 0 otherwise: the statistics of a strict rotation are fixed.
    * ``"merit"``: p of T1 when the top scorer won every year, ``n⁻ᵀ``.

    Parameters
    ----------
    n_members : int
        Members of the cluster.
    n_years : int
        Years of history (one leader a year).

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


def years_needed(n_members: int, alpha: float = 0.05, *, start: int = 1,
                 limit: int | None = None) -> int | None:
    """Fewest years (from ``start`` on) for which a perfect rotation would be significant.

    A perfect rotation gives each member its turn in a fixed order; its combined p-value
    is :func:`detectability`'s ``"rotation"``. That p-value does not fall steadily with the
    years: a history just past a full round (one member has had two turns, the others
    one) is less even than a full round, so ``start`` lets a caller ask for the next
    length that would do.

    Parameters
    ----------
    n_members : int
        Members of the cluster (one leader a year).
    alpha : float
        Level of the rotation verdict.
    start : int
        Shortest history to consider.
    limit : int, optional
        Longest history to consider (default ``start + max(60, 10 n)``).

    Returns
    -------
    int or None
        ``None`` when no length up to ``limit`` would do.

    Examples
    --------
    Five members: two full rounds, ten years (hand-computed in the tests).

    >>> years_needed(5)
    10
    """
    if not 0 < alpha < 1:
        raise HistoryError(f"alpha must be in (0, 1), got {alpha}")
    limit = start + max(60, 10 * n_members) if limit is None else limit
    return next((t for t in range(max(1, start), limit + 1)
                 if detectability(n_members, t)["rotation"] <= alpha), None)


# ---------------------------------------------------------------------------- findings
def _winner_ranks(history: ClusterHistory, scores) -> tuple[list[int], list[int], list[int]]:
    """Rank of each year's leader among the members with complete totals that year.

    Returns the ranks, the number of members ranked each year, and the years skipped
    because the leader had no complete total, or the year had several leaders or none
    (nothing is imputed).
    """
    from criteria_design.smaa import competition_ranks

    ranks, sizes, skipped = [], [], []
    for year, names in zip(history.years, history.awardees, strict=True):
        if len(names) != 1 or year not in scores.years:
            skipped.append(year)
            continue
        p = scores.matrix(year=year)
        complete = ~np.isnan(p).any(axis=1)
        members = [m for m, ok in zip(scores.members, complete, strict=True) if ok]
        if names[0] not in members or len(members) < 2:
            skipped.append(year)
            continue
        r = competition_ranks(p[complete].sum(axis=1)[None, :])[0]
        ranks.append(int(r[members.index(names[0])]))
        sizes.append(len(members))
    return ranks, sizes, skipped


_WHERE = Text(vi="cụm {name} ({t} năm, {n} thành viên)",
              en="cluster {name} ({t} years, {n} members)")
_ROT001 = Text(
    vi="{where}: đơn vị dẫn đầu được chia đều giữa các thành viên hơn mức ngẫu nhiên "
       "(p gộp = {p:.3g}; {d} đơn vị khác nhau, số lần dẫn đầu {wins}){tail}",
    en="{where}: the flag leaders are spread more evenly than chance (combined p = {p:.3g}; "
       "{d} different leaders, wins {wins}){tail}")
_ROT001_TURN = Text(vi=": dấu hiệu bình xét theo lượt (luân phiên)",
                    en=": a sign of election by turn (luân phiên)")
_ROT001_MERIT = Text(vi="; nhưng đơn vị dẫn đầu cũng là đơn vị điểm cao nhất, phù hợp với "
                        "bình xét theo thành tích",
                     en="; but the leaders were the top scorers, consistent with merit")
_ROT001_FIX = Text(vi="bình xét đơn vị dẫn đầu theo điểm của năm và công khai bảng điểm; "
                      "luân phiên cụm trưởng, không luân phiên cờ",
                   en="elect the leading unit by the year's scores and publish them; rotate "
                      "the chair, not the flag")
_ROT002 = Text(
    vi="{where}: đơn vị được bầu dẫn đầu là đơn vị điểm cao nhất trong {top} trên {years} năm "
       "có điểm; thứ hạng trung bình {mean:.1f} (p = {p:.3g}, so với việc bầu không liên quan "
       "đến điểm){skipped}",
    en="{where}: the elected leader was the top scorer in {top} of {years} scored years; mean "
       "rank {mean:.1f} (p = {p:.3g} against election unrelated to the scores){skipped}")
_ROT002_SKIPPED = Text(vi="; các năm không có điểm đầy đủ: {years}",
                       en="; years without a complete score: {years}")
_ROT002_FIX = Text(vi="cờ thi đua phải theo thành tích: đề nghị đơn vị có tổng điểm cao nhất, "
                      "hoặc ghi rõ lý do chọn đơn vị khác",
                   en="the flag must follow merit: propose the member with the best total, or "
                      "record why another was chosen")
_ROT003 = Text(
    vi="{where}: lịch sử còn quá ngắn để kết luận. Kể cả khi cờ được trao lần lượt cho từng "
       "thành viên, {t} năm như vậy vẫn có thể xảy ra do ngẫu nhiên (p = {p:.3g}, lớn hơn "
       "mức {alpha:g}). Với {n} thành viên, cần {needed} để phép kiểm định phân biệt được "
       "luân phiên với ngẫu nhiên",
    en="{where}: too short to detect rotation: even a strict rotation would give "
       "p = {p:.3g} > {alpha:g}; with {n} members, {needed} are needed")
_ROT003_NEEDED = Text(vi="ít nhất {years} năm", en="at least {years} years")
_ROT003_MORE = Text(vi="hơn {years} năm", en="more than {years} years")
_ROT003_FIX = Text(vi="gộp thêm các năm trước khi kết luận; trong lúc đó, lưu bảng điểm và "
                      "lý do bình xét của từng năm",
                   en="pool more years of history before concluding either way; meanwhile "
                      "keep each year's scores and the reasons for the choice")
_ROT004 = Text(
    vi="{where}: cụm trưởng cũng là đơn vị dẫn đầu trong {same} trên {years} năm "
       "(p = {p:.3g}; nếu không liên quan thì chỉ khoảng {expected:.1f} năm)",
    en="{where}: the chair was also the flag leader in {same} of {years} years "
       "(p = {p:.3g}; {expected:.1f} expected)")
_ROT004_FIX = Text(vi="cụm trưởng luân phiên theo hướng dẫn; cờ thi đua không được đi theo "
                      "ghế cụm trưởng",
                   en="the chair rotates by the guidance; the flag must not follow the chair "
                      "seat")
_ROT005 = Text(
    vi="{where}: năm {year}, {unit} rút để đơn vị khác nhận cờ ({others}); lý do ghi nhận: "
       "“{reason}”. Đây là bằng chứng trực tiếp về luân phiên, dù giá trị p thế nào",
    en="{where}: in {year} {unit} withdrew so that another member could receive the flag "
       "({others}); stated reason: “{reason}”. This is direct evidence of rotation, whatever "
       "the p-value")
_NO_REASON = Text(vi="không ghi lý do", en="no reason recorded")
_NO_ONE = Text(vi="không ghi đơn vị nhận", en="no awardee recorded")
_ROT005_FIX = Text(vi="cờ thi đua trao theo thành tích của năm; đã nhận cờ năm trước không "
                      "phải là lý do để nhường",
                   en="the flag goes by the year's results; having received it before is no "
                      "reason to stand down")


def _chair_p_value(pairs: list[tuple[tuple[str, ...], str]], n: int) -> tuple[int, float, float]:
    """Years the chair was among the leaders, and ``P(at least that many)`` when leaders
    are drawn independently of the chair (a Poisson-binomial tail, exact)."""
    same = sum(chair in names for names, chair in pairs)
    dist = np.array([1.0])
    for names, _ in pairs:
        q = len(names) / n
        dist = np.convolve(dist, [1 - q, q])
    expected = sum(len(names) / n for names, _ in pairs)
    return same, float(dist[same:].sum()), expected


def _cluster_findings(name: str, h: ClusterHistory, sheet, *, alpha: float,
                      n_permutations: int, rng: np.random.Generator, lang: str) -> list:
    from criteria_design.findings import Finding, Severity

    n, t = h.n_members, len(h.years)
    where = _WHERE(lang, name=name, t=t, n=n)
    out = [Finding(
        code="ROT005", severity=Severity.WARNING, source=h.source, line=e.line,
        message=_ROT005(lang, where=where, year=e.year, unit=e.unit,
                        others=", ".join(h.awardees[h.years.index(e.year)])
                        or _NO_ONE(lang), reason=e.reason or _NO_REASON(lang)),
        suggestion=_ROT005_FIX(lang),
        data={"cluster": name, "year": e.year, "unit": e.unit, "reason": e.reason,
              "awardees": list(h.awardees[h.years.index(e.year)])})
        for e in h.events if e.kind == "withdrawal"]
    awarded = [a for a in h.awardees if a]
    if not awarded:
        return out
    ranks, sizes, skipped = _winner_ranks(h, sheet) if sheet is not None else ([], [], [])
    tests = rotation_tests(h, n_permutations=n_permutations, rng=rng)
    p_rot = min(1.0, len(tests) * min(r.p_value for r in tests.values()))
    merit = winner_rank_test(ranks, sizes) if ranks else None
    summary = {r.name: {"statistic": r.statistic, "p_value": r.p_value, "method": r.method}
               for r in tests.values()}
    wins = sorted(Counter(a for names in awarded for a in names).values(), reverse=True)
    if p_rot <= alpha:
        shows_merit = merit is not None and merit.p_value <= alpha
        out.append(Finding(
            code="ROT001", severity=Severity.INFO if shows_merit else Severity.WARNING,
            message=_ROT001(lang, where=where, p=p_rot, d=len(wins), wins=wins,
                            tail=(_ROT001_MERIT if shows_merit else _ROT001_TURN)(lang)),
            suggestion=_ROT001_FIX(lang), source=h.source,
            data={"cluster": name, "tests": summary, "p_combined": p_rot}))
    if merit is not None and merit.p_value > alpha:
        out.append(Finding(
            code="ROT002", severity=Severity.WARNING,
            message=_ROT002(lang, where=where, top=merit.detail["top_elected"],
                            years=len(ranks), mean=merit.detail["mean_rank"], p=merit.p_value,
                            skipped=_ROT002_SKIPPED(lang, years=skipped) if skipped else ""),
            suggestion=_ROT002_FIX(lang), source=h.source,
            data={"cluster": name, "ranks": ranks, "p_value": merit.p_value}))
    out += _power_finding(name, h, len(awarded), where, alpha, lang)
    if h.chairs is not None:
        pairs = [(names, ch) for names, ch in zip(h.awardees, h.chairs, strict=True)
                 if ch and names]
        if pairs:
            same, p_chair, expected = _chair_p_value(pairs, n)
            if p_chair <= alpha:
                out.append(Finding(
                    code="ROT004", severity=Severity.WARNING,
                    message=_ROT004(lang, where=where, same=same, years=len(pairs), p=p_chair,
                                    expected=expected),
                    suggestion=_ROT004_FIX(lang), source=h.source,
                    data={"cluster": name, "same": same, "years": len(pairs),
                          "p_value": p_chair}))
    return out


def _power_finding(name: str, h: ClusterHistory, t: int, where: str, alpha: float,
                   lang: str) -> list:
    """ROT003 when even a perfect rotation of this length could not be told from chance
    (one leader a year; with several a year the simulated tests have no such bound)."""
    from criteria_design.findings import Finding, Severity

    n = h.n_members
    if not h.single:
        return []
    best = detectability(n, t)["rotation"]
    if best <= alpha:
        return []
    limit = t + 1 + max(60, 10 * n)
    needed = years_needed(n, alpha, start=t + 1, limit=limit)
    say = (_ROT003_NEEDED(lang, years=needed) if needed is not None
           else _ROT003_MORE(lang, years=limit))
    return [Finding(
        code="ROT003", severity=Severity.INFO,
        message=_ROT003(lang, where=where, t=t, p=best, alpha=alpha, n=n, needed=say),
        suggestion=_ROT003_FIX(lang), source=h.source,
        data={"cluster": name, "best_p": best, "years_needed": needed})]


def audit_history(histories, scores=None, *, alpha: float = 0.05, n_permutations: int = 9_999,
                  rng: np.random.Generator | int | None = 0,
                  lang: str = DEFAULT_LANGUAGE) -> list:
    """Findings on award histories: rotation of the flag leader, merit, chair, power, events.

    ====== ======== ==============================================================
    code   severity finding
    ====== ======== ==============================================================
    ROT001 warning  the leader sequence is more even than chance (T2-T4, Bonferroni)
    ROT002 warning  elected leaders were not the top scorers more often than chance (T1)
    ROT003 info     the history is too short for even a strict rotation to show, with
                    the years a cluster of its size needs
    ROT004 warning  the leader was the cluster's chair more often than chance
    ROT005 warning  a recorded withdrawal so that another member receives the flag:
                    direct evidence of rotation, reported whatever the p-values
    ====== ======== ==============================================================

    The chair and vice-chair are expected to rotate; only the flag leader is tested for
    rotation. When the scores show merit (T1 significant) an even sequence is reported as
    information: members may genuinely take turns at the top.

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
    lang : {"vi", "en"}
        Language of the messages and suggestions (Vietnamese by default).

    Examples
    --------
    >>> h = ClusterHistory("Cụm 1", range(2012, 2024), list("ABCDEFABCDEF"), n_members=6)
    >>> [f.code for f in audit_history(h)]
    ['ROT001']
    """
    from criteria_design.scores import ScoreSheet

    lang = check_language(lang)
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
        out += _cluster_findings(name, h, scores.get(name), alpha=alpha,
                                 n_permutations=n_permutations, rng=rng, lang=lang)
    return out
