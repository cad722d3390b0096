"""Enumeration of connected candidate clusters within size and weight bounds.

A *candidate* is a set of units that may form one cluster: connected in the
adjacency graph, with a member count and a total weight inside the bounds,
and compatible with the planners' constraints (no two units that must be
apart, one category when clusters must be pure, all or none of every group
that must stay together).

Every connected set is listed exactly once by the ESU scheme (Wernicke,
"Efficient detection of network motifs", 2006): a set is grown from its
lowest-numbered vertex ``v``, and a vertex joins the extension frontier only
when it is numbered above ``v`` and is a neighbour of the vertex just added
but of no earlier member. Sets are kept as Python integers used as bit masks,
so membership, frontier and conflict tests are single bit operations.

Constraints that can only get worse as a set grows (weight above the maximum,
two apart units, two categories) prune the search; "together" groups are
checked when a set is reported, since adding a unit can complete a group.

Non-contiguous candidates are the connected sets of the complete graph.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Hashable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import networkx as nx
import numpy as np

from clustering.bitsets import as_index, mask_of, neighbour_masks
from clustering.compiled_rules import CompiledRules, weight_slack

__all__ = [
    "CandidateEstimate",
    "CandidateLimitExceeded",
    "Candidates",
    "EnumerationTimeout",
    "VisitLimitExceeded",
    "connected_subsets",
    "count_connected_subsets",
    "enumerate_candidates",
    "estimate_candidates",
    "estimate_rule_candidates",
    "neighbour_masks",
    "rule_candidates",
    "split_sides",
    "splittable_rest",
    "two_way_splits",
]


class CandidateLimitExceeded(RuntimeError):
    """Raised internally when an enumeration passes its cap (early exit)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"more than {limit} candidates")
        self.limit = limit


class EnumerationTimeout(RuntimeError):
    """Raised internally when an enumeration passes its deadline; ``count`` found so far."""

    def __init__(self, count: int) -> None:
        super().__init__(f"the deadline passed after {count:,} candidates")
        self.count = count


class VisitLimitExceeded(RuntimeError):
    """Raised internally when an enumeration has visited ``max_visits`` connected sets.

    A budget of work rather than of time, so that what stops at it does not
    depend on the machine's speed; ``count`` candidates were found so far.
    """

    def __init__(self, count: int, visits: int) -> None:
        super().__init__(f"{visits:,} sets visited, {count:,} candidates found")
        self.count, self.visits = count, visits


#: Connected sets visited between two looks at the clock.
_CLOCK_EVERY = 4096


@dataclass(frozen=True)
class Candidates:
    """Candidate clusters as a sparse membership structure (CSR-like).

    Attributes
    ----------
    indptr : numpy.ndarray of int
        Candidate ``c`` holds units ``indices[indptr[c]:indptr[c + 1]]``.
    indices : numpy.ndarray of int
        Unit row indices (in the unit set's order), sorted within a candidate.
    n_units : int
        Number of units of the underlying set.
    """

    indptr: np.ndarray
    indices: np.ndarray
    n_units: int

    def __len__(self) -> int:
        return len(self.indptr) - 1

    def members(self, c: int) -> np.ndarray:
        """Unit indices of candidate ``c``."""
        return self.indices[self.indptr[c]: self.indptr[c + 1]]

    @property
    def sizes(self) -> np.ndarray:
        """Number of members of each candidate."""
        return np.diff(self.indptr)

    def rows(self) -> np.ndarray:
        """Candidate number of every entry of :attr:`indices`."""
        return np.repeat(np.arange(len(self)), self.sizes)

    def take(self, keep: np.ndarray) -> Candidates:
        """The candidates at positions ``keep``, in that order."""
        keep = np.asarray(keep, dtype=np.int64)
        lengths = self.sizes[keep]
        indptr = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(lengths, out=indptr[1:])
        pieces = [self.members(int(c)) for c in keep]
        indices = np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int64)
        return Candidates(indptr=indptr, indices=indices, n_units=self.n_units)

    def find(self, members: Sequence[int]) -> int | None:
        """Position of the candidate with exactly these members, or ``None``."""
        target = np.sort(np.asarray(members, dtype=int))
        size = len(target)
        for c in np.flatnonzero(self.sizes == size):
            if np.array_equal(self.members(int(c)), target):
                return int(c)
        return None


