"""Partition (Garey & Johnson SP12).

Instance: a list of positive integers. Question: can the list be split into two parts with equal
sums?

Schemas
    data         ``{"numbers": [a_0, ..., a_{n-1}]}`` with every ``a_i`` in ``1..max_value``
    certificate  a list of n sides, each 0 or 1 (position i is the side of number i); the numbers on
                 side 0 and on side 1 have the same sum. Positions, not values: a repeated value is
                 still two different numbers.
    objective    none

Generation: n numbers uniform in ``1..max_value`` and a random split of the positions into two
non-empty sides. The difference between the side sums is then removed by many small steps, each
raising one number on the lighter side or lowering one on the heavier side within ``1..max_value``,
so the correction is spread over the whole list. There is no balancing element (the reference added
the whole difference to one number, which made it an outlier in most instances), every number stays
in range, and the positions of the two sides are random, so neither values nor order point at the
split.

Hardness: the reference ladder is dense (2^n subsets against a sum range of n * max_value), so from
level 4 on almost every even total splits and a pseudo-polynomial dynamic programme or greedy
differencing finds it; the difficulty for a model is exact bookkeeping. Level 1 (two numbers, both 1)
is degenerate and kept for comparability. The baseline is greedy LPT.

Version 2 (past the top): the ladder moves to the hard region of number partitioning, numbers of
about as many bits as there are numbers (kappa = bits / n = 1, where perfect partitions exist about
half of the time and differencing, dynamic programming and meet in the middle all fail): 60 numbers
below 2^60 at level 14, then as many bits as numbers, the square of the count growing by 756 per level
(60, 66, 72, 77, ... numbers; version 3, so prompts grow linearly; version 2 added 6 numbers per level;
the card's ``start``, ``add_square`` and ``base`` rules). Audit (version 3): every attack (DP, complete
Karmarkar-Karp, meet in the middle) fails on 0/20 at 2x (level 43, 160 numbers) and 0/10 at level 135
(308 numbers, 29.7k characters). Version 1 grew the dense ladder (85 numbers below 850 at level 14), which a bitset DP
over sums below 2^16 solved instantly at any level. The planted split is balanced by the same spread
of small steps, so no number stands out. The exact solver (CP-SAT, 64-bit) is not run where sums pass
2^61, so past the top the labels are the planted yes only; there are no no-instances there.

No-instances: n uniform numbers of the same range with the total made even by a unit change of one
number (an odd total would give the answer away), proved by the solver. Only sparse levels have
them: when n > 1.25 * log2(n * max_value) an even total almost surely splits, and
:meth:`Partition.no_candidate` raises :class:`ParamError` instead of producing a structured give-away.
"""

from __future__ import annotations

import math
import random
from itertools import compress
from typing import Any

from npgym import checks, draws
from npgym.cards import ParamError
from npgym.problem import SAT, Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import CP_INTEGER_LIMIT, beyond_cp, run_cp
from npgym.verdict import CONSTRAINT

#: no-instances are made only where n <= this factor * log2(n * max_value) (measured: level 3 gives
#: about 13% no-instances per candidate, level 4 none in 2000 draws).
NO_DENSITY = 1.25


