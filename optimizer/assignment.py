r"""The assignment model (Hess et al., 1965) with size bounds and contiguity cuts.

Variables :math:`x_{ij} = 1` when unit :math:`i` joins the cluster centred at
unit :math:`j`; :math:`x_{jj} = 1` makes :math:`j` a centre. Centres label the
clusters, so there is no symmetry between cluster labels.

.. math::

    \min \sum_{ij} d_{ij} x_{ij} \; [+\ \beta \sum_j \delta_j / \bar s]
    \quad\text{s.t.}\quad
    \sum_j x_{ij} = 1 \;\forall i, \qquad \sum_j x_{jj} = k, \qquad
    x_{ij} \le x_{jj}, \\
    L\,x_{jj} \le \sum_i x_{ij} \le U\,x_{jj}, \qquad
    L_w x_{jj} \le \sum_i w_i x_{ij} \le U_w x_{jj}, \\
    \delta_j \ge \pm\Big(\sum_i s_i x_{ij} - \bar s\,x_{jj}\Big) \text{ (balance term)},

plus the planners' rules: :math:`x_{aj} = x_{bj}` for units that must be
together, :math:`\sum_{a \in g} x_{aj} \le x_{jj}` for a group that must be
apart, and :math:`x_{ij}` absent when :math:`i` and :math:`j` differ in a
category clusters must be pure in.

Contiguity uses the separator inequalities (CUT of Validi, Buchanan and
Lykhovyd, 2022): if :math:`i` joins :math:`j` and :math:`S` separates
:math:`i` from :math:`j`, some unit of :math:`S` joins :math:`j`:
:math:`x_{ij} \le \sum_{v \in S} x_{vj}`. The neighbourhood of :math:`i`
gives the initial ones; the others are added on demand, in three places:

1. at the root (:func:`cut_loop`): the LP relaxation is solved, the most
   violated cut of every pair is found by a minimum vertex separator under
   weights :math:`x^*_{\cdot j}` (:mod:`optimizer.separation`), and the LP is
   solved again, warm, until no cut is violated or the bound tails off; the
   :math:`k` centres this LP opens most then give a first plan, the model
   with every other centre closed being solved exactly, or its last solution
   in pieces mended when time stops it (:meth:`AssignmentSolver.centres_plan`);
2. while diving (:func:`dive`, unless the centres' plan bettered the start):
   centres, then assignments, are fixed one by one on that relaxation until
   its point is integral; such a point violating no cut is a contiguous plan;
3. on each integer solution of the MIP (a component of a cluster not holding
   its centre yields the minimal separator between them); the model is then
   solved again, and a solution in pieces is mended by :func:`reconnect`
   (a broken cluster re-split exactly with the clusters around its stray
   piece, with fewer of them when the whole union finds nothing in time).
   With :data:`STOP_WHEN_SPLIT`, a HiGHS round stops at its first improving
   solution in pieces (:attr:`MILP.stop_when_split <optimizer.solvers.MILP>`)
   instead of searching on under a value no contiguous plan reaches; it is
   off, as measured (see there).

Every LP and every round is a relaxation of the contiguous problem, so each
bound is valid.

**Reform from a current plan** (``current``, ``max_moves``). With
:math:`c(i)` the current cluster of unit :math:`i` (:math:`C` clusters),
slot variables :math:`y_{jc} = 1` when centre :math:`j` takes over current
cluster :math:`c`, and :math:`t_{ij}` (unit :math:`i` joins centre :math:`j`
and stays in its current cluster):

.. math::

    \sum_c y_{jc} \le x_{jj} \;\forall j, \qquad
    \sum_j y_{jc} \le 1 \;\forall c \quad (\text{both } = \text{ when } k = C), \\
    t_{ij} \le x_{ij}, \qquad t_{ij} \le y_{j,c(i)}, \qquad
    \sum_{ij} t_{ij} \ge n - m, \\
    \sum_{i \in C_c} t_{ij} \le \min(|C_c|, U)\, y_{jc}, \qquad
    \sum_{i \in C_c} w_i t_{ij} \le \min(w(C_c), U_w)\, y_{jc}
    \;\forall j, c.

The last two rows (the second with weight bounds) are implied for integral
points and tighten the LP: a cluster keeps at most what fits of the current
one it takes over.

:math:`\sum_{ij} t_{ij}` is at most the overlap of the matching :math:`y`
of new to current clusters, so a plan meets the rows exactly when some
matching keeps :math:`n - m` units: at most :math:`m` moves. :math:`y` and
:math:`t` are continuous: for integral :math:`x` the matching polytope is
integral, so a fractional :math:`y` meeting the rows implies an integral
one. Every incumbent is checked by :meth:`_Model.vector`, which computes the
moves of the plan by :func:`scipy.optimize.linear_sum_assignment` and refuses
a plan with more than :math:`m`; so the warm start, the dive, the
reconnected plans and the polished ones all obey the constraint, while the
reduced-cost fixing reads the LP of this same model. The Lagrangian bound
ignores the constraint: it bounds a relaxation, so it stays a valid (weaker)
bound.

**At most** :math:`E` **cut borders** (``max_cut_edges``): with the cut parts
:math:`p_{ej} \ge x_{aj} - x_{bj}` of every border :math:`e = (a, b)`,
:math:`\sum_{e, j} p_{ej} \le E`; for integral :math:`x` the least
:math:`\sum_j p_{ej}` is 1 exactly when :math:`e` is cut. Incumbents are
checked the same way.

Variables are fixed to zero when :math:`i` cannot reach :math:`j` within a
cluster: more than :math:`U` units, or more than :math:`U_w` weight, on every
path between them.
"""

from __future__ import annotations

import bisect
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Literal

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import shortest_path

from clustering.compiled_rules import CompiledRules, weight_slack

from .lagrangian import pmedian_lagrangian_bound
from .relaxation import LinearRelaxation, LPPoint
from .separation import VertexSeparators, minimal_separator
from .solvers import MILP, OPTIMAL_GAP, Solution, relative_gap, solve

#: Models with more assignment variables than this get reduced-cost fixing.
FIXING_FROM = 5_000
#: Share of the time left for the dive when a plan is already in hand (else ``dive_share``).
DIVE_SHARE_WITH_PLAN = 0.1
#: Share of the time left for the plan on the root LP's likeliest centres (:meth:`centres_plan`).
CENTRES_SHARE = 0.15
#: The same in the re-partitions that mend a solution in pieces (:func:`reconnect`), where a
#: first plan matters most: on a union of 23 units split in two at +-0.5 % (planar 60, k = 5),
#: the centres' plan came in 0.57 s and the whole model's first one only after 2.7 s.
MEND_CENTRES_SHARE = 0.5
#: Share of the time left for re-partitioning bordering clusters by pairs.
PAIRS_SHARE = 0.3
#: Largest union of two clusters re-partitioned: two clusters of 67 units (planar 100,
#: k = 3) took 12 s for a plan the MIP then found as fast.
PAIRS_MAX_UNITS = 40
#: Stop each HiGHS MIP round at its first improving solution in pieces (lazy cuts by
#: restart). Off, as measured on the planar rows of the targets table (60 s each, mending
#: given 15 % of the time left instead of half): 7.4 % instead of 10.6 % on 80 units,
#: k = 5, but 24.3 s instead of 17.4 s for the proof on 100 units, k = 3, and no change
#: on k = 7, planar 150 or Ho Chi Minh City. Each restart starts its bound over at the
#: root, and the bound is what those gaps lack.
STOP_WHEN_SPLIT = False
#: Relative gap between the first incumbent and the root bound above which
#: :meth:`AssignmentSolver.restart_if_far` asks for another plan.
RESTART_GAP = 0.25

__all__ = ["FIXING_FROM", "AssignmentProblem", "AssignmentSolver", "kept_units",
           "solve_assignment"]


def kept_units(current: np.ndarray, labels: np.ndarray) -> tuple[int, np.ndarray]:
    """Units kept by the best matching of new to current clusters, and the matching.

    ``current`` and ``labels`` are cluster indices ``0..C-1`` and ``0..k-1``
    per unit. Returns ``(kept, match)`` with ``match[new] = current cluster``
    (``-1`` when unmatched, if ``k > C``); moves are ``n - kept``.

    Examples
    --------
    >>> kept_units(np.array([0, 0, 1, 1]), np.array([1, 1, 1, 0]))
    (3, array([1, 0]))
    """
    current, labels = np.asarray(current), np.asarray(labels)
    k, c = int(labels.max()) + 1, int(current.max()) + 1
    overlap = np.zeros((k, c), dtype=np.int64)
    np.add.at(overlap, (labels, current), 1)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    match = np.full(k, -1)
    match[rows] = cols
    return int(overlap[rows, cols].sum()), match


