"""Bandwidth (Garey & Johnson GT40).

Instance: a graph G = (V, E) and an integer k. Question: is there a layout, a one-to-one numbering
f: V -> {0, ..., n-1}, such that |f(u) - f(v)| <= k for every edge u-v?

Schemas
    data         ``{"n": int, "edges": [[u, v], ...] (u < v, sorted), "k": int}``
    certificate  a permutation of ``0..n-1``: element v is the position of vertex v in the layout
    objective    the bandwidth of the layout, max |f(u) - f(v)| over the edges (minimise)

Generation: a hidden layout (vertex ids are a random permutation of the positions). Every pair of
positions at distance at most k becomes an edge with probability ``density``; one random run of three
consecutive positions always forms a triangle, so the graph is never a union of paths and its
bandwidth is at least 2 whenever k >= 2 (this keeps "one step below the optimum" a valid bound for
no-instances). The edge list is sorted, so neither ids nor order show the layout.

Hardness: with density 0.5 the band is well filled, so the optimum is usually k itself while the
graph's maximum degree (about k) only proves a lower bound near k / 2. Cuthill-McKee (the baseline)
orders by breadth-first levels, which spreads the band unevenly: it still reaches k on the
reference's tiny levels (18 of 20 at level 10, 8 vertices) but misses it on most instances from level
13 (20 vertices, k = 5) on. The reference ladder stops at 8 vertices and bandwidth 2-3, where its level 1
(3 vertices, k = 2) accepts every permutation; we keep those numbers (level 1 is degenerate here too). Past the
top (version 3) the square of the vertex count grows by 800 per level (8, 29, 41, 49, ... vertices) and k stays
a quarter of it, so the band's edges, and the prompt, grow by a constant per level (version 2 added 4 vertices
and 1 unit of k per level, the same instances at the same size).

Audit (benchmarks/hardness.py, version 3): at the top level (8 vertices) every attack solves every
yes-instance, and at 2x (level 11, 29 vertices, k = 7) the portfolio solves 8/10, so no-instances, one step
below a proved optimum, are told apart by any attack or bound (balanced accuracy 1.00 and 0.94 from the
lower bound and k alone): at these sizes the answer is computed, not guessed. At level 58 (196 vertices,
k = 49, 29.8k characters) the portfolio (Cuthill-McKee, layout backtracking, swap search) solves 0/10
yes-instances (0/20 in version 2 at the same size); CP-SAT proves no optimum there within 10 s, so mixed
sets at that size hold no no-instances.

No-instance that counting gives away (this version): the engine never makes one (:meth:`counting_refutes`;
before, a bound shifted one past an optimum that already sat at a degree or counting bound was made).
"""

from __future__ import annotations

import functools
import random
from typing import Any

from npgym import checks, draws
from npgym.graphs import adjacency, relabel, render_graph, shuffled_labels
from npgym.problem import Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import optimize_against_bound
from npgym.verdict import BOUND


class Bandwidth(Problem):
    id = "bandwidth"
    version = 3

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        """Pairs of positions at most k apart kept with the density, plus the triangle on three consecutive
        positions (see the module docstring), as a list: relabel drops the repeats and sorts."""
        n, k, density = params["nodes"], params["bandwidth"], params["density"]
        rand = rng.random
        pairs = [pair for pair in band_pairs(n, k) if rand() < density]
        corner = draws.below(rng, n - 2)  # rng.randrange's draws (npgym.draws)
        pairs += ((corner, corner + 1), (corner + 1, corner + 2), (corner, corner + 2))
        mapping = shuffled_labels(n, rng)  # mapping[position] = vertex id
        positions = [0] * n
        for position, vertex in enumerate(mapping):
            positions[vertex] = position
        return Planted({"n": n, "edges": relabel(pairs, mapping), "k": k}, positions)

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """A vertex of degree d needs d positions within k of its own, so k < ceil(max degree / 2) fails."""
        degrees = [len(adj) for adj in adjacency(data["n"], data["edges"])]
        return data["k"] < (max(degrees, default=0) + 1) // 2

    def check(self, data: dict[str, Any], solution: Any) -> int:
        positions = checks.permutation(solution, "solution", data["n"])
        width = _layout_width(data["edges"], positions)
        if width > data["k"]:
            u, v = max(data["edges"], key=lambda e: abs(positions[e[0]] - positions[e[1]]))
            checks.require(False, f"edge {u}-{v} spans {width} positions, more than k = {data['k']}", BOUND)
        return width

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        n, edges = data["n"], data["edges"]
        degrees = [len(adj) for adj in adjacency(n, edges)]
        model = cp_model.CpModel()
        position = [model.new_int_var(0, n - 1, f"p{v}") for v in range(n)]
        width = model.new_int_var((max(degrees) + 1) // 2, max(n - 1, 0), "width")
        model.add_all_different(position)
        for u, v in edges:
            model.add(position[u] - position[v] <= width)
            model.add(position[v] - position[u] <= width)
        model.add(position[0] < position[1])  # a layout and its mirror image are equally good
        hint = _cuthill_mckee(n, edges, random.Random(0))
        for v in range(n):
            model.add_hint(position[v], hint[v])
        return optimize_against_bound(model, width, "min", data["k"], time_limit,
                                      lambda solver: [solver.value(p) for p in position])

    def render(self, data: dict[str, Any]) -> str:
        return f"{render_graph(data['n'], data['edges'])}\nk = {data['k']}"

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return _cuthill_mckee(data["n"], data["edges"], rng)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        positions = list(range(data["n"]))
        rng.shuffle(positions)
        return positions


@functools.lru_cache(maxsize=2)  # n * k pairs each: the last sizes only
def band_pairs(n: int, k: int) -> tuple[tuple[int, int], ...]:
    """The pairs of positions i < j <= i + k in the order the generator draws them (cached per size)."""
    return tuple((i, j) for i in range(n) for j in range(i + 1, min(n, i + k + 1)))


def _layout_width(edges, positions: list[int]) -> int:
    """The longest span of an edge; a plain loop allocates nothing, which beats map chains at these sizes."""
    width = 0
    for u, v in edges:
        span = positions[u] - positions[v]
        if span > width:
            width = span
        elif -span > width:
            width = -span
    return width


def _cuthill_mckee(n: int, edges, rng: random.Random, starts: int = 3) -> list[int]:
    """Cuthill-McKee: breadth-first numbering, lower-degree neighbours first, from a few minimum-degree
    starts; returns the positions (element v = position of v) of the narrowest layout found."""
    neighbours = adjacency(n, edges)
    degree = [len(adj) for adj in neighbours]
    by_degree = sorted(range(n), key=lambda v: (degree[v], rng.random()))
    best: list[int] = []
    best_width: int | None = None
    for start in by_degree[:starts]:
        order, seen = [], set()
        for root in [start] + by_degree:  # later roots only matter for disconnected graphs
            if root in seen:
                continue
            seen.add(root)
            queue = [root]
            for v in queue:
                order.append(v)
                fresh = sorted((w for w in neighbours[v] if w not in seen), key=lambda w: degree[w])
                seen.update(fresh)
                queue.extend(fresh)
        positions = [0] * n
        for place, v in enumerate(order):
            positions[v] = place
        width = _layout_width(edges, positions)
        if best_width is None or width < best_width:
            best, best_width = positions, width
    return best


register(Bandwidth())