def _indices(groups: Sequence[Sequence[int]], n: int, what: str) -> list[list[int]]:
    return [[as_index(i, n, what) for i in group] for group in groups]


def _children(neighbours: Sequence[int], weights: Sequence[float] | None, max_weight: float,
              closed: int, frontier: int, above: int, weight: float, banned: int,
              ) -> Iterator[tuple[int, int, float, int]]:
    """The ESU children of a set: ``(unit, its bit, the weight with it, the child's frontier)``.

    Units leave the frontier in increasing order; a child's frontier is what is
    left of its parent's after that unit, plus the unit's neighbours above the
    root that border no earlier member (``closed``): this is what makes every
    connected set appear once. A unit in ``banned``, or one that takes the
    weight past ``max_weight``, leaves the frontier without a child.

    These are the children :func:`_esu` visits, in its order. :func:`_esu`
    keeps the loop inline (this generator there cost 30 % on the heuristic's
    pair enumerations); the tests hold both to the same brute-force counts.
    """
    while frontier:
        bit = frontier & -frontier
        frontier ^= bit
        if bit & banned:
            continue
        w = bit.bit_length() - 1
        new_weight = weight + weights[w] if weights is not None else weight
        if new_weight > max_weight:
            continue
        yield w, bit, new_weight, frontier | (neighbours[w] & ~closed & above)


def _candidate_test(min_size: int, min_weight: float, groups: Sequence[int],
                    ) -> Callable[[int, int, float], bool]:
    """Whether a set the search reached (its size, mask and weight) is a candidate.

    The size and weight floors and the together groups (all or none) are
    checked here, on each set reached, since adding a unit can still fix them.
    It is what :func:`_esu` reports (its check is inline, for speed).
    """
    def test(size: int, mask: int, weight: float) -> bool:
        if size < min_size or weight < min_weight:
            return False
        for g in groups:
            inside = mask & g
            if inside and inside != g:
                return False
        return True

    return test


def _check_budget(count: int, visits: int, deadline: float | None,
                  max_visits: int | None) -> None:
    """Stop an enumeration past ``deadline`` or at ``max_visits`` (see :func:`_esu`)."""
    if deadline is not None and time.perf_counter() > deadline:
        raise EnumerationTimeout(count)
    if max_visits is not None and visits >= max_visits:
        raise VisitLimitExceeded(count, visits)


def _esu(
    neighbours: Sequence[int],
    min_size: int,
    max_size: int,
    *,
    weights: Sequence[float] | None = None,
    min_weight: float = -np.inf,
    max_weight: float = np.inf,
    conflicts: Sequence[int] | None = None,
    groups: Sequence[int] = (),
    limit: int | None = None,
    collect: bool = True,
    roots: Sequence[int] | None = None,
    deadline: float | None = None,
    max_visits: int | None = None,
) -> tuple[int, list[tuple[int, ...]]]:
    """Connected vertex sets of a graph given by neighbour bit masks.

    Returns the number of sets found and, when ``collect``, their sorted members.
    Raises :class:`CandidateLimitExceeded` as soon as more than ``limit`` are found,
    :class:`EnumerationTimeout` once past ``deadline`` (a ``time.perf_counter()`` value),
    :class:`VisitLimitExceeded` once ``max_visits`` sets (candidates or not) are visited.
    """
    n = len(neighbours)
    found: list[tuple[int, ...]] = []
    count = visits = 0
    weights = list(weights) if weights is not None else None
    tolerance = weight_slack((min_weight, max_weight))

    def report(members: list[int], mask: int, weight: float) -> None:
        nonlocal count, visits
        visits += 1
        if visits % _CLOCK_EVERY == 0:
            _check_budget(count, visits, deadline, max_visits)
        if len(members) < min_size or weight < min_weight - tolerance:
            return
        for g in groups:  # all or none of each together group
            inside = mask & g
            if inside and inside != g:
                return
        count += 1
        if limit is not None and count > limit:
            raise CandidateLimitExceeded(limit)
        if collect:
            found.append(tuple(sorted(members)))

    def extend(members: list[int], mask: int, closed: int, frontier: int, above: int,
               weight: float, banned: int) -> None:
        report(members, mask, weight)
        if len(members) == max_size:
            return
        while frontier:
            bit = frontier & -frontier
            frontier ^= bit
            if bit & banned:
                continue
            w = bit.bit_length() - 1
            new_weight = weight + weights[w] if weights is not None else weight
            if new_weight > max_weight + tolerance:
                continue
            members.append(w)
            extend(
                members,
                mask | bit,
                closed | neighbours[w],
                frontier | (neighbours[w] & ~closed & above),
                above,
                new_weight,
                banned | conflicts[w] if conflicts is not None else banned,
            )
            members.pop()

    try:
        for v in range(n) if roots is None else roots:
            w0 = weights[v] if weights is not None else 0.0
            if w0 > max_weight + tolerance:
                continue
            above = ~((1 << (v + 1)) - 1)
            bit = 1 << v
            extend(
                [v],
                bit,
                neighbours[v] | bit,
                neighbours[v] & above,
                above,
                w0,
                conflicts[v] if conflicts is not None else 0,
            )
    finally:
        # The recursive closure refers to itself: break the cycle so that what it
        # holds (``found`` can be hundreds of thousands of tuples) is freed now,
        # not at the next garbage collection.
        extend = None
    return count, found


