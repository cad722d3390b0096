r"""Vertex separators between two units: the cutting planes of contiguity.

A set :math:`S` separates unit :math:`i` from unit :math:`j` when every path
from :math:`i` to :math:`j` in the adjacency graph passes through :math:`S`.
For the assignment model, contiguity of the cluster centred at :math:`j`
means :math:`x_{ij} \le \sum_{v \in S} x_{vj}` for every such :math:`S`.

Given a fractional point, the most violated of these inequalities for a pair
:math:`(i, j)` comes from a minimum-weight vertex separator with weights
:math:`x_{vj}`: the usual node-splitting reduction to a maximum flow (each
unit :math:`v` becomes an arc :math:`v^- \to v^+` of capacity :math:`x_{vj}`,
each border two arcs of unbounded capacity), solved by
:func:`scipy.sparse.csgraph.maximum_flow` on capacities scaled to integers.
"""

from __future__ import annotations

from collections.abc import Iterable

import networkx as nx
import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import breadth_first_order, maximum_flow

__all__ = ["VertexSeparators", "minimal_separator"]

#: Capacities are scaled by this before the (integer) maximum flow.
SCALE = 1_000_000
_UNBOUNDED = 2**31 - 1  # int32 capacities


def minimal_separator(graph: nx.Graph, side: Iterable[int], target: int) -> list[int]:
    """An inclusion-minimal separator between a connected set ``side`` and ``target``.

    The units bordering ``side`` separate it from ``target``; of those, only
    the ones that touch the component of ``target`` once they are removed are
    needed.

    Examples
    --------
    >>> path = nx.path_graph(5)  # 0-1-2-3-4
    >>> minimal_separator(path, {0}, 4)
    [1]
    >>> minimal_separator(nx.cycle_graph(6), {0, 1}, 3)
    [2, 5]
    """
    side = set(side)
    boundary = set().union(*(graph[v] for v in side)) - side
    if target in boundary:
        raise ValueError(f"unit {target} borders the set {sorted(side)}: nothing separates them")
    rest = graph.subgraph(set(graph) - side - boundary)
    far = nx.node_connected_component(rest, target)
    return sorted(v for v in boundary if any(u in far for u in graph[v]))


class VertexSeparators:
    """Minimum-weight vertex separators on one graph, for many weights and pairs.

    Parameters
    ----------
    n : int
        Number of units (nodes ``0..n-1``).
    edges : array of shape (m, 2)
        Borders.

    Examples
    --------
    >>> oracle = VertexSeparators(4, np.array([[0, 1], [1, 3], [0, 2], [2, 3]]))
    >>> value, separator = oracle.min_separator(np.array([0, 0.5, 0.2, 0]), 0, 3)
    >>> round(value, 6), separator
    (0.7, [1, 2])
    """

    def __init__(self, n: int, edges: np.ndarray) -> None:
        edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
        self.n = n
        self.graph = nx.Graph()
        self.graph.add_nodes_from(range(n))
        self.graph.add_edges_from(map(tuple, edges.tolist()))
        # Node v is split into v (in) and v + n (out).
        self._rows = np.r_[np.arange(n), edges[:, 0] + n, edges[:, 1] + n]
        self._cols = np.r_[np.arange(n) + n, edges[:, 1], edges[:, 0]]
        self._border_caps = np.full(2 * len(edges), _UNBOUNDED, dtype=np.int32)

    def min_separator(
        self, weights: np.ndarray, source: int, target: int
    ) -> tuple[float, list[int]]:
        """The lightest inclusion-minimal ``source``-``target`` separator and its weight.

        ``source`` and ``target`` must not be adjacent. Units of weight 0 count
        as a tiny positive weight, so that among equally light separators a
        smaller one is found.
        """
        if target in self.graph[source] or source == target:
            raise ValueError(f"units {source} and {target} are adjacent or equal")
        caps = np.maximum(np.round(np.asarray(weights, dtype=float) * SCALE), 1)
        caps = np.minimum(caps, _UNBOUNDED).astype(np.int32)
        caps[[source, target]] = _UNBOUNDED
        network = sp.csr_matrix(
            (np.r_[caps, self._border_caps], (self._rows, self._cols)),
            shape=(2 * self.n, 2 * self.n),
        )
        flow = maximum_flow(network, source + self.n, target)
        residual = (network - flow.flow).tocsr()
        residual.data[residual.data < 0] = 0
        residual.eliminate_zeros()
        reached = np.zeros(2 * self.n, dtype=bool)
        reached[breadth_first_order(residual, source + self.n, return_predecessors=False)] = True
        cut = np.flatnonzero(reached[: self.n] & ~reached[self.n:])
        # The source's side, then the minimal separator inside the cut.
        side = nx.node_connected_component(self.graph.subgraph(set(range(self.n)) - set(cut)),
                                           source)
        separator = minimal_separator(self.graph, side, target)
        return float(np.sum(np.asarray(weights, dtype=float)[separator])), separator
