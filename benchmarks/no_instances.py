"""Where do solver-proved no-instances exist, and what do they cost? One row per problem.

Usage: python benchmarks/no_instances.py [--problems all] [--count 5] [--time-limit 10] [--levels 1,mid,top,2x]
For each problem and level, asks the engine for ``count`` no-instances (seeds 0..count-1) and prints
made/asked, the mean number of candidates the engine drew per made instance, and the seconds it took.
"n/a" means the problem has no no-instance construction at that size (ParamError), "fail" counts
GenerationError (no candidate proved unsatisfiable within the engine's attempts or time limit).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import npgym  # noqa: E402
from npgym.cards import ParamError  # noqa: E402
from npgym.engine import GenerationError  # noqa: E402

from scale import benchmark_levels, chosen_problems  # noqa: E402


def no_cell(problem_id: str, level: int, count: int, time_limit: float) -> str:
    made, attempts, failed = 0, 0, 0
    started = time.perf_counter()
    for seed in range(count):
        try:
            instance = npgym.generate(problem_id, level, seed, label="no", time_limit=time_limit)
        except ParamError:
            return "n/a"
        except GenerationError:
            failed += 1
            continue
        made += 1
        attempts += instance.meta.get("attempts", 1)
    seconds = time.perf_counter() - started
    mean = f"{attempts / made:.1f}" if made else "-"
    fail = f", fail {failed}" if failed else ""
    return f"L{level}: {made}/{count} ({mean} cand., {seconds:.1f}s{fail})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--problems", default="all")
    parser.add_argument("--count", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--levels", default="1,mid,top,2x", help="names from 1,mid,top,2x,10x or level numbers")
    args = parser.parse_args()
    problems = chosen_problems(args.problems)
    names = args.levels.split(",")
    print(f"No-instances made / asked (mean candidates per instance, seconds), solver limit {args.time_limit}s\n")
    print("| problem | " + " | ".join(names) + " |")
    print("|---|" + "---|" * len(names))
    for problem_id in problems:
        named = benchmark_levels(problem_id)
        cells = [no_cell(problem_id, named[name] if name in named else int(name), args.count, args.time_limit)
                 for name in names]
        print(f"| {problem_id} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
