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
whatever its colour, so degrees do not leak it (at level 12, splitting the elements at the median
degree agrees with the colouring on 53% of them over 20 seeds, chance level for n = 80).

Hardness: with subsets of size 3 the problem is not-all-equal 3-SAT; random instances are hardest
near m/n ~ 2.1, the 2-colourability threshold. Levels 1..11 are the reference's, kept so results
compare; most are over-constrained (the colouring is nearly forced) and the WalkSAT heuristic solves
10/10 at the top. Version 2: past the top n grows by 60 and m = 2.1 n (the card's ``of`` rule; v1
added 20 and 42 to (20, 500) and stayed over-constrained: 9/10 at level 50). The heuristic solves,
out of 30 seeds: level 12 (80, 168) 27, 13 (140, 294) 24, 14 (200, 420) 17, 15 (260, 546) 13,
16 (320, 672) 7, 17 6, 18 6, 20 4, 25 1. Its flip budget is linear in n while the time WalkSAT
needs near the threshold grows faster, so it keeps falling.

Version 3: past the top m = 2.25 n, the threshold of 2-colourability for random 3-uniform hypergraphs
with balanced degrees at 80-140 elements (measured: at 2.1 n, 15 of 16 such hypergraphs were
2-colourable, at 2.3 n 5-7 of 12, at 2.5 n none). Candidates at 2n to 3n subsets are such random
hypergraphs (2.2 n to 3 n subsets), and a mixed test set draws its yes-instances from them too, certified by the solver
(:attr:`Problem.yes_from_no_candidates`): in version 2 the no-instances were planted instances with
swapped subsets, and the least element degree and the most repeated pair told yes from no at 0.80-0.89
at levels 11-12.

No-instances (version 2, at 2n to 2.2n and above 3n subsets), from the yes-instances' own
distribution: a planted instance in which a uniformly random number of the distinct subsets (one
up to all) is swapped for uniformly random subsets not among them; the solver proves it or the engine
draws another. Levels 3-5 and 7-11 use this; on the dense levels the swap happens
before the subsets are repeated, so no-instances repeat as evenly as yes-instances. Below m = 2n
random swaps almost never break the colouring, so levels 2 and 6, (10, 10) and (100, 100), keep
v1's construction: m - 7 random subsets plus a hidden Fano plane (the 7 lines of PG(2, 2) on 7
random elements), the smallest 3-uniform hypergraph with no 2-colouring. Level 1 (5 elements, 5
subsets) has no no-instance: one on 5 elements needs all 10 triples. Measured (5 seeds, 10 s
limit): all levels 2..15 make 5/5, with 1.0-1.2 candidates per instance except level 7 (100, 200)
16.4 (about 8% of its candidates are unsatisfiable, so about 1 in 300 seeds runs out of the 64
attempts), level 12 5.6 and levels 13-15 about 2 (level 15: 10/10, 2.5). Glucose proves them
unsatisfiable in under 0.1 s up to level 13, 0.6 s at level 14 (up to 2 s), 4.5 s at level 15 (up
to 7 s); at level 16 (320 elements) proofs take 12-17 s, so the default 10 s limit makes none
(0/3; 3/3 with a 60 s limit).

Audit (benchmarks/hardness.py, version 3): NAE-WalkSAT solves every yes-instance at the top level, at
2x (80 elements) and at level 28 (1,040 elements, 2,340 subsets, 28.4k characters, the largest prompt
within 30k), so a 30k-character prompt does not reach the target of fewer than 10% solved; yes/no
accuracy is 0.69 at the top and 0.58 at 2x.
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
from npgym.setsystems import balanced_slots, deal_blocks
from npgym.solvers import solve_cnf
from npgym.verdict import CONSTRAINT

FANO_LINES = ((0, 1, 2), (0, 3, 4), (0, 5, 6), (1, 3, 5), (1, 4, 6), (2, 3, 6), (2, 4, 5))
ENUMERATE_LIMIT = 20000  # subsets are enumerated (not sampled) only when the space is this small
FLIPS_PER_ELEMENT = 20   # budget of the local-search heuristic
FANO_BELOW_RATIO = 2     # below m = 2n random swaps almost never make a no-instance: hide a Fano plane
#: from RANDOM_FROM_RATIO to RANDOM_BELOW_RATIO subsets per element, candidates are random hypergraphs with
#: balanced degrees (they straddle the 2-colourability threshold, about 2.25 for them at 80-140 elements)
RANDOM_FROM_RATIO, RANDOM_BELOW_RATIO = 2.2, 3


