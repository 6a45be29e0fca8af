"""How long npeval and the leaderboard take, and how much memory they use, as the board grows.

Writes synthetic stores (real SQLite, real npgym instances) of growing size, then times loading,
the analysis (bootstrap included) and the figures, and records peak memory. Run:

    python benchmarks/eval_report.py [--bootstrap 2000]
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from npeval.analysis import analyse
from npeval.data import load_board
from npeval.plots import all_figures
from npeval.synthetic import SyntheticSpec, write_synthetic_store

SIZES = ((3, 2, 5), (6, 4, 10), (10, 4, 30))  # models, levels, instances per (problem, level, seed)


def measure(models: int, levels: int, per_seed: int, n_boot: int, folder: Path) -> dict:
    spec = SyntheticSpec(models={f"m/{i}": 0.3 + 0.06 * i for i in range(models)},
                         problems=("vertex_cover", "three_sat", "three_colouring"), levels=tuple(range(1, levels + 1)),
                         seeds=(1, 2, 3), per_seed=per_seed, api_error_rate=0.02)
    store = write_synthetic_store(folder / f"store_{models}_{levels}_{per_seed}.sqlite", spec)
    started = time.perf_counter()
    board = load_board([store])
    loaded = time.perf_counter()
    analysis = analyse(board, n_boot=n_boot, seed=0)
    analysed = time.perf_counter()
    all_figures(analysis, folder / "plots")
    drawn = time.perf_counter()
    return {"records": len(board.records), "strata": len(analysis.cells) * 3, "load_s": loaded - started,
            "analyse_s": analysed - loaded, "plots_s": drawn - analysed,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bootstrap", type=int, default=2000)
    args = parser.parse_args()
    print(f"bootstrap replicates: {args.bootstrap}")
    print(f"{'records':>8} {'strata':>7} {'load s':>8} {'analyse s':>10} {'plots s':>8} {'peak RSS MB':>12}")
    with tempfile.TemporaryDirectory() as folder:
        for models, levels, per_seed in SIZES:
            row = measure(models, levels, per_seed, args.bootstrap, Path(folder))
            print(f"{row['records']:>8} {row['strata']:>7} {row['load_s']:>8.2f} {row['analyse_s']:>10.2f} "
                  f"{row['plots_s']:>8.2f} {row['peak_rss_mb']:>12.0f}")


if __name__ == "__main__":
    main()
