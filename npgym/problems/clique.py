"""Clique (Garey & Johnson GT19).

Instance: a graph G = (V, E) and an integer k. Question: is there a set of at least k vertices that
are pairwise adjacent?

Schemas
    data         ``{"n": int, "edges": [[u, v], ...] (u < v, sorted), "k": int}``
    certificate  a list of at least k distinct vertex ids, every two of them joined by an edge
    objective    the clique size (maximise)

Generation: a hidden set S of k vertices made a clique; every other pair becomes an edge with the
probability p at which a random graph G(n, p) has on average exactly one k-clique of its own,
C(n, k) * p^C(k, 2) = 1 (see :func:`natural_density`). So the planted clique is not far above the
natural clique number. S is then made maximal (random vertices adjacent to all of it are added
while any exist) and k is its final size, which removes the free slack of vertices that happen to
fit S; the bound is then the optimum in most instances (14 of 20 at the top level). Vertex ids are
shuffled and the edge list is sorted, so neither points at S.

What keeps it from leaking: the reference planted an n/2-clique in G(n, 0.5), far above the natural
clique number (about 2 log2 n), so the top-k vertices by degree were the answer. With k = n/2 every
member of S has (k - 1)(1 - p) more expected neighbours than the others whatever the density, so the
leak shrinks only as p grows: at the top level (n = 40, p = 0.87) it is about one standard deviation
of the degree, and a k-clique besides S exists about as often as not.

Hardness: the question is at the first-moment threshold of the k-clique count. The reference ladder
(k = n/2, the ``clique`` parameter is the planted size before it is made maximal) is kept; past the
top k falls behind n/2 (version 2: the degree leak shrinks; k = n/2 gave the heuristic 10/10). Version 4
grows the square of n by 700 per level (40, 48, 55, 61, ... vertices) with k = n/8 + 15 (version 3 added 8
vertices and 1 to k per level, the same k at the same n): the graphs are dense (0.87 at the top level), so the
edge list grows as n^2 and this keeps each level about 2.2k characters longer than the one before (version 3:
about 380k characters at level 50, now about 85k). Small graphs
with a planted n/2 clique remain easy for greedy plus local search: this is a benchmark of careful
reasoning over an edge list, not of computational hardness. Level 1 (n = 4, k = 2) is
degenerate: any edge is a clique of size 2.

No-instance that counting gives away (this version): the engine never makes one (:meth:`counting_refutes`;
before, a bound shifted one past an optimum that already sat at a degree or counting bound was made).

Audit (benchmarks/hardness.py, 2 s of one core per attack and instance; version 4): swap tabu search
solves every yes-instance at the top level (40 vertices), at 2x (level 20, 81 vertices) and at level 27
(107 vertices, k = 28, 29.8k characters, the largest prompt within 30k), and yes/no accuracy is 1.00, 0.90
and 0.66 (10 + 10; the bound against a greedy clique, and k), with every label proved in about 3 s at
level 27. The edge list of a dense graph is quadratic in n, so prompts that fit hold only graphs that
local search clears: this problem cannot reach the target of fewer than 10% solved.
"""

from __future__ import annotations

import functools
import itertools
import math
import random
from typing import Any, ClassVar

from npgym import checks, draws
from npgym.graphs import adjacency, edge_set, pair_tables, relabel, render_graph, shuffled_labels
from npgym.problem import Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import optimize_against_bound, read_chosen
from npgym.verdict import BOUND, CONSTRAINT, Reject

PERTURB_ROUNDS = 60


@functools.lru_cache(maxsize=64)
def natural_density(n: int, k: int) -> float:
    """The edge probability p at which G(n, p) has on average one k-clique: C(n, k) p^C(k, 2) = 1."""
    return math.exp(-math.log(math.comb(n, k)) / math.comb(k, 2))


