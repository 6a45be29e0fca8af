"""Exact Cover by 3-Sets, X3C (Garey & Johnson SP2).

Instance: a universe of n = 3q elements and a collection of 3-element subsets. Question: is there a
subcollection of q subsets that covers every element exactly once?

Schemas
    data         ``{"n": int (= 3q), "subsets": [[a, b, c], ...]}``; each subset sorted, the list
                 sorted, elements 0..n-1, no subset listed twice
    certificate  a list of q distinct subset indices (positions in ``subsets``, 0-based)
    objective    none

Generation: a hidden random partition of the shuffled universe into q triples, then m - q decoy
triples dealt from a multiset in which every element occurs equally often (give or take one), so
every element has the same degree and no element of degree 1 forces its planted triple. The
subsets are sorted, so neither the list order nor the element ids point at the planted triples.

Hardness: the reference ladder keeps m = 2q, so every element lies in exactly two subsets. Then
the problem is a parity system (each element says "exactly one of my two subsets") that unit
propagation solves after one guess per component, and the decoys themselves form a second exact
cover: those levels are easy by nature, and they are kept only so results compare with the
reference. Past the top, m grows faster than n, so the average degree d = m/q rises: random
instances of degree d have about (d / e^2)^q exact covers, far below one, so the planted cover is
the only one (5 of 5 seeds at each of levels 12, 14 and 16) and has to be found by search.
MRV backtracking with a 2000-node budget turns from easy to hopeless as d passes 4 (at q = 45:
5/5 seeds solved at d = 3.5, 0/5 at d = 4).

Version 2 (ladder past the top): q grows by 5 per level and m = 4q (the card's ``of`` rule), so
from level 11 on every element lies in exactly 4 subsets; version 1 added 3 to q and 15 to m and
reached degree 4 only near level 30. Heuristic solved (10 seeds) 10/10 at levels 10 (top) and 11
(q = 35), 7/10 at 12, 2/10 at 13, 1/10 at 14, 2/10 at 15 and 16, 0/10 at 18, 20, 22 and 25. Proved
no-instances (3 seeds, 10 s per solver call): 0.1 s each up to level 16, 0.4 s at level 18, 1.7 s at
20, 4.2 s at 22, 11 s at 25; none at level 28 (q = 120) within 10 s.

No-instances are dealt like the decoys with no planted partition at all: the same degree sequence,
and the solver proves that no exact cover exists. d = 4 past the top, and
random 3-uniform hypergraphs of regular degree up to 6 have no perfect matching w.h.p. (Cooper,
Frieze, Molloy and Reed 1996), so such candidates are no-instances.

What leaks: where m/q is not an integer, degrees differ by one, and the decoys (dealt per
occurrence) lean toward the elements of higher degree, while the cover holds every element once;
no dealing avoids that. The reference levels have m = 2q and every level past the top m = 4q, so
every element has the same degree and nothing leaks through degrees (with a non-integer degree, e.g.
q = 35, m = 120, a triple of three lower-degree elements was planted 44% of the time against 30% for
any triple, 20 seeds).

The set-system helpers it shares with the other set problems live in :mod:`npgym.setsystems`.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym.problem import Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.setsystems import (
    balanced_slots,
    check_exact_cover,
    deal_blocks,
    exact_cover_search,
    index_blocks,
    render_subsets,
    solve_exact_cover,
)


class ExactCoverBy3Sets(Problem):
    id = "exact_cover_by_3_sets"
    version = 2

    def check_params(self, params: dict[str, Any]) -> None:
        q, m = params["q"], params["m"]
        limit = math.comb(3 * q, 3) // 2
        require_param(m <= limit, f"m must be at most C(3q, 3) / 2 = {limit}, got {m}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        q, m = params["q"], params["m"]
        n = 3 * q
        universe = list(range(n))
        rng.shuffle(universe)
        planted = [sorted(universe[3 * i:3 * i + 3]) for i in range(q)]
        taken = {tuple(block) for block in planted}
        decoys = deal_blocks(rng, n, balanced_slots(rng, n, 3 * (m - q)), [3] * (m - q), taken)
        subsets, where = index_blocks(planted + decoys)
        return Planted({"n": n, "subsets": subsets}, sorted(where[i] for i in range(q)))

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """All m triples dealt with the same balanced degrees, no planted partition among them."""
        q, m = params["q"], params["m"]
        n = 3 * q
        blocks = deal_blocks(rng, n, balanced_slots(rng, n, 3 * m), [3] * m, set())
        return {"n": n, "subsets": index_blocks(blocks)[0]}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        check_exact_cover(data["n"], data["subsets"], solution)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        return solve_exact_cover(data["n"], data["subsets"], time_limit)

    def render(self, data: dict[str, Any]) -> str:
        n = data["n"]
        return (f"Universe: {n} elements numbered 0 to {n - 1}; choose {n // 3} subsets.\n"
                f"{render_subsets(data['subsets'])}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """MRV backtracking with a budget of 2000 nodes."""
        return exact_cover_search(data["n"], data["subsets"], rng)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return sorted(rng.sample(range(len(data["subsets"])), data["n"] // 3))


register(ExactCoverBy3Sets())
