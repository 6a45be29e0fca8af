"""Dominating Set (Garey & Johnson GT2).

Instance: a graph G = (V, E) and an integer k. Question: is there a set D of at most k vertices such
that every vertex is in D or adjacent to a vertex of D?

Schemas
    data         ``{"n": int, "edges": [[u, v], ...] (u < v, sorted), "k": int}``
    certificate  a list of at most k distinct vertex ids that dominates every vertex
    objective    the set size (minimise)

Generation: a hidden set D of k vertices; every other vertex gets one edge to a "home" in D (each
member of D is home to at least one vertex, so none is idle). Random edges come on top: pairs outside
D with probability p, pairs touching D with a lower probability q chosen so that members of D and
the others have the same expected degree (the reference's planted vertices collected every home edge
and stood out as the highest degrees, so greedy found them). The density p is not the reference's
fixed 0.2/0.3: it is the density at which G(n, p) has on average one dominating set of size k,
C(n, k) (1 - (1 - p)^k)^(n - k) = 1, so the planted set sits near the natural domination number
instead of far above it. Finally D is pruned to a minimal dominating set (the reference's planted set
often had a removable vertex) and k is its size. Vertex ids are shuffled, the edge list is sorted.

Hardness: greedy (take the vertex that dominates most new vertices) tends to overshoot the pruned
planted size by a vertex or more. The reference ladder (n, k) is kept, but its density column p is
replaced by the rule above; past the top each level adds 10 vertices and 1 to k.
The verifier is linear in n + |E| (the reference's was O(|D| |E|)).

No-instance that counting gives away (this version): the engine never makes one (:meth:`counting_refutes`;
before, a bound shifted one past an optimum that already sat at a degree or counting bound was made).
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks
from npgym.graphs import adjacency, relabel, render_graph, shuffled_labels
from npgym.problem import Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import optimize_against_bound, read_chosen
from npgym.verdict import BOUND, CONSTRAINT, Reject


def natural_density(n: int, k: int) -> float:
    """The p at which G(n, p) has on average one dominating k-set: C(n, k) (1 - (1 - p)^k)^(n - k) = 1."""
    covered = math.exp(-math.log(math.comb(n, k)) / (n - k))  # P(a vertex outside is dominated)
    return 1.0 - (1.0 - covered) ** (1.0 / k)


def prune(chosen: list[int], neighbours: list[set[int]]) -> list[int]:
    """Drop members (last first) whose closed neighbourhood stays dominated without them."""
    count = [0] * len(neighbours)  # how many chosen vertices dominate each vertex
    for v in chosen:
        for u in neighbours[v] | {v}:
            count[u] += 1
    kept = []
    for v in reversed(chosen):
        if all(count[u] >= 2 for u in neighbours[v] | {v}):
            for u in neighbours[v] | {v}:
                count[u] -= 1
        else:
            kept.append(v)
    return sorted(kept)


class DominatingSet(Problem):
    id = "dominating_set"
    version = 2

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, k = params["nodes"], params["dominators"]
        p = natural_density(n, k)
        # before relabelling D = 0..k-1; each member of D has (n - k) / k homes on average
        q = max(0.0, p - ((n - k) / k - 1) / (n - k - 1)) if n - k > 1 else p
        homes = list(range(k)) + [rng.randrange(k) for _ in range(n - 2 * k)]
        rng.shuffle(homes)
        edges = [(home, k + i) for i, home in enumerate(homes)]
        edges += [(u, v) for v in range(1, n) for u in range(v) if rng.random() < (q if u < k else p)]
        mapping = shuffled_labels(n, rng)
        labelled = relabel(edges, mapping)
        members = [mapping[v] for v in range(k)]
        rng.shuffle(members)  # prune drops the redundant members in a random order
        dominators = prune(members, adjacency(n, labelled))
        return Planted({"n": n, "edges": labelled, "k": len(dominators)}, dominators)

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """k vertices dominate at most k (max degree + 1) vertices."""
        degrees = [len(adj) for adj in adjacency(data["n"], data["edges"])]
        return data["k"] * (max(degrees, default=0) + 1) < data["n"]

    def check(self, data: dict[str, Any], solution: Any) -> int:
        n, k = data["n"], data["k"]
        chosen = checks.int_list(solution, "solution", 0, n - 1, distinct=True)
        dominated = [False] * n
        for v in chosen:
            dominated[v] = True
        members = set(chosen)
        for u, v in data["edges"]:
            if u in members:
                dominated[v] = True
            if v in members:
                dominated[u] = True
        missed = next((v for v in range(n) if not dominated[v]), None)
        if missed is not None:  # each message is formatted only for a wrong answer
            raise Reject(CONSTRAINT, f"vertex {missed} is neither chosen nor adjacent to a chosen vertex")
        if len(chosen) > k:
            raise Reject(BOUND, f"the set has {len(chosen)} vertices, more than k = {k}")
        return len(chosen)

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        chosen = [model.new_bool_var(f"x{v}") for v in range(data["n"])]
        for v, others in enumerate(adjacency(data["n"], data["edges"])):
            model.add_bool_or([chosen[v]] + [chosen[u] for u in sorted(others)])
        return optimize_against_bound(
            model, sum(chosen), "min", data["k"], time_limit,
            read_chosen(chosen), linearization=2)

    def render(self, data: dict[str, Any]) -> str:
        return f"{render_graph(data['n'], data['edges'])}\nk = {data['k']}"

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy: take the vertex dominating most undominated vertices (ties at random), then prune."""
        n = data["n"]
        neighbours = adjacency(n, data["edges"])
        closed = [neighbours[v] | {v} for v in range(n)]
        undominated = set(range(n))
        chosen = []
        while undominated:
            gain = [len(closed[v] & undominated) for v in range(n)]
            top = max(gain)
            v = rng.choice([v for v in range(n) if gain[v] == top])
            chosen.append(v)
            undominated -= closed[v]
        return prune(chosen, neighbours)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return sorted(rng.sample(range(data["n"]), data["k"]))


register(DominatingSet())
