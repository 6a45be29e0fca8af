"""``nppc demo``: the main job end to end, on one machine, offline.

1. generate a fresh test set: every problem, levels 1-3, a seed taken from today's date, a share of
   solver-proved no-instances, bounds tightened to the proved optimum (so optimality ratios exist);
   tiny levels with fewer distinct instances than asked give what they have (``--allow-fewer``);
2. score the classical baselines (exact solver, textbook heuristic, random answer) on all of it;
3. score the local Gemma-3-270M through llama.cpp's server on a subset (level 1 of the core problems);
4. build the report and the leaderboard site (with a model card for the local model), and print where to
   open them.

Every step is an ordinary ``nppc`` command, so the demo shows exactly what a user would type.
"""

from __future__ import annotations

import datetime
import importlib.util
import json
import sys
import time
from pathlib import Path

from npgym.suites import CORE

# The demo's model card (leaderboard.modelcards): what the board says about the local model.
DEMO_CARDS = """card_version = 1
[[model]]
id = "{model}"
provider = "Google (run locally: llama.cpp, Q4_K_M GGUF)"
parameters = 2.7e8
weights = "open"
release_date = 2025-08-14
reasoning_effort = "none"
notes = "the demo scores it on level 1 of the core problems only"
"""


def add_commands(subparsers) -> None:
    """Add ``demo`` to the ``nppc`` command line."""
    demo = subparsers.add_parser("demo", help="generate, score baselines and a local LLM, report, build the site")
    demo.add_argument("--out", default="demo", help="output folder (default: demo)")
    demo.add_argument("--seed", type=int, help="test-set seed (default: today's date as YYYYMMDD)")
    demo.add_argument("--levels", default="1-3", help="levels of the test set (default 1-3)")
    demo.add_argument("--count", type=int, default=4, help="instances per problem and level (default 4)")
    demo.add_argument("--llm-count", type=int, default=1, help="level-1 instances per core problem for the LLM")
    demo.add_argument("--max-tokens", type=int, default=256, help="LLM reply budget (default 256)")
    demo.add_argument("--skip-llm", action="store_true", help="score only the baselines")
    demo.set_defaults(handler=cmd_demo)


def step(number: int, text: str) -> None:
    """Announce step ``number`` of the demo on stderr."""
    print(f"\n[{number}/5] {text}", file=sys.stderr, flush=True)


def run(argv: list[str], **hooks) -> int:
    """Run ``nppc`` with ``argv`` in this process, echoing the command line first."""
    from nppc.cli import main

    print("  $ nppc " + " ".join(argv), file=sys.stderr, flush=True)
    return main(argv, **hooks)


def cmd_demo(args) -> int:
    """``nppc demo``: generate a test set, score the baselines and a local LLM, report, build the site."""
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    seed = args.seed if args.seed is not None else int(datetime.date.today().strftime("%Y%m%d"))
    testset, keys, store = out / "testset.jsonl", out / "keys.jsonl", out / "runs.sqlite"
    started = time.perf_counter()

    step(1, f"a fresh test set: all problems, levels {args.levels}, seed {seed}")
    if run(["generate", "--problems", "all", "--levels", args.levels, "--count", str(args.count), "--seed", str(seed),
            "--no-fraction", "0.25", "--tight", "--allow-fewer", "--out", str(testset), "--key-out", str(keys)]):
        return 2

    step(2, "the classical baselines on every instance")
    for model in ("baseline/exact", "baseline/heuristic", "baseline/random"):
        run(["run", "--model", model, "--testset", str(testset), "--keys", str(keys), "--store", str(store)])

    step(3, "the local Gemma-3-270M (llama.cpp) on level 1 of the core problems")
    if args.skip_llm:
        print("  skipped (--skip-llm)", file=sys.stderr)
    elif importlib.util.find_spec("llama_cpp") is None or importlib.util.find_spec("litellm") is None:
        print('  skipped: install the local and api extras (pip install -e ".[all]")', file=sys.stderr)
    else:
        score_local_model(args, testset, keys, store, out)

    step(4, "the report")
    run(["report", "--store", str(store), "--out", str(out / "report")])

    step(5, "the leaderboard site")
    cards = out / "models.toml"
    from npsolver.local_model import GEMMA_MODEL_NAME

    cards.write_text(DEMO_CARDS.replace("{model}", GEMMA_MODEL_NAME), encoding="utf-8")
    run(["leaderboard", "build", "--store", str(store), "--model-cards", str(cards), "--out", str(out / "site")])

    print(f"\nDone in {time.perf_counter() - started:.0f}s.\n"
          f"  leaderboard: {(out / 'site' / 'index.html').resolve()}\n"
          f"  report:      {(out / 'report' / 'summary.md').resolve()}\n"
          f"  run store:   {store.resolve()}", file=sys.stderr)
    return 0


def score_local_model(args, testset: Path, keys: Path, store: Path, out: Path) -> None:
    """Score the local Gemma model on a small subset of the test set, through llama.cpp's server."""
    from npsolver.local_model import GEMMA_MODEL_NAME, serve_gemma

    subset = out / "testset-llm.jsonl"
    taken: dict[str, int] = {}
    wanted = []
    for line in testset.read_text().splitlines():  # the first llm_count level-1 instances of each core problem
        record = json.loads(line)
        if record["problem"] in CORE and record["level"] == 1 and taken.get(record["problem"], 0) < args.llm_count:
            taken[record["problem"]] = taken.get(record["problem"], 0) + 1
            wanted.append(line)
    subset.write_text("\n".join(wanted) + "\n")
    with serve_gemma(out / "llama-server.log") as server:
        run(["run", "--model", GEMMA_MODEL_NAME, "--api-base", server.api_base, "--testset", str(subset), "--keys",
             str(keys), "--shots", "0", "--max-tokens", str(args.max_tokens), "--temperature", "0", "--concurrency",
             "2", "--timeout", "300", "--store", str(store)], health_check=server.failure)
