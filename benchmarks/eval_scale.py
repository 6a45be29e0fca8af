"""`nppc report` and `nppc leaderboard build` on the 108k- and 1M-record boards: wall time and peak RSS.

Usage: python benchmarks/eval_scale.py [--boards 108k,1m] [--before /work/main] [--work /tmp/nppc-boards]
       [--timeout 900] [--repeats 1]
Writes each board once (``benchmarks/boards.py``), then runs, each in a fresh process with a fresh analysis
cache: the analysis alone (cache off), ``nppc report`` (cold cache), ``nppc leaderboard build`` after it (the
site reuses the report's analysis and figures), the report again (warm cache) and the site with a cold cache.
With ``--before`` the report and the site are also run from another checkout (the code before a change), whose
cache is off. ``--repeats N`` runs the whole sequence N times, each with fresh caches, and prints each figure
as its median with the range (a virtual machine's cores can vary by a third from one run to the next).
Prints a Markdown table; CPU s is user + system time of the command's processes together (less
sensitive than wall time to other jobs on a shared machine).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from boards import WORK, board_store  # noqa: E402
from measure import ROOT, Measured, machine_note, row, run_measured, spread  # noqa: E402


def steps(store: Path, out: Path, with_cache: bool) -> list[tuple[str, list[str], dict]]:
    cache = {"NPPC_CACHE_DIR": str(out / "cache") if with_cache else "off"}
    off = {"NPPC_CACHE_DIR": "off"}
    analysis = ["-c", f"from npeval.analysis import analyse_stores; analyse_stores([{str(store)!r}])"]
    report = ["-m", "nppc.cli", "report", "--store", str(store), "--out", str(out / "report")]
    site = ["-m", "nppc.cli", "leaderboard", "build", "--store", str(store), "--out", str(out / "site")]
    if not with_cache:
        return [("report", report, off), ("leaderboard build", site, off)]
    alone = {"NPPC_CACHE_DIR": str(out / "cache-site")}  # a cache the report never filled
    return [("analysis only, no cache", analysis, off), ("report, cold cache", report, cache),
            ("leaderboard build after the report", site, cache), ("report again, warm cache", report, cache),
            ("leaderboard build, cold cache", site, alone)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", default="108k,1m")
    parser.add_argument("--before", type=Path, help="another checkout to measure the report and the site in")
    parser.add_argument("--work", type=Path, default=WORK)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--repeats", type=int, default=1, help="runs of every step (median and range printed)")
    args = parser.parse_args()
    print(f"{machine_note()}; bootstrap 2000 replicates (the default); {args.repeats} run(s) of each step\n")
    print(row(["board", "records", "code", "step", "wall s", "CPU s", "peak RSS MB", "status"]))
    print(row(["---"] * 8))
    for board in args.boards.split(","):
        store = board_store(board, args.work)
        records = _records(store)
        checkouts = [("this checkout", ROOT, True)] + ([("before", args.before, False)] if args.before else [])
        for name, checkout, with_cache in checkouts:
            runs: dict[str, list[Measured]] = {}
            for _ in range(max(1, args.repeats)):
                with tempfile.TemporaryDirectory() as out:
                    for step, arguments, env in steps(store, Path(out), with_cache):
                        runs.setdefault(step, []).append(run_measured(arguments, cwd=checkout, timeout=args.timeout,
                                                                      env=env))
            for step, measured in runs.items():
                statuses = sorted({m.status for m in measured})
                print(row([board, records, name, step, spread([m.seconds for m in measured]),
                           spread([m.cpu_seconds for m in measured]), f"{max(m.peak_rss_mb for m in measured):.0f}",
                           "; ".join(statuses)]), flush=True)


def _records(store: Path) -> str:
    import sqlite3

    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        return f"{db.execute('SELECT COUNT(*) FROM records').fetchone()[0]:,}"


if __name__ == "__main__":
    main()
