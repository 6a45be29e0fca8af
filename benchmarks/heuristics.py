"""How hard are the instances? The share solved by each problem's textbook heuristic and by a random answer.

Usage: python benchmarks/heuristics.py [--problems all] [--count 20] [--tight] [--time-limit 20]
For each problem, at levels 1, mid, top and 2x the top size, generates ``count`` yes-instances (seeds 0..count-1)
and prints the fraction the heuristic (and a random answer) gets accepted. With --tight every bound is first set
to the optimum the exact solver proves; instances whose optimum is not proved within the time limit are counted
in the 'unproved' column and left out of the fraction. The time the calibration took is printed per row.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import npgym  # noqa: E402
from npgym.engine import GenerationError  # noqa: E402

from scale import benchmark_levels, chosen_problems  # noqa: E402

LEVEL_NAMES = ("1", "mid", "top", "2x")


def solved_share(problem_id: str, level: int, count: int, tight: bool, time_limit: float):
    problem = npgym.get_problem(problem_id)
    heuristic = random_hits = total = unproved = 0
    started = time.perf_counter()
    for seed in range(count):
        try:
            instance = npgym.generate(problem_id, level, seed, tight=tight, time_limit=time_limit)
        except GenerationError:
            unproved += 1
            continue
        rng = random.Random(seed)
        total += 1
        heuristic += npgym.verify(instance, {"solution": problem.heuristic(instance.data, rng)}).ok
        random_hits += npgym.verify(instance, {"solution": problem.random_answer(instance.data, rng)}).ok
    return heuristic, random_hits, total, unproved, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", default="all")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--tight", action="store_true")
    parser.add_argument("--time-limit", type=float, default=20.0)
    args = parser.parse_args()
    problems = chosen_problems(args.problems)
    mode = "tight bounds" if args.tight else "default bounds"
    print(f"Heuristic (random) solved, {args.count} instances per cell, {mode}\n")
    print("| problem | " + " | ".join(f"L{name}" for name in LEVEL_NAMES) + " | unproved | seconds |")
    print("|---|" + "---|" * (len(LEVEL_NAMES) + 2))
    for problem_id in problems:
        levels = benchmark_levels(problem_id)
        cells, unproved_total, seconds_total = [], 0, 0.0
        for name in LEVEL_NAMES:
            hits, random_hits, total, unproved, seconds = solved_share(
                problem_id, levels[name], args.count, args.tight, args.time_limit)
            cells.append(f"{hits}/{total} ({random_hits})" if total else "n/a")
            unproved_total += unproved
            seconds_total += seconds
        print(f"| {problem_id} | " + " | ".join(cells) + f" | {unproved_total} | {seconds_total:.1f} |", flush=True)


if __name__ == "__main__":
    main()
