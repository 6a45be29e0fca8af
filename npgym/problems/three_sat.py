"""3-Satisfiability (Garey & Johnson LO2).

Instance: n Boolean variables and m clauses of three literals over distinct variables. Question: is
there a truth assignment that satisfies every clause?

Schemas
    data         ``{"n": int, "clauses": [[l1, l2, l3], ...]}``; literal ``+i`` is variable i true,
                 ``-i`` is variable i false, for i in 1..n
    certificate  a list of n booleans; element ``i - 1`` is the value of variable i
    objective    none

Generation: a hidden random assignment and m = round(ratio * n) distinct clauses drawn with the
q-hidden rule of Jia, Moore and Strain (2005): a clause with t literals true under the hidden
assignment (t >= 1) is kept with weight q^t, q = (sqrt(5) - 1) / 2. This choice makes every variable
appear as often in its true as in its false polarity on average, so counting polarities (the
"majority vote" that solves naively planted formulas) says nothing about the hidden assignment.

Hardness: the clause/variable ratio is 4.26, at the satisfiability threshold of random 3-SAT, where
local search and DPLL need the most effort. (The reference kept m = n, far below it.)

Audit (benchmarks/hardness.py, 2 s of one core per attack and instance): WalkSAT solves 10/10 at the
top level (80 variables), 9/10 at 2x (160) and still 9/20 at level 54 (520 variables, 2,215 clauses,
29.4k characters, the largest prompt within 30k), so 3-SAT does not reach the target of fewer than 10%
solved within a 30k-character prompt: q-hidden planted formulas at the threshold need a few thousand
variables before a fast WalkSAT fails in 2 s. Yes/no accuracy from cheap features is 0.44 and 0.59 at
the top and 2x; at level 54 no no-instance is proved within 10 s of solver work.
"""

from __future__ import annotations

import itertools
import math
import operator
import random
from typing import Any

from npgym import checks, draws
from npgym.problem import SAT, Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.solvers import solve_cnf
from npgym.verdict import CONSTRAINT

Q_HIDDEN = (math.sqrt(5) - 1) / 2
# P(t true literals) is proportional to C(3, t) * q^t; the sign patterns with t true are equally likely.
_T_WEIGHTS = [3 * Q_HIDDEN, 3 * Q_HIDDEN ** 2, Q_HIDDEN ** 3]
#: the same weights summed up, as rng.choices would sum them on every call
_T_CUMULATIVE = list(itertools.accumulate(_T_WEIGHTS))
_T_COUNTS = (1, 2, 3)


