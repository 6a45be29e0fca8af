"""Set Splitting (Garey & Johnson SP4), also known as hypergraph 2-colouring.

Instance: a universe of n elements and a collection of subsets. Question: can the elements be
coloured with two colours so that no subset is monochromatic (each subset gets both colours)?

Schemas
    data         ``{"n": int, "subsets": [[a, b, c], ...]}``; subsets of ``size`` (3) distinct
                 elements 0..n-1, each sorted, the list sorted (a subset repeats only where the
                 level asks for more subsets than exist)
    certificate  a list of n colours, each 0 or 1; element i has colour ``solution[i]``
    objective    none

The reference wanted a pair [S1, S2] and ignored S2 (it accepted [S1, S1]); a colour per element
leaves nothing to ignore, and bools, 2, -1 or a short list are rejected by the schema check.

Generation: a hidden balanced colouring (floor(n/2) elements of colour 1, the rest 0, on shuffled
ids) and m random 3-subsets that are not monochromatic under it, distinct while m is at most half
of the available subsets. Some reference levels ask for more subsets than exist (10 elements, 1000
subsets): then every available subset occurs m // A or m // A + 1 times. Planted 2-colouring is
"quiet": for a balanced colouring every element lies in the same expected number of subsets
whatever its colour, so degrees do not leak it.

Hardness: with subsets of size 3 the problem is not-all-equal 3-SAT. Random instances are hardest
near m/n ~ 2.1, the 2-colourability threshold; the level (100, 200) sits there and past the top
the ladder grows n by 20 and m by 42, so the ratio approaches 2.1. The small-n reference levels
with many subsets are over-constrained (the colouring is nearly forced) and kept for comparison.
No-instances: m - 7 random subsets plus a hidden Fano plane (the 7 lines of PG(2, 2) on 7 random
elements), the smallest 3-uniform hypergraph with no 2-colouring; the solver proves each one.
Level 1 (5 elements, 5 subsets) has no no-instance at all: a 3-uniform hypergraph on 5 elements
that cannot be split needs all 10 triples.
"""

from __future__ import annotations

import itertools
import math
import random
from typing import Any

from npgym import checks
from npgym.cards import ParamError
from npgym.problem import SAT, Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import solve_cnf
from npgym.verdict import CONSTRAINT

FANO_LINES = ((0, 1, 2), (0, 3, 4), (0, 5, 6), (1, 3, 5), (1, 4, 6), (2, 3, 6), (2, 4, 5))
ENUMERATE_LIMIT = 20000  # subsets are enumerated (not sampled) only when the space is this small
FLIPS_PER_ELEMENT = 20   # budget of the local-search heuristic


def split_subsets(n: int, size: int, colour: list[int] | None) -> int:
    """How many ``size``-subsets of ``0..n-1`` are not monochromatic under ``colour`` (all, if None)."""
    if colour is None:
        return math.comb(n, size)
    ones = sum(colour)
    return math.comb(n, size) - math.comb(ones, size) - math.comb(n - ones, size)


def draw_subsets(rng: random.Random, n: int, size: int, count: int, colour: list[int] | None) -> list[list[int]]:
    """``count`` random ``size``-subsets that ``colour`` splits (any subsets if ``colour`` is None).

    Distinct while ``count`` is at most half of the available subsets (each draw is new with
    probability >= 1/2, so the loop ends fast); otherwise every available subset is listed evenly often.
    """
    def splits(subset) -> bool:
        return colour is None or 0 < sum(colour[e] for e in subset) < size

    available = split_subsets(n, size, colour)
    if 2 * count <= available:
        chosen: set[tuple[int, ...]] = set()
        while len(chosen) < count:
            subset = tuple(sorted(rng.sample(range(n), size)))
            if splits(subset):
                chosen.add(subset)
        return [list(s) for s in chosen]
    every = [list(s) for s in itertools.combinations(range(n), size) if splits(s)]
    full, extra = divmod(count, len(every))
    return every * full + rng.sample(every, extra)