def _esu_estimate(tree: Mapping, *, probes: int, seed: int = 0,
                  deadline: float | None = None) -> tuple[float, float, int]:
    """Knuth's estimate of what :func:`_esu` would find and visit, from random probes.

    A probe walks from a random root down the search tree of :func:`_esu`,
    each time to a child drawn uniformly, and multiplies the numbers of
    choices on the way: the product at a set is the inverse of its
    probability of being reached, so the sum over the walk, of the products at
    candidates (and at every set), is an unbiased estimate of the number of
    candidates (and of sets visited) (Knuth, "Estimating the efficiency of
    backtrack programs", Math. Comp. 1975). ``tree`` holds the arguments of
    :func:`_esu` (as :func:`_search_tree` gives them). Returns the two means
    and the number of probes made before ``deadline``.
    """
    neighbours, weights, conflicts = tree["neighbours"], tree["weights"], tree["conflicts"]
    max_size, roots = tree["max_size"], tree["roots"]
    tolerance = weight_slack((tree["min_weight"], tree["max_weight"]))
    is_candidate = _candidate_test(tree["min_size"], tree["min_weight"] - tolerance,
                                   tree["groups"])
    heaviest = tree["max_weight"] + tolerance
    starts = [v for v in (range(len(neighbours)) if roots is None else roots)
              if weights is None or weights[v] <= heaviest]
    if not starts:
        return 0.0, 0.0, 0
    rng = np.random.default_rng(seed)
    found = visited = 0.0
    done = 0
    while done < probes:
        done += 1
        v = starts[int(rng.integers(len(starts)))]
        above, bit = ~((1 << (v + 1)) - 1), 1 << v
        size, mask, closed, frontier = 1, bit, neighbours[v] | bit, neighbours[v] & above
        weight = weights[v] if weights is not None else 0.0
        banned = conflicts[v] if conflicts is not None else 0
        reach = float(len(starts))  # 1 / the probability of this walk so far
        while True:
            visited += reach
            if is_candidate(size, mask, weight):
                found += reach
            if size == max_size:
                break
            kids = list(_children(neighbours, weights, heaviest, closed, frontier, above,
                                  weight, banned))
            if not kids:
                break
            reach *= len(kids)
            w, bit, weight, frontier = kids[int(rng.integers(len(kids)))]
            size, mask, closed = size + 1, mask | bit, closed | neighbours[w]
            if conflicts is not None:
                banned |= conflicts[w]
        if deadline is not None and time.perf_counter() > deadline:
            break
    return found / done, visited / done, done


def _graph_masks(graph: nx.Graph, nodes: Sequence[Hashable]) -> list[int]:
    index = {node: i for i, node in enumerate(nodes)}
    return neighbour_masks(len(nodes), [(index[a], index[b]) for a, b in graph.edges()])


