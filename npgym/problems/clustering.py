"""Clustering (Garey & Johnson MS9).

Instance: n elements with integer distances d(x, y), a number of groups K and a bound B. Question:
can the elements be split into K groups such that any two elements in the same group are at distance
at most B?

Schemas
    data         ``{"n": int, "distances": n x n symmetric integer matrix (0 on the diagonal),
                 "K": int, "B": int}``; off-diagonal distances lie in ``1..2B``
    certificate  a list of n group numbers in ``0..K-1`` (position i is the group of element i); groups
                 may be empty
    objective    none

Equivalently: the "far graph" joins x and y when d(x, y) > B, and a valid grouping is a proper
K-colouring of it. The reference made every distance between groups larger than B, so the groups
were simply the components of the near-pairs graph (polynomial). Here the far graph is a planted
random K-partite graph: the elements are dealt into K near-equal hidden groups (ids shuffled); a pair
in different groups is far with probability p = degree * K / ((K - 1) * n) (capped at 0.9), so the
far graph has mean degree ``degree``, and every other pair, inside a group or across, is near. Far
distances are uniform in ``B+1..2B`` and near ones in ``1..B``, so a near pair across groups looks
exactly like a pair inside a group: only the colouring structure separates them.

Hardness: with K = 3 and mean far degree 5.0, the far graph sits near the 3-colourability threshold
(about 4.69 for uniform random graphs, about 5.0-5.1 for the near-regular ones that mixed sets draw),
where colouring is hardest; DSATUR (the baseline) then often gets stuck. The distance matrix makes the
prompt quadratic in n: 30k characters hold only about 100 elements, where tabucol colours every planted
instance in well under 2 s, so this problem cannot resist local search at prompt sizes that fit.

No-instances (:meth:`Clustering.no_candidate`): the same number of elements and the same expected
number of far pairs, spread over all pairs instead of only between hidden groups (a random graph of
the same mean degree), proved not K-colourable by the solver. Version 2 redraws far graphs holding K + 1
pairwise far elements (:meth:`Clustering.counting_refutes`): no planted instance has them, so in version
1 such a clique gave no-instances away.

Mixed test sets (version 3): the yes-instances are drawn like the no-instances and certified by the
solver (:attr:`Problem.yes_from_no_candidates`), so a planted structure (fewer triangles in a planted
3-partite graph) marks neither side; yes-only sets keep the planted instances. The candidates have exactly
the planted graphs' expected number of far pairs and degrees that differ by at most one: with a random
count and uniform pairs, the colourable draws were those with fewer or more evenly spread far pairs
(accuracy 0.81 at level 10 from degree statistics, 0.65 with the count fixed).

Ladder (version 4): past the top the square of n grows by 1500 per level (70, 80, 89, 97, ... elements), so
the distance matrix, and the prompt, grows by a constant per level (version 3 added 10 elements per level,
the same instances at the same n). Audit (benchmarks/hardness.py, version 4): tabucol colours every
yes-instance at the top level (70 elements), at level 15 (111 elements, 27.3k characters, the largest prompt
within 30k) and at 2x (level 20, 141 elements, 43k characters); yes/no accuracy 0.73 at the top and 0.71 at
2x (10 + 10; triangles; 0.62 with 30 + 30 in version 3).
"""

from __future__ import annotations

import random
from operator import itemgetter
from typing import Any

from npgym import checks
from npgym.graphs import has_clique
from npgym.problem import SAT, Planted, Problem, SolveResult
from npgym.registry import register
from npgym.setsystems import balanced_slots, deal_blocks
from npgym.solvers import read_one_hot, solve_cnf
from npgym.verdict import CONSTRAINT

NO_DRAWS = 64  # far graphs with a K + 1 clique are redrawn this many times