class SetSplitting(Problem):
    id = "set_splitting"
    version = 1

    def check_params(self, params: dict[str, Any]) -> None:
        n, m, size = params["n"], params["m"], params["size"]
        require_param(isinstance(size, int) and size >= 2, f"size must be an integer >= 2, got {size!r}")
        require_param(isinstance(n, int) and n >= max(4, size),
                      f"n must be an integer >= max(4, size) = {max(4, size)}, got {n!r}")
        require_param(isinstance(m, int) and m >= 1, f"m must be an integer >= 1, got {m!r}")
        available = split_subsets(n, size, [1] * (n // 2) + [0] * (n - n // 2))
        require_param(2 * m <= available or available <= ENUMERATE_LIMIT,
                      f"m = {m} is more than half of the {available} splittable subsets, which are too "
                      f"many to enumerate; use m <= {available // 2} or fewer elements")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, m, size = params["n"], params["m"], params["size"]
        colour = [1] * (n // 2) + [0] * (n - n // 2)
        rng.shuffle(colour)
        subsets = sorted(draw_subsets(rng, n, size, m, colour))
        return Planted({"n": n, "subsets": subsets}, colour)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """m - 7 random subsets plus a Fano plane on 7 random elements (never 2-colourable)."""
        n, m, size = params["n"], params["m"], params["size"]
        if size != 3 or n < 7 or m < 7:
            raise ParamError(f"no-instances need size = 3, n >= 7 and m >= 7 (a hidden Fano plane), got "
                             f"size = {size}, n = {n}, m = {m}; at n = 5 no 5 triples are unsplittable")
        points = rng.sample(range(n), 7)
        fano = [sorted(points[i] for i in line) for line in FANO_LINES]
        return {"n": n, "subsets": sorted(fano + draw_subsets(rng, n, size, m - 7, None))}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        colour = checks.int_list(solution, "solution", 0, 1, length=data["n"])
        for number, subset in enumerate(data["subsets"]):
            ones = sum(colour[e] for e in subset)
            checks.require(0 < ones < len(subset), f"subset {number} ({' '.join(map(str, subset))}) has "
                           f"only colour {colour[subset[0]]}", CONSTRAINT)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        # variable e + 1 is true when element e has colour 1; each subset needs a 1 and a 0
        clauses = []
        for subset in data["subsets"]:
            clauses.append([e + 1 for e in subset])
            clauses.append([-(e + 1) for e in subset])
        status, model, effort = solve_cnf(clauses, time_limit)
        certificate = None
        if status == SAT:
            ones = {lit for lit in model if lit > 0}
            certificate = [int(e + 1 in ones) for e in range(data["n"])]
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        n = data["n"]
        lines = "\n".join(" ".join(map(str, subset)) for subset in data["subsets"])
        return (f"Elements: {n}, numbered 0 to {n - 1}. Subsets ({len(data['subsets'])}, one per line):\n"
                f"{lines}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """WalkSAT for not-all-equal: flip an element of a random monochromatic subset (greedy or random)."""
        n, subsets = data["n"], data["subsets"]
        colour = [rng.randrange(2) for _ in range(n)]
        ones = [sum(colour[e] for e in s) for s in subsets]
        holders: list[list[int]] = [[] for _ in range(n)]
        for number, subset in enumerate(subsets):
            for e in subset:
                holders[e].append(number)
        bad, where = [], {}

        def mark(number: int) -> None:
            mono = ones[number] in (0, len(subsets[number]))
            if mono and number not in where:
                where[number] = len(bad)
                bad.append(number)
            elif not mono and number in where:
                last = bad.pop()
                spot = where.pop(number)
                if last != number:
                    bad[spot] = last
                    where[last] = spot

        def breaks(e: int) -> int:  # subsets where e is the only element of its colour
            return sum(1 for s in holders[e]
                       if ones[s] == (1 if colour[e] else len(subsets[s]) - 1))

        for number in range(len(subsets)):
            mark(number)
        for _ in range(FLIPS_PER_ELEMENT * n):
            if not bad:
                break
            subset = subsets[rng.choice(bad)]
            e = rng.choice(subset) if rng.random() < 0.4 else min(subset, key=lambda x: (breaks(x), rng.random()))
            colour[e] ^= 1
            for s in holders[e]:
                ones[s] += 1 if colour[e] else -1
                mark(s)
        return colour

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return [rng.randrange(2) for _ in range(data["n"])]


register(SetSplitting())