def _check_sizes(min_size: int, max_size: int | None, n: int) -> int:
    max_size = n if max_size is None else max_size
    if min_size < 1 or max_size < min_size:
        raise ValueError(
            f"size bounds ({min_size}, {max_size}) are invalid; expected 1 <= min <= max"
        )
    return max_size


def connected_subsets(
    graph: nx.Graph, min_size: int = 1, max_size: int | None = None
) -> list[frozenset]:
    """Every connected set of nodes of ``graph`` with ``min_size..max_size`` nodes.

    Each set is listed once. The count grows quickly with the size; see
    :func:`count_connected_subsets` to check it first.

    Examples
    --------
    >>> import networkx as nx
    >>> sorted(sorted(s) for s in connected_subsets(nx.path_graph(4), 2, 3))
    [[0, 1], [0, 1, 2], [1, 2], [1, 2, 3], [2, 3]]
    """
    nodes = list(graph.nodes())
    max_size = _check_sizes(min_size, max_size, len(nodes))
    _, found = _esu(_graph_masks(graph, nodes), min_size, max_size)
    return [frozenset(nodes[i] for i in members) for members in found]


def count_connected_subsets(
    graph: nx.Graph, min_size: int = 1, max_size: int | None = None, *, limit: int | None = None
) -> int:
    """Number of connected node sets of ``graph`` with ``min_size..max_size`` nodes.

    With ``limit``, counting stops early and returns ``limit + 1`` as soon as
    the count passes ``limit`` (a cheap "more than" test).

    Examples
    --------
    >>> import networkx as nx
    >>> count_connected_subsets(nx.cycle_graph(5), 2, 2)
    5
    >>> count_connected_subsets(nx.complete_graph(20), 1, 20, limit=1000)
    1001
    """
    nodes = list(graph.nodes())
    max_size = _check_sizes(min_size, max_size, len(nodes))
    try:
        count, _ = _esu(
            _graph_masks(graph, nodes), min_size, max_size, limit=limit, collect=False
        )
    except CandidateLimitExceeded:
        return int(limit) + 1  # type: ignore[arg-type]
    return count


def enumerate_candidates(
    n_units: int,
    edges: Sequence[tuple[int, int]] | None,
    size: tuple[int, int],
    *,
    weights: np.ndarray | None = None,
    weight_bounds: tuple[float, float] | None = None,
    apart: Sequence[Sequence[int]] = (),
    together: Sequence[Sequence[int]] = (),
    categories: Sequence[Hashable] | None = None,
    limit: int | None = None,
    collect: bool = True,
    roots: Sequence[int] | None = None,
    deadline: float | None = None,
    max_visits: int | None = None,
) -> tuple[int, Candidates | None]:
    """Candidate clusters of units ``0..n_units-1`` under the planners' rules.

    Parameters
    ----------
    n_units : int
        Number of units; they are numbered ``0..n_units-1``.
    edges : sequence of (int, int) or None
        Adjacency by row index; ``None`` for non-contiguous candidates (any set).
    size : (int, int)
        Member count bounds.
    weights, weight_bounds : optional
        Non-negative unit weights and the bounds on a candidate's total.
    apart : sequence of index groups
        No candidate holds two units of a group.
    together : sequence of index groups
        A candidate holds all or none of a group.
    categories : sequence, optional
        One category per unit; every candidate is pure in it.
    limit : int, optional
        Stop with :class:`CandidateLimitExceeded` past this many candidates.
    collect : bool, default True
        Return the candidates, or only count them (``(count, None)``).
    roots : sequence of int, optional
        Only the candidates whose lowest-numbered member is one of these
        (``[0]``: every candidate holding unit 0).
    deadline : float, optional
        A ``time.perf_counter()`` value; past it, :class:`EnumerationTimeout`.
    max_visits : int, optional
        Stop with :class:`VisitLimitExceeded` after visiting about this many
        connected sets (checked every few thousand): a machine-independent budget.

    Returns
    -------
    count : int
    candidates : Candidates or None

    Examples
    --------
    >>> count, cands = enumerate_candidates(4, [(0, 1), (1, 2), (2, 3)], (2, 2), apart=[[1, 2]])
    >>> count, [cands.members(c).tolist() for c in range(count)]
    (2, [[0, 1], [2, 3]])
    """
    search = _search_tree(n_units, edges, size, weights=weights, weight_bounds=weight_bounds,
                          apart=apart, together=together, categories=categories, roots=roots)
    count, found = _esu(**search, limit=limit, collect=collect, deadline=deadline,
                        max_visits=max_visits)
    if not collect:
        return count, None
    lengths = np.fromiter((len(m) for m in found), dtype=np.int64, count=len(found))
    indptr = np.zeros(len(found) + 1, dtype=np.int64)
    np.cumsum(lengths, out=indptr[1:])
    indices = np.fromiter(
        (i for members in found for i in members), dtype=np.int64, count=int(indptr[-1])
    )
    return count, Candidates(indptr=indptr, indices=indices, n_units=int(n_units))