class Clustering(Problem):
    id = "clustering"
    version = 4
    yes_from_no_candidates = True

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, k = params["elements"], params["groups"]
        groups = [i % k for i in range(n)]
        rng.shuffle(groups)
        p = self._far_probability(params)
        rand = rng.random
        far = [(x, y) for x in range(n) for y in range(x + 1, n) if groups[x] != groups[y] and rand() < p]
        return Planted(self._data(rng, params, far), groups)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        n, k = params["elements"], params["groups"]
        sizes = [n // k + (g < n % k) for g in range(k)]
        cross = (n * n - sum(s * s for s in sizes)) // 2
        count = round(self._far_probability(params) * cross)  # the planted graphs' expected count of far pairs
        data = {}
        for _ in range(NO_DRAWS):
            # exactly `count` far pairs with degrees that differ by at most one: with a random count, or uneven
            # degrees, the colourable draws (a mixed set's yes-instances) were those with fewer far pairs or
            # more uneven degrees, and the mean or the spread of the degrees told them apart
            blocks = deal_blocks(rng, n, balanced_slots(rng, n, 2 * count), [2] * count, set())
            far = sorted((x, y) for x, y in blocks)
            data = self._data(rng, params, far)
            if not self.counting_refutes(data):
                break
        return data

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """K + 1 elements pairwise farther apart than B need K + 1 groups (a K4 of far pairs for K = 3)."""
        far: list[set[int]] = [set() for _ in range(data["n"])]
        for x, y in _far_pairs(data):
            far[x].add(y)
            far[y].add(x)
        return has_clique(far, data["K"] + 1)

    @staticmethod
    def _far_probability(params: dict[str, Any]) -> float:
        n, k = params["elements"], params["groups"]
        return min(0.9, params["degree"] * k / ((k - 1) * n))

    @staticmethod
    def _data(rng: random.Random, params: dict[str, Any], far: list[tuple[int, int]]) -> dict[str, Any]:
        """The distance matrix: for each pair x < y in row order, a draw from B + 1..2B if it is far, else from
        1..B. Both ranges hold B values, so each draw is its range's start plus ``randrange(B)``, which is what
        ``randint`` over the range computes; the upper triangle is filled row by row and mirrored by a transpose."""
        n, bound = params["elements"], params["bound"]
        is_far = [[False] * n for _ in range(n)]
        for x, y in far:
            is_far[x][y] = True
        draw, far_start = rng.randrange, bound + 1
        upper = [[0] * (x + 1) + [(far_start if flag else 1) + draw(bound) for flag in is_far[x][x + 1:]]
                 for x in range(n)]
        distances = [list(column[:x]) + upper[x][x:] for x, column in enumerate(zip(*upper))]
        return {"n": n, "distances": distances, "K": params["groups"], "B": bound}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        n, distances, bound = data["n"], data["distances"], data["B"]
        groups = checks.int_list(solution, "solution", 0, data["K"] - 1, length=n)
        if _widest_in_group(distances, groups, data["K"]) <= bound:
            return None  # the common case; otherwise find the first pair too far apart, in order
        far = next(((x, y) for x in range(n) for y in range(x + 1, n)
                    if groups[x] == groups[y] and distances[x][y] > bound), None)
        if far is None:  # only the diagonal exceeded B
            return None
        x, y = far
        checks.require(False, f"elements {x} and {y} are both in group {groups[x]} but their distance "
                       f"{distances[x][y]} is more than B = {bound}", CONSTRAINT)

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        n, k = data["n"], data["K"]

        def var(x: int, g: int) -> int:
            return x * k + g + 1

        clauses = [[var(x, g) for g in range(k)] for x in range(n)]
        clauses += [[-var(x, g), -var(x, h)] for x in range(n) for g in range(k) for h in range(g + 1, k)]
        for x, y in _far_pairs(data):
            clauses += [[-var(x, g), -var(y, g)] for g in range(k)]
        clauses.append([var(0, 0)])  # groups are interchangeable: element 0 goes to group 0
        status, model, effort = solve_cnf(clauses, time_limit)
        certificate = read_one_hot(model, n, k, var) if status == SAT else None
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        n = data["n"]
        rows = "\n".join(" ".join(map(str, row)) for row in data["distances"])
        return (f"Elements: {n}, numbered 0 to {n - 1}. Distance matrix (row i lists the distances from "
                f"element i to elements 0 to {n - 1}):\n{rows}\n"
                f"Groups: K = {data['K']} (numbered 0 to {data['K'] - 1}). Bound: B = {data['B']}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """DSATUR on the far graph: colour the element with the most distinct far-neighbour groups first,
        with the lowest free group; with no free group, the group with the fewest far neighbours."""
        n, k = data["n"], data["K"]
        far: list[list[int]] = [[] for _ in range(n)]
        for x, y in _far_pairs(data):
            far[x].append(y)
            far[y].append(x)
        groups = [-1] * n
        seen: list[set[int]] = [set() for _ in range(n)]
        noise = [rng.random() for _ in range(n)]
        for _ in range(n):
            x = max((v for v in range(n) if groups[v] < 0), key=lambda v: (len(seen[v]), len(far[v]), noise[v]))
            free = [g for g in range(k) if g not in seen[x]]
            if free:
                g = free[0]
            else:
                g = min(range(k), key=lambda g: sum(groups[y] == g for y in far[x]))
            groups[x] = g
            for y in far[x]:
                seen[y].add(g)
        return groups

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [rng.randrange(data["K"]) for _ in range(data["n"])]


def _far_pairs(data: dict[str, Any]) -> list[tuple[int, int]]:
    n, distances, bound = data["n"], data["distances"], data["B"]
    return [(x, y) for x in range(n) for y in range(x + 1, n) if distances[x][y] > bound]


def _widest_in_group(distances: list[list[int]], groups: list[int], k: int) -> int:
    """The largest distance within a group, the diagonal included (an upper bound of the pairs' distances)."""
    members: list[list[int]] = [[] for _ in range(k)]
    for x, group in enumerate(groups):
        members[group].append(x)
    widest = 0
    for member_list in members:
        if len(member_list) > 1:
            within = itemgetter(*member_list)
            widest = max(widest, *(max(within(distances[x])) for x in member_list))
    return widest


register(Clustering())
