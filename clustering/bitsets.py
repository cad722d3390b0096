"""Sets of units as bit masks: neighbours, connected parts, spanning-tree cuts.

Unit ``i`` of a unit set is bit ``1 << i`` of a Python ``int``; a cluster is
the ``int`` with its members' bits set. Set operations are then single integer
operations, which is what the candidate enumeration, the splittability test,
the plan sampler and the local searches all need in their inner loops. This
module holds the one implementation of each graph search they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence

import numpy as np

__all__ = [
    "as_index",
    "bits",
    "components",
    "is_connected",
    "mask_of",
    "neighbour_masks",
    "spanning_tree",
    "spanning_tree_cuts",
]


def mask_of(indices: Iterable[int]) -> int:
    """The bit mask of unit indices.

    Examples
    --------
    >>> mask_of([0, 2, 3])
    13
    """
    mask = 0
    for i in indices:
        mask |= 1 << int(i)
    return mask


def bits(mask: int) -> list[int]:
    """Unit indices of a mask, in increasing order.

    Examples
    --------
    >>> bits(13)
    [0, 2, 3]
    """
    out = []
    while mask:
        low = mask & -mask
        out.append(low.bit_length() - 1)
        mask ^= low
    return out


def neighbour_masks(n: int, edges: Iterable[Sequence[int]] | None) -> list[int]:
    """Bit mask of each unit's neighbours; ``None`` edges: everyone borders everyone.

    Examples
    --------
    >>> neighbour_masks(3, [(0, 1), (1, 2)]), neighbour_masks(3, None)
    ([2, 5, 2], [6, 5, 3])
    """
    if edges is None:
        everyone = (1 << n) - 1
        return [everyone ^ (1 << i) for i in range(n)]
    masks = [0] * n
    for a, b in edges:
        a, b = as_index(a, n, "edge end"), as_index(b, n, "edge end")
        masks[a] |= 1 << b
        masks[b] |= 1 << a
    return masks


def as_index(value: object, n: int, what: str = "unit") -> int:
    """``value`` as a Python int in ``0..n-1``: bit masks need Python ints, not numpy ones.

    ``what`` names the value in the error message.
    """
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{what} {value!r} is not an integer unit index")
    if not 0 <= value < n:
        raise ValueError(f"{what} {value!r} is out of range; expected 0..{n - 1}")
    return int(value)


def components(mask: int, neighbours: Sequence[int]) -> Iterator[int]:
    """The connected parts of the units of ``mask``, lowest unit first.

    Examples
    --------
    >>> path = neighbour_masks(4, [(0, 1), (2, 3)])
    >>> list(components(0b1111, path))
    [3, 12]
    """
    rest = mask
    while rest:
        part = frontier = rest & -rest
        while frontier:
            bit = frontier & -frontier
            frontier ^= bit
            grow = neighbours[bit.bit_length() - 1] & rest & ~part
            part |= grow
            frontier |= grow
        rest &= ~part
        yield part


def is_connected(mask: int, neighbours: Sequence[int]) -> bool:
    """Whether the units of ``mask`` form one connected, non-empty part.

    Examples
    --------
    >>> path = neighbour_masks(3, [(0, 1), (1, 2)])
    >>> is_connected(0b111, path), is_connected(0b101, path), is_connected(0, path)
    (True, False, False)
    """
    if not mask:
        return False
    return next(components(mask, neighbours)) == mask


def spanning_tree(units: Sequence[int], edges: Iterable[tuple[int, int]]
                  ) -> tuple[list[int], dict[int, int]] | None:
    """A spanning tree of ``units`` by Kruskal's rule over ``edges`` in the order given.

    Returns the units in breadth-first order from ``units[0]`` (parents
    before children) and each unit's parent (the root its own), or ``None``
    when the edges do not connect the units.

    Examples
    --------
    >>> spanning_tree([0, 1, 2], [(1, 2), (0, 1), (0, 2)])
    ([0, 1, 2], {0: 0, 1: 0, 2: 1})
    >>> spanning_tree([0, 1, 2], [(0, 1)]) is None
    True
    """
    parent = {u: u for u in units}

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    tree: dict[int, list[int]] = {u: [] for u in units}
    joined = 1
    for a, b in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
            tree[a].append(b)
            tree[b].append(a)
            joined += 1
    if joined != len(units):
        return None
    root = units[0]
    visit, up = [root], {root: root}
    for u in visit:  # breadth-first, parents before children
        for v in tree[u]:
            if v not in up:
                up[v] = u
                visit.append(v)
    return visit, up


def spanning_tree_cuts(
    mask: int, neighbours: Sequence[int], order: Sequence[tuple[int, int]] | None = None
) -> list[int]:
    """The two sides of every edge of one spanning tree of ``mask``: the side without the root.

    The tree is built by Kruskal's rule over the edges inside ``mask`` taken
    in ``order`` (default: increasing ``(a, b)``); a random order gives a
    uniformly random edge ranking, as ReCom does, and edges sorted by length a
    minimum spanning tree. The root is the lowest unit of ``mask``. Cutting
    the tree edge above unit ``u`` leaves ``u``'s subtree and the rest, both
    connected; the subtree masks are returned in breadth-first order of
    ``u``. An empty list when ``mask`` is not connected.

    Examples
    --------
    >>> path = neighbour_masks(3, [(0, 1), (1, 2)])
    >>> spanning_tree_cuts(0b111, path)
    [6, 4]
    """
    units = bits(mask)
    if order is None:
        order = [(a, b) for a in units for b in bits(neighbours[a] & mask) if a < b]
    tree = spanning_tree(units, order)
    if tree is None:
        return []
    visit, up = tree
    below = {u: 1 << u for u in units}
    for u in reversed(visit[1:]):
        below[up[u]] |= below[u]
    return [below[u] for u in visit[1:]]
