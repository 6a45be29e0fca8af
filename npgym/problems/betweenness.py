"""Betweenness (Garey & Johnson MS1).

Instance: a set of n elements and a collection of ordered triples (a, b, c) of distinct elements.
Question: is there a one-to-one ordering of the elements such that for every triple, b lies
between a and c (either a < b < c or c < b < a in the ordering)?

Schemas
    data         ``{"n": int, "triples": [[a, b, c], ...]}``; b is the middle element; a < c and
                 the list is sorted (the two outer elements play the same role)
    certificate  the n elements in order, first to last: a permutation of 0..n-1
    objective    none

Generation: a hidden random ordering; each triple is a random 3-set of elements (distinct 3-sets,
every element in as many of them as any other, give or take one) whose middle in the hidden ordering
becomes b. Element ids are the hidden ordering shuffled, and
the triples are listed in canonical sorted form, so neither ids nor order point at the ordering.

Hardness: the reference ladder stops at 8 elements and 6 triples (a random guess solves about one
in twenty). Levels 1..6 keep those numbers; past them elements grow by 4 per level with 1.4 triples
per element, near the threshold where balanced random instances stop being satisfiable (measured:
about 1.3 at 12 elements, 1.4 at 24, 1.55 at 48), which is where local search needs the most moves.
The exact solver proves such instances infeasible in well under a second up to about 24 elements and
in 2-7 s at 36-48; beyond that no-instances stop.

No-instances (version 2): distinct random 3-sets of the same count, exactly as for yes-instances, each
with a uniformly random middle, proved infeasible by CP-SAT. Version 1 drew triples independently, so
small no-instances held one 3-set twice with two different middles, a contradiction no yes-instance
could show (0.94 accuracy at level 3 from that count alone). With distinct 3-sets levels 1 and 2 have
no no-instance at all (one triple, or two distinct triples on 4 elements, are always satisfiable); from
level 3 on the contradictions need three or more triples.

Version 3: the 3-sets have balanced element degrees (version 2 drew them uniformly, and the
solver-proved no-instances were those whose least-used element sat in several triples: its degree told
yes from no at 0.73-0.78 at levels 6 and 8), and a mixed test set draws its yes-instances like its
no-instances (random middles), certified by the solver (:attr:`Problem.yes_from_no_candidates`):
planted instances never put the ends of the hidden ordering in the middle.

Solver: CP-SAT with a position per element, all different, and one Boolean per triple choosing the
direction a < b < c or c < b < a.
"""

from __future__ import annotations

import math
import random
from typing import Any

from npgym import checks, draws
from npgym.problem import Planted, Problem, SolveResult, require_param
from npgym.registry import register
from npgym.setsystems import balanced_slots, deal_blocks
from npgym.solvers import run_cp
from npgym.verdict import CONSTRAINT, Reject

NEVER_MIDDLE_SHARE = 0.25  # the share of elements a no-candidate never makes a middle
ENUMERATE_BELOW = 2000  # with fewer 3-sets than this every one may be asked for, else at most half of them


