"""Adaptive ceiling search against the full grid: calls used, ceiling error, interval coverage.

Usage (from the repository root): PYTHONPATH=. python benchmarks/adaptive.py [--problems core] [--replicates 1]
[--baselines heuristic,random]

* **Synthetic models** (``baseline/synthetic:ceiling=C,slope=S``) with known curves: every (ceiling,
  slope) of the sweep below, ceilings above the reference top (10) included, on every problem. The
  adaptive run goes through the real pipeline (``npsolver.run_adaptive``: instances, prompts, the
  runner, grading, the store, the decision log) with the defaults (budget 180, width 1, batch 10).
  The grid is the reference protocol, 10 levels x 3 seeds x 30 instances = 900 calls per problem:
  its answers are the synthetic model's own decisions (``answers_correctly``, the function its
  adapter answers with; the tests check that grading agrees), fitted with the same estimator
  (``npeval.adaptive``'s prior) and also scored with the board's integer ceiling (highest level with
  accuracy >= 50% at every level up to it). The truth is the curve's 50% crossing.
* **Built-in baselines**: an adaptive run and a real 900-call grid run per problem, both fitted.
* **Misspecified curves** are shown apart, not part of the criterion: the synthetic model guesses
  right 15% of the time at every level, which the logistic model does not allow for.

Prints Markdown tables and the machine load.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

CEILINGS = (2.5, 6.0, 9.5, 13.0, 17.0)
SLOPES = (0.6, 1.2, 2.5)
MISSPECIFIED = ((6.0, 1.2, 0.15), (13.0, 1.2, 0.15))
GRID_LEVELS, GRID_SEEDS, GRID_COUNT = tuple(range(1, 11)), (0, 1, 2), 30
GRID_CALLS = len(GRID_LEVELS) * len(GRID_SEEDS) * GRID_COUNT


def synthetic_model(ceiling: float, slope: float, floor: float = 0.0, seed: int = 0) -> str:
    spec = f"baseline/synthetic:ceiling={ceiling:g},slope={slope:g}"
    return spec + (f",floor={floor:g}" if floor else "") + (f",seed={seed}" if seed else "")


def grid_instances(problems: list[str]) -> dict[str, list]:
    from npsolver.plan import generate_targets

    return {problem: generate_targets([problem], list(GRID_LEVELS), list(GRID_SEEDS), GRID_COUNT)
            for problem in problems}


def fit(problem: str, counts: dict[int, tuple[int, int]]) -> dict[str, float]:
    from npeval.adaptive import DEFAULT_MAX_LEVEL, _reference_top
    from npsolver.ceiling import Posterior, Prior

    return Posterior(Prior(top=_reference_top(problem), max_level=DEFAULT_MAX_LEVEL), counts).summary().to_dict()


def integer_ceiling(counts: dict[int, tuple[int, int]]) -> int:
    """The board's ceiling: the highest level L with accuracy >= 50% at every level up to L."""
    level = 0
    for candidate in sorted(counts):
        correct, attempts = counts[candidate]
        if correct < 0.5 * attempts:
            break
        level = candidate
    return level


def synthetic_grid(model: str, instances: list) -> dict[int, tuple[int, int]]:
    from npsolver.synthetic import answers_correctly, parse_spec

    curve = parse_spec(model)
    counts: dict[int, tuple[int, int]] = {}
    for instance in instances:
        correct, attempts = counts.get(instance.level, (0, 0))
        counts[instance.level] = (correct + answers_correctly(model, curve, instance, 0), attempts + 1)
    return counts


def adaptive(model: str, problems: list[str], store: Path, **options) -> dict[str, dict]:
    from npsolver import run_adaptive

    result = run_adaptive(model, store, problems=problems, progress=False, **options)
    if not result.complete:
        raise RuntimeError(f"{model}: the adaptive run did not finish ({result.stopped})")
    return {p: {**o.posterior, "calls": o.calls, "stop": o.stop_reason} for p, o in result.outcomes.items()}


