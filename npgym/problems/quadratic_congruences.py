"""Quadratic Congruences (Garey & Johnson AN1).

Instance: positive integers a, b and c. Question: is there a positive integer x < c with
x^2 = a (mod b), i.e. b divides x^2 - a?

Schemas
    data         ``{"a": int, "b": int, "c": int}`` with 0 <= a < b
    certificate  the integer x itself (not a list, not a string, not a float), 1 <= x < c
    objective    none

Generation: b is a product of distinct odd primes, at most the level's ``modulus`` (primes are
taken in random order from 3..max(13, modulus^(1/4)) while they fit), so b has k = 2..5 prime
factors at the reference levels. A hidden x coprime to b (and not +-1 modulo any prime
factor >= 5) gives a = x^2 mod b, which has 2^k square
roots modulo b, spread over 0..b-1. The bound c is drawn uniformly from 1..2*b/2^k, about twice the
expected smallest root: conditioned on the smallest root r lying below c, c is uniform on
r+1..2*b/2^k (the certificate is r). About a third of the draws have no root below c: those are the
no-instances (c uniform on 1..r), so yes and no come from one joint distribution. (The reference
took c = x + U[1, max], far above the smallest root, so any root was accepted.)

Hardness: the bound leaves usually one or two of the 2^k roots below c. Finding them means factoring
b, taking square roots modulo each prime and choosing the sign combination whose Chinese-remainder
lift is small: this sign choice is where the NP-completeness of the problem lives (Manders and
Adleman). Trying x = 1, 2, ... needs about b/2^k steps.

Exact solver: factor b by trial division, find the square roots of a modulo each prime power by
enumeration, combine all sign choices by the Chinese remainder theorem and take the smallest
positive x. No SAT or CP encoding; the effort's ``branches`` count the residues tried. It answers
``unknown`` if the time limit runs out (only for moduli with a huge prime factor, never generated).
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks
from npgym.problem import SAT, UNKNOWN, UNSAT, Effort, Planted, Problem, SolveResult, Stopwatch, require_param
from npgym.registry import register
from npgym.verdict import CONSTRAINT

PLANT_ATTEMPTS = 32
HEURISTIC_TRIES = 2000


class _OutOfTime(Exception):
    pass


class QuadraticCongruences(Problem):
    id = "quadratic_congruences"
    version = 1

    def check_params(self, params: dict[str, Any]) -> None:
        modulus = params["modulus"]
        require_param(isinstance(modulus, int) and not isinstance(modulus, bool) and modulus >= 100,
                      f"modulus must be an integer >= 100, got {modulus!r}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        for _ in range(PLANT_ATTEMPTS):  # a draw fails only if its smallest root is above the c range
            b, a, smallest, ceiling = self._draw(rng, params["modulus"])
            if smallest < ceiling:
                break
        c = rng.randint(smallest + 1, max(smallest + 1, ceiling))
        return Planted({"a": a, "b": b, "c": c}, smallest)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        b, a, smallest, ceiling = self._draw(rng, params["modulus"])
        return {"a": a, "b": b, "c": rng.randint(1, min(smallest, ceiling))}

    @staticmethod
    def _draw(rng: random.Random, modulus: int) -> tuple[int, int, int, int]:
        """A squarefree odd modulus b, a residue a with 2^k roots, the smallest root, the top of the c range."""
        primes = _odd_primes(max(13, round(modulus ** 0.25)))
        rng.shuffle(primes)
        factors, b = [], 1
        for p in primes:
            if b * p <= modulus:
                factors.append(p)
                b *= p
        # the hidden x modulo each prime; not +-1 modulo primes >= 5, so that a = 1 (root x = 1) never occurs
        residues = [rng.randint(1, 2) if p == 3 else rng.randint(2, p - 2) for p in factors]
        roots, product = [0], 1
        for p, r in zip(factors, residues):
            roots = [_lift(root, product, s, p) for root in roots for s in (r, p - r)]
            product *= p
        x = roots[0]  # the residues themselves (every first sign): the hidden x
        return b, x * x % b, min(roots), max(2, -(-2 * b // len(roots)))

    def check(self, data: dict[str, Any], solution: Any) -> None:
        x = checks.integer(solution, "solution", 1, data["c"] - 1)
        checks.require((x * x - data["a"]) % data["b"] == 0,
                       f"x^2 - a = {x}^2 - {data['a']} is not divisible by b = {data['b']}", CONSTRAINT)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        a, b, c = data["a"], data["b"], data["c"]
        watch = Stopwatch()
        work = [0]

        def tick() -> None:
            work[0] += 1
            if work[0] % 4096 == 0 and watch.seconds() > time_limit:
                raise _OutOfTime

        try:
            roots, modulus = [0], 1
            for p, e in _factorize(b, tick):
                q = p ** e
                local = []
                for t in range(q):
                    tick()
                    if (t * t - a) % q == 0:
                        local.append(t)
                roots = [_lift(root, modulus, t, q) for root in roots for t in local]
                modulus *= q
                if not roots:
                    break
        except _OutOfTime:
            return SolveResult(UNKNOWN, None, None, Effort("number theory", watch.seconds(), branches=work[0]))
        effort = Effort("number theory", watch.seconds(), branches=work[0] + len(roots))
        best = min((root if root > 0 else b for root in roots), default=None)
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


def _lift(root: int, modulus: int, residue: int, prime_power: int) -> int:
    """The x in 0..modulus*prime_power-1 with x = root (mod modulus) and x = residue (mod prime_power)."""
    step = (residue - root) * pow(modulus, -1, prime_power) % prime_power
    return root + modulus * step


def _odd_primes(limit: int) -> list[int]:
    """The odd primes up to ``limit`` (a small sieve)."""
    sieve = bytearray([1]) * (limit + 1)
    sieve[:2] = b"\x00\x00"
    for p in range(2, math.isqrt(limit) + 1):
        if sieve[p]:
            sieve[p * p::p] = bytearray(len(range(p * p, limit + 1, p)))
    return [p for p in range(3, limit + 1) if sieve[p]]


def _factorize(n: int, tick) -> list[tuple[int, int]]:
    """Prime factorisation of ``n`` by trial division, as (prime, exponent) pairs."""
    factors, p = [], 2
    while p * p <= n:
        tick()
        if n % p == 0:
            e = 0
            while n % p == 0:
                n //= p
                e += 1
            factors.append((p, e))
        p += 1 if p == 2 else 2
    if n > 1:
        factors.append((n, 1))
    return factors


register(QuadraticCongruences())