class Betweenness(Problem):
    id = "betweenness"
    version = 3
    yes_from_no_candidates = True
    small_no_levels = (7, 8)  # below 1.4 triples per element (the reference levels) a no-instance is rare

    def check_params(self, params: dict[str, Any]) -> None:
        n, m = params["elements"], params["triples"]
        limit = math.comb(n, 3) if math.comb(n, 3) < ENUMERATE_BELOW else math.comb(n, 3) // 2
        require_param(m <= limit, f"triples must be at most {limit} for {n} elements, got {m}")

    def plant(self, rng: random.Random, params: dict[str, Any]) -> Planted:
        """Each 3-set's middle in the hidden order found by comparing three positions (a dealt 3-set is sorted and
        its elements distinct, so the outer two are in increasing order whichever is the middle)."""
        n = params["elements"]
        order = list(range(n))
        draws.shuffle(rng, order)  # rng.shuffle's draws (npgym.draws)
        position = [0] * n
        for place, element in enumerate(order):
            position[element] = place
        triples = []
        for x, y, z in _three_sets(rng, n, params["triples"]):
            px, py, pz = position[x], position[y], position[z]
            if px < py < pz or pz < py < px:
                triples.append([x, y, z])
            elif py < px < pz or pz < px < py:
                triples.append([y, x, z])
            else:
                triples.append([x, z, y])
        triples.sort()
        return Planted({"n": n, "triples": triples}, order)

    def no_candidate(self, rng: random.Random, params: dict[str, Any]) -> dict[str, Any]:
        """Distinct random 3-sets, as for yes-instances, with middles spread evenly: a random quarter of the
        elements (about as many as random middles would leave out at 1.4 triples per element) is never a
        middle, and each 3-set in turn takes as its middle one of its other elements that is the middle of the
        fewest triples so far (ties at random). How often an element is a middle then says nothing about the
        answer (with random middles, satisfiable instances had more elements that are never one)."""
        n, m = params["elements"], params["triples"]
        require_param(m >= 2, f"a single triple is always satisfiable: no-instances need triples >= 2, got {m}")
        outer = set(rng.sample(range(n), max(2, round(NEVER_MIDDLE_SHARE * n))))
        middles = [0] * n
        trios = _three_sets(rng, n, m)
        rng.shuffle(trios)
        triples = []
        for trio in trios:
            eligible = [e for e in trio if e not in outer] or list(trio)
            fewest = min(middles[e] for e in eligible)
            b = rng.choice([e for e in eligible if middles[e] == fewest])
            middles[b] += 1
            a, c = (e for e in trio if e != b)
            triples.append(_canonical(a, b, c))
        return {"n": n, "triples": sorted(triples)}

    def counting_refutes(self, data: dict[str, Any]) -> bool:
        """The first and the last element of any ordering are the middle of no triple, so an instance in which
        fewer than two elements are never a middle has no ordering: a give-away no."""
        middles = {b for _, b, _ in data["triples"]}
        return data["n"] - len(middles) < 2

    def check(self, data: dict[str, Any], solution: Any) -> None:
        n = data["n"]
        order = checks.permutation(solution, "solution", n)
        position = [0] * n
        for place, element in enumerate(order):
            position[element] = place
        for a, b, c in data["triples"]:
            pa, pb, pc = position[a], position[b], position[c]
            if not (pa < pb < pc or pc < pb < pa):  # the message is formatted only for a wrong answer
                raise Reject(CONSTRAINT, f"triple {a} {b} {c}: {b} is not between {a} and {c}")
        return None

    def solve(self, data: dict[str, Any], time_limit: float) -> SolveResult:
        from ortools.sat.python import cp_model

        n = data["n"]
        model = cp_model.CpModel()
        position = [model.new_int_var(0, n - 1, f"p{e}") for e in range(n)]
        model.add_all_different(position)
        for number, (a, b, c) in enumerate(data["triples"]):
            forward = model.new_bool_var(f"d{number}")
            model.add(position[a] < position[b]).only_enforce_if(forward)
            model.add(position[b] < position[c]).only_enforce_if(forward)
            model.add(position[c] < position[b]).only_enforce_if(~forward)
            model.add(position[b] < position[a]).only_enforce_if(~forward)
        status, solver, effort, _ = run_cp(model, time_limit)
        certificate = None
        if status == "sat":
            certificate = sorted(range(n), key=lambda e: solver.value(position[e]))
        return SolveResult(status, certificate, None, effort)

    def render(self, data: dict[str, Any]) -> str:
        triples = data["triples"]
        return (f"Elements: 0 to {data['n'] - 1}\nTriples ({len(triples)}, one per line as a b c, "
                f"meaning b must lie between a and c):\n" + "\n".join(" ".join(map(str, t)) for t in triples))

    def heuristic(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        """Local search: move an element of a violated triple to its best slot; 20n moves from a random order."""
        n, triples = data["n"], data["triples"]
        involving: list[list[tuple[int, int, int]]] = [[] for _ in range(n)]
        for trio in triples:
            for element in trio:
                involving[element].append(tuple(trio))
        order = list(range(n))
        rng.shuffle(order)
        for _ in range(20 * n):
            position = {element: place for place, element in enumerate(order)}
            violated = [t for t in triples if not _between(position, *t)]
            if not violated:
                break
            moving = rng.choice(rng.choice(violated))
            rest = [element for element in order if element != moving]
            rank: dict[int, float] = {element: place for place, element in enumerate(rest)}
            best, slots = None, []
            for slot in range(n):  # moving goes before rest[slot]; slot n - 1 is the end
                rank[moving] = slot - 0.5
                cost = sum(not _between(rank, *t) for t in involving[moving])
                if best is None or cost < best:
                    best, slots = cost, [slot]
                elif cost == best:
                    slots.append(slot)
            slot = rng.choice(slots)
            order = rest[:slot] + [moving] + rest[slot:]
        return order

    def random_answer(self, data: dict[str, Any], rng: random.Random) -> list[int]:
        order = list(range(data["n"]))
        rng.shuffle(order)
        return order


def _between(position, a: int, b: int, c: int) -> bool:
    return min(position[a], position[c]) < position[b] < max(position[a], position[c])


def _canonical(a: int, b: int, c: int) -> list[int]:
    """The triple with its outer elements in increasing order."""
    return [a, b, c] if a < c else [c, b, a]


def _three_sets(rng: random.Random, n: int, m: int) -> list[list[int]]:
    """``m`` distinct 3-subsets of 0..n-1 in which the element degrees differ by at most one (configuration
    model), so that no element's count says anything about the answer."""
    return deal_blocks(rng, n, balanced_slots(rng, n, 3 * m), [3] * m, set())


register(Betweenness())
