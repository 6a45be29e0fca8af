"""`nppc route eval` with every router and the default seeds on 1M records, in one call: wall time and peak RSS.

Usage: python benchmarks/route_eval.py [--queries 100000] [--models 5] [--samples 2] [--before /work/main]
       [--work /tmp/nppc-boards] [--timeout 1800] [--workers 1 2]
Writes the synthetic router dataset (``nprouter.synthetic``: queries x models x samples records) once into
``--work``, then runs the command in a fresh process from this checkout and, with ``--before``, from another
checkout (the code before a change) for comparison. Prints a Markdown table: wall and CPU seconds (all of the
command's processes), the largest process's peak RSS and the peak PSS of the whole process tree (the command
may fork workers; PSS counts the pages they share with it once).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import ROOT, machine_note, row, run_measured  # noqa: E402


def dataset_folder(queries: int, models: int, samples: int, work: Path) -> Path:
    from nprouter.schema import write_dataset
    from nprouter.synthetic import synthetic_dataset

    folder = work / f"router_{queries}x{models}x{samples}"
    if not (folder / "models.jsonl").exists():
        write_dataset(synthetic_dataset(n_queries=queries, n_models=models, n_families=8, n_samples=samples, seed=0),
                      folder)
    return folder


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=100_000)
    parser.add_argument("--models", type=int, default=5)
    parser.add_argument("--samples", type=int, default=2)
    parser.add_argument("--before", type=Path, help="another checkout to measure the same command in")
    parser.add_argument("--work", type=Path, default=Path("/tmp/nppc-boards"))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="nppc route eval --workers values to measure in turn (default 1, the command's default)")
    args = parser.parse_args()
    data = dataset_folder(args.queries, args.models, args.samples, args.work)
    records = args.queries * args.models * args.samples
    print(f"route eval, every router, default seeds, {records:,} records "
          f"({args.queries:,} queries x {args.models} models x {args.samples} samples); {machine_note()}\n")
    print(row(["code", "workers", "wall s", "CPU s", "peak RSS MB", "peak tree PSS MB", "load at end", "status"]))
    print(row(["---"] * 8))
    runs = [("this checkout", ROOT, ["--workers", str(n)]) for n in args.workers]
    if args.before:
        runs.append(("before", args.before, []))  # the code before --workers existed takes no such option
    for name, checkout, options in runs:
        with tempfile.TemporaryDirectory() as out:
            measured = run_measured(["-m", "nppc.cli", "route", "eval", "--data", str(data), "--out", out, *options],
                                    cwd=checkout, timeout=args.timeout)
        print(row([name, options[1] if options else "-", f"{measured.seconds:.1f}", f"{measured.cpu_seconds:.1f}",
                   f"{measured.peak_rss_mb:.0f}", f"{measured.peak_tree_pss_mb:.0f}", f"{os.getloadavg()[0]:.1f}",
                   measured.status]), flush=True)


if __name__ == "__main__":
    main()