def planted_set(rng: random.Random, n: int, k: int, inside_edges: bool, probability: float) -> Planted:
    """A graph with a hidden k-set (a clique or an independent set) and random pairs elsewhere.

    Before relabelling the hidden set is 0..k-1; it is a clique with ``inside_edges``, otherwise
    independent. Every pair (u, v) with u < v that is not inside it is drawn in the order v = k..n-1,
    u = 0..v-1 and kept with ``probability``. Vertex ids are then shuffled, and the hidden set is made
    maximal (see :func:`extend_maximal`). The certificate is the relabelled hidden set, sorted.

    Only the conflicting pairs are listed (a missing edge for a clique, an edge for an independent set): the
    drawn pairs whose ``rng.random()`` falls on the conflicting side of ``probability``, all compared at once by
    :func:`npgym.draws.random_below` and read off row by row (:func:`flagged_pairs`). Relabelled, the dense clique
    graph's edges are the pairs of :class:`npgym.graphs.PairTables` whose rank is not struck out, copied from
    their templates; the sparse independent-set graph's edges are its conflicts, relabelled
    (:func:`npgym.graphs.relabel`), so it builds nothing of size n^2 (past the top n reaches hundreds).
    """
    flags = draws.random_below(rng, (n * (n - 1) - k * (k - 1)) // 2, probability, not inside_edges)
    conflicts = flagged_pairs(flags, k, n)
    mapping = shuffled_labels(n, rng)
    if inside_edges:
        tables = pair_tables(n)
        start = tables.start
        keep = bytearray(tables.ones)
        for u, v in conflicts:
            a, b = mapping[u], mapping[v]
            keep[start[a] + b if a < b else start[b] + a] = 0
        edges = list(map(list.copy, itertools.compress(tables.pairs, keep)))
    else:
        edges = relabel(conflicts, mapping)
    hidden = extend_maximal(rng, k, mapping, conflicts)
    return Planted({"n": n, "edges": edges, "k": len(hidden)}, hidden)


def flagged_pairs(flags: bytes | bytearray, k: int, n: int) -> list[tuple[int, int]]:
    """The pairs (u, v) whose flag is set, the flags one per pair in the drawing order v = k..n-1, u = 0..v-1:
    read a row at a time by C calls."""
    pairs: list[tuple[int, int]] = []
    start = 0
    for v in range(k, n):
        pairs += zip(itertools.compress(range(v), flags[start:start + v]), itertools.repeat(v))
        start += v
    return pairs


def extend_maximal(rng: random.Random, k: int, mapping: list[int], conflicts: list[tuple[int, int]]) -> list[int]:
    """Add random vertices free of conflicts with the hidden set until none is left; return it sorted.

    Applied to the planted set, this removes the free slack of vertices that happen to fit it, so the
    bound k is the size of a maximal set rather than of the bare planted one. The candidates (vertices
    outside the set 0..k-1 in conflict with none of it) are taken in the order of their new ids, shuffled,
    and each is added if it is also free of conflicts with the ones added before it. ``conflicts`` are
    :func:`planted_set`'s conflicting pairs (u, v), u < v, in the ids before ``mapping``.
    """
    n = len(mapping)
    blocked = {v for u, v in conflicts if u < k}
    original = {mapping[v]: v for v in range(k, n) if v not in blocked}
    candidates = sorted(original)
    draws.shuffle(rng, candidates)
    hidden = mapping[:k]
    if len(candidates) > 1:  # two candidates may conflict with each other
        conflicting = set(conflicts)
        added: list[int] = []
        for label in candidates:
            v = original[label]
            if all(((u, v) if u < v else (v, u)) not in conflicting for u in added):
                added.append(v)
        hidden += map(mapping.__getitem__, added)
    else:
        hidden += candidates
    hidden.sort()
    return hidden


def check_free_set(data: dict[str, Any], solution: Any, conflict_is_edge: bool, what: str) -> int:
    """Verify a set of at least k distinct vertices with no conflicting pair; return its size.

    Two chosen vertices conflict when they are adjacent (independent set) or not adjacent (clique).
    """
    n, k = data["n"], data["k"]
    chosen = checks.int_list(solution, "solution", 0, n - 1, distinct=True)
    if _has_conflict(n, data["edges"], chosen, conflict_is_edge):
        _reject_conflict(chosen, edge_set(data["edges"]), conflict_is_edge, what)
    if len(chosen) < k:  # the message is formatted only for a wrong answer
        raise Reject(BOUND, f"{what} has {len(chosen)} vertices, fewer than k = {k}")
    return len(chosen)


def _has_conflict(n: int, edges, chosen: list[int], conflict_is_edge: bool) -> bool:
    """Whether two chosen vertices conflict, in one pass over the edges (stored as ``[u, v]`` with u < v).

    Only edges inside the answer matter: for a clique, every chosen pair must be one of them, so counting the
    distinct inside pairs u < v suffices (distinct: a hand-made instance may list an edge twice, and a count
    of repeats would accept a non-clique). Only the inside edges go into a set.
    """
    inside = [False] * n
    for vertex in chosen:
        inside[vertex] = True
    if conflict_is_edge:
        for u, v in edges:
            if inside[u] and inside[v] and u < v:
                return True
        return False
    joined = {u * n + v for u, v in edges if inside[u] and inside[v] and u < v}
    return len(joined) < len(chosen) * (len(chosen) - 1) // 2


def _reject_conflict(chosen: list[int], edges: set[tuple[int, int]], conflict_is_edge: bool, what: str) -> None:
    """Reject naming the first conflicting pair in the answer's order."""
    for i, u in enumerate(chosen):
        for v in chosen[i + 1:]:
            adjacent = (min(u, v), max(u, v)) in edges
            if adjacent == conflict_is_edge:
                problem = "are joined by an edge" if adjacent else "are not joined by an edge"
                raise Reject(CONSTRAINT, f"vertices {u} and {v} {problem}, so this is not {what}")


def solve_free_set(data: dict[str, Any], time_limit: float, conflicts: list[set[int]]) -> SolveResult:
    """Maximum set with no conflicting pair by CP-SAT, decided against the bound k."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"x{v}") for v in range(data["n"])]
    for u, others in enumerate(conflicts):
        for v in others:
            if u < v:
                model.add_bool_or([chosen[u].Not(), chosen[v].Not()])
    return optimize_against_bound(
        model, sum(chosen), "max", data["k"], time_limit,
        read_chosen(chosen), linearization=2)


def greedy_free_set(conflicts: list[set[int]], rng: random.Random, rounds: int = PERTURB_ROUNDS) -> list[int]:
    """Greedy plus iterated local search for a large set with no conflicting pair.

    Greedy repeatedly takes the candidate with fewest conflicts among the remaining candidates (for a
    clique: the vertex with most neighbours among them), ties at random. Each local-search round
    drops two random vertices of the best set, completes it greedily again and keeps the result if
    it is no smaller (so it can drift along plateaus).
    """
    n = len(conflicts)

    def complete(chosen: set[int]) -> set[int]:
        candidates = {v for v in range(n) if v not in chosen and not conflicts[v] & chosen}
        while candidates:
            score = {v: len(conflicts[v] & candidates) for v in candidates}
            least = min(score.values())
            v = rng.choice(sorted(v for v, s in score.items() if s == least))
            chosen.add(v)
            candidates -= conflicts[v]
            candidates.discard(v)
        return chosen

    best = complete(set())
    for _ in range(rounds):
        trial = set(best)
        trial.difference_update(rng.sample(sorted(trial), min(2, len(trial))))
        trial = complete(trial)
        if len(trial) >= len(best):
            best = trial
    return sorted(best)


def non_neighbours(n: int, edges) -> list[set[int]]:
    """The complement graph's adjacency sets."""
    everyone = set(range(n))
    return [everyone - adj - {v} for v, adj in enumerate(adjacency(n, edges))]


class FreeSetProblem(Problem):
    """Clique and independent set, one problem on complementary graphs: k vertices free of conflicts
    (a missing edge for a clique, an edge for an independent set), planted at the natural density."""

    #: the parameter that holds the planted size, and whether the set is a clique
    size_param: ClassVar[str]
    is_clique: ClassVar[bool]
    answer_noun: ClassVar[str]

    def conflicts(self, data: dict[str, Any]) -> list[set[int]]:
        """For each vertex, the vertices that may not share the set with it."""
        return non_neighbours(data["n"], data["edges"]) if self.is_clique else adjacency(data["n"], data["edges"])

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, k = params["nodes"], params[self.size_param]
        density = natural_density(n, k) if self.is_clique else 1.0 - natural_density(n, k)
        return planted_set(rng, n, k, self.is_clique, density)

    def check(self, data: dict[str, Any], solution: Any) -> int:
        return check_free_set(data, solution, not self.is_clique, self.answer_noun)

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        return solve_free_set(data, time_limit, self.conflicts(data))

    def render(self, data: dict[str, Any]) -> str:
        return f"{render_graph(data['n'], data['edges'])}\nk = {data['k']}"

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy by fewest conflicts among the remaining candidates, then iterated local search."""
        return greedy_free_set(self.conflicts(data), rng)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return sorted(rng.sample(range(data["n"]), data["k"]))


class Clique(FreeSetProblem):
    id = "clique"
    version = 4
    size_param = "clique"
    is_clique = True
    answer_noun = "a clique"

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """A k-clique needs k vertices of degree at least k - 1."""
        degrees = [len(adj) for adj in adjacency(data["n"], data["edges"])]
        return sum(1 for d in degrees if d >= data["k"] - 1) < data["k"]


register(Clique())
