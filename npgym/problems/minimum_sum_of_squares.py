"""Minimum Sum of Squares (Garey & Johnson SP19).

Instance: positive integers a_0..a_{n-1}, a number of groups k and a bound J. Question: can the
numbers be split into k groups (some possibly empty) so that the sum over the groups of the square of
the group's total is at most J?

Schemas
    data         ``{"numbers": [a_0, ..., a_{n-1}], "k": int, "J": int}``, every ``a_i`` in ``1..max_value``
    certificate  a list of n group numbers in ``0..k-1`` (position i is the group of number i)
    objective    the sum of squared group totals (minimise); ``J`` is the bound

Generation: n numbers uniform in ``1..max_value``. The bound is the value of a good split: the
better of LPT (largest number first into the lightest group) and k-way Karmarkar-Karp differencing,
each followed by local improvement (the best single move or pairwise swap between two groups,
repeated until none helps); that split is the certificate. It is deterministic given the numbers, so
the solver starts from the same split (as a hint).
The reference set J = planted value + U[0, 100] from a random labelling, so greedy LPT met it every
time. Nothing is planted, so nothing can leak.

Hardness: the objective is minimal when the group totals are as equal as possible (for a total T =
q * k + r, the floor is r * (q + 1)^2 + (k - r) * q^2), so the question is a k-way number
partitioning problem. The generator usually reaches that floor, which plain LPT (the baseline)
often misses by a few units: on 20 seeds LPT meets J at 0, 1, 2, 11, 15, 6, 14, 12 and 20 of 20 at
levels 2..10 (level 1, ten numbers in five groups, is small enough that LPT meets J always). The
reference ladder is dense (many numbers of at most 100 per group), so no instance is hard for a
computer; for a model it is exact bookkeeping of the group totals. Past the top (version 2) each
level adds 10 numbers and 300 to ``max_value``: larger numbers leave fewer equal splits, and LPT
meets J on 3/10 seeds at level 12, 1/10 at level 16 and 0/10 at level 50.

Version 4 (past the top): a planted perfect split of numbers of about as many bits as there are
numbers, k = 3 groups: 30 numbers below 2^30 at level 11, then as many bits as numbers, the square of the
count growing by 189 per level (30, 33, 36, 39, ... numbers; version 5, so prompts grow linearly; version 4
added 3 per level; local search solves 0/20 at 2x, level 52, 93 numbers, and 0/10 at level 506, 307 numbers,
29.9k characters). J is the
convexity floor, met only by a perfect split; at these magnitudes (kappa = bits / n = 1, above the
k-way partitioning threshold of about 0.79 for k = 3) random numbers seldom have one besides the planted
split, and local search, differencing and dynamic programming do not find it. Version 3 set J to a good
split of numbers below a few thousand, which the same local search met. Past the top the exact solver
(CP-SAT, 64-bit) is not run where squared totals pass 2^61, so there are no no-instances there.

No-instances come from the engine (J one below the proved optimum). Where the optimum is the floor,
version 2 made them anyway, and J = floor - 1 was refuted by the convexity argument alone (the floor of
the total gave every such label away); version 3 never makes a no-instance that counting refutes
(:meth:`MinimumSumOfSquares.counting_refutes`), so only instances whose optimum lies above the floor
give no-instances: with at most 100 per number these are rare (small k-way perfect partitions nearly
always exist), so most levels have none.
"""

from __future__ import annotations

import bisect
import heapq
import random
from typing import Any

from npgym import checks
from npgym.problem import Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import beyond_cp, optimize_against_bound
from npgym.verdict import BOUND, Reject


