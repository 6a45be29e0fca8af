"""Minimum Cover (Garey & Johnson SP5), i.e. set cover.

Instance: a universe of n elements, a collection of subsets and an integer k. Question: do at most k
of the subsets together cover every element of the universe?

Schemas
    data         ``{"n": int, "subsets": [[e, ...], ...] (each sorted, the list sorted), "k": int}``
    certificate  a list of at most k distinct subset indices (0-based) whose union is 0..n-1
    objective    the number of chosen subsets (minimise)

Generation: a hidden partition of the shuffled universe into k blocks of n // k or n // k + 1
elements. Each of the m - k decoys has n // k + 1 elements with probability (n mod k) / k, else
n // k, so a decoy is exactly as large as a planted block in distribution: the k smallest or
largest subsets are not the answer (the reference cut the universe into k contiguous chunks, a
leak). Decoy elements are dealt from a multiset in which every element occurs equally often (give
or take one), so every element has the same degree and no element pins down its planted block.
The list is sorted, so order does not leak.

Hardness: all subsets have about n / k elements, so k subsets cover the universe only if they
barely overlap: the answer is close to an exact cover (when k divides n it is one), and the
planted partition is typically the only cover of size k. Greedy set cover takes the largest
subset first, which is most likely one of the many decoys; every decoy overlaps several blocks,
and greedy ends above k on most instances. The LP bound n / max size is about k, so the exact
solver proves the optimum fast. ``--tight`` sets k to the proved minimum.

Version 2: the planted partition has k' = min(k, n // 3) blocks. Where the reference asks for k > n / 3
(levels 2-4 and 6, e.g. 10 elements and k = 5) version 1 had blocks of one or two elements, and covering
with pairs is edge cover, solved in polynomial time through maximum matching; blocks of three or more
keep the problem NP-complete at every level.

No-instances (version 2): all m subsets dealt like the decoys (the same size rule and balanced
degrees) with no planted partition and the same k, proved by the solver. Version 1 moved the bound one
below the proved minimum; since the minimum is k = ceil(n / largest subset) on every instance, that
bound was refuted by counting alone (the k - 1 largest subsets hold fewer than n elements), and the
bound told yes from no on 100% of instances. :meth:`MinimumCover.counting_refutes` now keeps any
such candidate out.
"""

from __future__ import annotations

import random
from typing import Any

from npgym import checks
from npgym.problem import Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.setsystems import (
    balanced_slots,
    deal_blocks,
    element_holders,
    index_blocks,
    render_universe_and_bound,
    universe,
)
from npgym.solvers import optimize_against_bound, read_chosen
from npgym.verdict import BOUND, CONSTRAINT, Reject


def draw_size(rng: random.Random, n: int, k: int) -> int:
    """The size of one block of a random near-equal k-partition of n elements: n // k or n // k + 1."""
    return n // k + (rng.randrange(k) < n % k)


def cover_size(params: dict[str, Any]) -> int:
    """k' = min(k, n // 3): blocks of at least three elements (with pairs the question is edge cover, polynomial);
    at least two blocks, so that level 1 (five elements) is not a single subset."""
    return min(params["k"], max(2, params["n"] // 3))


class MinimumCover(Problem):
    """Minimum Cover (Garey & Johnson SP5), i.e. set cover."""

    id = "minimum_cover"
    version = 2
    small_no_levels = (2, 4)  # random systems at level 3 (30 triples or quadruples on 10 elements) always cover

    def check_params(self, params: dict[str, Any]) -> None:
        n, m = params["n"], params["m"]
        require_param(m <= 2 ** (n - 1), f"m must be at most 2^(n-1) = {2 ** (n - 1)}, got {m}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, m, k = params["n"], params["m"], cover_size(params)
        size, bigger = divmod(n, k)
        sizes = [size + 1] * bigger + [size] * (k - bigger)
        rng.shuffle(sizes)
        universe = list(range(n))
        rng.shuffle(universe)
        planted, start = [], 0
        for length in sizes:
            planted.append(sorted(universe[start:start + length]))
            start += length
        decoy_sizes = [draw_size(rng, n, k) for _ in range(m - k)]
        slots = balanced_slots(rng, n, sum(decoy_sizes))
        decoys = deal_blocks(rng, n, slots, decoy_sizes, {tuple(block) for block in planted})
        subsets, where = index_blocks(planted + decoys)
        return Planted({"n": n, "subsets": subsets, "k": k}, sorted(where[i] for i in range(k)))

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """All m subsets dealt like the decoys (same sizes, balanced degrees), no planted partition, the same k."""
        n, m, k = params["n"], params["m"], cover_size(params)
        sizes = [draw_size(rng, n, k) for _ in range(m)]
        blocks = deal_blocks(rng, n, balanced_slots(rng, n, sum(sizes)), sizes, set())
        return {"n": n, "subsets": index_blocks(blocks)[0], "k": k}

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """k subsets cannot cover n elements when even the k largest hold fewer than n."""
        return sum(sorted((len(s) for s in data["subsets"]), reverse=True)[:data["k"]]) < data["n"]

    def check(self, data: dict[str, Any], solution: Any) -> int:
        n, subsets, k = data["n"], data["subsets"], data["k"]
        chosen = checks.int_list(solution, "solution", 0, len(subsets) - 1, distinct=True)
        covered = set().union(*map(subsets.__getitem__, chosen))
        if not covered >= universe(n):
            missing = [e for e in range(n) if e not in covered]
            checks.require(False, f"element {missing[0]} is not covered ({len(missing)} elements uncovered)",
                           CONSTRAINT)
        if len(chosen) > k:  # the message is formatted only for a wrong answer
            raise Reject(BOUND, f"the cover has {len(chosen)} subsets, more than k = {k}")
        return len(chosen)

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        model = cp_model.CpModel()
        chosen = [model.new_bool_var(f"s{i}") for i in range(len(data["subsets"]))]
        containing = element_holders(data["n"], data["subsets"])
        # cover[e] = 1 + surplus[e]; the surpluses add up to (sum of chosen sizes) - n. This identity
        # is redundant, but it lets CP-SAT see that k sets of about n / k elements leave almost no
        # surplus, which turns most cover constraints into exactly-one constraints and proves optima fast.
        surplus = []
        for holders in containing:
            extra = model.new_int_var(0, max(0, len(holders) - 1), "")
            model.add(sum(chosen[i] for i in holders) == 1 + extra)
            surplus.append(extra)
        model.add(sum(surplus) == sum(len(subset) * x for subset, x in zip(data["subsets"], chosen)) - data["n"])
        # the question is "at most k?": with the bound as a constraint an infeasible model is a proof
        # of unsat, and a feasible one still yields the true minimum (it is at most k)
        model.add(sum(chosen) <= data["k"])
        return optimize_against_bound(
            model, sum(chosen), "min", data["k"], time_limit,
            read_chosen(chosen))

    def render(self, data: dict[str, Any]) -> str:
        return render_universe_and_bound(data)

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy set cover: repeatedly take the subset covering the most uncovered elements."""
        subsets = data["subsets"]
        uncovered = set(range(data["n"]))
        cover: list[int] = []
        while uncovered:
            gains = [len(uncovered.intersection(s)) for s in subsets]
            best = max(gains)
            if best == 0:
                break
            pick = rng.choice([i for i, gain in enumerate(gains) if gain == best])
            cover.append(pick)
            uncovered.difference_update(subsets[pick])
        return sorted(cover)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return sorted(rng.sample(range(len(data["subsets"])), data["k"]))


register(MinimumCover())
