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

Version 2 (past the top): the reference's random b has few prime factors, so factoring b and taking
square roots (or scanning x up to sqrt(c / a)) solved every level. Past the top b is a product of
``primes`` random 24-bit primes (10 at level 11, 2 more per level) and the instance is the quadratic
congruence x^2 = t (mod b) of :mod:`npgym.problems.quadratic_congruences` written as an equation:
c = a (X - 1)^2 + b + d with 0 <= d < a (2X - 1) and c = a t (mod b), so positive y exist exactly for the
roots x < X. X lies within 1/64 of the root spacing above the smallest root (yes) or at or below it
(no, from an independent draw), so the size of c says almost nothing (version 3; version 2's quarter of
the spacing let c * 2^k / b tell them apart at 0.69 at level 16). The exact solver turns the equation back
into that congruence (factoring by Pollard-Brent, roots by Tonelli-Shanks, meet in the middle over the
Chinese-remainder signs) and answers ``unknown`` beyond 2^19 sums per half; generation needs the smallest
root, so no-instances stop at 34 prime factors (level 23) and yes-instances past it plant a hidden root.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks, draws
from npgym.cards import ParamError
from npgym.modroots import OutOfBudget, StepBudget, smallest_positive_root
from npgym.problem import SAT, UNKNOWN, UNSAT, Effort, Planted, Problem, SolveResult, Stopwatch
from npgym.problems.quadratic_congruences import EXACT_PRIMES, draw_square, root_window
from npgym.registry import register
from npgym.verdict import CONSTRAINT, Reject

HEURISTIC_TRIES = 2000


class QuadraticDiophantine(Problem):
    id = "quadratic_diophantine"
    version = 3

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        if params["primes"]:
            return self._plant_many_primes(rng, params)
        high = params["high"]  # npgym.draws: rng.randint's draws, in fewer Python calls
        a, x, y = draws.between(rng, 1, high), draws.between(rng, 1, high), draws.between(rng, 1, high)
        b = draws.between(rng, (high + 1) // 2, high)
        return Planted({"a": a, "b": b, "c": a * x * x + b * y}, [x, y])

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        if params["primes"]:
            if params["primes"] > EXACT_PRIMES:
                raise ParamError(f"no no-instances with {params['primes']} prime factors: the smallest root is "
                                 f"out of the exact search's reach (at most {EXACT_PRIMES})")
            b, t, k, r = draw_square(rng, params)
            assert r is not None, "within EXACT_PRIMES the smallest root is known"
            bound = max(2, r - rng.randrange(min(root_window(b, k), r)))
            return _realise(rng, b, t, bound)
        data = self.plant(rng, params).data
        step = math.gcd(data["a"], data["b"])
        shifts = data["b"] // step - 1
        shift = step * rng.randint(1, shifts) if shifts else rng.randint(1, data["b"] - 1)
        return {**data, "c": data["c"] + shift}

    def _plant_many_primes(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        """As a quadratic congruence (b a product of many primes, the bound a fraction of the root spacing past
        the smallest root), written as a x^2 + b y = c: x < X exactly when y >= 1."""
        b, t, k, r = draw_square(rng, params)
        window = root_window(b, k)
        if r is None:  # beyond the exact search: a hidden x below the root spacing
            r = rng.randint(2, max(2, b >> k))
            while math.gcd(r, b) != 1:
                r += 1
            t = r * r % b
        data = _realise(rng, b, t, r + 1 + rng.randrange(window))
        return Planted(data, [r, (data["c"] - data["a"] * r * r) // b])

    def check(self, data: dict[str, Any], solution: Any) -> None:
        if not (type(solution) is list and len(solution) == 2 and type(solution[0]) is int
                and type(solution[1]) is int and solution[0] >= 1 and solution[1] >= 1):  # two positive integers
            solution = checks.int_list(solution, "solution", lo=1, length=2)  # raises, naming the element
        x, y = solution
        a, b, c = data["a"], data["b"], data["c"]
        if a * x * x + b * y != c:  # the message is formatted only for a wrong answer
            raise Reject(CONSTRAINT, f"a*x^2 + b*y = {a}*{x}^2 + {b}*{y} is not {c}")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        """x must satisfy a x^2 = c (mod b) and a x^2 <= c - b. With g = gcd(a, b) dividing c and a / g
        invertible modulo b / g, that is a square root of t = (c / g)(a / g)^-1 modulo b / g below
        sqrt((c - b) / a) + 1: factor, take roots, meet in the middle (:mod:`npgym.modroots`). Otherwise
        the x that matter are enumerated (``unknown`` when time runs out)."""
        a, b, c = data["a"], data["b"], data["c"]
        watch, budget = Stopwatch(), StepBudget(time_limit)
        top = math.isqrt((c - b) // a) if c - b >= a else 0
        g = math.gcd(a, b)
        if top == 0 or c % g:
            return SolveResult(UNSAT, None, None, _effort(watch, budget))
        reduced = b // g
        if math.gcd(a // g, reduced) == 1 and reduced > 1:
            try:
                root = smallest_positive_root((c // g) * pow(a // g, -1, reduced) % reduced, reduced, budget.tick)
            except OutOfBudget:
                return SolveResult(UNKNOWN, None, None, _effort(watch, budget))
            if root is None or root > top:
                return SolveResult(UNSAT, None, None, _effort(watch, budget))
            return SolveResult(SAT, [root, (c - a * root * root) // b], None, _effort(watch, budget))
        try:
            for x in range(1, min(b, top) + 1):
                budget.tick()
                if (c - a * x * x) % b == 0:
                    return SolveResult(SAT, [x, (c - a * x * x) // b], None, _effort(watch, budget))
        except OutOfBudget:
            return SolveResult(UNKNOWN, None, None, _effort(watch, budget))
        return SolveResult(UNSAT, None, None, _effort(watch, budget))

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


def _realise(rng: random.Random, b: int, t: int, bound: int) -> dict[str, Any]:
    """a, b, c with a x^2 + b y = c solvable in positive integers exactly for the roots x < ``bound`` of
    x^2 = t (mod b): c = a (bound - 1)^2 + b + d with 0 <= d < a (2 bound - 1), so sqrt((c - b) / a) lies in
    [bound - 1, bound), and d fixing c = a t (mod b); a is random and coprime to b."""
    while True:
        a = rng.randrange(1, b)
        if math.gcd(a, b) != 1:
            continue
        d = a * (t - (bound - 1) ** 2) % b
        if d < a * (2 * bound - 1):
            return {"a": a, "b": b, "c": a * (bound - 1) ** 2 + b + d}


def _effort(watch: Stopwatch, budget: StepBudget) -> Effort:
    """The effort of an enumeration or root search that took ``budget``'s steps."""
    return budget.effort("enumeration", watch.seconds())


register(QuadraticDiophantine())
