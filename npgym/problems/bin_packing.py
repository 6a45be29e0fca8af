"""Bin Packing (Garey & Johnson SR1).

Instance: item weights, a bin capacity C and a number of bins. Question: can every item go into one
of the bins so that no bin holds more than C in total?

Schemas
    data         ``{"capacity": C, "bins": b, "weights": [w_0, ..., w_{n-1}]}``, every ``w_i`` in ``1..C``
    certificate  a list of n bin numbers, each in ``0..b-1`` (position i is the bin of item i); no bin's
                 weights sum to more than C
    objective    the number of distinct bins used (minimise); ``bins`` is the bound

Generation: a perfect packing. The items are dealt to the b bins as evenly as possible (the bins
getting one extra item are random), and each bin's capacity is cut at random points into its items,
each at least FLOOR = 0.7 of the overall mean weight (capacity * bins / items). Every bin is then
exactly full and the weights sum to b * C, so b is optimal. All bins share one size distribution, so
weights do not cluster by bin, and the items are shuffled, so order says nothing either.

Hardness: with zero slack a packing must fill every bin exactly, and first-fit decreasing fails
whenever its early choices leave gaps that no remaining item fits. The floor keeps tiny items (which
plug any gap) rare: on 40 seeds per level FFD solves 9, 6, 18, 40, 3, 14, 14, 11, 9 and 0 of 40 at
levels 1..10 (with uniform cuts and no floor it solved nearly all, as in the reference). Level 4
(40 items in 3 bins of 30, mean weight 2.25) stays easy: weights of 1 to 3 fill any gap. The baseline
is FFD.

No-instances (version 2): where there are at most NO_ITEMS_PER_BIN = 3.5 items per bin,
:meth:`BinPacking.no_candidate` cuts the whole strip of length b * C at random points into the n items,
with the planted floor and the planted maximum weight (an item above it could not come from a planted
bin); the solver keeps the candidates that cannot be packed. The total is exactly b * C, as in every
yes-instance, so adding the weights proves nothing. On 2000 level-1 draws the weights match the planted
ones (mean max weight 9.72 against 9.85, standard deviation 1.80 against 1.90); the unsat ones differ
in what makes them unsat (4.4 distinct weights against 5.2). 12% of level-1 candidates are unsat, so
34 of 40 level-1 no-instances are own candidates (7 draws on average) and 6 fall back to the bound move
after the engine's 16 draws. Above 3.5 items per bin a random strip almost always packs (300 draws
each: 3.67-3.8 items per bin 0.3-8% unsat, 4 items 0-5%, 5 or more none; 0 of 200 at levels 2, 3, 5,
6, 9, 10, 12), so there no_candidate returns None. Version 2 then let the engine plant a perfect packing
and ask for one bin fewer, whose weights exceed the total capacity: adding the weights gave the answer
away. Version 3 never makes a no-instance that counting refutes (:meth:`BinPacking.counting_refutes`: the
total weight, or more big items than bins), so levels above 3.5 items per bin have no no-instances. On the
ladder only level 1 has them; past the top there are 10 items per bin.

Solver: a redundant load per bin, the loads summing to the total weight, lets CP-SAT find perfect
packings and prove their absence much faster. Old model -> new (10 s limit, seeds solved, mean
seconds): planted level 15, 39/40 1.20 s -> 40/40 0.34 s; level 20, 35/40 3.82 s -> 40/40 0.78 s;
level 25, 7/20 7.83 s -> 20/20 1.65 s; strips of 15 items in 5 bins of 50, 30/30 0.51 s -> 0.003 s; of
30 items in 10 bins of 50, 21/30 -> 29/30. Adding full linearization (level 2) was no better overall,
and ordering bins by their first item made level 20 time out.
"""

from __future__ import annotations

import random
from typing import Any

from npgym import checks
from npgym.problem import UNKNOWN, Planted, Problem, SolveResult
from npgym.registry import register
from npgym.solvers import optimize_against_bound
from npgym.verdict import CONSTRAINT

#: every item weighs at least this fraction of the mean weight (capacity * bins / items): with few small
#: items left to plug gaps, first-fit decreasing fails on most levels (measured on 40 seeds per level).
FLOOR = 0.7
#: own no-candidates only up to this many items per bin: above it a random strip almost always packs
#: (measured, 300 draws each: 3.33 items per bin 12%, 3.5 4-25%, 3.67-3.8 0.3-8%, 4 0-5%, 5+ none).
NO_ITEMS_PER_BIN = 3.5
#: strip draws with an item above the planted maximum are redrawn this many times, then given up
NO_DRAWS = 64


MODEL_LIMIT = 1_000_000  # placement variables beyond which solve() answers unknown without building a model