class MinimumSumOfSquares(Problem):
    id = "minimum_sum_of_squares"
    version = 5
    small_no_levels = (1,)  # from level 2 on the optimum is nearly always the floor: no no-instances

    def check_params(self, params: dict[str, Any]) -> None:
        n, k, top = params["numbers"], params["groups"], params["max_value"]
        require_param(not params["perfect"] or (top >= 2 ** 10 and n >= 8 * k),
                      f"a planted perfect split needs max_value >= 2^10 and numbers >= 8 * groups (so that the "
                      f"group shifts stay small), got {top} and {n}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, k = params["numbers"], params["groups"]
        if params["perfect"]:
            numbers, groups = _perfect_split(rng, n, k, params["max_value"])
            value = _value(numbers, groups, k)
        else:
            # randint(1, top) is documented as randrange(1, top + 1): the same draws, one call less each
            draw, stop = rng.randrange, params["max_value"] + 1
            numbers = [draw(1, stop) for _ in range(n)]
            groups, value = _valued_good_split(numbers, k)
        return Planted({"numbers": numbers, "k": k, "J": value}, groups)

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """J below the convexity floor: no split of the total into k integers has a smaller sum of squares."""
        return data["J"] < _floor(sum(data["numbers"]), data["k"])

    def check(self, data: dict[str, Any], solution: Any) -> int:
        numbers, k, bound = data["numbers"], data["k"], data["J"]
        value = sum([total * total for total in checks.group_totals(numbers, solution, "solution", k)])
        if value > bound:  # the message is formatted only for a wrong answer
            raise Reject(BOUND, f"the sum of squared group totals is {value}, more than J = {bound}")
        return value

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        numbers, k = data["numbers"], data["k"]
        total = sum(numbers)
        if (too_large := beyond_cp(total * total)) is not None:
            return too_large
        model = cp_model.CpModel()
        member = [[model.new_bool_var(f"x{i}_{g}") for g in range(k)] for i in range(len(numbers))]
        for row in member:
            model.add_exactly_one(row)
        sums = [model.new_int_var(0, total, f"s{g}") for g in range(k)]
        squares = [model.new_int_var(0, total * total, f"q{g}") for g in range(k)]
        for g in range(k):
            model.add(sums[g] == sum(a * member[i][g] for i, a in enumerate(numbers)))
            model.add_multiplication_equality(squares[g], [sums[g], sums[g]])
            if g + 1 < k:
                model.add(sums[g] >= sums[g + 1])  # groups are interchangeable: order them by total
        model.add(sum(squares) >= _floor(total, k))  # redundant, but CP-SAT cannot derive it
        start = _good_split(numbers, k)  # deterministic: the split behind J
        rank = _rank_by_total(numbers, start, k)
        start_sums = sorted((sum(a for a, g in zip(numbers, start) if g == h) for h in range(k)), reverse=True)
        for i, row in enumerate(member):
            for g, x in enumerate(row):
                model.add_hint(x, rank[start[i]] == g)
        for g in range(k):
            model.add_hint(sums[g], start_sums[g])
            model.add_hint(squares[g], start_sums[g] ** 2)

        def certificate(solver) -> list[int]:
            return [next(g for g, x in enumerate(row) if solver.boolean_value(x)) for row in member]

        return optimize_against_bound(model, sum(squares), "min", data["J"], time_limit, certificate)

    def render(self, data: dict[str, Any]) -> str:
        numbers, k = data["numbers"], data["k"]
        return (f"Numbers ({len(numbers)}, positions 0 to {len(numbers) - 1} in this order):\n"
                f"{' '.join(map(str, numbers))}\nGroups: k = {k} (numbered 0 to {k - 1})\nBound: J = {data['J']}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Greedy LPT: largest number first, each into the group with the smallest total so far."""
        return _lpt(data["numbers"], data["k"], rng)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [rng.randrange(data["k"]) for _ in data["numbers"]]


def _perfect_split(rng: random.Random, n: int, k: int, top: int) -> tuple[list[int], list[int]]:
    """n numbers in 1..top and a split into k groups (sizes differing by at most one) with equal totals.

    The numbers start uniform and the total is made a multiple of k; then every member of a group moves
    by the same share (give or take one) of its group's distance to the mean total, a shift of a few
    percent of the range, so no balancing element stands out. Draws that leave the range are redrawn.
    """
    while True:
        numbers = [rng.randint(1, top) for _ in range(n)]
        groups = [i % k for i in range(n)]
        rng.shuffle(groups)
        numbers[rng.randrange(n)] -= sum(numbers) % k
        target = sum(numbers) // k
        for g in range(k):
            members = [i for i in range(n) if groups[i] == g]
            share, extra = divmod(target - sum(numbers[i] for i in members), len(members))
            for position, i in enumerate(rng.sample(members, len(members))):
                numbers[i] += share + (position < extra)
        if all(1 <= a <= top for a in numbers):
            return numbers, groups


def _totals(numbers: list[int], groups: list[int], k: int) -> list[int]:
    """The total of each group."""
    sums = [0] * k
    for a, g in zip(numbers, groups):
        sums[g] += a
    return sums


def _value(numbers: list[int], groups: list[int], k: int) -> int:
    return sum(s * s for s in _totals(numbers, groups, k))


def _spread(numbers: list[int], groups: list[int], k: int) -> int:
    """The heaviest group's total minus the lightest's."""
    sums = _totals(numbers, groups, k)
    return max(sums) - min(sums)


def _floor(total: int, k: int) -> int:
    """The least possible sum of squares of k integers summing to ``total`` (as equal as possible)."""
    q, r = divmod(total, k)
    return r * (q + 1) ** 2 + (k - r) * q * q


def _rank_by_total(numbers: list[int], groups: list[int], k: int) -> list[int]:
    """``rank[g]``: the position of group g when groups are sorted by total, largest first."""
    sums = [0] * k
    for a, g in zip(numbers, groups):
        sums[g] += a
    order = sorted(range(k), key=lambda g: -sums[g])
    rank = [0] * k
    for position, g in enumerate(order):
        rank[g] = position
    return rank


def _good_split(numbers: list[int], k: int) -> list[int]:
    """The better of LPT and k-way differencing, each followed by local improvement (deterministic; LPT on
    a tie). An improved LPT split at the convexity floor cannot be beaten, so differencing is then skipped:
    it is the costly half, and the floor is the usual case on the dense levels."""
    return _valued_good_split(numbers, k)[0]


def _valued_good_split(numbers: list[int], k: int) -> tuple[list[int], int]:
    """:func:`_good_split` and its sum of squares."""
    lpt, totals = _lpt_by_position(numbers, k)
    if max(totals) - min(totals) < 2:  # totals within one of each other: the floor, and no improving step
        return lpt, sum(total * total for total in totals)
    lpt = _improve(numbers, lpt, k)
    lpt_value = _value(numbers, lpt, k)
    if lpt_value == _floor(sum(numbers), k):
        return lpt, lpt_value
    differenced = _improve(numbers, _differencing(numbers, k), k)
    value = _value(numbers, differenced, k)
    return (differenced, value) if value < lpt_value else (lpt, lpt_value)


def _differencing(numbers: list[int], k: int) -> list[int]:
    """Karmarkar-Karp largest differencing for k groups: merge the two partial splits of widest spread,
    pairing the heaviest group of one with the lightest of the other."""
    heap: list[tuple[int, int, list[int], list[list[int]]]] = []
    for i, a in enumerate(numbers):
        # a partial split: sorted totals (heaviest first) with the item lists behind them
        heapq.heappush(heap, (-a, i, [a] + [0] * (k - 1), [[i]] + [[] for _ in range(k - 1)]))
    while len(heap) > 1:
        _, tag, sums_a, items_a = heapq.heappop(heap)
        _, _, sums_b, items_b = heapq.heappop(heap)
        merged = sorted(((sums_a[g] + sums_b[k - 1 - g], items_a[g] + items_b[k - 1 - g]) for g in range(k)),
                        key=lambda pair: -pair[0])
        sums = [total for total, _ in merged]
        heapq.heappush(heap, (sums[-1] - sums[0], tag, sums, [members for _, members in merged]))
    groups = [0] * len(numbers)
    for g, members in enumerate(heap[0][3]):
        for i in members:
            groups[i] = g
    return groups


def _lpt(numbers: list[int], k: int, rng: random.Random | None = None) -> list[int]:
    """Largest first into the lightest group; ties at random with ``rng``, else by position."""
    if rng is None:
        return _lpt_by_position(numbers, k)[0]
    groups = [0] * len(numbers)
    sums = [0] * k
    draw = rng.random
    for i in sorted(range(len(numbers)), key=lambda i: (-numbers[i], draw())):
        g = min(range(k), key=lambda g: (sums[g], draw()))
        groups[i] = g
        sums[g] += numbers[i]
    return groups


def _lpt_by_position(numbers: list[int], k: int) -> tuple[list[int], list[int]]:
    """:func:`_lpt` with ties by position (a stable sort by value, and a heap of (total, group) for the
    lightest group), and the groups' totals."""
    groups = [0] * len(numbers)
    lightest = [(0, g) for g in range(k)]
    for i in sorted(range(len(numbers)), key=numbers.__getitem__, reverse=True):
        total, g = lightest[0]
        groups[i] = g
        heapq.heapreplace(lightest, (total + numbers[i], g))
    totals = [0] * k
    for total, g in lightest:
        totals[g] = total
    return groups, totals


def _improve(numbers: list[int], groups: list[int], k: int) -> list[int]:
    """Local search: apply the best move or swap between two groups while one lowers the objective.

    Moving ``a`` from a group with total ``s_hi`` to one with ``s_lo`` (gap d = s_hi - s_lo) lowers the
    objective by 2a(d - a), so the best candidates are items (or differences of two items) closest to
    d / 2; sorted member lists find them by bisection.
    """
    groups = list(groups)
    if _spread(numbers, groups, k) < 2:  # every gap below 2: no step improves (see _best_step)
        return groups
    members: list[list[tuple[int, int]]] = [[] for _ in range(k)]
    for i, (a, g) in enumerate(zip(numbers, groups)):
        members[g].append((a, i))
    for items in members:
        items.sort()
    sums = [sum(a for a, _ in m) for m in members]
    for _ in range(4 * len(numbers) + 100):  # every step lowers a non-negative integer: a safety cap only
        step = _best_step(members, sums, k)
        if step is None:
            break
        hi, lo, out, back = step
        for item, source, target in ((out, hi, lo), (back, lo, hi)):
            if item is None:
                continue
            members[source].remove(item)
            bisect.insort(members[target], item)
            sums[source] -= item[0]
            sums[target] += item[0]
            groups[item[1]] = target
    return groups


def _best_step(members, sums, k):
    """The best improving (hi, lo, item moved hi->lo, item moved lo->hi or None), or None."""
    best, best_gain = None, 0
    for hi in range(k):
        for lo in range(k):
            gap = sums[hi] - sums[lo]
            if gap < 2:
                continue
            for item in members[hi]:
                a = item[0]
                if 0 < a < gap and a * (gap - a) > best_gain:
                    best, best_gain = (hi, lo, item, None), a * (gap - a)
                # swap with b in lo: the net move a - b should be near gap / 2 and in (0, gap)
                values = members[lo]
                want = a - gap / 2
                j = bisect.bisect_left(values, (want, -1))
                for b_item in values[max(0, j - 1):j + 1]:
                    net = a - b_item[0]
                    if 0 < net < gap and net * (gap - net) > best_gain:
                        best, best_gain = (hi, lo, item, b_item), net * (gap - net)
    return best


register(MinimumSumOfSquares())
