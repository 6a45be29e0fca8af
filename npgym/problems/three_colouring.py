"""Graph 3-Colourability (Garey & Johnson GT4).

Instance: a graph G = (V, E). Question: is there a colouring of the vertices with colours 0, 1, 2
such that the endpoints of every edge get different colours?

Schemas
    data         ``{"n": int, "edges": [[u, v], ...] (u < v, sorted)}``
    certificate  a list of n colours in {0, 1, 2}; element v is the colour of vertex v
    objective    none

Generation: a hidden balanced 3-partition (class sizes differ by at most one) and m edges drawn
uniformly without replacement from the pairs that cross the partition. The draw picks m distinct
indices of the cross pairs (``random.sample`` over a ``range``) and decodes them, so it is linear
in m with no rejection loop; ``check_params`` bounds m by the number of cross pairs. Vertex ids are
shuffled, so neither ids nor the (sorted) edge list point at the classes, and the classes have the
same expected degree.

Hardness: the reference ladder (5-30 vertices) is kept; past the top each level adds 5 vertices and
12 edges, so the average degree tends to 4.8, next to the 3-colourability threshold (about 4.69)
where DSATUR and backtracking need the most effort. Level 1 (5 vertices, 8 edges) is degenerate:
the only 3-colourable graph of that size is the complete tripartite graph K(2,2,1).

No-instances: uniformly random graphs with the same n and m. Below the threshold most of them are
colourable, so a candidate is kept from up to 64 draws only once DSATUR fails on it (every
non-3-colourable graph fails DSATUR, so this filter keeps exactly the uniform distribution
conditioned on non-colourability); the engine then proves it with the solver. Version 2 also rejects
candidates that contain a K4 (:meth:`ThreeColouring.counting_refutes`): no planted graph has one, and in
version 1 a K4 told no-instances apart at 0.81 accuracy at the top level; the no-instances left are
uniform graphs conditioned on being non-3-colourable without a K4. At level 1 (5 vertices, 8 edges) every
non-3-colourable graph contains a K4, so level 1 has no no-instances.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks
from npgym.graphs import adjacency, has_clique, relabel, render_graph, shuffled_labels
from npgym.problem import SAT, Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import read_one_hot, solve_cnf
from npgym.verdict import CONSTRAINT, Reject

COLOURS = 3
NO_FILTER_DRAWS = 64


def class_sizes(n: int) -> list[int]:
    """Sizes of a balanced 3-partition of n vertices."""
    return [n // COLOURS + (1 if c < n % COLOURS else 0) for c in range(COLOURS)]


def cross_pairs(n: int) -> int:
    """The number of vertex pairs that cross a balanced 3-partition of n vertices."""
    a, b, c = class_sizes(n)
    return a * b + a * c + b * c


def pair_from_index(index: int) -> tuple[int, int]:
    """The index-th pair (u, v), u < v, in the order (0,1), (0,2), (1,2), (0,3), ...."""
    v = (1 + math.isqrt(1 + 8 * index)) // 2
    u = index - v * (v - 1) // 2
    return u, v


def dsatur(n: int, neighbours: list[set[int]], rng: random.Random) -> tuple[list[int], bool]:
    """DSATUR with colours 0..2: (colouring, whether it is proper).

    The next vertex is the uncoloured one seeing most distinct colours (then highest degree, then at
    random); it takes the smallest free colour, or the colour used by fewest neighbours if none is free.
    """
    colour = [-1] * n
    seen: list[set[int]] = [set() for _ in range(n)]
    tiebreak = [rng.random() for _ in range(n)]
    proper = True
    for _ in range(n):
        v = max((u for u in range(n) if colour[u] < 0),
                key=lambda u: (len(seen[u]), len(neighbours[u]), tiebreak[u]))
        free = [c for c in range(COLOURS) if c not in seen[v]]
        if free:
            colour[v] = free[0]
        else:
            proper = False
            colour[v] = min(range(COLOURS), key=lambda c: sum(colour[u] == c for u in neighbours[v]))
        for u in neighbours[v]:
            seen[u].add(colour[v])
    return colour, proper


class ThreeColouring(Problem):
    id = "three_colouring"
    version = 2

    def check_params(self, params: dict[str, Any]) -> None:
        n, m = params["nodes"], params["edges"]
        require_param(m <= cross_pairs(n), f"edges must be at most {cross_pairs(n)} (the pairs crossing a balanced "
                                           f"3-partition of {n} vertices), got {m}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, m = params["nodes"], params["edges"]
        a, b, c = class_sizes(n)
        # classes are the consecutive id ranges [0, a), [a, a+b), [a+b, n) before relabelling
        blocks = [(0, a, a, b), (0, a, a + b, c), (a, b, a + b, c)]
        edges = []
        for index in rng.sample(range(cross_pairs(n)), m):
            for first, width, second, height in blocks:
                if index < width * height:
                    edges.append((first + index // height, second + index % height))
                    break
                index -= width * height
        hidden = [0] * a + [1] * b + [2] * c
        mapping = shuffled_labels(n, rng)
        colouring = [0] * n
        for old, new in enumerate(mapping):
            colouring[new] = hidden[old]
        return Planted({"n": n, "edges": relabel(edges, mapping)}, colouring)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """A uniformly random graph with the same n and m, kept once DSATUR fails on it and it holds no K4."""
        n, m = params["nodes"], params["edges"]
        data = {}
        for _ in range(NO_FILTER_DRAWS):
            edges = [pair_from_index(i) for i in rng.sample(range(n * (n - 1) // 2), m)]
            data = {"n": n, "edges": relabel(edges, shuffled_labels(n, rng))}
            if not self.counting_refutes(data) and not dsatur(n, adjacency(n, data["edges"]), rng)[1]:
                break
        return data

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """Four mutually adjacent vertices need four colours: a K4 gives a no-instance away at a glance."""
        return has_clique(adjacency(data["n"], data["edges"]), COLOURS + 1)

    def check(self, data: dict[str, Any], solution: Any) -> None:
        colour = checks.int_list(solution, "solution", 0, COLOURS - 1, length=data["n"])
        for u, v in data["edges"]:
            if colour[u] == colour[v]:
                raise Reject(CONSTRAINT, f"edge {u}-{v} joins two vertices of colour {colour[u]}")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        n, edges = data["n"], data["edges"]

        def var(v: int, c: int) -> int:
            return COLOURS * v + c + 1

        clauses = []
        for v in range(n):
            clauses.append([var(v, c) for c in range(COLOURS)])
            clauses += [[-var(v, c), -var(v, d)] for c in range(COLOURS) for d in range(c + 1, COLOURS)]
        for u, v in edges:
            clauses += [[-var(u, c), -var(v, c)] for c in range(COLOURS)]
        if edges:  # symmetry breaking: the colours of one edge's endpoints can be fixed to 0 and 1
            u, v = edges[0]
            clauses += [[var(u, 0)], [var(v, 1)]]
        status, model, effort = solve_cnf(clauses, time_limit)
        certificate = read_one_hot(model, n, COLOURS, var) if status == SAT else None
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        return f"{render_graph(data['n'], data['edges'])}\nColours: 0, 1, 2"

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """DSATUR (no backtracking): a proper colouring if it finds one, else its best attempt."""
        return dsatur(data["n"], adjacency(data["n"], data["edges"]), rng)[0]

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [rng.randrange(COLOURS) for _ in range(data["n"])]


register(ThreeColouring())