def _search_tree(n_units, edges, size, *, weights=None, weight_bounds=None, apart=(),
                 together=(), categories=None, roots=None) -> dict:
    """The rules of :func:`enumerate_candidates` as the arguments of :func:`_esu`.

    Checked first: unit counts, size bounds and indices (which may come as
    numpy integers; the bit masks need Python ints).
    """
    if isinstance(n_units, bool) or not isinstance(n_units, (int, np.integer)) or n_units < 0:
        raise TypeError(f"n_units={n_units!r}; expected a non-negative integer")
    n_units = int(n_units)
    low, high = (int(b) if isinstance(b, (int, np.integer)) else b for b in size)
    high = _check_sizes(low, high, n_units)
    apart = _indices(apart, n_units, "apart unit")
    together = _indices(together, n_units, "together unit")
    if roots is not None:
        roots = [as_index(v, n_units, "root") for v in roots]
    conflicts = [0] * n_units
    for group in apart:
        mask = mask_of(group)
        for i in group:
            conflicts[i] |= mask ^ (1 << i)
    if categories is not None:
        by_value: dict[Hashable, int] = {}
        for i, value in enumerate(categories):
            by_value[value] = by_value.get(value, 0) | (1 << i)
        for i, value in enumerate(categories):
            conflicts[i] |= ((1 << n_units) - 1) & ~by_value[value]
    w_low, w_high = weight_bounds if weight_bounds is not None else (-np.inf, np.inf)
    return {
        "neighbours": neighbour_masks(n_units, edges), "min_size": low, "max_size": high,
        "weights": None if weights is None else [float(x) for x in weights],
        "min_weight": w_low, "max_weight": w_high,
        "conflicts": conflicts if any(conflicts) else None,
        "groups": [mask_of(g) for g in together], "roots": roots,
    }


@dataclass(frozen=True)
class CandidateEstimate:
    """How many candidates an enumeration would find, and how many sets it would visit.

    Both are Knuth estimates from ``probes`` random walks down the search tree
    (:func:`estimate_candidates`): unbiased, but spread widely (on the 63
    provinces, 8 clusters of 7-9, five thousand probes give 0.2 to 0.6 million
    for 287,411), so they tell orders of magnitude apart, not exact counts.
    """

    candidates: float
    visits: float
    probes: int


def estimate_candidates(
    n_units: int,
    edges: Sequence[tuple[int, int]] | None,
    size: tuple[int, int],
    *,
    probes: int = 5000,
    seed: int = 0,
    deadline: float | None = None,
    **rules: Any,
) -> CandidateEstimate:
    """Estimate what :func:`enumerate_candidates` would find, without enumerating.

    ``n_units``, ``edges``, ``size`` and the keyword ``rules`` (``weights``,
    ``weight_bounds``, ``apart``, ``together``, ``categories``, ``roots``) are
    those of :func:`enumerate_candidates`. ``probes`` random walks are drawn
    with ``seed`` (fewer if ``deadline``, a ``time.perf_counter()`` value,
    passes first). A walk takes at most the largest size in steps, so five
    thousand take about a tenth of a second where counting can take minutes.

    Examples
    --------
    >>> est = estimate_candidates(4, [(0, 1), (1, 2), (2, 3)], (1, 4), probes=2000)
    >>> round(est.candidates)  # the path 0-1-2-3 has 10 connected sets
    10
    """
    if isinstance(probes, bool) or not isinstance(probes, (int, np.integer)) or probes < 1:
        raise ValueError(f"probes={probes!r}; expected an integer >= 1")
    search = _search_tree(n_units, edges, size, **rules)
    found, visited, done = _esu_estimate(search, probes=int(probes), seed=seed,
                                         deadline=deadline)
    return CandidateEstimate(candidates=found, visits=visited, probes=done)


