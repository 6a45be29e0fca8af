"""Set Packing (Garey & Johnson SP3).

Instance: a universe of n elements, a collection of subsets and an integer k. Question: are there
at least k subsets in the collection that are pairwise disjoint?

Schemas
    data         ``{"n": int, "subsets": [[e, ...], ...] (each sorted, the list sorted, no subset
                 twice), "k": int}``
    certificate  a list of at least k distinct subset indices (0-based), pairwise disjoint
    objective    the number of chosen subsets (maximise)

Generation: the shuffled universe is cut into k disjoint blocks of s = n // k or s + 1 elements
(the hidden packing uses every element). Each of the m - k decoys has s + 1 elements with
probability (n mod k) / k, else s, so a planted subset is as large as a decoy in distribution (the
reference drew sizes 1..n/k, and smallest-first greedy solved everything). Decoy elements are
dealt from a multiset in which every element occurs equally often (give or take one), so all
element degrees are equal and do not single out anything. The list is sorted: order does not leak.

Hardness: greedy packings (smallest-first, or fewest-conflicts-first as in the heuristic) fall
short of a packing that covers the whole universe, so instances are hard where k is close to
n / s. Where the reference ladder asks for k = 30 in 100 elements, random triples alone pack 33,
so the planted k is loose and greedy reaches it; ``--tight`` sets k to the proved maximum.
Where the ladder forces s = 2 (n = 2k) the problem is maximum matching, polynomial (Edmonds) but
beyond greedy; those numbers are kept so results compare. At (200, 400-800, 60) CP-SAT does not
prove the maximum within 10 s, so tight and no-instances are not available there.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks
from npgym.problem import Planted, Problem, SolveResult, require_param
from npgym.setsystems import balanced_slots, deal_blocks, element_holders, index_blocks, render_universe_and_bound
from npgym.registry import register
from npgym.solvers import optimize_against_bound, read_chosen
from npgym.verdict import BOUND, CONSTRAINT


class SetPacking(Problem):
    id = "set_packing"
    version = 1
    objective = "max"
    bound_key = "k"

    def check_params(self, params: dict[str, Any]) -> None:
        n, m, k = params["n"], params["m"], params["k"]
        require_param(isinstance(n, int) and n >= 2, f"n must be an integer >= 2, got {n!r}")
        require_param(isinstance(k, int) and 1 <= k <= n, f"k must be an integer in [1, n] = [1, {n}], got {k!r}")
        limit = math.comb(n, n // k) // 2
        require_param(isinstance(m, int) and k <= m <= limit,
                      f"m must be an integer in [k, C(n, n // k) / 2] = [{k}, {limit}], got {m!r}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, m, k = params["n"], params["m"], params["k"]
        size, bigger = divmod(n, k)
        universe = list(range(n))
        rng.shuffle(universe)
        sizes = [size + 1] * bigger + [size] * (k - bigger)
        rng.shuffle(sizes)
        planted, start = [], 0
        for length in sizes:
            planted.append(sorted(universe[start:start + length]))
            start += length
        decoy_sizes = [size + (rng.randrange(k) < bigger) for _ in range(m - k)]
        slots = balanced_slots(rng, n, sum(decoy_sizes))
        decoys = deal_blocks(rng, n, slots, decoy_sizes, {tuple(block) for block in planted})
        subsets, where = index_blocks(planted + decoys)
        return Planted({"n": n, "subsets": subsets, "k": k}, sorted(where[i] for i in range(k)))

    def check(self, data: dict[str, Any], solution: Any) -> int:
        subsets, k = data["subsets"], data["k"]
        chosen = checks.int_list(solution, "solution", 0, len(subsets) - 1, distinct=True)
        owner = {}
        for index in chosen:
            for element in subsets[index]:
                checks.require(element not in owner, f"subsets {owner.get(element)} and {index} share "
                               f"element {element}", CONSTRAINT)
                owner[element] = index
        checks.require(len(chosen) >= k, f"the packing has {len(chosen)} subsets, fewer than k = {k}", BOUND)
        return len(chosen)

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        chosen = [model.new_bool_var(f"s{i}") for i in range(len(data["subsets"]))]
        containing = element_holders(data["n"], data["subsets"])
        for holders in containing:
            if len(holders) > 1:
                model.add_at_most_one(chosen[i] for i in holders)
        return optimize_against_bound(
            model, sum(chosen), "max", data["k"], time_limit,
            read_chosen(chosen))

    def render(self, data: dict[str, Any]) -> str:
        return render_universe_and_bound(data)

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy: repeatedly take a live subset that conflicts with the fewest live subsets."""
        subsets = data["subsets"]
        containing = element_holders(data["n"], subsets)
        neighbours = [set() for _ in subsets]
        for holders in containing:
            for i in holders:
                neighbours[i].update(holders)
        for i, near in enumerate(neighbours):
            near.discard(i)
        alive = set(range(len(subsets)))
        conflicts = [len(near) for near in neighbours]
        packing = []
        while alive:
            fewest = min(conflicts[i] for i in alive)
            pick = rng.choice(sorted(i for i in alive if conflicts[i] == fewest))
            packing.append(pick)
            dropped = {pick} | (neighbours[pick] & alive)
            alive -= dropped
            for i in dropped:
                for j in neighbours[i] & alive:
                    conflicts[j] -= 1
        return sorted(packing)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return sorted(rng.sample(range(len(data["subsets"])), data["k"]))


register(SetPacking())