def balanced_colour(rng: random.Random, n: int) -> list[int]:
    """floor(n/2) elements of colour 1 and the rest 0, on shuffled ids."""
    colour = [1] * (n // 2) + [0] * (n - n // 2)
    rng.shuffle(colour)
    return colour


def split_subsets(n: int, size: int, colour: list[int] | None) -> int:
    """How many ``size``-subsets of ``0..n-1`` are not monochromatic under ``colour`` (all, if None)."""
    if colour is None:
        return math.comb(n, size)
    ones = sum(colour)
    return math.comb(n, size) - math.comb(ones, size) - math.comb(n - ones, size)


def draw_subsets(rng: random.Random, n: int, size: int, count: int, colour: list[int] | None,
                 replace_some: bool = False) -> list[list[int]]:
    """``count`` random ``size``-subsets that ``colour`` splits (any subsets if ``colour`` is None).

    Distinct while ``count`` is at most half of the available subsets (each draw is new with
    probability >= 1/2, so the loop ends fast); otherwise every available subset is listed evenly often.
    With ``replace_some`` (no-instance candidates), a uniformly random number of the distinct subsets
    (one up to all) is first swapped for uniformly random subsets not among them, split or not.
    """
    def splits(subset) -> bool:
        return colour is None or 0 < sum(colour[e] for e in subset) < size

    available = split_subsets(n, size, colour)
    distinct = 2 * count <= available
    if distinct:
        chosen: set[tuple[int, ...]] = set()
        while len(chosen) < count:
            subset = tuple(sorted(rng.sample(range(n), size)))
            if splits(subset):
                chosen.add(subset)
        pool = sorted(chosen)
    else:
        pool = [s for s in itertools.combinations(range(n), size) if splits(s)]
    if replace_some:
        pool = swap_some(rng, n, size, pool)
    if distinct:
        return [list(s) for s in pool]
    full, extra = divmod(count, len(pool))
    return [list(s) for s in pool * full + rng.sample(pool, extra)]


def swap_some(rng: random.Random, n: int, size: int, pool: list[tuple[int, ...]]) -> list[tuple[int, ...]]:
    """``pool`` with a uniformly random number of its subsets swapped for uniformly random new ones."""
    present = set(pool)
    absent = math.comb(n, size) - len(present)
    swaps = rng.randint(1, min(len(pool), absent))
    kept = present - set(rng.sample(pool, swaps))
    added: set[tuple[int, ...]] = set()
    if 2 * absent >= math.comb(n, size):  # a random subset is not in the pool with probability >= 1/2
        while len(added) < swaps:
            subset = tuple(sorted(rng.sample(range(n), size)))
            if subset not in kept:
                added.add(subset)
    else:
        added.update(rng.sample([s for s in itertools.combinations(range(n), size) if s not in present], swaps))
    return sorted(kept | added)


class SetSplitting(Problem):
    """Set Splitting (Garey & Johnson SP4), also known as hypergraph 2-colouring."""

    id = "set_splitting"
    version = 3
    yes_from_no_candidates = True
    small_no_levels = (3, 12)  # a dense reference level (swapped subsets) and one near the threshold

    def check_params(self, params: dict[str, Any]) -> None:
        n, m, size = params["n"], params["m"], params["size"]
        available = split_subsets(n, size, [1] * (n // 2) + [0] * (n - n // 2))
        require_param(2 * m <= available or available <= ENUMERATE_LIMIT,
                      f"m = {m} is more than half of the {available} splittable subsets, which are too "
                      f"many to enumerate; use m <= {available // 2} or fewer elements")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, m, size = params["n"], params["m"], params["size"]
        colour = balanced_colour(rng, n)
        subsets = sorted(draw_subsets(rng, n, size, m, colour))
        return Planted({"n": n, "subsets": subsets}, colour)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """Near the threshold (2.2n to 3n subsets) a random hypergraph with balanced degrees; denser, a planted
        instance with some subsets swapped for random ones; below m = 2n, a hidden Fano plane."""
        n, m, size = params["n"], params["m"], params["size"]
        colour = balanced_colour(rng, n)
        if split_subsets(n, size, colour) == math.comb(n, size):
            raise ParamError(f"n = {n} elements have no no-instance with subsets of size {size}: a balanced colouring "
                             f"splits every subset; use n >= {2 * size - 1}")
        if RANDOM_FROM_RATIO * n <= m <= RANDOM_BELOW_RATIO * n and m <= math.comb(n, size) // 2:
            return {"n": n, "subsets": sorted(deal_blocks(rng, n, balanced_slots(rng, n, size * m), [size] * m, set()))}
        if m >= FANO_BELOW_RATIO * n:
            return {"n": n, "subsets": sorted(draw_subsets(rng, n, size, m, colour, replace_some=True))}
        if size != 3 or n < 7 or m < 7:
            raise ParamError(f"no-instances with fewer than {FANO_BELOW_RATIO} * n subsets need size = 3, n >= 7 "
                             f"and m >= 7 (a hidden Fano plane), got size = {size}, n = {n}, m = {m}; at n = 5 no "
                             "5 triples are unsplittable")
        points = rng.sample(range(n), 7)
        fano = [sorted(points[i] for i in line) for line in FANO_LINES]
        return {"n": n, "subsets": sorted(fano + draw_subsets(rng, n, size, m - 7, None))}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        colour = checks.int_list(solution, "solution", 0, 1, length=data["n"])
        colour_of = colour.__getitem__
        for number, subset in enumerate(data["subsets"]):
            if not 0 < sum(map(colour_of, subset)) < len(subset):
                checks.require(False, f"subset {number} ({' '.join(map(str, subset))}) has only colour "
                               f"{colour[subset[0]]}", CONSTRAINT)
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
        bad: list[int] = []
        where: dict[int, int] = {}

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
