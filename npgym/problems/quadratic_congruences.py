"""Quadratic Congruences (Garey & Johnson AN1).

Instance: positive integers a, b and c. Question: is there a positive integer x < c with
x^2 = a (mod b), i.e. b divides x^2 - a?

Schemas
    data         ``{"a": int, "b": int, "c": int}`` with 0 <= a < b
    certificate  the integer x itself (not a list, not a string, not a float), 1 <= x < c
    objective    none

Generation: b is a product of k distinct odd primes. At the reference levels (``primes`` = 0) they
are taken in random order from 3..max(13, modulus^(1/4)) while the product stays at most ``modulus``
(k = 2..5); past the top (version 2) b is a product of ``primes`` random primes of ``prime_bits`` bits
each. A hidden x coprime to b (and not +-1 modulo any prime factor) gives a = x^2 mod b, which has
2^k square roots modulo b, spread over 0..b-1; r is the smallest positive one.

The bound, tight for both answers (version 3): with the root spacing S = b / 2^k and a window
g = max(1, S / 64), a yes-instance has c = r + 1 + U[0, g) and a no-instance, from an independent draw of
the same kind, c = r - U[0, g) (at least 1): yes and no sit within 1/64 of the root spacing on either
side of their own smallest root, while finding r (or proving that none lies below c) takes the whole
search. r is close to exponential with mean S, so the two bounds' distributions differ by a shift of
about g: a threshold on c * 2^k / b tells them apart with probability about 1/2 + g / (2S), 0.51.
Version 2's window of S / 4 gave about 0.61 (0.78 measured at level 23, 10 + 10 instances); version 1
drew yes bounds from r+1..2S and no bounds from 1..r and was told at 0.77-0.93. The window still hides
r from a scan below c: g is about 2^220 at level 11.

Hardness: finding the roots means factoring b, taking square roots modulo each prime and choosing the
sign combination whose Chinese-remainder lift is small: this sign choice is where the NP-completeness
lives (Manders and Adleman). Meet in the middle over the signs needs about 2^(k/2) steps. The reference
levels have k <= 5, so any attack finds r at once. Past the top k starts at 10 and grows by 2 per
level with 24-bit primes (b of 240 bits at level 11, of 960 bits at level 26): scanning x = 1, 2, ... is
hopeless at once, and meet in the middle outgrows a Python attack's 2 s near k = 34. The exact solver
runs the same meet in the middle up to 2^19 sums per half (k <= 38; 5.6 s at k = 36); generation
computes the smallest root only up to k = 34 (level 23, about 2 s per instance). Past that yes-instances
plant a hidden x in 2..S with c = x + 1 + U[0, g), and there are no no-instances.
Not tested here and a real threat: lattice reduction on the sign choice (a
modular subset sum of density below 0.65).
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks, draws
from npgym.cards import ParamError
from npgym.modroots import (
    OutOfBudget,
    StepBudget,
    known_root_parts,
    odd_primes,
    random_prime,
    smallest_combination,
    smallest_positive_root,
)
from npgym.problem import SAT, UNKNOWN, UNSAT, Planted, Problem, SolveResult, Stopwatch
from npgym.registry import register
from npgym.verdict import CONSTRAINT, Reject

HEURISTIC_TRIES = 2000
#: the smallest root is computed (and no-instances exist) only up to this many prime factors
EXACT_PRIMES = 34
#: the bound's window is the root spacing / 2^WINDOW_SHIFT
WINDOW_SHIFT = 6


class QuadraticCongruences(Problem):
    id = "quadratic_congruences"
    version = 3

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        b, a, k, r = draw_square(rng, params)
        window = root_window(b, k)
        if r is None:  # beyond the exact search: a hidden x below the root spacing is the certificate
            x = rng.randint(2, max(2, b >> k))
            while math.gcd(x, b) != 1:
                x += 1
            return Planted({"a": x * x % b, "b": b, "c": x + 1 + rng.randrange(window)}, x)
        return Planted({"a": a, "b": b, "c": r + 1 + draws.below(rng, window)}, r)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        if params["primes"] > EXACT_PRIMES:
            raise ParamError(f"quadratic congruences have no no-instances with {params['primes']} prime factors: "
                             f"the smallest root is out of the exact search's reach (at most {EXACT_PRIMES})")
        b, a, k, r = draw_square(rng, params)
        assert r is not None, "within EXACT_PRIMES the smallest root is known"
        return {"a": a, "b": b, "c": r - rng.randrange(min(root_window(b, k), r))}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        x = solution
        if not (type(x) is int and 1 <= x < data["c"]):  # the valid case in one test; the check names the fault
            x = checks.integer(solution, "solution", 1, data["c"] - 1)
        if (x * x - data["a"]) % data["b"]:  # the message is formatted only for a wrong answer
            raise Reject(CONSTRAINT, f"x^2 - a = {x}^2 - {data['a']} is not divisible by b = {data['b']}")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        """Factor b, take the roots modulo each prime power, and find the smallest positive root by meet
        in the middle over the Chinese-remainder combinations (``unknown`` on time or beyond 2^19 per half)."""
        a, b, c = data["a"], data["b"], data["c"]
        watch = Stopwatch()
        budget = StepBudget(time_limit)
        try:
            best = smallest_positive_root(a % b, b, budget.tick)
        except OutOfBudget:
            return SolveResult(UNKNOWN, None, None, budget.effort("number theory", watch.seconds()))
        effort = budget.effort("number theory", watch.seconds())
        if best is not None and best < c:
            return SolveResult(SAT, best, None, effort)
        return SolveResult(UNSAT, None, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        return f"a = {data['a']}\nb = {data['b']}\nc = {data['c']}"

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> int:
        """Trial of x = 1, 2, ... below c (at most 2000 values); 1 if none fits."""
        a, b, c = data["a"], data["b"], data["c"]
        for x in range(1, min(c, HEURISTIC_TRIES + 1)):
            if (x * x - a) % b == 0:
                return x
        return 1

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> int:
        return rng.randint(1, max(1, data["c"] - 1))


def draw_square(rng: random.Random, params: dict[str, Any]) -> tuple[int, int, int, int | None]:
    """A squarefree odd b, a = x^2 mod b with 2^k roots, k, and the smallest positive root (None if k is
    beyond the exact search). Small primes up to ``modulus`` where ``primes`` is 0, else ``primes`` random
    primes of ``prime_bits`` bits."""
    factors = _choose_factors(rng, params)
    b = math.prod(factors)
    x, product = 0, 1
    for p in factors:  # the hidden x, prime by prime; never +-1, so x = 1 is never a root
        residue = draws.between(rng, 1, 2) if p == 3 else draws.between(rng, 2, p - 2)  # rng.randint's draws
        x += product * ((residue - x) * pow(product, -1, p) % p)
        product *= p
    a = x * x % b
    if len(factors) > EXACT_PRIMES:
        return b, a, len(factors), None
    # the roots modulo each prime are known (+-x), so no search for them: the smallest of their combinations
    return b, a, len(factors), smallest_combination(known_root_parts(x, factors), b, lambda *_: None)


def _choose_factors(rng: random.Random, params: dict[str, Any]) -> list[int]:
    if params["primes"]:
        chosen: set[int] = set()
        while len(chosen) < params["primes"]:
            chosen.add(random_prime(rng, params["prime_bits"], chosen))
        return sorted(chosen)
    primes = odd_primes(max(13, round(params["modulus"] ** 0.25)))
    draws.shuffle(rng, primes)  # rng.shuffle's draws, in fewer Python calls
    factors, b = [], 1
    for p in primes:
        if b * p <= params["modulus"]:
            factors.append(p)
            b *= p
    return factors


def root_window(b: int, k: int) -> int:
    """1/64 of the root spacing b / 2^k: how far c lies from the smallest root. Small, so the bounds of yes and
    no differ little (see the module); large, so no scan from c finds the root."""
    return max(1, (b >> k) >> WINDOW_SHIFT)


register(QuadraticCongruences())
