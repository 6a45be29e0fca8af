"""How often a uniformly random answer is accepted, per problem and level: the levels it makes degenerate.

Usage (from the repository root): python -m benchmarks.random_floor [--levels 1,2,3] [--count 60] [--seed 11]
    [--over 0.05] [--markdown benchmarks/results/random_floor.md]

For each level, a yes-only test set of ``--count`` distinct instances (fewer where the level has fewer)
gets one answer from the problem's ``random_answer`` each. Levels where more than ``--over`` of those
answers are accepted are marked: a model that guesses scores there without reasoning. These are the
reference's small sizes (levels 1..top keep them so results compare); the board reports accuracy per
level, so such a level shows as one a random guess already passes.
"""

from __future__ import annotations

import argparse
import random
import warnings
from pathlib import Path

import npgym
from npgym.testset import ShortfallWarning, generate_testset


def accepted_share(problem_id: str, level: int, count: int, seed: int) -> tuple[int, int]:
    """(random answers accepted, instances) at one level."""
    problem = npgym.get_problem(problem_id)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortfallWarning)
        instances = list(generate_testset([problem_id], [level], seed=seed, count=count, allow_fewer=True))
    accepted = sum(npgym.verify(instance, {"solution": problem.random_answer(instance.data, random.Random(i))}).ok
                   for i, instance in enumerate(instances))
    return accepted, len(instances)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--levels", default="1,2,3")
    parser.add_argument("--count", type=int, default=60)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--over", type=float, default=0.05, help="mark levels above this accepted share")
    parser.add_argument("--markdown", help="write the table here")
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    lines = ["| problem | " + " | ".join(f"level {level}" for level in levels) + " |",
             "|---|" + "---|" * len(levels)]
    for problem_id in npgym.problem_ids():
        cells = []
        for level in levels:
            accepted, total = accepted_share(problem_id, level, args.count, args.seed)
            cell = f"{accepted}/{total}"
            cells.append(f"**{cell}**" if total and accepted / total > args.over else cell)
        lines.append(f"| {problem_id} | " + " | ".join(cells) + " |")
        print(lines[-1], flush=True)
    table = (f"Random answers accepted (one per instance, yes-only sets of up to {args.count}, seed {args.seed}); "
             f"bold: more than {args.over:.0%}.\n\n" + "\n".join(lines) + "\n")
    if args.markdown:
        Path(args.markdown).write_text(table, encoding="utf-8")


if __name__ == "__main__":
    main()
