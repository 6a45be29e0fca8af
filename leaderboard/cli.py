"""``nppc leaderboard build``: the static leaderboard site; ``nppc view``: the sample viewer of run stores."""

from __future__ import annotations

import argparse

from npeval.cli import add_store_options


def add_commands(subparsers) -> None:
    """Add ``leaderboard`` (build) and ``view`` to the ``nppc`` command line."""
    parser = subparsers.add_parser("leaderboard", help="build the static leaderboard site")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the site from run stores (works offline, no CDN)",
                               description=__doc__)
    add_store_options(build)
    build.add_argument("--model-cards", action="append", default=[], metavar="FILE",
                       help="a model-card file (TOML or JSON: provider, parameters, weights, release date, reasoning "
                            "effort per model; see leaderboard.modelcards); repeat for several submitters")
    build.add_argument("--no-samples", action="store_true",
                       help="leave out the sample viewer (every prompt and reply; large boards take room)")
    build.set_defaults(handler=run_build)
    view = subparsers.add_parser("view", help="write an offline viewer of every record of run stores",
                                 description="Write a static folder to browse every record of run stores: filter by "
                                             "model, problem, level, status and code; read the prompt, reply, "
                                             "reasoning, extracted answer and verdict. Open its index.html; no "
                                             "server needed.")
    view.add_argument("stores", nargs="+", metavar="STORE", help="run store file(s) (SQLite)")
    view.add_argument("--out", metavar="DIR", help="output folder (default: STORE-viewer beside the first store)")
    view.set_defaults(handler=run_view)


def run_build(args: argparse.Namespace) -> int:
    """``nppc leaderboard build``: analyse the stores and write the site; the exit status."""
    from leaderboard.api import build_leaderboard

    site = build_leaderboard(args.store, args.out, model_cards=args.model_cards, samples=not args.no_samples,
                             bootstrap=args.bootstrap, seed=args.seed,
                             markers=args.markers.split(",") if args.markers else None)
    samples = f", {site.samples.records:,} records in the viewer" if site.samples else ""
    print(f"leaderboard: {len(site.board['rows'])} models, {len(site.problem_pages)} problem pages{samples}; "
          f"open {site.index.resolve()}")
    return 0


def run_view(args: argparse.Namespace) -> int:
    """``nppc view``: write the offline viewer of the stores' records; the exit status."""
    from leaderboard.api import build_viewer

    viewer = build_viewer(args.stores, args.out)
    print(f"viewer: {viewer.records:,} records in {viewer.groups:,} groups, {viewer.files:,} data files; "
          f"open {viewer.index.resolve()}")
    return 0
