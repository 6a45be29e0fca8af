"""Median generate / verify / solve time and rendered size per problem at levels 1, mid, top, 2x and 10x top size.

Usage: python benchmarks/engine_speed.py [--problems all] [--repeats 5] [--time-limit 10] [--no-solve-at 10x]
Prints a Markdown table. Solve times at large sizes are bounded by --time-limit; the status column counts
sat / unsat / unknown over the repeats so a time-out is visible rather than hidden in a median.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))  # benchmarks are scripts, run from anywhere

import npgym  # noqa: E402

from scale import benchmark_levels, chosen_problems  # noqa: E402


def timed(function, *args, **kwargs):
    started = time.perf_counter()
    value = function(*args, **kwargs)
    return value, time.perf_counter() - started


def fmt(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f}µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f}ms"
    return f"{seconds:.2f}s"


def measure(problem_id: str, level: int, repeats: int, time_limit: float, solve: bool) -> dict:
    gen, ver, sol, chars, statuses = [], [], [], [], Counter()
    for seed in range(repeats):
        instance, seconds = timed(npgym.generate, problem_id, level, seed)
        gen.append(seconds)
        verdict, seconds = timed(npgym.verify, instance, {"solution": instance.certificate})
        assert verdict.ok, (problem_id, level, seed, verdict)
        ver.append(seconds)
        chars.append(len(npgym.render(instance)))
        if solve:
            result, seconds = timed(npgym.solve, instance, time_limit)
            sol.append(seconds)
            statuses[result.status] += 1
    return {"gen": statistics.median(gen), "ver": statistics.median(ver),
            "sol": statistics.median(sol) if sol else None, "chars": int(statistics.median(chars)),
            "status": "/".join(f"{k}:{v}" for k, v in sorted(statuses.items())) or "skipped"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", default="all")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--no-solve-at", default="", help="comma list of level names not to solve, e.g. 10x")
    args = parser.parse_args()
    problems = chosen_problems(args.problems)
    skip = set(filter(None, args.no_solve_at.split(",")))
    print("| problem | level | L | generate | verify | solve | solver status | chars |")
    print("|---|---|---|---|---|---|---|---|")
    for problem_id in problems:
        for name, level in benchmark_levels(problem_id).items():
            row = measure(problem_id, level, args.repeats, args.time_limit, name not in skip)
            solve = fmt(row["sol"]) if row["sol"] is not None else "-"
            print(f"| {problem_id} | {name} | {level} | {fmt(row['gen'])} | {fmt(row['ver'])} | {solve} "
                  f"| {row['status']} | {row['chars']} |", flush=True)


if __name__ == "__main__":
    main()