def index_constraints(
    ids: Sequence[str], groups: Sequence[Sequence[str]]
) -> list[list[int]]:
    """Groups of unit ids as groups of row indices."""
    position: Mapping[str, int] = {uid: i for i, uid in enumerate(ids)}
    return [[position[u] for u in g] for g in groups]


def rule_candidates(
    compiled: CompiledRules,
    within: Sequence[int] | None = None,
    *,
    roots: Sequence[int] | None = None,
    limit: int | None = None,
    collect: bool = True,
    deadline: float | None = None,
    max_visits: int | None = None,
) -> tuple[int, Candidates | None]:
    """Every valid cluster (see :class:`~clustering.rules.CompiledRules`) within ``within``.

    ``within`` (unit rows, default all) restricts the units; ``roots`` keeps
    the candidates whose lowest member is one of these rows. Candidates are
    returned in the unit set's rows. A together group partly outside
    ``within`` cannot be completed inside it, so no candidate holds any of it.
    ``limit``, ``collect``, ``deadline`` and ``max_visits`` are those of
    :func:`enumerate_candidates`.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> from clustering.rules import ClusterRules
    >>> path = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
    ...                [("0", "1"), ("1", "2"), ("2", "3")])
    >>> compiled = ClusterRules(n_clusters=2, size=(2, 2), apart=[["1", "2"]],
    ...                         contiguous=True).compile(path)
    >>> count, cands = rule_candidates(compiled)
    >>> [cands.members(c).tolist() for c in range(count)]
    [[0, 1], [2, 3]]
    """
    units, rules = _rule_search(compiled, within, roots)
    count, found = enumerate_candidates(len(units), **rules, limit=limit, collect=collect,
                                        deadline=deadline, max_visits=max_visits)
    if found is None:
        return count, None  # soft purity (below) is not counted: an upper bound
    rows = np.asarray(units, dtype=np.int64)
    cands = Candidates(indptr=found.indptr, indices=rows[found.indices], n_units=compiled.n)
    if compiled.soft_categories is not None:  # at most max_impure members of another value
        keep = [c for c in range(len(cands)) if compiled.purity_ok(cands.members(c).tolist())]
        cands = cands.take(np.asarray(keep, dtype=np.int64))
        count = len(cands)
    return count, cands


def _rule_search(compiled: CompiledRules, within: Sequence[int] | None,
                 roots: Sequence[int] | None) -> tuple[list[int], dict]:
    """The units searched (rows) and the rules as :func:`enumerate_candidates` takes them."""
    units = list(range(compiled.n)) if within is None else sorted(int(u) for u in within)
    chosen = set(units)
    # A together group partly outside the units cannot be completed: its members stay out.
    for group in compiled.together:
        if not chosen.issuperset(group):
            chosen.difference_update(group)
    units = [u for u in units if u in chosen]
    local = {u: i for i, u in enumerate(units)}
    edges = None
    if compiled.contiguous:
        edges = [(local[a], local[b]) for a, b in compiled.edges.tolist()
                 if a in local and b in local]

    def restrict(groups: list[list[int]]) -> list[list[int]]:
        kept = ([local[u] for u in g if u in local] for g in groups)
        return [g for g in kept if len(g) > 1]

    return units, {
        "edges": edges, "size": compiled.size,
        "weights": None if compiled.weights is None else compiled.weights[units],
        "weight_bounds": compiled.weight_bounds,
        "apart": restrict(compiled.apart), "together": restrict(compiled.together),
        "categories": None if compiled.categories is None else [
            compiled.categories[u] for u in units],
        "roots": None if roots is None else [local[r] for r in roots if r in local],
    }


