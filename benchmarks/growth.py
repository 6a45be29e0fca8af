"""Linear growth past the top (issue 17, item 5): prompt characters and generation + rendering time per level.

Usage: python benchmarks/growth.py [--problems all] [--steps 20] [--seeds 3]
For each problem, the levels top + 1, top + 1 + steps and top + 1 + 2 * steps (past the top, where the ``beyond``
rules apply): the median prompt length over the seeds, the increment ratio (the second span's growth over the
first: about 1 for linear growth, about 3 for prompts quadratic in the level), and generation plus rendering CPU
microseconds per prompt character (flat when time is proportional to the rendered size). Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the checkout's packages, run from anywhere

import npgym  # noqa: E402
from npgym.growth import growth_levels, increment_ratio, prompt_chars  # noqa: E402


def timed_chars(problem_id: str, level: int, seed: int) -> tuple[int, float]:
    started = time.process_time()
    chars = prompt_chars(problem_id, level, seed)
    return chars, time.process_time() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--problems", default="all")
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--seeds", type=int, default=3)
    args = parser.parse_args()
    problems = npgym.problem_ids() if args.problems == "all" else args.problems.split(",")
    print(f"load {os.getloadavg()[0]:.2f}; CPU time of generate + render per level (median of {args.seeds} seeds)\n")
    print("| problem | levels | prompt chars | increment ratio | us per char |")
    print("|---|---|---|---|---|")
    for problem_id in problems:
        levels = growth_levels(problem_id, args.steps)
        chars, per_char = [], []
        for level in levels:
            runs = [timed_chars(problem_id, level, seed) for seed in range(args.seeds)]
            chars.append(statistics.median(c for c, _ in runs))
            per_char.append(statistics.median(1e6 * s / c for c, s in runs))
        print(f"| {problem_id} | {', '.join(map(str, levels))} | {', '.join(f'{c:,.0f}' for c in chars)} | "
              f"{increment_ratio(chars):.2f} | {', '.join(f'{u:.1f}' for u in per_char)} |", flush=True)


if __name__ == "__main__":
    main()
