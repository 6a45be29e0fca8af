"""``nppc leaderboard build``: the static leaderboard site from one or more run stores."""

from __future__ import annotations

import argparse

from npeval.cli import add_store_options


def add_commands(subparsers) -> None:
    parser = subparsers.add_parser("leaderboard", help="build the static leaderboard site")
    actions = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    build = actions.add_parser("build", help="build the site from run stores (works offline, no CDN)",
                               description=__doc__)
    add_store_options(build)
    build.set_defaults(handler=run_build)


def run_build(args: argparse.Namespace) -> int:
    from leaderboard.build import build_site
    from npeval.cli import analyse_from_args

    site = build_site(analyse_from_args(args), args.out)
    print(f"leaderboard: {len(site.board['rows'])} models, {len(site.problem_pages)} problem pages; "
          f"open {site.index.resolve()}")
    return 0
