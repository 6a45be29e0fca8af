"""How many seconds of wall clock one unit of solver work takes on this machine, per back end.

    python benchmarks/solver_budget.py [--problems all] [--levels 2-5] [--seeds 3] [--time-limit 10]

Solver budgets (``time_limit``) are counted in work, not wall seconds (see :mod:`npgym.solvers`): CP-SAT's
deterministic time, Glucose's propagations and the number theory's search steps, each scaled by a constant
so that one unit is about one second on the reference machine. This measures the labelling solves a test
set makes (no-candidates and tight optima, the solves that need the budget) and prints, per back end,
the median wall seconds per unit of work over the solves that ran long enough to time (>= 0.05 s). A ratio
near 1 says the constants fit this machine; to re-calibrate, multiply the back end's constant by 1 / ratio.
A user predicts labelling time on their machine as (work of the test set) x (their ratio).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from npgym.cards import ParamError  # noqa: E402
from npgym.cliargs import int_list, problem_list  # noqa: E402
from npgym.engine import generate  # noqa: E402
from npgym.registry import get_problem  # noqa: E402

TIMED = 0.05  # shorter solves are mostly model building, not search


def solves(problem_id: str, level: int, seed: int, time_limit: float):
    """The efforts of one no-candidate's solve and one tight optimum's solve at (problem, level, seed)."""
    problem = get_problem(problem_id)
    instance = generate(problem_id, level, seed, 0)
    if problem.objective:
        yield problem.solve(instance.data, time_limit).effort
    try:
        candidate = problem.no_candidate(random.Random(f"budget:{problem_id}:{level}:{seed}"), instance.params)
    except ParamError:  # no no-instances at these parameters
        return
    if candidate is not None:
        yield problem.solve(candidate, time_limit).effort


def quantile(values: list[float], q: float) -> float:
    """The q-quantile of sorted ``values`` (nearest rank below)."""
    return values[min(len(values) - 1, int(q * len(values)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=problem_list, default=problem_list("all"))
    parser.add_argument("--levels", type=int_list, default=int_list("2-5"))
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at start")
    ratios: dict[str, list[float]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for problem_id in args.problems:
        for level in args.levels:
            for seed in range(args.seeds):
                for effort in solves(problem_id, level, seed, args.time_limit):
                    backend = effort.solver.split(" ")[0]
                    counts[backend] += 1
                    if effort.work and effort.seconds >= TIMED:
                        ratios[backend].append(effort.seconds / effort.work)
    print("\n| back end | solves | timed (>= 0.05 s) | wall s per unit: median | p10 | p90 |")
    print("|---|---|---|---|---|---|")
    for backend in sorted(counts):
        values = sorted(ratios[backend])
        if not values:
            print(f"| {backend} | {counts[backend]} | 0 | - | - | - |")
            continue
        print(f"| {backend} | {counts[backend]} | {len(values)} | {statistics.median(values):.2f} | "
              f"{quantile(values, 0.1):.2f} | {quantile(values, 0.9):.2f} |")
    print(f"\nload {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