@dataclass(frozen=True)
class AssignmentProblem:
    """Data of one assignment model, in row-index terms.

    Built from compiled rules by :meth:`from_rules`; sub-problems and
    reduced-cost fixings are new problems (:func:`dataclasses.replace`),
    never changes to an existing one.
    """

    n: int
    n_clusters: int
    edges: np.ndarray  # (m, 2) borders
    contiguous: bool
    d: np.ndarray | None  # p-median dissimilarity (None: no p-median term)
    pmedian_weight: float = 1.0
    balance_weight: float = 0.0
    balance_sizes: np.ndarray | None = None  # per-unit size (1 or weight) for balance
    ideal: float = 1.0
    size: tuple[int, int] | None = None
    weights: np.ndarray | None = None
    weight_bounds: tuple[float, float] | None = None
    together: Sequence[Sequence[int]] = ()
    apart: Sequence[Sequence[int]] = ()
    categories: Sequence[object] | None = None
    cut_weight: float = 0.0  # weight of the cut-borders term
    edge_weights: np.ndarray | None = None  # (m,) weight of each border in the cut term
    forbidden: set = field(default_factory=set)  # (i, j) pairs that may not share a cluster
    fixed_zero: np.ndarray | None = None  # (n, n) bool: x_ij proven 0 (reduced-cost fixing)
    current: np.ndarray | None = None  # (n,) current cluster 0..C-1 of each unit (reform)
    max_moves: int | None = None  # most units whose cluster may change (with ``current``)
    max_cut_edges: int | None = None  # most borders between clusters

    @classmethod
    def from_rules(
        cls,
        compiled: CompiledRules,
        *,
        d: np.ndarray | None,
        pmedian_weight: float = 1.0,
        balance_weight: float = 0.0,
        balance_sizes: np.ndarray | None = None,
        ideal: float = 1.0,
        cut_weight: float = 0.0,
        edge_weights: np.ndarray | None = None,
        current: np.ndarray | None = None,
        max_moves: int | None = None,
        max_cut_edges: int | None = None,
    ) -> AssignmentProblem:
        """The model of ``compiled`` rules with the objective's data.

        ``d`` is ``None`` when the objective has no p-median term;
        ``edge_weights`` (one per border of ``compiled.edges``) price the cut
        borders with ``cut_weight``; ``current`` (cluster index of each unit)
        with ``max_moves`` adds the reform rows (module docstring);
        ``max_cut_edges`` bounds the borders between clusters.
        """
        return cls(
            n=compiled.n, n_clusters=compiled.n_clusters, edges=compiled.edges,
            contiguous=compiled.contiguous, d=d, pmedian_weight=pmedian_weight,
            balance_weight=balance_weight, balance_sizes=balance_sizes, ideal=ideal,
            cut_weight=cut_weight, edge_weights=edge_weights, size=compiled.size,
            weights=compiled.weights, weight_bounds=compiled.weight_bounds,
            together=compiled.together, apart=compiled.apart, categories=compiled.categories,
            current=None if current is None else np.asarray(current, dtype=np.int64),
            max_moves=None if current is None else max_moves, max_cut_edges=max_cut_edges,
        )

    @property
    def reform(self) -> bool:
        """Whether the moves from ``current`` are bounded."""
        return self.current is not None and self.max_moves is not None


def _allowed_pairs(p: AssignmentProblem) -> np.ndarray:
    n = p.n
    allowed = np.ones((n, n), dtype=bool)
    if p.contiguous:
        graph = sp.csr_matrix(
            (np.ones(2 * len(p.edges)), (np.r_[p.edges[:, 0], p.edges[:, 1]],
                                         np.r_[p.edges[:, 1], p.edges[:, 0]])),
            shape=(n, n),
        )
        hops = shortest_path(graph, unweighted=True)
        if p.size is not None:
            allowed &= hops + 1 <= p.size[1]
        else:
            allowed &= np.isfinite(hops)
        if p.weight_bounds is not None:
            w = p.weights
            # Path weight counting both ends: edge a->b costs w_b (tiny floor keeps 0 edges).
            directed = graph.multiply(np.maximum(w, 1e-12)[None, :]).tocsr()
            heavy = shortest_path(directed) + w[:, None]
            allowed &= heavy <= p.weight_bounds[1] + weight_slack(p.weight_bounds)
    if p.categories is not None:
        cats = np.array(p.categories, dtype=object)
        allowed &= cats[:, None] == cats[None, :]
    for group in p.apart:
        for a in group:
            for b in group:
                if a != b:
                    allowed[a, b] = False
    for a, b in p.forbidden:
        allowed[a, b] = allowed[b, a] = False
    np.fill_diagonal(allowed, True)
    if p.fixed_zero is not None:
        closed = np.flatnonzero(np.diag(p.fixed_zero))
        allowed &= ~p.fixed_zero
        allowed[:, closed] = False  # a closed centre takes no member
        allowed[closed, closed] = True  # its own variable stays, bounded to 0
    return allowed


