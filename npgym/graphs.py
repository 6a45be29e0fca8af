"""Graph helpers shared by the graph problems: edge lists in canonical form and compact rendering."""

from __future__ import annotations

import functools
import random

from npgym import draws


def canonical_edges(edges) -> list[list[int]]:
    """Edges as sorted ``[u, v]`` pairs with ``u < v``, without duplicates or loops, in sorted order."""
    return [[u, v] for u, v in sorted({(u, v) if u < v else (v, u) for u, v in edges if u != v})]


def relabel(edges, mapping: list[int]) -> list[list[int]]:
    """Apply a vertex relabelling ``mapping[old] = new`` (a permutation of ``0..n-1``) and return canonical edges.

    The same list as :func:`canonical_edges` of the relabelled pairs, built faster: each pair becomes the
    integer ``min * n + max``, so deduplication and sorting work on ints instead of tuples.
    """
    n = len(mapping)
    scaled = [new * n for new in mapping]
    keys = sorted({scaled[u] + mapping[v] if mapping[u] < mapping[v] else scaled[v] + mapping[u]
                   for u, v in edges if u != v})
    return [[key // n, key % n] for key in keys]


class PairTables:
    """The pairs a < b of 0..n-1 in sorted order, built once per n (see :func:`pair_tables`): ``pairs`` holds one
    ``[a, b]`` list per pair, templates to copy and never handed out themselves; the pair {a, b} with a < b is
    ``pairs[start[a] + b]``; ``ones`` is a byte per pair, a keep-all mask."""

    __slots__ = ("pairs", "start", "ones")

    def __init__(self, n: int):
        self.pairs = [[a, b] for a in range(n) for b in range(a + 1, n)]
        self.start = [a * n - a * (a + 1) // 2 - a - 1 for a in range(n)]
        self.ones = b"\x01" * len(self.pairs)


@functools.lru_cache(maxsize=4)
def pair_tables(n: int) -> PairTables:
    """The :class:`PairTables` of n, cached for the last few sizes: a test set makes a level's instances one after
    another, and a table holds n^2 entries (tens of MB past n = 800)."""
    return PairTables(n)


def shuffled_labels(n: int, rng: random.Random) -> list[int]:
    """A random relabelling of ``0..n-1``: ``mapping[old] = new``. Hides planted structure in ids."""
    mapping = list(range(n))
    draws.shuffle(rng, mapping)  # rng.shuffle's draws, in fewer Python calls (npgym.draws)
    return mapping


def edge_set(edges) -> set[tuple[int, int]]:
    """Canonical ``[u, v]`` edges as a set of tuples, for membership tests (built in C, no Python loop)."""
    return set(map(tuple, edges))


def adjacency(n: int, edges) -> list[set[int]]:
    """Adjacency sets of an undirected graph on ``0..n-1``."""
    neighbours: list[set[int]] = [set() for _ in range(n)]
    for u, v in edges:
        neighbours[u].add(v)
        neighbours[v].add(u)
    return neighbours


def render_edges(edges) -> str:
    """Edges as ``u-v`` tokens separated by spaces: compact and unambiguous."""
    return " ".join(f"{u}-{v}" for u, v in edges) if edges else "(none)"


def render_graph(n: int, edges) -> str:
    """A graph's prompt text: vertex range, edge count and the edge list."""
    return f"Graph: {n} vertices numbered 0 to {n - 1}, {len(edges)} edges:\n{render_edges(edges)}"


def add_random_edges(rng: random.Random, n: int, base, total: int) -> list[list[int]]:
    """``base`` plus uniformly random new edges up to ``total`` edges (never a loop or a repeat)."""
    taken = {(u, v) if u < v else (v, u) for u, v in base}
    missing = total - len(taken)
    free = n * (n - 1) // 2 - len(taken)
    if missing <= 0:
        return canonical_edges(taken)
    if 2 * missing > free:  # dense: draw from the explicit list of free pairs
        pool = [(u, v) for u in range(n) for v in range(u + 1, n) if (u, v) not in taken]
        taken.update(draws.sample(rng, pool, missing))
    else:  # sparse: each draw is new with probability >= 1/2, so this ends quickly
        vertices = range(n)
        while missing:
            u, v = draws.sample(rng, vertices, 2)  # rng.sample's draws (npgym.draws)
            pair = (min(u, v), max(u, v))
            if pair not in taken:
                taken.add(pair)
                missing -= 1
    return canonical_edges(taken)


def has_clique(neighbours: list[set[int]], size: int) -> bool:
    """Whether the graph holds ``size`` pairwise adjacent vertices (a small forbidden subgraph, e.g. K4)."""
    def grow(chosen: int, candidates: set[int]) -> bool:
        if chosen == size:
            return True
        for v in sorted(candidates):
            if grow(chosen + 1, {w for w in candidates & neighbours[v] if w > v}):
                return True
        return False

    return grow(0, set(range(len(neighbours))))
