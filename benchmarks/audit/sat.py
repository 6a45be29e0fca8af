"""Local search for clause problems: WalkSAT for CNF (3-SAT, hitting string) and its not-all-equal
variant for set splitting."""

from __future__ import annotations

import random
from typing import Any

from .budget import Deadline

NOISE = 0.5


def walksat(n: int, clauses: list[list[int]], deadline: Deadline, rng: random.Random) -> list[bool] | None:
    """WalkSAT/SKC (noise 0.5, freebie moves first), restarted every 100 n flips; a model or None.

    ``clauses`` hold signed literals over variables 1..n.
    """
    occurs: list[list[int]] = [[] for _ in range(2 * n + 2)]  # occurs[n + lit]: clauses holding literal lit
    for number, clause in enumerate(clauses):
        for lit in clause:
            occurs[n + lit].append(number)
    while not deadline.over():
        value = [False] + [rng.random() < 0.5 for _ in range(n)]
        true_count = [sum(value[abs(lit)] == (lit > 0) for lit in clause) for clause in clauses]
        unsat = [c for c, t in enumerate(true_count) if t == 0]
        where = {c: i for i, c in enumerate(unsat)}

        # this restart's state, bound explicitly: the helper is called only within this iteration
        def drop(c: int, unsat: list[int] = unsat, where: dict[int, int] = where) -> None:
            i = where.pop(c)
            last = unsat.pop()
            if last != c:
                unsat[i] = last
                where[last] = i

        for step in range(100 * n):
            if not unsat:
                return value[1:]
            if step % 256 == 0 and deadline.over():
                return None
            clause = clauses[unsat[rng.randrange(len(unsat))]]
            breaks = []
            for lit in clause:
                var = abs(lit)
                satisfied = n + (var if value[var] else -var)  # the literal of var that is now true
                breaks.append(sum(true_count[c] == 1 for c in occurs[satisfied]))
            least = min(breaks)
            if least == 0 or rng.random() >= NOISE:
                var = abs(clause[rng.choice([i for i, b in enumerate(breaks) if b == least])])
            else:
                var = abs(rng.choice(clause))
            now_true = n + (-var if value[var] else var)
            now_false = n + (var if value[var] else -var)
            value[var] = not value[var]
            for c in occurs[now_true]:
                true_count[c] += 1
                if true_count[c] == 1:
                    drop(c)
            for c in occurs[now_false]:
                true_count[c] -= 1
                if true_count[c] == 0:
                    where[c] = len(unsat)
                    unsat.append(c)
    return None


def nae_walksat(n: int, subsets: list[list[int]], deadline: Deadline, rng: random.Random) -> list[int] | None:
    """WalkSAT for 2-colouring a hypergraph (no subset monochromatic), with restarts; a colouring or None."""
    holders: list[list[int]] = [[] for _ in range(n)]
    for number, subset in enumerate(subsets):
        for e in subset:
            holders[e].append(number)
    sizes = [len(s) for s in subsets]
    while not deadline.over():
        colour = [rng.randrange(2) for _ in range(n)]
        ones = [sum(colour[e] for e in s) for s in subsets]
        bad = [s for s in range(len(subsets)) if ones[s] in (0, sizes[s])]
        where = {s: i for i, s in enumerate(bad)}

        # this restart's state, bound explicitly: the helper is called only within this iteration
        def update(s: int, ones: list[int] = ones, bad: list[int] = bad, where: dict[int, int] = where) -> None:
            mono = ones[s] in (0, sizes[s])
            if mono and s not in where:
                where[s] = len(bad)
                bad.append(s)
            elif not mono and s in where:
                i = where.pop(s)
                last = bad.pop()
                if last != s:
                    bad[i] = last
                    where[last] = i

        for step in range(100 * n):
            if not bad:
                return colour
            if step % 256 == 0 and deadline.over():
                return None
            subset = subsets[bad[rng.randrange(len(bad))]]
            breaks = [sum(1 for s in holders[e] if ones[s] == (1 if colour[e] else sizes[s] - 1)) for e in subset]
            least = min(breaks)
            if least == 0 or rng.random() >= NOISE:
                e = subset[rng.choice([i for i, b in enumerate(breaks) if b == least])]
            else:
                e = rng.choice(subset)
            colour[e] ^= 1
            for s in holders[e]:
                ones[s] += 1 if colour[e] else -1
                update(s)
    return None


def three_sat_walksat(data: dict[str, Any], deadline: Deadline, rng: random.Random):
    return walksat(data["n"], data["clauses"], deadline, rng)


def hitting_string_clauses(data: dict[str, Any]) -> list[list[int]]:
    """Each pattern as a clause: position i fixed to bit b is the literal x_{i+1} = b."""
    return [[i + 1 if bit == "1" else -(i + 1) for i, bit in enumerate(p) if bit != "*"] for p in data["patterns"]]


def hitting_string_walksat(data: dict[str, Any], deadline: Deadline, rng: random.Random):
    model = walksat(data["n"], hitting_string_clauses(data), deadline, rng)
    return None if model is None else "".join("1" if v else "0" for v in model)


def set_splitting_walksat(data: dict[str, Any], deadline: Deadline, rng: random.Random):
    return nae_walksat(data["n"], data["subsets"], deadline, rng)
