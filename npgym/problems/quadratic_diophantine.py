"""Quadratic Diophantine Equations (Garey & Johnson AN8).

Instance: positive integers a, b and c. Question: are there positive integers x and y with
a*x^2 + b*y = c?

Schemas
    data         ``{"a": int, "b": int, "c": int}``
    certificate  ``[x, y]``, two positive integers (not floats, not booleans)
    objective    none

Generation: with H the level's ``high``, draw a, x, y uniformly from 1..H and b from H/2..H, and set
c = a*x^2 + b*y; the certificate is [x, y]. Drawing b from the upper half (the reference drew it
from 1..H) keeps the modulus of the hidden congruence large: a small b (b = 1 solves everything)
made instances trivial.

Hardness: a solution is an x <= sqrt((c - b) / a) with a*x^2 = c (mod b). Nothing in the numbers
points at x; finding it means solving a quadratic congruence modulo b (factor b, take square roots,
combine) or trying up to min(b, sqrt(c / a)) values of x. The decision problem is NP-complete in the
number of digits; at the reference levels it is a reasoning test on numbers of 7 to 16 digits.

Exact solver: plain enumeration (no SAT or CP encoding is needed). x and x + b give the same residue
and a smaller x gives a larger y, so a solution exists iff some x in 1..min(b, sqrt((c - b) / a))
satisfies the congruence; the solver tries exactly those x (the effort's ``branches``) and reports
``unknown`` when the time limit runs out. At the reference top level that is at most 2*10^5 values.

No-instances: a planted triple whose c is shifted by a multiple r of gcd(a, b) with 0 < r < b, so
c stays in the same range and keeps the divisibility by gcd(a, b) that every yes-instance has; the
planted x breaks and the solver proves that no other x works.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks
from npgym.problem import SAT, UNKNOWN, UNSAT, Effort, Planted, Problem, SolveResult, Stopwatch, require_param
from npgym.registry import register
from npgym.verdict import CONSTRAINT

HEURISTIC_TRIES = 2000


class QuadraticDiophantine(Problem):
    id = "quadratic_diophantine"
    version = 1

    def check_params(self, params: dict[str, Any]) -> None:
        high = params["high"]
        require_param(isinstance(high, int) and not isinstance(high, bool) and high >= 4,
                      f"high must be an integer >= 4, got {high!r}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        high = params["high"]
        a, x, y = (rng.randint(1, high) for _ in range(3))
        b = rng.randint((high + 1) // 2, high)
        return Planted({"a": a, "b": b, "c": a * x * x + b * y}, [x, y])

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        data = self.plant(rng, params).data
        step = math.gcd(data["a"], data["b"])
        shifts = data["b"] // step - 1
        shift = step * rng.randint(1, shifts) if shifts else rng.randint(1, data["b"] - 1)
        return {**data, "c": data["c"] + shift}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        x, y = checks.int_list(solution, "solution", lo=1, length=2)
        a, b, c = data["a"], data["b"], data["c"]
        checks.require(a * x * x + b * y == c, f"a*x^2 + b*y = {a}*{x}^2 + {b}*{y} is not {c}", CONSTRAINT)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        a, b, c = data["a"], data["b"], data["c"]
        watch = Stopwatch()
        top = math.isqrt((c - b) // a) if c - b >= a else 0
        tried = 0
        for x in range(1, min(b, top) + 1):
            tried += 1
            if (c - a * x * x) % b == 0:
                return SolveResult(SAT, [x, (c - a * x * x) // b], None, _effort(watch, tried))
            if tried % 4096 == 0 and watch.seconds() > time_limit:
                return SolveResult(UNKNOWN, None, None, _effort(watch, tried))
        return SolveResult(UNSAT, None, None, _effort(watch, tried))

    def render(self, data: dict[str, Any]) -> str:
        return f"a = {data['a']}\nb = {data['b']}\nc = {data['c']}"

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Trial of x = 1, 2, ... (at most 2000 values); [1, 1] if none fits."""
        a, b, c = data["a"], data["b"], data["c"]
        for x in range(1, HEURISTIC_TRIES + 1):
            rest = c - a * x * x
            if rest < b:
                break
            if rest % b == 0:
                return [x, rest // b]
        return [1, 1]

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        a, b, c = data["a"], data["b"], data["c"]
        x = rng.randint(1, max(1, math.isqrt(c // a)))
        return [x, max(1, (c - a * x * x) // b)]


def _effort(watch: Stopwatch, tried: int) -> Effort:
    return Effort("enumeration", watch.seconds(), branches=tried)


register(QuadraticDiophantine())
