"""``nppc report``: analyse run stores into plots, tables and a Markdown summary.

pandas, numpy and matplotlib (the ``analysis`` extra) are imported only when the command runs, so
``nppc`` itself starts without them.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def add_store_options(parser: argparse.ArgumentParser) -> None:
    """Options shared by every command that analyses stores (``report``, ``leaderboard build``)."""
    parser.add_argument("--store", action="append", required=True, metavar="FILE",
                        help="a run store (SQLite); repeat to merge several submitters")
    parser.add_argument("--out", required=True, metavar="DIR", help="output folder (created if needed)")
    parser.add_argument("--bootstrap", type=int, default=2000, metavar="N", help="bootstrap replicates (2000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the bootstrap's random generator (0)")
    parser.add_argument("--markers", metavar="LIST",
                        help="comma-separated aha-moment markers (default: npeval.markers.DEFAULT_MARKERS)")


def add_commands(subparsers) -> None:
    """Add ``report`` to the ``nppc`` command line."""
    parser = subparsers.add_parser("report", help="plots, CSV/JSON tables and a Markdown summary of run stores",
                                   description=__doc__)
    add_store_options(parser)
    parser.add_argument("--judge", metavar="MODEL",
                        help="also classify wrong answers' reasoning with this LiteLLM model (needs the api extra)")
    parser.add_argument("--judge-limit", type=int, default=50, metavar="N",
                        help="judge at most N new wrong answers (50)")
    parser.add_argument("--svg", action="store_true",
                        help="also write every figure as SVG (each format is one more drawing of every figure)")
    parser.set_defaults(handler=run_report)


def analyse_from_args(args: argparse.Namespace):
    """The analysis the store options ask for (shared with ``leaderboard build``)."""
    from npeval.api import analyse

    return analyse(args.store, bootstrap=args.bootstrap, seed=args.seed, markers=_markers(args))


def _markers(args: argparse.Namespace) -> list[str] | None:
    return args.markers.split(",") if args.markers else None


def run_report(args: argparse.Namespace) -> int:
    """``nppc report``: analyse the stores and write tables, plots and the summary; the exit status."""
    from npeval.api import report_stores

    files = report_stores(args.store, Path(args.out), bootstrap=args.bootstrap, seed=args.seed, markers=_markers(args),
                           judge=args.judge, judge_limit=args.judge_limit, svg=args.svg)
    print(f"report: {files.summary} ({len(files.tables)} tables, {len(files.plots.paths)} figures, "
          f"{len(files.plots.omitted)} left out as empty)")
    return 0