class Partition(Problem):
    id = "partition"
    version = 3

    def check_params(self, params: dict[str, Any]) -> None:
        n, top = params["numbers"], params["max_value"]
        require_param(n % 2 == 0 or top >= 2,
                      f"an odd count of numbers ({n}) needs max_value >= 2 (all ones would have an odd total)")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, top = params["numbers"], params["max_value"]
        numbers = [1 + value for value in draws.belows(rng, top, n)]  # rng.randint(1, top) each
        ones = min(max(draws.random_below(rng, n, 0.5).count(1), 1), n - 1)  # sum(rng.random() < 0.5 ...)
        sides = [1] * ones + [0] * (n - ones)
        draws.shuffle(rng, sides)
        if not _balance(rng, numbers, sides, top):
            sides = [1] * (n // 2) + [0] * (n - n // 2)  # equal counts always leave enough room
            draws.shuffle(rng, sides)
            _balance(rng, numbers, sides, top)
        return Planted({"numbers": numbers}, sides)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        n, top = params["numbers"], params["max_value"]
        if 2 * n * top >= CP_INTEGER_LIMIT:
            raise ParamError(f"partition has no no-instances at numbers={n}, max_value={top}: the sums pass 2^61, "
                             "beyond the exact solver, so no candidate can be proved unsatisfiable")
        if n > NO_DENSITY * math.log2(n * top):
            raise ParamError(f"partition has no no-instances at numbers={n}, max_value={top}: with this many "
                             f"numbers every even total almost surely splits (no-instances need "
                             f"numbers <= {NO_DENSITY} * log2(numbers * max_value))")
        numbers = [rng.randint(1, top) for _ in range(n)]
        if sum(numbers) % 2:
            i = rng.randrange(n)
            numbers[i] += -1 if numbers[i] == top or (numbers[i] > 1 and rng.random() < 0.5) else 1
        return {"numbers": numbers}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        numbers = data["numbers"]
        n = len(numbers)
        # a valid answer in bulk C calls: a list of n exact ints, each equal to 0 or 1, splitting the total evenly;
        # anything else is located below
        if (type(solution) is list and len(solution) == n and checks.ONLY_INT.issuperset(map(type, solution))
                and solution.count(0) + solution.count(1) == n
                and 2 * sum(compress(numbers, solution)) == sum(numbers)):
            return None
        sides = checks.int_list(solution, "solution", 0, 1, length=n)
        one = sum(compress(numbers, sides))  # sides are 0 or 1
        zero = sum(numbers) - one
        checks.require(zero == one, f"side 0 sums to {zero} but side 1 sums to {one}", CONSTRAINT)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        numbers = data["numbers"]
        total = sum(numbers)
        if (too_large := beyond_cp(2 * total)) is not None:
            return too_large
        model = cp_model.CpModel()
        side = [model.new_bool_var(f"s{i}") for i in range(len(numbers))]
        model.add(2 * sum(a * s for a, s in zip(numbers, side)) == total)  # infeasible for an odd total
        model.add(side[0] == 0)  # the two sides are symmetric
        status, solver, effort, _ = run_cp(model, time_limit)
        certificate = [int(solver.boolean_value(s)) for s in side] if status == SAT else None
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        numbers = data["numbers"]
        return f"Numbers ({len(numbers)}, positions 0 to {len(numbers) - 1} in this order):\n" \
               + " ".join(map(str, numbers))

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy LPT: largest number first, each onto the side with the smaller sum (ties at random)."""
        numbers = data["numbers"]
        sums = [0, 0]
        sides = [0] * len(numbers)
        for i in sorted(range(len(numbers)), key=lambda i: (-numbers[i], rng.random())):
            side = rng.randrange(2) if sums[0] == sums[1] else int(sums[1] < sums[0])
            sides[i] = side
            sums[side] += numbers[i]
        return sides

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [rng.randrange(2) for _ in data["numbers"]]


def _balance(rng: random.Random, numbers: list[int], sides: list[int], top: int) -> bool:
    """Make both sides' sums equal in place by small steps within ``1..top``; False if there is no room.

    Each step picks a number with room left (``draws.below`` over the pool) and moves it by ``1 + draws.below``
    of the least of its room, the gap and a step cap, both draws inlined (the loop runs about n times). The
    loop moves only the rooms: a number on the heavy side ends at 1 + its room, one on the light side at
    ``top`` - its room.
    """
    total, one = sum(numbers), sum(compress(numbers, sides))
    heavy = int(2 * one > total)  # side 1 is heavier exactly when its sum passes half the total
    gap = abs(2 * one - total)
    room = [a - 1 if side == heavy else top - a for a, side in zip(numbers, sides)]
    if sum(room) < gap:
        return False
    pool = list(range(len(room))) if room and min(room) > 0 else [i for i, r in enumerate(room) if r > 0]
    size = len(pool)
    size_bits = size.bit_length()
    cap = max(1, 2 * gap // len(numbers))  # the step cap, lowered to the gap once that is smaller
    getrandbits = rng.getrandbits
    while gap:
        cap = min(cap, gap)
        cap_bits = cap.bit_length()
        while gap >= cap:  # the steps while the cap stands
            slot = getrandbits(size_bits)
            while slot >= size:
                slot = getrandbits(size_bits)
            i = pool[slot]
            left = room[i]
            if left >= cap:
                step = getrandbits(cap_bits)
                while step >= cap:
                    step = getrandbits(cap_bits)
            else:
                bits = left.bit_length()
                step = getrandbits(bits)
                while step >= left:
                    step = getrandbits(bits)
            step += 1
            gap -= step
            left -= step
            room[i] = left
            if not left:  # no room left: the last number of the pool takes its slot
                size -= 1
                pool[slot] = pool[size]
                pool.pop()
                size_bits = size.bit_length()
    numbers[:] = [1 + r if side == heavy else top - r for r, side in zip(room, sides)]
    return True


register(Partition())
