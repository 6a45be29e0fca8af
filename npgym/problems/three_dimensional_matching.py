"""3-Dimensional Matching, 3DM (Garey & Johnson SP1).

Instance: three disjoint sets X, Y, Z of n elements each and a list of triples from X x Y x Z.
Question: is there a perfect matching, i.e. n triples such that every element of X, Y and Z lies in
exactly one of them?

Schemas
    data         ``{"n": int, "triples": [[x, y, z], ...]}``; each coordinate is 0..n-1 in its own
                 set (x is an element of X, y of Y, z of Z), the list sorted, no triple twice
    certificate  a list of n distinct triple indices (positions in ``triples``, 0-based)
    objective    none

Generation: a hidden perfect matching (x, pi(x), sigma(x)) with random permutations pi, sigma, plus
(degree - 1) * n decoy triples dealt by a configuration model: every element occurs exactly
degree - 1 more times, each coordinate list is shuffled and the lists are zipped (duplicates are
repaired by swapping a coordinate with another decoy, which keeps all degrees). So every element
lies in exactly ``degree`` triples: no element of degree 1 forces its planted triple, and degrees
say nothing about which triple is planted. The list is sorted, so its order does not leak either.

Hardness: the reference added only n random triples, leaving many elements of degree 1, and MRV
backtracking solved every instance at once. Here all degrees are equal (4 from level 4 on), and a
random 3-partite instance of that degree has on average about (degree / e^2)^n perfect matchings,
far below one: the planted matching is typically the only one, and decoys give every element
several plausible partners. No-instances are dealt the same way with no planted matching: the same
sizes and degrees, proved unsatisfiable by the solver. At levels 1-3 (n <= 12) the degree is 2-3:
random degree-4 instances that small nearly always have many perfect matchings, so neither planted
uniqueness nor no-instances would be available there.
"""

from __future__ import annotations

import random
from typing import Any

from npgym import draws
from npgym.problem import Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.setsystems import REPAIR_SWAPS, check_exact_cover, exact_cover_search, index_blocks, solve_exact_cover


def as_blocks(n: int, triples: list[list[int]]) -> list[list[int]]:
    """Triples as blocks of one universe 0..3n-1: X keeps its ids, Y is shifted by n, Z by 2n."""
    return [[x, n + y, 2 * n + z] for x, y, z in triples]


def deal_triples(rng: random.Random, n: int, layers: int, taken: set[tuple[int, ...]]) -> list[list[int]]:
    """``layers * n`` distinct triples in which every element of X, Y, Z occurs ``layers`` times.

    Each axis is a shuffled column of ``layers`` copies of 0..n-1. A triple that repeats one in ``taken``
    (which grows with the triples kept) is repaired by swapping one coordinate with a random other triple;
    most triples are new, so the swap loop is entered only for the few repeats.
    """
    columns = []
    for _ in range(3):
        column = list(range(n)) * layers
        draws.shuffle(rng, column)
        columns.append(column)
    triples = list(map(list, zip(*columns)))
    keys: list[tuple[int, ...] | None] = [None] * len(triples)
    for b, triple in enumerate(triples):
        key = tuple(triple)
        if key in taken and len(triples) >= 2:
            key = _repair(rng, b, triples, keys, taken)
        keys[b] = key  # a duplicate that survived every swap stays: still a valid instance
        taken.add(key)
    return triples


def _repair(rng: random.Random, b: int, triples: list[list[int]], keys: list[tuple[int, ...] | None],
            taken: set[tuple[int, ...]]) -> tuple[int, ...]:
    """Swap coordinates of triple ``b`` with random other triples (at most ``REPAIR_SWAPS`` tries) until it is
    new; a swap is kept if it makes it new without making a triple kept before a repeat. Returns its key."""
    triple = triples[b]
    for _ in range(REPAIR_SWAPS):
        if tuple(triple) not in taken:
            break
        c = rng.randrange(len(triples) - 1)
        c += c >= b
        other, axis = triples[c], rng.randrange(3)
        triple[axis], other[axis] = other[axis], triple[axis]
        if tuple(triple) not in taken and (keys[c] is None or tuple(other) not in taken):
            if keys[c] is not None:
                taken.discard(keys[c])
                key = keys[c] = tuple(other)
                taken.add(key)
        else:
            triple[axis], other[axis] = other[axis], triple[axis]
    return tuple(triple)


def index_triples(n: int, triples: list[list[int]]) -> tuple[list[list[int]], list[int]]:
    """:func:`~npgym.setsystems.index_blocks` for triples over 0..n-1, sorted by the integer (x n + y) n + z,
    which orders them as the lists do and compares faster."""
    return index_blocks(triples, [(x * n + y) * n + z for x, y, z in triples])


class ThreeDimensionalMatching(Problem):
    id = "three_dimensional_matching"
    version = 1

    def check_params(self, params: dict[str, Any]) -> None:
        n, degree = params["n"], params["degree"]
        limit = max(1, n * n // 2)
        require_param(degree <= limit, f"degree must be at most n*n/2 = {limit}, got {degree}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n, degree = params["n"], params["degree"]
        ys, zs = list(range(n)), list(range(n))
        draws.shuffle(rng, ys)
        draws.shuffle(rng, zs)
        planted = [[x, ys[x], zs[x]] for x in range(n)]
        decoys = deal_triples(rng, n, degree - 1, {tuple(t) for t in planted})
        triples, where = index_triples(n, planted + decoys)
        return Planted({"n": n, "triples": triples}, sorted(where[:n]))

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """All degree * n triples dealt by the same configuration model, no planted matching."""
        n, degree = params["n"], params["degree"]
        return {"n": n, "triples": index_triples(n, deal_triples(rng, n, degree, set()))[0]}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        n = data["n"]
        check_exact_cover(3 * n, as_blocks(n, data["triples"]), solution, "triple",
                          lambda e: f"{'XYZ'[e // n]} {e % n}")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        return solve_exact_cover(3 * data["n"], as_blocks(data["n"], data["triples"]), time_limit)

    def render(self, data: dict[str, Any]) -> str:
        n = data["n"]
        lines = "\n".join(f"{i}: {x} {y} {z}" for i, (x, y, z) in enumerate(data["triples"]))
        return (f"X, Y and Z each hold {n} elements numbered 0 to {n - 1}. "
                f"Triples ({len(data['triples'])}, one per line as index: x y z):\n{lines}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """MRV backtracking with a budget of 2000 nodes."""
        return exact_cover_search(3 * data["n"], as_blocks(data["n"], data["triples"]), rng)

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        return sorted(rng.sample(range(len(data["triples"])), data["n"]))


register(ThreeDimensionalMatching())
