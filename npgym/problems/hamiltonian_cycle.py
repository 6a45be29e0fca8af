"""Hamiltonian Circuit (Garey & Johnson GT37).

Instance: an undirected graph G = (V, E). Question: is there a cycle that passes through every vertex
exactly once?

Schemas
    data         ``{"n": int, "edges": [[u, v], ...] (u < v, sorted)}``
    certificate  a permutation of ``0..n-1``: the vertices in cycle order; consecutive vertices and
                 the last and first vertex must be adjacent (the closing edge is implied, the first
                 vertex is NOT repeated)
    objective    none

Generation: a hidden Hamiltonian cycle through all n vertices plus random extra edges, for
m = round(degree * n / 2) edges in total (average degree ``degree``); vertex ids are shuffled, and
the edge list is sorted, so neither ids nor order point at the cycle. No-instance candidates have the
same n and m and the same degree distribution: a random 2-factor made of at least two disjoint cycles
(instead of one Hamiltonian cycle) plus the same number of random extra edges; the solver keeps only
the candidates it proves non-Hamiltonian. Below 6 vertices no such 2-factor exists, and candidates
are uniform random graphs with m edges instead.

Hardness: the reference used a cycle plus G(n, 0.3), dense enough that Warnsdorff's rule walks
straight around. Here the average degree is 2.8: most vertices have only one or two edges that the
cycle does not use, about 45% of the vertices have degree 2 (their two edges are forced) and
forced edges interact over long distances, so greedy walks run into dead ends and must backtrack.
Level 1 (5 vertices) is nearly degenerate: most graphs of that size are Hamiltonian.
"""

from __future__ import annotations

import random
from typing import Any

from npgym import checks
from npgym.graphs import add_random_edges, adjacency, edge_set, relabel, render_graph, shuffled_labels
from npgym.problem import SAT, Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import run_cp
from npgym.verdict import CONSTRAINT, Reject

MIN_TWO_FACTOR = 6  # the smallest n with a 2-factor of two cycles (two triangles)


class HamiltonianCycle(Problem):
    id = "hamiltonian_cycle"
    version = 1

    def check_params(self, params: dict[str, Any]) -> None:
        n, degree = params["nodes"], params["degree"]
        pairs = n * (n - 1) // 2
        require_param(_edge_count(params) <= pairs - 1,
                      f"degree {degree} gives {_edge_count(params)} edges, but {n} vertices have only {pairs} "
                      f"pairs and a complete graph is not allowed; lower degree or raise nodes")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n = params["nodes"]
        cycle_edges = [(v, (v + 1) % n) for v in range(n)]  # vertex order 0..n-1 before relabelling
        edges = add_random_edges(rng, n, cycle_edges, _edge_count(params))
        mapping = shuffled_labels(n, rng)
        return Planted({"n": n, "edges": relabel(edges, mapping)}, [mapping[v] for v in range(n)])

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        n = params["nodes"]
        base = _two_factor_edges(rng, n) if n >= MIN_TWO_FACTOR else []
        edges = add_random_edges(rng, n, base, _edge_count(params))
        return {"n": n, "edges": relabel(edges, shuffled_labels(n, rng))}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        n = data["n"]
        cycle = checks.permutation(solution, "solution", n)
        if n < 3 or not _walks_edges(n, data["edges"], cycle):
            edges = edge_set(data["edges"])
            following = cycle[1:] + cycle[:1]
            missing = next(((a, b) for a, b in zip(cycle, following) if (min(a, b), max(a, b)) not in edges), None)
            if missing is not None:
                raise Reject(CONSTRAINT, f"{missing[0]}-{missing[1]} is not an edge of the graph")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        n = data["n"]
        model = cp_model.CpModel()
        arcs = {}
        for u, v in data["edges"]:
            arcs[u, v] = model.new_bool_var(f"a{u}_{v}")
            arcs[v, u] = model.new_bool_var(f"a{v}_{u}")
        model.add_circuit([(u, v, literal) for (u, v), literal in arcs.items()])
        status, solver, effort, _ = run_cp(model, time_limit)
        certificate = None
        if status == SAT:
            following = {u: v for (u, v), literal in arcs.items() if solver.boolean_value(literal)}
            certificate = [0]
            while len(certificate) < n:
                certificate.append(following[certificate[-1]])
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        return render_graph(data["n"], data["edges"])

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Warnsdorff depth-first search: extend to the neighbour with the fewest unvisited neighbours.

        Backtracks within a budget of 20 * n extensions; if no cycle is found, the longest path seen is
        padded with the missing vertices (an invalid answer of the right shape).
        """
        n = data["n"]
        neighbours = adjacency(n, data["edges"])
        start = min(range(n), key=lambda v: (len(neighbours[v]), rng.random()))
        path, visited = [start], {start}
        longest = list(path)
        budget = [20 * n]

        def options(v):
            fresh = [w for w in neighbours[v] if w not in visited]
            return sorted(fresh, key=lambda w: (sum(x not in visited for x in neighbours[w]), rng.random()))

        def extend() -> bool:
            nonlocal longest
            if len(path) == n:
                return start in neighbours[path[-1]]
            for w in options(path[-1]):
                if budget[0] <= 0:
                    return False
                budget[0] -= 1
                path.append(w)
                visited.add(w)
                if len(path) > len(longest):
                    longest = list(path)
                if extend():
                    return True
                path.pop()
                visited.discard(w)
            return False

        if extend():
            return path
        return longest + [v for v in range(n) if v not in set(longest)]

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        order = list(range(data["n"]))
        rng.shuffle(order)
        return order


def _edge_count(params: dict[str, Any]) -> int:
    return max(params["nodes"], round(params["degree"] * params["nodes"] / 2))


def _two_factor_edges(rng: random.Random, n: int) -> list[tuple[int, int]]:
    """A random set of at least two disjoint cycles (each of length >= 3) covering all n vertices."""
    order = list(range(n))
    rng.shuffle(order)
    first = rng.randrange(3, n - 2)  # split into at least two cycles
    lengths = [first]
    left = n - first
    while left >= 6 and rng.random() < 0.5:  # sometimes split further
        piece = rng.randrange(3, left - 2)
        lengths.append(piece)
        left -= piece
    lengths.append(left)
    edges, at = [], 0
    for length in lengths:
        ring = order[at:at + length]
        edges += [(ring[i], ring[(i + 1) % length]) for i in range(length)]
        at += length
    return edges


def _walks_edges(n: int, edges, cycle: list[int]) -> bool:
    """Whether every step of a cycle through all n >= 3 vertices is an edge (stored ``[u, v]``, u < v).

    One pass over the edges: an edge is a step when one end follows the other on the cycle, and the cycle
    is a walk in the graph exactly when n distinct edges are steps (distinct: a hand-made instance may list
    an edge twice, and a count of repeats would accept a broken cycle). Only the steps go into a set.
    """
    following = [0] * n
    previous = cycle[-1]
    for vertex in cycle:
        following[previous] = vertex
        previous = vertex
    return len({u * n + v for u, v in edges if following[u] == v or following[v] == u}) == n


register(HamiltonianCycle())
