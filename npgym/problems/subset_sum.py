"""Subset Sum (Garey & Johnson SP13).

Instance: a list of positive integers and a target. Question: is there a set of positions whose
numbers sum exactly to the target?

Schemas
    data         ``{"numbers": [a_0, ..., a_{n-1}], "target": int}``, every ``a_i`` in ``1..max_value``
    certificate  a list of distinct positions (0-based) whose numbers sum to ``target``. Positions,
                 not values: the reference accepted a multiset of values, so one number could be
                 used twice.
    objective    none

Generation: n numbers uniform in ``1..max_value``; a hidden subset in which every position is taken
with probability 1/2 (at least one, never all); the target is its sum, about half the total. Nothing is
added to balance anything, so no number is an outlier, and the positions of the subset are uniform, so
order says nothing. (Version 1 drew the subset size uniformly from 1..n-1, so small and large targets
held small or large subsets, easier to find.)

Hardness: the reference ladder is dense (2^n subsets against a sum range of n * max_value) from level
3 on, where nearly every target in range is reachable and a pseudo-polynomial dynamic programme over
the sums solves every instance; what remains hard for a model is exact bookkeeping. Version 2 moves
past the top into the hard band: numbers of about as many bits as there are numbers (density 1, where
lattice reduction needs an exact shortest-vector oracle and meet in the middle needs 2^(n/2)): 60
numbers below 2^60 at level 14, then as many bits as numbers, the square of the count growing by 756 per
level (60, 66, 72, 77, ... numbers; version 3, so prompts grow linearly; version 2 added 6 per level).
Audit (version 3): DP, meet in the middle and local search solve 0/20 at 2x (level 36, 142 numbers) and
0/10 at level 135 (308 numbers, 29.9k characters). (Version 1 grew the
dense ladder: 650 numbers below 2200 at level 14, a DP over sums below 2^21.) The exact solver
(CP-SAT, 64-bit) is not run where sums pass 2^61, so there the labels are the planted yes only.

No-instances: numbers and a hidden subset drawn exactly as above, with the target moved by 1 to 3
(kept in ``1..total-1``), proved by the solver. Unreachable targets of this kind exist only while the
instance is sparse, n <= 2 * log2(n * max_value) (levels 1-3; with targets near half the total, in
practice levels 1-2): beyond it fewer than 5% of the
candidates are no-instances, so :meth:`SubsetSum.no_candidate` raises :class:`ParamError` there.
Version 1 made dense no-instances with target = total - d, d below the smallest number, a target no
yes-instance ever had (the gap to the total alone gave them away); version 2 has none.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks
from npgym.cards import ParamError
from npgym.problem import SAT, Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import CP_INTEGER_LIMIT, beyond_cp, run_cp
from npgym.verdict import CONSTRAINT, Reject

#: no-instances are made only where n <= this factor * log2(n * max_value) (measured: level 3 gives
#: about 9% no-instances per candidate, level 4 about 4%, level 5 and up under 2%).
NO_DENSITY = 2.0


class SubsetSum(Problem):
    id = "subset_sum"
    version = 3
    small_no_levels = (1, 2)  # at level 3 targets near half the total are all reachable

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        numbers, chosen = self._draw(rng, params)
        return Planted({"numbers": numbers, "target": sum(map(numbers.__getitem__, chosen))}, chosen)

    @staticmethod
    def _draw(rng: random.Random, params: dict[str, Any]) -> tuple[list[int], list[int]]:
        """n numbers uniform in 1..max_value and a hidden subset taking each position with probability 1/2.

        Each number is ``1 + randrange(max_value)``: what ``randint(1, max_value)`` computes (it is
        ``randrange(1, max_value + 1)``, the start plus ``_randbelow`` of the width), one call shorter."""
        n, top = params["numbers"], params["max_value"]
        draw, rand = rng.randrange, rng.random
        numbers = [1 + draw(top) for _ in range(n)]
        chosen = [i for i in range(n) if rand() < 0.5]
        if not 0 < len(chosen) < n:  # never empty, never everything
            chosen = sorted(rng.sample(range(n), rng.randint(1, n - 1)))
        return numbers, chosen

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any] | None:
        n, top = params["numbers"], params["max_value"]
        if n > NO_DENSITY * math.log2(n * top) or n * top >= CP_INTEGER_LIMIT:
            raise ParamError(f"subset sum has no no-instances at numbers={n}, max_value={top}: dense instances reach "
                             f"nearly every target, and those beyond the 64-bit solver cannot be refuted (no-instances "
                             f"need numbers <= {NO_DENSITY} * log2(numbers * max_value))")
        numbers, chosen = self._draw(rng, params)
        target = sum(numbers[i] for i in chosen)
        shift = rng.randint(1, 3)
        moved = target + shift if rng.random() < 0.5 else target - shift
        if not 1 <= moved < sum(numbers):
            moved = target - shift if moved > target else target + shift
        return {"numbers": numbers, "target": moved}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        numbers, target = data["numbers"], data["target"]
        chosen = checks.int_list(solution, "solution", 0, len(numbers) - 1, distinct=True)
        total = sum(map(numbers.__getitem__, chosen))
        if total != target:  # the message is formatted only for a wrong answer
            raise Reject(CONSTRAINT, f"the chosen numbers sum to {total}, not to the target {target}")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        numbers = data["numbers"]
        if (too_large := beyond_cp(sum(numbers))) is not None:
            return too_large
        model = cp_model.CpModel()
        take = [model.new_bool_var(f"x{i}") for i in range(len(numbers))]
        model.add(sum(a * x for a, x in zip(numbers, take)) == data["target"])
        status, solver, effort, _ = run_cp(model, time_limit)
        certificate = [i for i, x in enumerate(take) if solver.boolean_value(x)] if status == SAT else None
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        numbers = data["numbers"]
        return (f"Numbers ({len(numbers)}, positions 0 to {len(numbers) - 1} in this order):\n"
                f"{' '.join(map(str, numbers))}\nTarget: {data['target']}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy largest-first: take each number (largest first, ties at random) if it still fits."""
        numbers, room = data["numbers"], data["target"]
        chosen = []
        for i in sorted(range(len(numbers)), key=lambda i: (-numbers[i], rng.random())):
            if numbers[i] <= room:
                chosen.append(i)
                room -= numbers[i]
        return sorted(chosen)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [i for i in range(len(data["numbers"])) if rng.random() < 0.5]


register(SubsetSum())