def synthetic_rows(problems: list[str], grids: dict[str, list], folder: Path, curves) -> list[dict]:
    from npsolver.synthetic import parse_spec

    rows = []
    for number, (ceiling, slope, floor, seed) in enumerate(curves):
        model = synthetic_model(ceiling, slope, floor, seed)
        truth = parse_spec(model).crossing
        started = time.perf_counter()
        found = adaptive(model, problems, folder / f"synthetic-{number}.sqlite")
        for problem in problems:
            counts = synthetic_grid(model, grids[problem])
            grid = fit(problem, counts)
            a = found[problem]
            rows.append({"ceiling": ceiling, "slope": slope, "floor": floor, "problem": problem, "truth": truth,
                         "calls": a["calls"], "error": a["ceiling"] - truth,
                         "covered": a["ci_low"] <= truth <= a["ci_high"],
                         "width": a["ci_high"] - a["ci_low"], "stop": a["stop"], "grid_error": grid["ceiling"] - truth,
                         "grid_covered": grid["ci_low"] <= truth <= grid["ci_high"],
                         "grid_width": grid["ci_high"] - grid["ci_low"],
                         "board_error": integer_ceiling(counts) - truth})
        print(f"  {model}: {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    return rows


def share(values) -> str:
    values = list(values)
    return f"{100 * sum(values) / len(values):.0f}%"


def synthetic_table(rows: list[dict]) -> str:
    lines = ["| ceiling | slope | floor | pairs | calls (mean, max) | % of grid | adaptive: within 1 | coverage | "
             "mean abs error | mean width | grid fit: within 1 | coverage | mean width | board ceiling: within 1 |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    keys = sorted({(r["ceiling"], r["slope"], r["floor"]) for r in rows})
    for key in keys + ["all"]:
        group = [r for r in rows if key == "all" or (r["ceiling"], r["slope"], r["floor"]) == key]
        label = "**all**" if key == "all" else " | ".join(f"{v:g}" for v in key)
        label += " | |" if key == "all" else ""
        calls = [r["calls"] for r in group]
        lines.append(
            f"| {label} | {len(group)} | {statistics.mean(calls):.0f}, {max(calls)} | "
            f"{100 * statistics.mean(calls) / GRID_CALLS:.1f}% | {share(abs(r['error']) <= 1 for r in group)} | "
            f"{share(r['covered'] for r in group)} | {statistics.mean(abs(r['error']) for r in group):.2f} | "
            f"{statistics.mean(r['width'] for r in group):.2f} | "
            f"{share(abs(r['grid_error']) <= 1 for r in group)} | {share(r['grid_covered'] for r in group)} | "
            f"{statistics.mean(r['grid_width'] for r in group):.2f} | "
            f"{share(abs(r['board_error']) <= 1 for r in group)} |")
    return "\n".join(lines)


def baseline_rows(models: list[str], problems: list[str], folder: Path, max_level: int) -> list[dict]:
    from npsolver import run_model
    from npsolver.store import Store

    rows = []
    for model in models:
        started = time.perf_counter()
        store = folder / f"{model.replace('/', '_')}.sqlite"
        found = adaptive(model, problems, store, max_level=max_level)
        grid_run = run_model(model, store, problems=problems, levels=list(GRID_LEVELS), seeds=list(GRID_SEEDS),
                             count=GRID_COUNT, progress=False)
        with Store(store) as opened:
            records = [r for r in opened.run_records(grid_run.run_id) if r.status.final]
        for problem in problems:
            counts: dict[int, tuple[int, int]] = {}
            for record in (r for r in records if r.problem == problem):
                correct, attempts = counts.get(record.level, (0, 0))
                counts[record.level] = (correct + (record.correct or 0), attempts + 1)
            grid = fit(problem, counts)
            rows.append({"model": model, "problem": problem, "adaptive": found[problem], "grid": grid,
                         "grid_calls": sum(n for _, n in counts.values()), "board": integer_ceiling(counts)})
        print(f"  {model}: {time.perf_counter() - started:.0f}s", file=sys.stderr, flush=True)
    return rows


def baseline_table(rows: list[dict]) -> str:
    lines = ["| model | problem | adaptive ceiling [95%] | calls | stop | grid fit [95%] | grid calls | "
             "board ceiling |",
             "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        a, g = r["adaptive"], r["grid"]
        lines.append(f"| {r['model']} | {r['problem']} | {a['ceiling']:.2f} [{a['ci_low']:.2f}, {a['ci_high']:.2f}] | "
                     f"{a['calls']} | {a['stop']} | {g['ceiling']:.2f} [{g['ci_low']:.2f}, {g['ci_high']:.2f}] | "
                     f"{r['grid_calls']} | {r['board']} |")
    return "\n".join(lines)


def main() -> int:
    from npgym.cliargs import problem_list

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--problems", type=problem_list, default=problem_list("core"))
    parser.add_argument("--replicates", type=int, default=1, help="independent replicates of every curve (seed=N)")
    parser.add_argument("--baselines", default="heuristic,random", help="built-in baselines to compare ('' = none)")
    parser.add_argument("--baseline-problems", type=problem_list,
                        default=problem_list("three_sat,vertex_cover,three_colouring,bandwidth"))
    parser.add_argument("--baseline-max-level", type=int, default=40)
    args = parser.parse_args()
    started, load = time.perf_counter(), os.getloadavg()
    print(f"# Adaptive ceiling search vs the {GRID_CALLS}-call grid\n\nMachine: {os.cpu_count()} cores, load average "
          f"{load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} (1 / 5 / 15 min) at the start.\n")
    grids = grid_instances(args.problems)
    curves = [(c, s, 0.0, seed) for seed in range(args.replicates) for c in CEILINGS for s in SLOPES]
    with tempfile.TemporaryDirectory() as folder:
        rows = synthetic_rows(args.problems, grids, Path(folder), curves)
        print(f"## Synthetic models with known curves ({len(rows)} (model, problem) pairs, "
              f"{len(args.problems)} problems)\n")
        print(synthetic_table(rows))
        wrong = synthetic_rows(args.problems, grids, Path(folder), [(c, s, f, 0) for c, s, f in MISSPECIFIED])
        print("\n## Misspecified curves (a 15% guessing floor the logistic model lacks; not in the criterion)\n")
        print(synthetic_table(wrong))
        models = [f"baseline/{name}" for name in args.baselines.split(",") if name]
        if models:
            print(f"\n## Built-in baselines (adaptive max level {args.baseline_max_level})\n")
            print(baseline_table(baseline_rows(models, args.baseline_problems, Path(folder), args.baseline_max_level)))
    load = os.getloadavg()
    print(f"\nWall time {time.perf_counter() - started:.0f}s; load average {load[0]:.1f} / {load[1]:.1f} / "
          f"{load[2]:.1f} at the end.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