class BinPacking(Problem):
    id = "bin_packing"
    version = 3
    small_no_levels = (1,)  # above 3.5 items per bin random strips pack: only level 1 has no-instances

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        weights, home = _perfect_packing(rng, params["items"], params["capacity"], params["bins"])
        return Planted({"capacity": params["capacity"], "bins": params["bins"], "weights": weights}, home)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any] | None:
        """The whole strip of length bins * capacity cut at random points into the items, with the planted
        floor and maximum: the same total and weight distribution, but no hidden packing. None (the engine
        then moves the bound) above NO_ITEMS_PER_BIN, where such strips almost always pack."""
        n, capacity, bins = params["items"], params["capacity"], params["bins"]
        if n > NO_ITEMS_PER_BIN * bins:
            return None
        base = _floor(n, capacity, bins)
        fewest = n // bins  # no planted bin holds fewer items, so no planted item weighs more than `most`
        most = capacity - min(base, capacity // fewest) * (fewest - 1)
        spare = capacity * bins - base * n
        for _ in range(NO_DRAWS):
            weights = _cut(rng, spare, n, base)
            if max(weights) <= most:
                return {"capacity": capacity, "bins": bins, "weights": weights}
        return None

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """More weight than all bins hold, or more items above half the capacity than there are bins."""
        weights, capacity, bins = data["weights"], data["capacity"], data["bins"]
        return sum(weights) > bins * capacity or sum(1 for w in weights if 2 * w > capacity) > bins

    def check(self, data: dict[str, Any], solution: Any) -> int:
        capacity, bins, weights = data["capacity"], data["bins"], data["weights"]
        load = checks.group_totals(weights, solution, "solution", bins)
        if max(load) > capacity:
            b, total = next((b, total) for b, total in enumerate(load) if total > capacity)
            checks.require(False, f"bin {b} holds weight {total}, more than the capacity {capacity}", CONSTRAINT)
        return len([total for total in load if total > 0])  # bin numbers stop at bins-1: never above the bound

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        capacity, bins, weights = data["capacity"], data["bins"], data["weights"]
        if sum(min(rank + 1, bins) for rank in range(len(weights))) > MODEL_LIMIT:
            # about items x bins placement variables: far past what CP-SAT settles in any budget, and building
            # the model alone would take many GB (14,290 items in 1,429 bins needed more than 12 GB)
            return SolveResult(UNKNOWN)
        order = sorted(range(len(weights)), key=lambda i: -weights[i])
        model = cp_model.CpModel()
        used = [model.new_bool_var(f"u{b}") for b in range(bins)]
        place = {}
        for rank, i in enumerate(order):
            # Number bins by their heaviest item: the item of rank r then sits in a bin <= r.
            choices = [model.new_bool_var(f"x{i}_{b}") for b in range(min(rank + 1, bins))]
            model.add_exactly_one(choices)
            for b, x in enumerate(choices):
                place[i, b] = x
                model.add_implication(x, used[b])
        for b in range(bins):
            model.add(sum(weights[i] * x for (i, c), x in place.items() if c == b) <= capacity * used[b])
            if b + 1 < bins:
                model.add(used[b] >= used[b + 1])
        model.add(capacity * sum(used) >= sum(weights))
        # Redundant: explicit bin loads that sum to the total weight. CP-SAT then proves perfect packings
        # and their absence several times faster (measured, see the module docstring).
        loads = [model.new_int_var(0, capacity, f"load{b}") for b in range(bins)]
        for b in range(bins):
            model.add(loads[b] == sum(weights[i] * x for (i, c), x in place.items() if c == b))
        model.add(sum(loads) == sum(weights))

        def certificate(solver) -> list[int]:
            home = [0] * len(weights)
            for (i, b), x in place.items():
                if solver.boolean_value(x):
                    home[i] = b
            return home

        return optimize_against_bound(model, sum(used), "min", bins, time_limit, certificate)

    def render(self, data: dict[str, Any]) -> str:
        weights = data["weights"]
        return (f"Bins: {data['bins']} (numbered 0 to {data['bins'] - 1}), capacity {data['capacity']} each.\n"
                f"Item weights ({len(weights)} items, item 0 first):\n{' '.join(map(str, weights))}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """First-fit decreasing; an item that fits nowhere goes to the least loaded bin (an overflow)."""
        capacity, bins, weights = data["capacity"], data["bins"], data["weights"]
        load = [0] * bins
        home = [0] * len(weights)
        for i in sorted(range(len(weights)), key=lambda i: (-weights[i], rng.random())):
            fits = next((b for b in range(bins) if load[b] + weights[i] <= capacity), None)
            b = fits if fits is not None else min(range(bins), key=load.__getitem__)
            home[i] = b
            load[b] += weights[i]
        return home

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [rng.randrange(data["bins"]) for _ in data["weights"]]


def _perfect_packing(rng: random.Random, n: int, capacity: int, bins: int) -> tuple[list[int], list[int]]:
    """Shuffled weights that fill ``bins`` bins of ``capacity`` exactly, and each item's planted bin."""
    counts = [n // bins] * bins
    for b in rng.sample(range(bins), n % bins):
        counts[b] += 1
    base = _floor(n, capacity, bins)  # one floor for all bins: sizes do not cluster by bin
    items: list[tuple[int, int]] = []
    for b, count in enumerate(counts):
        floor = min(base, capacity // count)
        items.extend((w, b) for w in _cut(rng, capacity - floor * count, count, floor))
    rng.shuffle(items)
    return [w for w, _ in items], [b for _, b in items]


def _floor(n: int, capacity: int, bins: int) -> int:
    """The least item weight: FLOOR of the mean weight, at least 1."""
    return max(1, int(FLOOR * capacity * bins / n))


def _cut(rng: random.Random, spare: int, count: int, floor: int) -> list[int]:
    """``count`` weights of at least ``floor`` summing to ``count * floor + spare``: ``spare`` cut at random."""
    cuts = sorted(rng.randint(0, spare) for _ in range(count - 1))
    bounds = [0] + cuts + [spare]
    return [floor + bounds[j + 1] - bounds[j] for j in range(count)]


register(BinPacking())
