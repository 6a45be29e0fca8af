"""Set-system helpers shared by the set problems (exact cover by 3-sets, 3-dimensional matching,
set packing, minimum cover): dealing balanced random blocks, the exact-cover verifier, solver and MRV
search, and rendering subsets.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Sequence
from itertools import chain
from typing import Any

from npgym import checks, draws
from npgym.problem import SolveResult
from npgym.solvers import run_cp
from npgym.verdict import CONSTRAINT

REPAIR_SWAPS = 200   # swaps tried to fix one block before falling back to a fresh random block
FRESH_DRAWS = 20     # fresh random blocks tried by the fallback
SEARCH_NODES = 2000  # node budget of the MRV backtracking heuristic


def element_holders(n: int, subsets: list[list[int]]) -> list[list[int]]:
    """For each element 0..n-1, the indices of the subsets that contain it."""
    holders: list[list[int]] = [[] for _ in range(n)]
    for index, subset in enumerate(subsets):
        for element in subset:
            holders[element].append(index)
    return holders


def balanced_slots(rng: random.Random, n: int, count: int, lacking: Sequence[int] = ()) -> list[int]:
    """``count`` element occurrences over ``0..n-1`` spread as evenly as possible.

    Elements in ``lacking`` (those one occurrence short of the others, e.g. not covered by a
    planted solution) are served first, so that afterwards all degrees differ by at most one.
    """
    first = list(lacking)
    draws.shuffle(rng, first)  # npgym.draws: the draws of rng.shuffle and rng.sample, in fewer calls
    slots = first[:count]
    full, extra = divmod(count - len(slots), n)
    slots += list(range(n)) * full + draws.sample(rng, range(n), extra)
    return slots


def deal_blocks(rng: random.Random, n: int, slots: list[int], sizes: list[int],
                taken: set[tuple[int, ...]]) -> list[list[int]]:
    """Cut the shuffled multiset ``slots`` into blocks of the given ``sizes`` (configuration model).

    Each block must hold distinct elements and differ from every other block and from ``taken``.
    A bad block is repaired by swaps of one of its elements with an element of another block that
    each remove a flaw (this keeps every element's degree); only if a bounded number of swaps fails
    does it get a fresh random block instead. The result is sorted blocks; ``taken`` is extended with their keys.
    """
    pool = list(slots)
    draws.shuffle(rng, pool)  # npgym.draws: rng's own draws, in fewer calls
    starts = [0]
    for size in sizes:
        starts.append(starts[-1] + size)
    blocks = [pool[starts[i]:starts[i + 1]] for i in range(len(sizes))]
    keys: list[tuple[int, ...] | None] = [None] * len(blocks)

    def fine(block: list[int], old_key: tuple[int, ...] | None) -> bool:
        key = tuple(sorted(block))
        return len(set(block)) == len(block) and (key == old_key or key not in taken)

    def flaws(block: list[int]) -> int:  # repeated elements, or 1 for a block listed already
        repeats = len(block) - len(set(block))
        return repeats if repeats else int(tuple(sorted(block)) in taken)

    for b, block in enumerate(blocks):
        key = tuple(sorted(block))
        if len(set(key)) < len(key) or key in taken:  # a flawed block: repair it (most blocks are fine)
            for _ in range(REPAIR_SWAPS):
                before = flaws(block)
                if not before or len(blocks) < 2:
                    break
                i = draws.below(rng, len(block))
                c = draws.below(rng, len(blocks) - 1)
                c += c >= b
                other = blocks[c]
                j = draws.below(rng, len(other))
                block[i], other[j] = other[j], block[i]
                if flaws(block) < before and (keys[c] is None or fine(other, keys[c])):
                    if keys[c] is not None:
                        taken.discard(keys[c])
                        other.sort()
                        key = keys[c] = tuple(other)
                        taken.add(key)
                else:
                    block[i], other[j] = other[j], block[i]
            if not fine(block, None):
                for _ in range(FRESH_DRAWS):
                    block[:] = draws.sample(rng, range(n), len(block))
                    if fine(block, None):
                        break
        block.sort()
        key = keys[b] = tuple(block)
        taken.add(key)
    return blocks


def index_blocks(blocks: list[list[int]], keys: list | None = None) -> tuple[list[list[int]], list[int]]:
    """Sort ``blocks`` canonically; also return ``where[i]`` = the new index of old block ``i``. ``keys``, one per
    block, must order as the blocks do (say integer codes, which compare faster than lists)."""
    order = sorted(range(len(blocks)), key=(blocks if keys is None else keys).__getitem__)
    where = [0] * len(blocks)
    for new, old in enumerate(order):
        where[old] = new
    return [blocks[i] for i in order], where


def render_subsets(subsets: list[list[int]], label: str = "Subsets") -> str:
    """One subset per line as ``index: e1 e2 ...``."""
    lines = "\n".join(f"{i}: {' '.join(map(str, subset))}" for i, subset in enumerate(subsets))
    return f"{label} ({len(subsets)}, one per line as index: elements):\n{lines}"


def render_universe_and_bound(data: dict[str, Any]) -> str:
    """The prompt of a set problem with a bound k: the universe, the subsets, then k."""
    n = data["n"]
    return f"Universe: {n} elements numbered 0 to {n - 1}.\n{render_subsets(data['subsets'])}\nk = {data['k']}"


@functools.lru_cache(maxsize=16)
def universe(n: int) -> frozenset[int]:
    """The elements ``0..n-1`` as a set, built once per size: verifiers compare a cover with it on every answer."""
    return frozenset(range(n))


def check_exact_cover(n: int, blocks: list[list[int]], solution: Any, what: str = "subset",
                      name=str) -> None:
    """Reject unless ``solution`` lists distinct block indices covering ``0..n-1`` exactly once.

    ``what`` names a block and ``name(element)`` an element in the messages.
    """
    chosen = checks.int_list(solution, "solution", 0, len(blocks) - 1, distinct=True)
    covered = list(chain.from_iterable(map(blocks.__getitem__, chosen)))
    if len(covered) == n and set(covered) == universe(n):
        return  # n elements covering all n: each exactly once
    owner = [-1] * n
    for index in chosen:
        for element in blocks[index]:
            checks.require(owner[element] < 0, f"element {name(element)} is covered twice, by {what}s "
                           f"{owner[element]} and {index}", CONSTRAINT)
            owner[element] = index
    missing = [e for e in range(n) if owner[e] < 0]
    checks.require(not missing, f"element {name(missing[0]) if missing else ''} is not covered "
                   f"({len(missing)} elements uncovered)", CONSTRAINT)


def solve_exact_cover(n: int, blocks: list[list[int]], time_limit: float) -> SolveResult:
    """CP-SAT: a Boolean per block, exactly one chosen block per element."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    chosen = [model.new_bool_var(f"b{i}") for i in range(len(blocks))]
    containing = element_holders(n, blocks)
    for element in range(n):
        model.add_exactly_one(chosen[i] for i in containing[element])
    status, solver, effort, _ = run_cp(model, time_limit)
    certificate = None
    if status == "sat":
        certificate = [i for i, x in enumerate(chosen) if solver.boolean_value(x)]
    return SolveResult(status, certificate, None, effort)


def exact_cover_search(n: int, blocks: list[list[int]], rng: random.Random,
                       budget: int = SEARCH_NODES) -> list[int]:
    """MRV backtracking (Knuth's Algorithm X without dancing links) with a node budget.

    Branches on an uncovered element with the fewest live blocks. Returns an exact cover if one is
    found within ``budget`` nodes, else the largest partial selection seen (an invalid answer).
    """
    containing = element_holders(n, blocks)
    alive = [True] * len(blocks)
    live = [len(c) for c in containing]
    covered = [False] * n
    chosen: list[int] = []
    best: list[int] = []
    nodes = 0

    def search() -> bool:
        nonlocal nodes, best
        nodes += 1
        if len(chosen) > len(best):
            best = list(chosen)
        open_elements = [e for e in range(n) if not covered[e]]
        if not open_elements:
            return True
        if nodes > budget:
            return False
        fewest = min(live[e] for e in open_elements)
        if fewest == 0:
            return False
        element = rng.choice([e for e in open_elements if live[e] == fewest])
        options = [i for i in containing[element] if alive[i]]
        rng.shuffle(options)
        for i in options:
            killed = []
            for x in blocks[i]:
                covered[x] = True
                for c in containing[x]:
                    if alive[c]:
                        alive[c] = False
                        killed.append(c)
                        for y in blocks[c]:
                            live[y] -= 1
            chosen.append(i)
            if search():
                return True
            chosen.pop()
            for x in blocks[i]:
                covered[x] = False
            for c in killed:
                alive[c] = True
                for y in blocks[c]:
                    live[y] += 1
            if nodes > budget:
                return False
        return False

    return sorted(chosen) if search() else sorted(best)


# -- the problem ---------------------------------------------------------------------------------