class _Model:
    """Rows of the assignment MILP, kept as triplets so cuts can be appended."""

    def __init__(self, p: AssignmentProblem) -> None:
        self.p = p
        n = p.n
        self.allowed = _allowed_pairs(p)
        pairs = np.argwhere(self.allowed)  # (i, j)
        self.pairs = pairs
        self.col = -np.ones((n, n), dtype=np.int64)
        self.col[pairs[:, 0], pairs[:, 1]] = np.arange(len(pairs))
        self.n_x = len(pairs)
        # Columns: assignments x, then balance deviations (one per centre), then the cut
        # parts p_ej (one per border e and centre j an end may join) for the cut term.
        self.first_cut = self.n_x + (n if p.balance_weight > 0 else 0)
        self.cut_parts = np.zeros((0, 2), dtype=np.int64)  # (edge, centre) of each p_ej
        if p.cut_weight > 0 or p.max_cut_edges is not None:
            self.cut_parts = np.array(
                [(e, j) for e, (a, _) in enumerate(p.edges.tolist())
                 for j in np.flatnonzero(self.col[a] >= 0)],  # p_ej = 0 where x_aj is
                dtype=np.int64).reshape(-1, 2)
        # Reform: slots y_jc (centre j takes current cluster c), then t_ij (one per x_ij).
        self.first_move = self.first_cut + len(self.cut_parts)
        self.n_current = int(p.current.max()) + 1 if p.reform else 0
        self.n_cols = self.first_move + (p.n * self.n_current + self.n_x if p.reform else 0)
        # Rows in blocks (CSR-like): entries' row ids, columns, values; bounds per row.
        self._blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        self._block_first: list[int] = []
        self._lower: list[np.ndarray] = []
        self._upper: list[np.ndarray] = []
        self.n_rows = 0
        self._cuts: list[tuple[int, int, list[int]]] = []
        self._cut_keys: set = set()
        self._build()

    def add_rows(self, lengths, cols, vals, lower, upper) -> None:
        """Append rows given as flat entries, ``lengths[r]`` of them for row ``r``."""
        lengths = np.asarray(lengths, dtype=np.int64)
        rows = self.n_rows + np.repeat(np.arange(len(lengths)), lengths)
        self._blocks.append((rows, np.asarray(cols, dtype=np.int64),
                             np.asarray(vals, dtype=float)))
        self._block_first.append(self.n_rows)
        self._lower.append(np.broadcast_to(np.asarray(lower, dtype=float), lengths.shape))
        self._upper.append(np.broadcast_to(np.asarray(upper, dtype=float), lengths.shape))
        self.n_rows += len(lengths)

    def add_row(self, cols: Sequence[int], vals: Sequence[float], lo: float, up: float) -> None:
        self.add_rows([len(cols)], cols, vals, [lo], [up])

    def x(self, i: int, j: int) -> int:
        return int(self.col[i, j])

    def members_of(self, j: int) -> np.ndarray:
        return np.flatnonzero(self.col[:, j] >= 0)

    def _build(self) -> None:
        p, n, inf = self.p, self.p.n, np.inf
        for i in range(n):  # each unit in exactly one cluster
            cols = self.col[i][self.col[i] >= 0]
            self.add_row(cols, np.ones(len(cols)), 1.0, 1.0)
        centres = [self.x(j, j) for j in range(n)]
        self.add_row(centres, np.ones(n), p.n_clusters, p.n_clusters)  # k centres
        # Members only of open centres: x_ij - x_jj <= 0.
        i, j = self.pairs[self.pairs[:, 0] != self.pairs[:, 1]].T
        entries = np.column_stack([self.col[i, j], self.col[j, j]]).ravel()
        self.add_rows(np.full(len(i), 2), entries, np.tile([1.0, -1.0], len(i)), -inf, 0.0)
        for j in range(n):
            members = self.members_of(j)
            cols = [self.x(i, j) for i in members]
            centre = members.tolist().index(j)
            if p.size is not None:
                low, high = p.size
                vals = np.ones(len(cols))
                self._bounded(cols, vals, centre, low, high)
            if p.weight_bounds is not None:
                self._bounded(cols, p.weights[members].astype(float), centre, *p.weight_bounds)
            if p.balance_weight > 0:
                dev = self.n_x + j
                vals = p.balance_sizes[members].astype(float)
                vals[centre] -= p.ideal
                # dev_j >= +-(sum_i s_i x_ij - ideal x_jj)
                self.add_row([*cols, dev], [*(-vals), 1.0], 0.0, inf)
                self.add_row([*cols, dev], [*vals, 1.0], 0.0, inf)
        self._group_rows()
        if len(self.cut_parts):
            self._cut_indicators()
        if p.max_cut_edges is not None:  # sum_ej p_ej <= E: at most E borders cut
            cuts = self.first_cut + np.arange(len(self.cut_parts))
            self.add_row(cuts, np.ones(len(cuts)), -inf, p.max_cut_edges)
        if p.reform:
            self._moves_rows()
        if p.contiguous:
            self._neighbourhood_cuts()

    def _group_rows(self) -> None:
        """``x_aj = x_bj`` for units together, ``sum_{a in g} x_aj <= x_jj`` for a group apart."""
        p, n, inf = self.p, self.p.n, np.inf
        for group in p.together:
            for a, b in pairwise(group):
                for j in range(n):
                    cols = [c for c in (self.x(a, j), self.x(b, j)) if c >= 0]
                    vals = [v for c, v in ((self.x(a, j), 1.0), (self.x(b, j), -1.0)) if c >= 0]
                    if cols:
                        self.add_row(cols, vals, 0.0, 0.0)
        for group in p.apart:
            for j in range(n):
                cols = [self.x(a, j) for a in group if self.x(a, j) >= 0 and a != j]
                if len(cols) > 1:
                    self.add_row([*cols, self.x(j, j)], [*np.ones(len(cols)), -1.0], -inf, 0.0)

    def y(self, j: int, c: int) -> int:
        """Column of :math:`y_{jc}`: centre ``j`` takes over current cluster ``c``."""
        return self.first_move + j * self.n_current + c

    def _moves_rows(self) -> None:
        r"""The reform rows of the module docstring, in its order.

        :math:`\sum_c y_{jc} \le x_{jj}`, :math:`\sum_j y_{jc} \le 1` (equalities
        when :math:`k = C`), :math:`t_{ij} \le x_{ij}`, :math:`t_{ij} \le
        y_{j,c(i)}` and :math:`\sum_{ij} t_{ij} \ge n - m`.
        """
        p, n, inf, C = self.p, self.p.n, np.inf, self.n_current
        equal = p.n_clusters == C
        for j in range(n):  # sum_c y_jc - x_jj (= or <=) 0
            self.add_row([*(self.y(j, c) for c in range(C)), self.x(j, j)],
                         [*np.ones(C), -1.0], 0.0 if equal else -inf, 0.0)
        for c in range(C):  # sum_j y_jc (= or <=) 1
            self.add_row([self.y(j, c) for j in range(n)], np.ones(n),
                         1.0 if equal else -inf, 1.0)
        i, j = self.pairs.T
        t = self.first_move + n * C + np.arange(self.n_x)
        pairs = np.full(self.n_x, 2)
        self.add_rows(pairs, np.column_stack([t, np.arange(self.n_x)]).ravel(),
                      np.tile([1.0, -1.0], self.n_x), -inf, 0.0)  # t_ij - x_ij <= 0
        slots = self.first_move + j * C + p.current[i]
        self.add_rows(pairs, np.column_stack([t, slots]).ravel(),
                      np.tile([1.0, -1.0], self.n_x), -inf, 0.0)  # t_ij - y_j,c(i) <= 0
        self.add_row(t, np.ones(self.n_x), n - p.max_moves, inf)  # sum t_ij >= n - m
        high = n if p.size is None else p.size[1]
        sizes = [(np.ones(n), high)]
        if p.weight_bounds is not None:
            sizes.append((p.weights.astype(float), p.weight_bounds[1]))
        slot = j * C + p.current[i]  # the y_jc each t_ij is bounded by, as jC + c
        order = np.argsort(slot, kind="stable")
        lengths = np.bincount(slot, minlength=n * C)
        ends = np.cumsum(lengths)
        for values, upper in sizes:  # sum_{i in C_c} s_i t_ij - min(s(C_c), U) y_jc <= 0
            caps = np.minimum(np.bincount(p.current, weights=values, minlength=C), upper)
            cols = np.insert(t[order], ends, self.first_move + np.arange(n * C))
            vals = np.insert(values[i[order]], ends, -np.tile(caps, n))
            self.add_rows(lengths + 1, cols, vals, -inf, 0.0)

    def _cut_indicators(self) -> None:
        r"""``p_ej >= x_aj - x_bj`` for every border ``e = (a, b)`` and centre ``j``.

        With :math:`\sum_j x_{aj} = \sum_j x_{bj} = 1`, the least
        :math:`\sum_j p_{ej}` is :math:`\tfrac12 \sum_j |x_{aj} - x_{bj}|`: 1
        when ``e`` is cut, 0 when not, and in the LP at least the largest
        single difference (the usual :math:`y_e \ge |x_{aj} - x_{bj}|`).
        """
        edges = self.p.edges
        for k, (e, j) in enumerate(self.cut_parts.tolist()):
            a, b = edges[e]
            ends = [(c, v) for c, v in ((self.x(a, j), 1.0), (self.x(b, j), -1.0)) if c >= 0]
            self.add_row([self.first_cut + k, *(c for c, _ in ends)],
                         [1.0, *(-v for _, v in ends)], 0.0, np.inf)

    def _neighbourhood_cuts(self) -> None:
        """``x_ij <= sum_{v in N(i)} x_vj`` for every allowed pair not bordering.

        Built per unit with arrays (hundreds of thousands of rows at 700 units);
        being rebuilt with the model, they are not recorded among the cuts.
        """
        n = self.p.n
        neighbours = [[] for _ in range(n)]
        for a, b in self.p.edges:
            neighbours[a].append(b)
            neighbours[b].append(a)
        for i in range(n):
            far = np.flatnonzero(self.allowed[i])
            far = far[(far != i) & ~np.isin(far, neighbours[i])]
            if not len(far):
                continue
            # One row per centre j in far: x_ij first, then the x_vj that exist.
            columns = np.vstack([self.col[i, far], *(self.col[v, far] for v in neighbours[i])])
            values = np.vstack([np.ones(len(far)), -np.ones((len(neighbours[i]), len(far)))])
            present = columns >= 0
            self.add_rows(present.sum(axis=0), columns.T[present.T], values.T[present.T],
                          -np.inf, 0.0)

    def _bounded(self, cols, vals, centre, low, high) -> None:
        inf = np.inf
        upper = np.array(vals, dtype=float)
        upper[centre] -= high
        self.add_row(cols, upper, -inf, 0.0)  # sum <= high * x_jj
        if low > 0:
            lower = np.array(vals, dtype=float)
            lower[centre] -= low
            self.add_row(cols, lower, 0.0, inf)  # sum >= low * x_jj

    def add_cut(self, i: int, j: int, separator: Sequence[int]) -> None:
        """``x_ij <= sum_{v in separator} x_vj`` (absent variables are 0)."""
        if self.x(i, j) < 0:
            return  # x_ij is fixed to 0: nothing to cut
        self._cuts.append((i, j, list(separator)))
        self._cut_keys.add((i, j, tuple(separator)))
        cols = [self.x(v, j) for v in separator if self.x(v, j) >= 0]
        self.add_row([self.x(i, j), *cols], [1.0, *(-np.ones(len(cols)))], -np.inf, 0.0)

    def costs(self) -> np.ndarray:
        p = self.p
        c = np.zeros(self.n_cols)
        if p.d is not None:
            c[: self.n_x] = p.pmedian_weight * p.d[self.pairs[:, 0], self.pairs[:, 1]]
        if p.balance_weight > 0:
            c[self.n_x: self.first_cut] = p.balance_weight / p.ideal
        if p.cut_weight > 0:
            c[self.first_cut:self.first_move] = (
                p.cut_weight * p.edge_weights[self.cut_parts[:, 0]])
        return c

    def milp(self) -> MILP:
        p = self.p
        c = self.costs()
        rows, cols, vals = (np.concatenate(part) for part in zip(*self._blocks, strict=True))
        A = sp.csr_matrix((vals, (rows, cols)), shape=(self.n_rows, self.n_cols))
        integer = np.zeros(self.n_cols, dtype=bool)
        integer[: self.n_x] = True
        upper = np.full(self.n_cols, np.inf)
        upper[: self.n_x] = 1.0
        upper[self.first_cut:] = 1.0  # cut parts, slots y and kept units t
        if p.fixed_zero is not None:
            for j in np.flatnonzero(np.diag(p.fixed_zero)):
                upper[self.x(j, j)] = 0.0
        return MILP(
            c=c, A=A, row_lower=np.concatenate(self._lower),
            row_upper=np.concatenate(self._upper),
            col_lower=np.zeros(self.n_cols), col_upper=upper, integer=integer,
            name="assignment",
        )

    def split_check(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``MILP.stop_when_split`` of this model: unit and centre of each x, the CSR borders."""
        a, b = self.p.edges.T
        graph = sp.csr_matrix((np.ones(2 * len(a)), (np.r_[a, b], np.r_[b, a])),
                              shape=(self.p.n, self.p.n))
        return self.pairs[:, 0], self.pairs[:, 1], graph.indptr, graph.indices

    def labels(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Centre of each unit and the list of centres."""
        chosen = self.pairs[x[: self.n_x] > 0.5]
        centre_of = np.full(self.p.n, -1)
        centre_of[chosen[:, 0]] = chosen[:, 1]
        return centre_of, np.unique(centre_of)

    def centres_of(self, labels: np.ndarray) -> np.ndarray:
        """Each unit's centre for a plan: every cluster centred at its p-median unit."""
        d = self.p.d if self.p.d is not None else np.zeros((self.p.n, self.p.n))
        centre_of = np.empty(self.p.n, dtype=np.int64)
        for value in np.unique(labels):
            members = np.flatnonzero(labels == value)
            centre_of[members] = members[np.argmin(d[np.ix_(members, members)].sum(axis=0))]
        return centre_of

    def vector(self, centre_of: np.ndarray) -> np.ndarray | None:
        """The MILP vector of an assignment, or ``None`` if it uses an absent variable."""
        cols = self.col[np.arange(self.p.n), centre_of]
        if (cols < 0).any():
            return None
        x = np.zeros(self.n_cols)
        x[cols] = 1.0
        if self.p.balance_weight > 0:
            for j in np.unique(centre_of):
                x[self.n_x + j] = abs(self.p.balance_sizes[centre_of == j].sum() - self.p.ideal)
        if len(self.cut_parts):  # p_ej = 1 where e leaves the cluster of its first end, j
            ends = centre_of[self.p.edges[self.cut_parts[:, 0]]]
            centre = self.cut_parts[:, 1]
            x[self.first_cut:self.first_move] = (ends[:, 0] == centre) & (ends[:, 1] != centre)
        if self.p.max_cut_edges is not None and x[self.first_cut:self.first_move].sum() > (
                self.p.max_cut_edges + 0.5):
            return None  # more borders cut than allowed
        if self.p.reform and not self._set_moves(x, centre_of):
            return None
        return x

    def _set_moves(self, x: np.ndarray, centre_of: np.ndarray) -> bool:
        """Fill :math:`y, t` of a plan from its best matching; False if it moves too many."""
        p, C = self.p, self.n_current
        centres, labels = np.unique(centre_of, return_inverse=True)
        kept, match = kept_units(p.current, labels)
        if p.n - kept > p.max_moves:
            return False
        for new, old in enumerate(match.tolist()):
            if old >= 0:
                x[self.y(int(centres[new]), old)] = 1.0
        stays = match[labels] == p.current
        t = self.first_move + p.n * C + self.col[np.arange(p.n), centre_of]
        x[t[stays]] = 1.0
        return True

    def cut_rows(self) -> list[tuple[int, int, list[int]]]:
        return list(self._cuts)

    def restore_cuts(self, cuts: list[tuple[int, int, list[int]]]) -> None:
        for i, j, separator in cuts:
            if self.x(i, j) >= 0 and (i, j, tuple(separator)) not in self._cut_keys:
                self.add_cut(i, j, separator)

    def separate(self, x: np.ndarray, graph: nx.Graph) -> int:
        """Add a separator cut for every unit cut off from its centre; count them."""
        centre_of, centres = self.labels(x)
        added = 0
        for j in centres:
            members = set(np.flatnonzero(centre_of == j).tolist())
            for part in nx.connected_components(graph.subgraph(members)):
                if j in part:
                    continue
                separator = minimal_separator(graph, part, j)
                for i in part:
                    self.add_cut(i, j, separator)
                    added += 1
        return added

    def separate_fractional(
        self, x: np.ndarray, separators: VertexSeparators, tolerance: float = 1e-3
    ) -> int:
        r"""Add every separator cut the LP point ``x`` violates by more than ``tolerance``.

        For each :math:`x_{ij} > 0` with :math:`i, j` not adjacent, the
        lightest separator under weights :math:`x_{\cdot j}` gives the most
        violated cut of the pair, if any.
        """
        value = np.zeros((self.p.n, self.p.n))
        value[self.pairs[:, 0], self.pairs[:, 1]] = x[: self.n_x]
        added = 0
        for j in np.flatnonzero(np.diag(value) > tolerance):
            weights = value[:, j]
            for i in np.flatnonzero(weights > tolerance):
                if i == j or j in separators.graph[i]:
                    continue
                weight, separator = separators.min_separator(weights, int(i), int(j))
                if weight < weights[i] - tolerance and (
                    int(i), int(j), tuple(separator)) not in self._cut_keys:
                    self.add_cut(int(i), int(j), separator)
                    added += 1
        return added

    def rows_since(self, first: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
        """Rows ``first..`` as a matrix with their bounds (to extend a relaxation)."""
        k = max(bisect.bisect_right(self._block_first, first) - 1, 0)
        blocks = self._blocks[k:]
        if blocks:
            rows, cols, vals = (np.concatenate(part) for part in zip(*blocks, strict=True))
        else:
            rows = cols = vals = np.zeros(0, dtype=np.int64)
        keep = rows >= first
        count = self.n_rows - first
        A = sp.csr_matrix((vals[keep], (rows[keep] - first, cols[keep])),
                          shape=(count, self.n_cols))
        skip = first - (self._block_first[k] if blocks else first)
        lower = np.concatenate(self._lower[k:])[skip:] if blocks else np.zeros(0)
        upper = np.concatenate(self._upper[k:])[skip:] if blocks else np.zeros(0)
        return A, lower, upper


def cut_loop(
    model: _Model, relaxation: LinearRelaxation, separators: VertexSeparators | None, *,
    stop: float | None = None, max_rounds: int = 1000, tail_off: float | None = 1e-4,
) -> LPPoint | None:
    """Solve the relaxation, add the separator cuts its point violates, repeat.

    Every LP solved is a relaxation of the contiguous problem, so its value is
    a valid bound. Stops when no cut is violated, after ``max_rounds`` solves,
    at ``stop`` (a ``time.perf_counter()`` value), or when the value tails off
    (relative gain below ``tail_off`` over three rounds). Returns the last
    optimal point, or ``None`` if the first solve did not reach optimality.
    """
    point, values = None, []
    for _ in range(max_rounds):
        left = None if stop is None else stop - time.perf_counter()
        if left is not None and left <= 0:
            break
        solved = relaxation.solve(left)
        if solved is None:
            return point if relaxation.status == "time_limit" else None
        point = solved
        values.append(point.value)
        if separators is None:
            break
        if tail_off is not None and len(values) > 3 and (
            values[-1] - values[-4] <= tail_off * max(1.0, abs(values[-1]))
        ):
            break
        first = model.n_rows
        if model.separate_fractional(point.x, separators) == 0:
            break
        relaxation.add_rows(*model.rows_since(first))
    return point


def dive(
    model: _Model, relaxation: LinearRelaxation, separators: VertexSeparators | None, *,
    stop: float | None = None,
) -> np.ndarray | None:
    """A plan found by diving on the LP relaxation; the centre of each unit, or ``None``.

    Each step fixes to 1 the fractional centre variable :math:`x_{jj}`
    closest to 1 (once all centres are integral, the fractional assignment
    closest to 1), or to 0 if that leaves the relaxation infeasible, and
    re-solves with separator cuts until none is violated. An integral point
    that violates no separator cut is a contiguous plan that meets every row
    of the model. ``None`` at a dead end or at ``stop``. The relaxation's
    column bounds are left fixed; the cuts added are valid for every plan.
    """
    centre_columns = np.array([model.x(j, j) for j in range(model.p.n)])
    point = cut_loop(model, relaxation, separators, stop=stop, tail_off=None, max_rounds=50)
    while point is not None:
        x = point.x[: model.n_x]
        fractional = (x > 1e-6) & (x < 1 - 1e-6)
        if not fractional.any():
            # Integral: a plan, unless the cut rounds stopped short of contiguity.
            first = model.n_rows
            if separators is None or model.separate(point.x, separators.graph) == 0:
                return model.labels(point.x)[0]
            relaxation.add_rows(*model.rows_since(first))
            point = cut_loop(model, relaxation, separators, stop=stop, tail_off=None,
                             max_rounds=50)
            continue
        open_centres = centre_columns[fractional[centre_columns]]
        pool = open_centres if len(open_centres) else np.flatnonzero(fractional)
        column = pool[np.argmax(x[pool])]
        for value in (1.0, 0.0):
            relaxation.set_bounds([column], value, value)
            point = cut_loop(model, relaxation, separators, stop=stop, tail_off=None,
                             max_rounds=50)
            if point is not None or relaxation.status == "time_limit":
                break
        if stop is not None and time.perf_counter() >= stop:
            return None
    return None


def subproblem(p: AssignmentProblem, members: np.ndarray, n_clusters: int) -> AssignmentProblem:
    """The problem ``p`` restricted to the units ``members`` split into ``n_clusters``.

    Rows, planners' rules and categories are carried over in the sub-problem's
    indices; reduced-cost fixings and the reform rows are not (they hold for the
    whole problem only: a plan mended from sub-problems is checked against the
    moves bound when it is offered).
    """
    members = np.asarray(members, dtype=np.int64)
    position = np.full(p.n, -1)
    position[members] = np.arange(len(members))

    def inside(groups: Sequence[Sequence[int]]) -> list[list[int]]:
        kept = ([int(position[a]) for a in g if position[a] >= 0] for g in groups)
        return [g for g in kept if len(g) > 1]

    both = (position[p.edges] >= 0).all(axis=1) if len(p.edges) else np.zeros(0, bool)
    take = np.ix_(members, members)
    return replace(
        p, n=len(members), n_clusters=n_clusters,
        edges=position[p.edges[both]].reshape(-1, 2),
        edge_weights=None if p.edge_weights is None else p.edge_weights[both],
        d=None if p.d is None else p.d[take],
        balance_sizes=None if p.balance_sizes is None else p.balance_sizes[members],
        weights=None if p.weights is None else p.weights[members],
        together=inside(p.together), apart=inside(p.apart),
        categories=None if p.categories is None else [p.categories[i] for i in members],
        forbidden={(int(position[a]), int(position[b])) for a, b in p.forbidden
                   if position[a] >= 0 and position[b] >= 0},
        fixed_zero=None, current=None, max_moves=None, max_cut_edges=None,
    )


def reconnect(
    p: AssignmentProblem, labels: np.ndarray, graph: nx.Graph, *, solver: str,
    deadline: float | None = None, seed: int = 0,
) -> np.ndarray | None:
    """A contiguous plan near ``labels``: each broken cluster re-solved with its neighbours.

    While a cluster :math:`b` is in pieces, take its smallest detached piece
    :math:`P`. A union of :math:`b` and clusters bordering :math:`P` is
    re-partitioned exactly into as many clusters (the assignment model on the
    union, same rules and objective); other clusters stay as they are. The
    union of :math:`b` and every cluster bordering :math:`P` is tried first;
    if it finds no plan in half the time left, it gives way to the smaller
    unions of :math:`b` and one of them, most borders with :math:`P` first
    (a union in more pieces than clusters is skipped: it cannot be split).
    Returns ``None`` if no union can be re-partitioned before ``deadline``.
    """
    labels = np.asarray(labels).copy()

    def pieces(members) -> list[set[int]]:
        return sorted(nx.connected_components(graph.subgraph(members)), key=len, reverse=True)

    def unions(b: int, piece: set[int]) -> list[list[int]]:
        borders = Counter(int(labels[u]) for v in piece for u in graph[v] if labels[u] != b)
        every = [[b, *sorted(borders)]]
        ones = [[b, c] for c, _ in sorted(borders.items(), key=lambda cn: (-cn[1], cn[0]))]
        return every + ones if len(borders) > 1 else every

    while True:
        broken = {int(c): parts for c in np.unique(labels)
                  if len(parts := pieces(np.flatnonzero(labels == c))) > 1}
        if not broken:
            return labels
        b = min(broken)
        piece = broken[b][-1]
        tries = [free for free in unions(b, piece)
                 if len(pieces(np.flatnonzero(np.isin(labels, free)))) <= len(free)]
        for attempt, free in enumerate(tries):
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0.05:
                return None
            if left is not None and attempt < len(tries) - 1:
                left /= 2  # a union that does not fit gives way to the next
            members = np.flatnonzero(np.isin(labels, free))
            _, sub_labels, _ = solve_assignment(
                subproblem(p, members, len(free)), solver=solver, time_limit=left,
                mip_gap=1e-4, seed=seed, centres_share=MEND_CENTRES_SHARE,
            )
            if sub_labels is not None:
                labels[members] = np.asarray(free)[sub_labels]
                break
        else:
            return None


def repartition_pairs(
    p: AssignmentProblem, labels: np.ndarray, graph: nx.Graph, *, solver: str,
    cost: Callable[[np.ndarray], float], deadline: float | None = None, seed: int = 0,
    max_units: int | None = None,
) -> np.ndarray:
    """``labels`` improved by re-partitioning bordering clusters two at a time, exactly.

    For each pair of clusters that share a border, the union is split anew
    into two clusters by the assignment model on the union (same rules and
    objective), started from the current split; the new split is kept when
    the whole plan's ``cost`` falls. Pairs are taken again until a full pass
    changes nothing or ``deadline`` passes: a large-neighbourhood search
    whose neighbourhoods are solved to optimality (each is small: two
    clusters), so a plan it returns is 2-optimal in that sense when time
    allowed the last pass. Under tight weight bounds a single unit can rarely
    move without breaking one; a pair re-split moves many at once. Unions of
    more than ``max_units`` units are left alone (their exact split costs
    more than it brings).
    """
    max_units = np.inf if max_units is None else max_units
    labels = np.asarray(labels).copy()
    best = cost(labels)
    settled: set[tuple[int, ...]] = set()  # unions already split optimally
    changed = True
    while changed:
        changed = False
        edges = np.array(graph.edges(), dtype=np.int64).reshape(-1, 2)
        ends = np.sort(labels[edges], axis=1)
        pairs = np.unique(ends[ends[:, 0] != ends[:, 1]], axis=0)
        for a, b in pairs.tolist():
            members = np.flatnonzero((labels == a) | (labels == b))
            key = tuple(members.tolist())
            if key in settled or len(members) > max_units:
                continue
            left = None if deadline is None else deadline - time.perf_counter()
            if left is not None and left <= 0.05:
                return labels
            start = (labels[members] == b).astype(np.int64)
            solution, sub_labels, _ = solve_assignment(
                subproblem(p, members, 2), solver=solver, time_limit=left, seed=seed,
                warm_labels=start)
            if sub_labels is None:
                continue
            if solution.status == "optimal":
                settled.add(key)
            trial = labels.copy()
            trial[members] = np.where(np.asarray(sub_labels) == sub_labels[0],
                                      labels[members[0]], a + b - labels[members[0]])
            value = cost(trial)
            if value < best - 1e-9 * max(1.0, abs(best)):
                labels, best, changed = trial, value, True
    return labels


class AssignmentSolver:
    r"""Branch-and-cut by rounds on the assignment model: root cuts, a dive, MIP rounds.

    The model (module docstring) minimises :math:`\sum_{ij} d_{ij} x_{ij}`
    (plus the balance term) over assignments :math:`x_{ij}` of units to
    centres with :math:`k` centres, the count, weight and planners' rows, and
    the separator cuts :math:`x_{ij} \le \sum_{v \in S} x_{vj}` for
    contiguity. The solver keeps

    - the **incumbent** :math:`U` (best valid plan: cost and centre of each
      unit), offered by the warm start, the dive, the MIP rounds and their
      reconnected plans;
    - the **bound** :math:`z` (best lower bound), raised by every LP and MIP
      round, each a relaxation of the contiguous problem;
    - the **deadline** of the whole call, shared out between the phases.

    Phases, each a method: :meth:`first_plan` (a plan from ``start``, e.g.
    a heuristic's; with ``start_late`` only after the centres' plan, and only
    when no plan is in hand), :meth:`root_cuts` (separator cuts on the root LP,
    at most ``root_share`` of the time), :meth:`centres_plan` (objectives
    with a p-median term: the root LP's :math:`k` likeliest centres fixed,
    the rest solved exactly, in :data:`CENTRES_SHARE` of what is left),
    :meth:`dive` (with highspy, unless the centres' plan bettered the start:
    a first plan from the cut LP, at most ``dive_share`` of what is left),
    :meth:`fix_by_reduced_cost` (large models: drop every :math:`x_{ij}`
    whose reduced cost exceeds :math:`U - z`), then :meth:`mip_round` until
    a round's solution is contiguous, the gap is within ``mip_gap``, or time
    runs out; each round's solution in pieces is mended by :meth:`reconnect`.
    With no LP solved in time, :meth:`lagrangian_bound` gives the bound. When
    the root bound already meets the incumbent (e.g. the dive's plan), no
    round is needed: the incumbent is proven optimal.

    Under a moves bound (``current``, ``max_moves``) or a cut bound
    (``max_cut_edges``) every phase keeps to it: the LPs, the dive and the
    rounds solve the model with its rows, reduced-cost fixing reads those
    LPs, every offered plan (warm start, dive, reconnection) is refused by
    :meth:`_Model.vector` when it breaks the bound, the ``improve`` polishing
    (which knows neither bound) is skipped, and the Lagrangian bound, of a
    relaxation, stays valid.

    After fixing at incumbent cost :math:`U`, the model holds only plans
    cheaper than :math:`U`: its bounds bound :math:`\min(U, \text{optimum})`,
    so the reported bound is capped at :math:`U`.
    """

    def __init__(
        self,
        problem: AssignmentProblem,
        *,
        solver: str,
        time_limit: float | None = None,
        mip_gap: float | None = None,
        seed: int = 0,
        verbose: bool = False,
        acceptable: Callable[[np.ndarray], bool] | None = None,
        improve: Callable[[np.ndarray], np.ndarray] | None = None,
        root_share: float = 0.4,
        dive_share: float = 0.5,
        centres_share: float = CENTRES_SHARE,
        restart: Callable[..., np.ndarray | None] | None = None,
        start: Callable[..., np.ndarray | None] | None = None,
        start_late: bool = False,
    ) -> None:
        self.started = time.perf_counter()
        self.restart, self.start, self.start_late = restart, start, start_late
        self.start_asked = False
        self.deadline = None if time_limit is None else self.started + time_limit
        self.problem = problem
        self.model = _Model(problem)
        self.solver, self.mip_gap, self.seed, self.verbose = solver, mip_gap, seed, verbose
        # The polishing knows neither the moves nor the cut bound: it is skipped under them.
        bounded = problem.reform or problem.max_cut_edges is not None
        self.acceptable, self.improve = acceptable, None if bounded else improve
        self.root_share, self.dive_share = root_share, dive_share
        self.centres_share = centres_share
        self.incumbent: tuple[float, np.ndarray] | None = None  # (cost, centre of each unit)
        self.bound: float | None = None
        self.fixed_at: float | None = None  # incumbent cost when variables were last fixed
        self.last: Solution | None = None  # the last MIP round's solution
        self.last_value: float | None = None  # its objective, computed on its own model
        self.split: np.ndarray | None = None  # centre of each unit in the last round's
        # solution when that solution was in pieces (a plan to mend), else None
        self.use_fixing = self.model.n_x > FIXING_FROM
        self.separators = VertexSeparators(problem.n, problem.edges) if problem.contiguous \
            else None
        self.graph = self.separators.graph if self.separators is not None else None
        self.details: dict = {
            "variables": self.model.n_x,
            "fixed_to_zero": problem.n * problem.n - self.model.n_x,
            "rounds": 0, "cuts": 0, "fixed_by_reduced_cost": 0,
            "root_cuts": 0, "root_bound": None,
        }

    # -- bookkeeping ---------------------------------------------------------------
    def time_left(self) -> float | None:
        return None if self.deadline is None else self.deadline - time.perf_counter()

    def share(self, fraction: float) -> float | None:
        """A ``time.perf_counter()`` stop after ``fraction`` of the time left."""
        left = self.time_left()
        return None if left is None else time.perf_counter() + fraction * left

    def raise_bound(self, value: float | None) -> None:
        if value is not None:
            self.bound = value if self.bound is None else max(self.bound, value)

    def offer(self, centre_of: np.ndarray | None) -> None:
        """Keep the assignment as incumbent if it is a model point cheaper than the incumbent."""
        x = self.model.vector(centre_of) if centre_of is not None else None
        if x is None:
            return
        value = float(self.model.costs() @ x)
        if self.incumbent is None or value < self.incumbent[0] - 1e-12:
            self.incumbent = (value, centre_of)

    def cost_of(self, labels: np.ndarray) -> float:
        """The model's cost of a plan at its best centres (infinite if not a model point)."""
        x = self.model.vector(self.model.centres_of(labels))
        return np.inf if x is None else float(self.model.costs() @ x)

    def offer_plan(self, labels: np.ndarray) -> None:
        """Offer a plan that follows every rule, at its best centres, and its polished version."""
        if self.acceptable is not None and not self.acceptable(labels):
            return
        self.offer(self.model.centres_of(labels))
        if self.improve is not None:
            polished = self.improve(labels)
            if self.acceptable is None or self.acceptable(polished):
                self.offer(self.model.centres_of(polished))

    def closed(self) -> bool:
        """Whether the bound meets the incumbent (within :data:`OPTIMAL_GAP`)."""
        if self.incumbent is None or self.bound is None:
            return False
        return self.incumbent[0] - self.bound <= OPTIMAL_GAP * max(1.0, abs(self.incumbent[0]))

    def gap_closed(self) -> bool:
        if self.incumbent is None or self.bound is None or self.mip_gap is None:
            return False
        gap = relative_gap(self.incumbent[0], _capped(self.bound, self.fixed_at))
        return gap is not None and gap <= self.mip_gap

    # -- phases --------------------------------------------------------------------
    def root_cuts(self) -> tuple[LPPoint | None, LinearRelaxation]:
        """Separator cuts on the root LP (:func:`cut_loop`); raises the bound."""
        root_started = time.perf_counter()
        relaxation = LinearRelaxation(self.model.milp())
        initial_cuts = len(self.model.cut_rows())
        root = cut_loop(self.model, relaxation, self.separators, stop=self.share(self.root_share))
        self.details["root_time"] = time.perf_counter() - root_started
        if root is not None:
            self.raise_bound(root.value)
            self.details["root_bound"] = root.value
            self.details["root_cuts"] = len(self.model.cut_rows()) - initial_cuts
        return root, relaxation

    def centres_plan(self, root: LPPoint) -> bool:
        """A plan on the :math:`k` centres the root LP opens most, the rest solved exactly.

        With every other centre closed (:math:`x_{jj} = 0`), the model keeps
        :math:`k` columns per unit and every rule; it is solved by the same
        rounds, in :data:`CENTRES_SHARE` of the time left, and its plan offered
        as incumbent. When time stops those rounds on a solution in pieces, it
        is mended (:func:`reconnect`, in as much time again): the plan then
        need not keep those centres. A relax-and-fix on the location decisions
        only: where the LP's centres are those of an optimum (districting at
        +-0.5 %, k = 3, on 80 and 100 units) the plan is optimal, in under a
        second. Only for objectives with a p-median term, where a centre
        means something. Returns whether its plan became the incumbent.
        """
        p = self.problem
        closed_already = 0 if p.fixed_zero is None else int(np.diag(p.fixed_zero).sum())
        if p.pmedian_weight <= 0 or p.d is None or p.n - closed_already <= p.n_clusters:
            return False  # no centre to choose (as in this phase's own model)
        started = time.perf_counter()
        opened = root.x[[self.model.x(j, j) for j in range(p.n)]]
        closed = np.ones(p.n, dtype=bool)
        closed[np.argsort(-opened, kind="stable")[:p.n_clusters]] = False
        fixed = np.zeros((p.n, p.n), dtype=bool) if p.fixed_zero is None else p.fixed_zero.copy()
        fixed[np.diag_indices(p.n)] |= closed
        left = self.time_left()
        on_centres = AssignmentSolver(
            replace(p, fixed_zero=fixed), solver=self.solver, seed=self.seed,
            time_limit=None if left is None else self.centres_share * left, dive_share=0.0)
        _, labels, _ = on_centres.solve()
        before = None if self.incumbent is None else self.incumbent[0]
        if labels is not None:
            self.offer_plan(labels)
        elif on_centres.split is not None and self.acceptable is not None:
            # Stopped by the time on a solution in pieces: mended in as much time again,
            # each broken cluster re-split with its neighbours, at any centre (planar 60,
            # k = 5, +-0.5 %: the rounds found no plan in 8 s, the mended plan was the
            # optimum; planar 150, seed 2: 22.545, the start 22.803).
            labels = self.reconnect(on_centres.split, share=self.centres_share)
            self.details["centres_mended"] = labels is not None
        if labels is not None:
            self.details["centres_objective"] = self.cost_of(labels)
        self.details["centres_time"] = time.perf_counter() - started
        return self.incumbent is not None and (before is None or self.incumbent[0] < before)

    def dive(self, relaxation: LinearRelaxation) -> None:
        """A first plan by diving on the cut LP (:func:`dive`), offered as incumbent.

        With a plan already in hand (a warm start) the dive gets only
        :data:`DIVE_SHARE_WITH_PLAN` of the time left: on districting at
        +-0.5 % it mostly finds nothing (16 s for nothing on 100 units, k = 3),
        and the MIP, started from the plan, uses the time better.
        """
        dive_started = time.perf_counter()
        share = self.dive_share if self.incumbent is None else DIVE_SHARE_WITH_PLAN
        dived = dive(self.model, relaxation, self.separators, stop=self.share(share))
        self.details["dive_time"] = time.perf_counter() - dive_started
        if dived is not None:
            self.details["dive_objective"] = float(self.model.costs() @ self.model.vector(dived))
            self.offer_plan(dived)

    def first_plan(self) -> None:
        """Ask ``start`` for a plan, in a third of the time left, when none is in hand.

        Asked before the root, or with ``start_late`` after the root and the
        centres' plan, when those gave none.
        """
        if self.start is None or self.start_asked or self.incumbent is not None:
            return
        self.start_asked = True  # once: a start that gave none is not asked again
        started = time.perf_counter()
        labels = self.start(deadline=self.share(1 / 3))
        self.details["start_time"] = time.perf_counter() - started
        if labels is not None:
            self.offer(self.model.centres_of(labels))
            if self.incumbent is not None:
                self.details["start_objective"] = self.incumbent[0]

    def restart_if_far(self) -> None:
        """Ask ``restart`` for another plan when the incumbent is far above the bound.

        Far means a relative gap above :data:`RESTART_GAP`: there, better plans
        are likely (on districting at +-0.5 % the heuristic's seeds differ by
        up to 2x), while near the bound the time is better left to the MIP.
        """
        if self.restart is None or self.incumbent is None or self.bound is None:
            return
        gap = relative_gap(self.incumbent[0], self.bound)
        if gap is None or gap <= RESTART_GAP:
            return
        restart_started = time.perf_counter()
        labels = self.restart(deadline=self.share(1 / 3))
        self.details["restart_time"] = time.perf_counter() - restart_started
        if labels is not None:
            before = self.incumbent[0]
            self.offer_plan(labels)
            self.details["restart_gain"] = before - self.incumbent[0]

    def repartition(self) -> None:
        """Improve the incumbent by :func:`repartition_pairs` in :data:`PAIRS_SHARE` of the time.

        Only for contiguous plans of three clusters or more (with two, the pair
        is the whole problem), and not under a moves or cut bound (the pairs'
        models do not carry them).
        """
        p = self.problem
        if (self.incumbent is None or not p.contiguous or p.n_clusters < 3 or p.reform
                or p.max_cut_edges is not None):
            return
        started = time.perf_counter()
        before = self.incumbent[0]
        labels = np.unique(self.incumbent[1], return_inverse=True)[1]
        improved = repartition_pairs(p, labels, self.graph, solver=self.solver, cost=self.cost_of,
                                     deadline=self.share(PAIRS_SHARE), seed=self.seed,
                                     max_units=PAIRS_MAX_UNITS)
        self.offer_plan(improved)
        self.details["pairs_time"] = time.perf_counter() - started
        self.details["pairs_gain"] = before - self.incumbent[0]

    def fix_by_reduced_cost(self, point: LPPoint | None = None) -> bool:
        """Drop the variables no plan cheaper than the incumbent uses; rebuild the model.

        ``point`` is an optimal point of the model's relaxation (solved here
        when not given). Returns False when the LP relaxation could not be
        solved in half the time left: the MIP's root LP is the same LP, and
        CBC does not watch its time limit while solving it, so no MIP round
        should start then.
        """
        left = self.time_left()
        if point is None:
            if left is not None and left <= 0.1:
                return True
            lp_started = time.perf_counter()
            point = LinearRelaxation(self.model.milp()).solve(None if left is None else 0.5 * left)
            if point is None:
                return left is None or time.perf_counter() - lp_started < 0.45 * left
        self.raise_bound(point.value)
        value = self.incumbent[0]  # type: ignore[index]
        # The tolerance keeps the incumbent's own variables despite LP round-off.
        threshold = value - point.value + 1e-7 * max(1.0, abs(value))
        model, p = self.model, self.problem
        drop = point.reduced_costs[: model.n_x] > threshold
        if not drop.any():
            return True
        zero = np.zeros((p.n, p.n), dtype=bool) if p.fixed_zero is None else p.fixed_zero.copy()
        zero[model.pairs[drop, 0], model.pairs[drop, 1]] = True
        self.problem = replace(p, fixed_zero=zero)
        self.model = _Model(self.problem)
        self.model.restore_cuts(model.cut_rows())
        self.fixed_at = value
        self.details["fixed_by_reduced_cost"] = (
            p.n * p.n - self.model.n_x - self.details["fixed_to_zero"])
        return True

    def mip_round(self) -> Literal["again", "done", "infeasible"]:
        """Solve the MIP once; add the cuts its solution violates, or keep it if contiguous."""
        model, left = self.model, self.time_left()
        if left is not None and left <= 0.05:
            return "done"
        budget = left
        if self.use_fixing and self.fixed_at is None and self.incumbent is None and left:
            budget = 0.3 * left  # leave time after a first incumbent and fixing
        milp = model.milp()
        if self.problem.contiguous and STOP_WHEN_SPLIT:
            milp.stop_when_split = model.split_check()
        start = model.vector(self.incumbent[1]) if self.incumbent is not None else None
        solution = solve(milp, self.solver, time_limit=budget, mip_gap=self.mip_gap,
                         initial=start, seed=self.seed, verbose=self.verbose)
        self.last = solution
        self.last_value = None if solution.x is None else float(milp.c @ solution.x)
        self.details["rounds"] += 1
        if solution.status == "infeasible":
            # After fixing: nothing cheaper than the incumbent, which is then optimal.
            return "done" if self.fixed_at is not None else "infeasible"
        self.raise_bound(solution.bound)
        if solution.x is None:
            if budget is not None and left is not None and budget < left:
                self.use_fixing = False  # no incumbent in the short round: go on without fixing
                return "again"
            return "done"
        centre_of = model.labels(solution.x)[0]
        added = model.separate(solution.x, self.graph) if self.problem.contiguous else 0
        self.details["cuts"] += added
        self.split = centre_of if added else None
        if added == 0:
            self.offer(centre_of)
            self.offer(model.centres_of(centre_of))  # the same plan at its best centres
            return "done"
        before = self.incumbent[0] if self.incumbent is not None else None
        if self.acceptable is not None:
            self.reconnect(centre_of)
        if self.gap_closed():
            return "done"
        improved = self.incumbent is not None and (before is None or self.incumbent[0] < before)
        if self.use_fixing and improved and not self.fix_by_reduced_cost():
            self.details["unsolved_lp"] = "not solved within half the time left"
            return "done"  # the next round would start with this same LP
        return "again"

    def reconnect(self, centre_of: np.ndarray, share: float = 0.5) -> np.ndarray | None:
        """Mend a solution in pieces (:func:`reconnect`) in ``share`` of the time left.

        The mended plan is offered, and returned (``None`` if none was found).
        """
        repair_started = time.perf_counter()
        repaired = reconnect(self.problem, centre_of, self.graph, solver=self.solver,
                             seed=self.seed, deadline=self.share(share))
        self.details["repair_time"] = self.details.get("repair_time", 0.0) + (
            time.perf_counter() - repair_started)
        if repaired is not None:
            self.offer_plan(repaired)
        return repaired

    def lagrangian_bound(self, share: float = 0.9) -> None:
        """When no LP was solved in time: the Lagrangian bound of the p-median (sorting only).

        It may use ``share`` of the time left.
        """
        p = self.problem
        if p.d is None or p.balance_weight != 0 or p.weight_bounds is not None:
            return
        upper = None if self.incumbent is None else (
            self.incumbent[0] / max(p.pmedian_weight, 1e-12))
        bound = pmedian_lagrangian_bound(
            p.d, p.n_clusters, p.size or (1, p.n), allowed=self.model.allowed, upper=upper,
            deadline=self.share(share),
        )
        if bound is not None:
            self.bound = p.pmedian_weight * bound
            self.details["lagrangian_bound"] = self.bound

    # -- the whole run -------------------------------------------------------------
    def solve(self, warm_labels: np.ndarray | None = None, max_rounds: int = 200,
              ) -> tuple[Solution, np.ndarray | None, dict]:
        """Run the phases; the result as :func:`solve_assignment` returns it."""
        if warm_labels is not None:
            self.offer(self.model.centres_of(warm_labels))
        if self.incumbent is not None:
            self.details["start_objective"] = self.incumbent[0]
        rounds, root = max_rounds, None
        if not (self.start_late and self.problem.contiguous):
            self.first_plan()
        if self.problem.contiguous:
            root, relaxation = self.root_cuts()
            centred = root is not None and self.centres_plan(root)
            self.first_plan()
            # The dive is for a better first plan. After a centres' plan that bettered the
            # start, on the planar target rows, it cost up to 2.3 s (100 units, k = 3) and
            # would have bettered that plan twice: 60 units, k = 3 (the pairs and the MIP
            # find the optimum either way) and planar 150, seed 4 (0.17 % in 15.8 s with
            # it, 0.72 % in 23 s without; 1 % is asked).
            if root is not None and not centred and relaxation.engine == "highspy":
                self.dive(relaxation)  # re-solves after every fixing: only worth it warm
            self.restart_if_far()
            self.repartition()
            if root is None and relaxation.status in ("time_limit", "unsolved"):
                # A MIP round starts with this same LP, and building its model (PuLP, for
                # CBC) is not bounded by the time limit: on such models the time left is
                # better spent on the Lagrangian bound.
                rounds = 0
                self.details["unsolved_lp"] = "not solved within the root's share"
        if rounds and self.closed():
            rounds = 0  # the root bound meets the incumbent: proven, no MIP round needed
            self.details["closed_at_root"] = True
        if rounds and self.use_fixing and self.incumbent is not None and (
                not self.fix_by_reduced_cost(root)):
            rounds = 0
            self.details["unsolved_lp"] = "not solved within half the time left"
        for _ in range(rounds):
            outcome = self.mip_round()
            if outcome == "infeasible":
                return self.last, None, self.details  # type: ignore[return-value]
            if outcome == "done":
                break
        if self.bound is None:
            self.lagrangian_bound()
        return self.result()

    def result(self) -> tuple[Solution, np.ndarray | None, dict]:
        """Status, objective, bound and gap of the incumbent; labels by centre position."""
        last = self.last
        if self.fixed_at is not None and last is not None and last.status == "infeasible":
            self.bound = self.fixed_at  # the fixed model holds every cheaper plan: none exists
        bound = _capped(self.bound, self.fixed_at)
        self.details["best_bound"] = bound
        solve_time = last.solve_time if last is not None else 0.0
        solver_status = last.solver_status if last is not None else (
            "root bound meets the incumbent" if self.details.get("closed_at_root") else "")
        if self.incumbent is None:
            text = solver_status or "no time left"
            return (Solution("no_solution", None, None, bound, None, self.solver, text,
                             solve_time), None, self.details)
        objective, centre_of = self.incumbent
        # Solvers hold continuous variables (the balance deviations) to their own
        # tolerances: agreement within the optimality gap is agreement.
        tolerance = OPTIMAL_GAP * max(1.0, abs(objective))
        # Proven when the last round's optimum is the incumbent (a relaxation's
        # optimum that is feasible), or when the bound meets the incumbent.
        proven = (
            last is not None and last.status == "optimal" and self.last_value is not None
            and abs(self.last_value - objective) <= tolerance
        ) or (bound is not None and objective - bound <= tolerance)
        result = Solution.found(proven, self.model.vector(centre_of), objective, bound,
                                self.solver, solver_status, solve_time)
        centres = np.unique(centre_of)
        self.details["centres"] = centres.tolist()
        return result, np.searchsorted(centres, centre_of), self.details


def solve_assignment(
    p: AssignmentProblem,
    *,
    solver: str,
    time_limit: float | None = None,
    mip_gap: float | None = None,
    warm_labels: np.ndarray | None = None,
    seed: int = 0,
    verbose: bool = False,
    max_rounds: int = 200,
    acceptable: Callable[[np.ndarray], bool] | None = None,
    improve: Callable[[np.ndarray], np.ndarray] | None = None,
    root_share: float = 0.4,
    dive_share: float = 0.5,
    centres_share: float = CENTRES_SHARE,
    restart: Callable[..., np.ndarray | None] | None = None,
    start: Callable[..., np.ndarray | None] | None = None,
    start_late: bool = False,
) -> tuple[Solution, np.ndarray | None, dict]:
    r"""Solve the assignment model, adding contiguity cuts until the plan is connected.

    See :class:`AssignmentSolver` for the phases and how time is shared.

    Parameters
    ----------
    p : AssignmentProblem
        The model's data in row-index terms.
    solver : {"cbc", "highs"}
        The MIP solver of the rounds.
    time_limit : float, optional
        Seconds for the whole solve.
    mip_gap : float, optional
        Relative gap at which to stop.
    warm_labels : array of int, optional
        A plan following every rule: the first incumbent.
    seed : int, default 0
        Solver seed.
    verbose : bool, default False
        Show the solver's log.
    max_rounds : int, default 200
        MIP rounds at most.
    acceptable : callable, optional
        ``acceptable(labels)`` says whether a plan follows every rule; when
        given, a solution in pieces is reconnected into an incumbent.
    improve : callable, optional
        ``improve(labels)`` (e.g. :func:`optimizer.heuristic.improve_pmedian`)
        polishes reconnected plans and the dive's plan.
    root_share, dive_share : float, default 0.4 and 0.5
        Shares of the time left for the root cuts and then for the dive.
    centres_share : float, default :data:`CENTRES_SHARE`
        Share of the time left for the plan on the root LP's likeliest centres.
    restart : callable, optional
        ``restart(deadline=...)`` returns another plan (e.g. from more heuristic
        seeds) or ``None``; it is asked once, after the root and the dive,
        when the incumbent is more than :data:`RESTART_GAP` above the root
        bound, and may use a third of the time left.
    start : callable, optional
        ``start(deadline=...)`` returns a first plan (e.g. a heuristic's) or
        ``None``; asked, in a third of the time left, when no plan is in hand
        (:meth:`AssignmentSolver.first_plan`).
    start_late : bool, default False
        With contiguity, ask ``start`` only after the root and the centres'
        plan, when they gave none, rather than first.

    Returns
    -------
    solution : Solution
        Status, objective (the returned plan's cost), bound and gap.
    labels : array of int or None
        Cluster of each unit (numbered by centre position).
    details : dict
        ``rounds``, ``cuts``, ``variables``, ``fixed_to_zero``,
        ``fixed_by_reduced_cost``; with contiguity ``root_bound``,
        ``root_cuts``, ``root_time``, ``dive_time``, ``dive_objective``;
        ``unsolved_lp`` when an LP relaxation was not solved in its share of
        the time, ``lagrangian_bound`` when that bound was computed.
    """
    engine = AssignmentSolver(
        p, solver=solver, time_limit=time_limit, mip_gap=mip_gap, seed=seed, verbose=verbose,
        acceptable=acceptable, improve=improve, root_share=root_share, dive_share=dive_share,
        centres_share=centres_share, restart=restart, start=start, start_late=start_late,
    )
    return engine.solve(warm_labels, max_rounds=max_rounds)


def _capped(bound: float | None, fixed_at: float | None) -> float | None:
    """A bound of a model fixed at incumbent cost ``U`` bounds ``min(U, optimum)``."""
    if bound is None or fixed_at is None:
        return bound
    return min(bound, fixed_at)