class ThreeSat(Problem):
    id = "three_sat"
    version = 1

    def check_params(self, params: dict[str, Any]) -> None:
        n, ratio = params["variables"], params["ratio"]
        distinct = math.comb(n, 3) * 7
        require_param(round(ratio * n) <= distinct // 2,
                      f"{round(ratio * n)} clauses over {n} variables is more than half of the "
                      f"{distinct} distinct satisfiable clauses; use more variables or a lower ratio")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        n = params["variables"]
        m = round(params["ratio"] * n)
        hidden = [rng.random() < 0.5 for _ in range(n)]
        # the literal of each variable that the hidden assignment makes true (index 0 unused)
        true_literal = [0] + [var if value else -var for var, value in enumerate(hidden, 1)]
        # lists sample like the ranges range(1, n + 1) and range(3), with the same draws, but faster
        variables, positions = list(range(1, n + 1)), [0, 1, 2]
        clauses: list[list[int]] = []
        seen: set[tuple[int, ...]] = set()
        while len(clauses) < m:  # at most half the clause space is used, so a draw is new w.p. >= 1/2
            # a clause: three distinct variables, how many of its literals are true, and which (npgym.draws:
            # rng.sample and rng.choices, the same draws in fewer calls)
            a, b, c = (true_literal[var] for var in draws.sample(rng, variables, 3))
            true_positions = draws.sample(rng, positions, draws.choose_cumulative(rng, _T_COUNTS, _T_CUMULATIVE))
            clause = [a if 0 in true_positions else -a, b if 1 in true_positions else -b,
                      c if 2 in true_positions else -c]
            key = tuple(sorted(clause))
            if key not in seen:
                seen.add(key)
                clauses.append(clause)
        return Planted({"n": n, "clauses": clauses}, hidden)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """A uniformly random formula of the same size: at the threshold about half are unsatisfiable."""
        n = params["variables"]
        m = round(params["ratio"] * n)
        variables = list(range(1, n + 1))  # samples like the range, with the same draws, but faster
        clauses: list[list[int]] = []
        seen: set[tuple[int, ...]] = set()
        while len(clauses) < m:
            clause = [var if rng.random() < 0.5 else -var for var in draws.sample(rng, variables, 3)]
            key = tuple(sorted(clause))
            if key not in seen:
                seen.add(key)
                clauses.append(clause)
        return {"n": n, "clauses": clauses}

    def check(self, data: dict[str, Any], solution: Any) -> None:
        values = checks.booleans(solution, "solution", length=data["n"])
        if _all_satisfied(values, data["clauses"]):
            return None
        true_literals = {var if value else -var for var, value in enumerate(values, 1)}
        if any(map(true_literals.isdisjoint, data["clauses"])):  # a clause without a true literal
            number = next(number for number, clause in enumerate(data["clauses"]) if true_literals.isdisjoint(clause))
            checks.require(False, f"clause {number} ({' '.join(map(str, data['clauses'][number]))}) is not "
                           "satisfied", CONSTRAINT)
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        status, model, effort = solve_cnf(data["clauses"], time_limit)
        certificate = None
        if status == SAT:
            true_vars = {lit for lit in model if lit > 0}
            certificate = [var in true_vars for var in range(1, data["n"] + 1)]
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        lines = "\n".join(" ".join(map(str, clause)) for clause in data["clauses"])
        return (f"Variables: 1 to {data['n']}. Clauses ({len(data['clauses'])}, one per line; "
                f"i means variable i is true, -i means it is false):\n{lines}")

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[bool]:
        """WalkSAT (noise 0.5) from the majority-polarity assignment, 10 flips per variable at most."""
        n, clauses = data["n"], data["clauses"]
        score = [0] * (n + 1)
        occurs: list[list[int]] = [[] for _ in range(n + 1)]
        for number, clause in enumerate(clauses):
            for lit in clause:
                score[abs(lit)] += 1 if lit > 0 else -1
                occurs[abs(lit)].append(number)
        values = [False] + [score[v] > 0 if score[v] else rng.random() < 0.5 for v in range(1, n + 1)]
        true_count = [sum(values[abs(lit)] == (lit > 0) for lit in clause) for clause in clauses]
        unsatisfied = {number for number, count in enumerate(true_count) if count == 0}

        def flip(var: int) -> None:
            values[var] = not values[var]
            for number in occurs[var]:
                made_true = any(abs(lit) == var and values[var] == (lit > 0) for lit in clauses[number])
                true_count[number] += 1 if made_true else -1
                if true_count[number] == 0:
                    unsatisfied.add(number)
                else:
                    unsatisfied.discard(number)

        def breaks(var: int) -> int:  # clauses that only this variable satisfies
            return sum(true_count[c] == 1 and any(abs(lit) == var and values[var] == (lit > 0)
                                                  for lit in clauses[c]) for c in occurs[var])

        for _ in range(10 * n):
            if not unsatisfied:
                break
            clause = clauses[rng.choice(sorted(unsatisfied))]
            var = abs(rng.choice(clause)) if rng.random() < 0.5 else min((abs(lit) for lit in clause), key=breaks)
            flip(var)
        return values[1:]

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[bool]:
        return [rng.random() < 0.5 for _ in range(data["n"])]


def _all_satisfied(values: list[bool], clauses: list[list[int]]) -> bool:
    """Whether every clause has a true literal under ``values``, by two lookup lists (the value of variable v at
    ``true_at[v]``, of its negation at ``false_at[v]``): twice as fast as a set of true literals. False also for
    clauses it cannot read (not three literals within +-n, possible only in hand-made data), which the caller then
    grades by the set."""
    true_at, false_at = [False, *values], [False, *map(operator.not_, values)]
    try:
        for a, b, c in clauses:
            if not ((true_at[a] if a > 0 else false_at[-a]) or (true_at[b] if b > 0 else false_at[-b])
                    or (true_at[c] if c > 0 else false_at[-c])):
                return False
    except (TypeError, ValueError, IndexError):
        return False
    return True


register(ThreeSat())
