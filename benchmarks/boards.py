"""The synthetic boards behind the analysis benchmarks: the 108k-record board of issue 17 and a 1M-record one.

Usage: python benchmarks/boards.py [108k|1m] [--work DIR]
Writes the board's store into DIR (default /tmp/nppc-boards) unless it is already there, and prints its path.
Both use :mod:`npeval.synthetic` (real npgym instances, made-up answers): 108k is 10 models of skill 0.2-0.9 over
the 12 core problems, levels 1-10, seeds 42/53/64, 30 instances per seed, 1% API errors; 1m is the same recipe
over all 25 problems with 15 models and 3 samples per instance (1,012,500 records). Optima are proved with a
0.1 s solver limit per instance (an unproved optimum stays unknown, as on a real board).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from npeval.synthetic import SyntheticSpec, write_synthetic_store
from npgym.registry import problem_ids
from npgym.suites import CORE

WORK = Path("/tmp/nppc-boards")


def skills(count: int) -> dict[str, float]:
    """``count`` models with skills spread evenly over 0.2-0.9."""
    return {f"model/{index:02d}": round(0.2 + 0.7 * index / (count - 1), 4) for index in range(count)}


def board_spec(name: str) -> SyntheticSpec:
    common = dict(levels=tuple(range(1, 11)), seeds=(42, 53, 64), per_seed=30, api_error_rate=0.01,
                  optimum_time_limit=0.1, random_seed=17)
    if name == "108k":
        return SyntheticSpec(models=skills(10), problems=CORE, **common)
    if name == "1m":
        return SyntheticSpec(models=skills(15), problems=tuple(problem_ids()), samples=3, **common)
    raise ValueError(f"unknown board {name!r}; choose 108k or 1m")


def board_store(name: str, work: Path = WORK) -> Path:
    """The store of board ``name`` in ``work``, written first if it is not there yet."""
    path = work / f"board_{name}.sqlite"
    if not path.exists():
        work.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        for stale in work.glob(partial.name + "*"):
            stale.unlink()
        started = time.perf_counter()
        write_synthetic_store(partial, board_spec(name))
        partial.rename(path)
        print(f"wrote {path} in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("board", choices=["108k", "1m"])
    parser.add_argument("--work", type=Path, default=WORK)
    args = parser.parse_args()
    print(board_store(args.board, args.work))


if __name__ == "__main__":
    main()
