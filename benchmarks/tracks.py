"""The three tracks side by side for the baselines and the local Gemma-3-270M, on the same instances.

Usage: python benchmarks/tracks.py [--store tracks.sqlite] [--problems three_sat,vertex_cover,subset_sum]
       [--levels 1,2] [--count 3] [--no-gemma]

Runs baseline/exact, baseline/heuristic and baseline/random, then Gemma (llama.cpp server, CPU,
128 tokens per reply), on the plain, code (fenced protocol, 2 runs, bubblewrap sandbox) and feedback
(3 turns) tracks, and prints :func:`npeval.tracks.tracks_markdown` of the store. Rerunning resumes.
About 35 minutes on 2 busy cores for the default 18 instances, nearly all of it Gemma.
"""

from __future__ import annotations

import argparse

from npeval.tracks import track_table, tracks_markdown
from nppc.cli import main

BASELINES = ("baseline/exact", "baseline/heuristic", "baseline/random")
TRACK_ARGS = {"plain": [], "code": ["--track", "code", "--max-tool-calls", "2"],
              "feedback": ["--track", "feedback", "--turns", "3"]}


def run_all(args: argparse.Namespace) -> None:
    selection = ["--problems", args.problems, "--levels", args.levels, "--count", str(args.count), "--no-fraction",
                 "0.34", "--store", args.store, "--no-progress"]
    for model in BASELINES:
        for extra in TRACK_ARGS.values():
            main(["run", "--model", model, *selection, *extra])
    if args.no_gemma:
        return
    from npsolver.local_model import serve_gemma

    with serve_gemma(f"{args.store}.llama.log", n_ctx=4096) as server:
        for extra in TRACK_ARGS.values():
            main(["run", "--model", "gemma-3-270m", "--api-base", server.api_base, *selection, "--max-tokens", "128",
                  "--temperature", "0", "--concurrency", "2", "--timeout", "600", *extra],
                 health_check=server.failure)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", default="tracks.sqlite")
    parser.add_argument("--problems", default="three_sat,vertex_cover,subset_sum")
    parser.add_argument("--levels", default="1,2")
    parser.add_argument("--count", type=int, default=3)
    parser.add_argument("--no-gemma", action="store_true", help="the baselines only")
    return parser.parse_args()


if __name__ == "__main__":
    arguments = parse_args()
    run_all(arguments)
    print(tracks_markdown(track_table([arguments.store])))