def estimate_rule_candidates(compiled: CompiledRules, *, probes: int = 5000, seed: int = 0,
                             deadline: float | None = None) -> CandidateEstimate:
    """Estimate what :func:`rule_candidates` would find (see :func:`estimate_candidates`).

    Soft purity (at most ``max_impure`` members of another value) is not
    estimated: like a count, the estimate is of the candidates before it.

    Examples
    --------
    >>> from clustering.datasets import vietnam_provinces
    >>> from clustering.rules import ClusterRules
    >>> rules = ClusterRules(n_clusters=6, size=(5, 6), contiguous=True)
    >>> est = estimate_rule_candidates(rules.compile(vietnam_provinces(2025)))
    >>> 500 < est.candidates < 8000  # 1,916 when counted
    True
    """
    units, rules = _rule_search(compiled, None, None)
    return estimate_candidates(len(units), **rules, probes=probes, seed=seed, deadline=deadline)

def splittable_rest(compiled: CompiledRules, cands: Candidates, *,
                    deadline: float | None = None) -> np.ndarray:
    """Whether the units outside each candidate can still form ``k - 1`` clusters.

    A candidate failing :meth:`CompiledRules.splittable
    <clustering.compiled_rules.CompiledRules.splittable>` on its complement is
    in no plan, so it can be dropped (a necessary condition). Dropping is
    only a saving: past ``deadline`` the candidates not yet checked are kept.
    """
    everyone = (1 << compiled.n) - 1
    ok = np.ones(len(cands), dtype=bool)
    for c in range(len(cands)):
        if deadline is not None and c % _CLOCK_EVERY == 0 and time.perf_counter() > deadline:
            break
        rest = everyone & ~mask_of(cands.members(c).tolist())
        ok[c] = compiled.splittable(rest, compiled.n_clusters - 1)
    return ok


def split_sides(
    compiled: CompiledRules, union: Sequence[int], *, limit: int | None = None
) -> Candidates:
    """Valid clusters of ``union`` holding its lowest unit whose rest is within the bounds.

    The first half of every exact two-way split: the rest's count and weight
    are checked here, vectorised; its groups and connectivity are left to
    :func:`two_way_splits` (all splits) and to callers that want only the
    cheapest (they check the rest in order of cost). Raises
    :class:`CandidateLimitExceeded` past ``limit`` sides.
    """
    union = sorted(int(u) for u in union)
    count, sides = rule_candidates(compiled, union, roots=union[:1], limit=limit)
    assert sides is not None
    if count == 0:
        return sides
    rest_counts = len(union) - sides.sizes
    ok = (rest_counts >= compiled.size[0]) & (rest_counts <= compiled.size[1])
    if compiled.weights is not None:
        low, high = compiled.weight_bounds  # type: ignore[misc]
        slack = compiled.weight_slack
        side_weights = np.add.reduceat(compiled.weights[sides.indices], sides.indptr[:-1])
        rest_weights = compiled.weights[union].sum() - side_weights
        ok &= (rest_weights >= low - slack) & (rest_weights <= high + slack)
    return sides.take(np.flatnonzero(ok))


def two_way_splits(
    compiled: CompiledRules, union: Sequence[int], *, limit: int | None = None
) -> list[tuple[int, int]]:
    """Every split of ``union`` into two valid clusters, as masks ``(side with its lowest
    unit, the rest)``, sorted.

    The exact recombination step shared by the p-median polishing and the
    plan sampler (see :func:`split_sides`). Raises
    :class:`CandidateLimitExceeded` when the side holding the lowest unit has
    more than ``limit`` options.

    Examples
    --------
    >>> from clustering.units import UnitSet
    >>> from clustering.rules import ClusterRules
    >>> cycle = UnitSet([{"id": str(i), "name": str(i)} for i in range(4)],
    ...                 [("0", "1"), ("1", "2"), ("2", "3"), ("3", "0")])
    >>> compiled = ClusterRules(n_clusters=2, size=(2, 2), contiguous=True).compile(cycle)
    >>> two_way_splits(compiled, [0, 1, 2, 3])
    [(3, 12), (9, 6)]
    """
    merged = mask_of(union)
    sides = split_sides(compiled, union, limit=limit)
    splits = []
    for c in range(len(sides)):
        side = mask_of(sides.members(c).tolist())
        rest = merged & ~side
        if compiled.groups_ok(rest) and compiled.mask_connected(rest):
            splits.append((side, rest))
    return sorted(splits)
