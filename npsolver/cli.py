"""The runner's subcommands: ``nppc run`` (score a model, resumable) and ``nppc export``."""

from __future__ import annotations

import sys

from npgym.cliargs import int_list, non_negative_float, positive, positive_float, problem_list, shard_spec
from npgym.engine import DEFAULT_TIME_LIMIT
from npgym.prompt import TEMPLATE_VERSION
from npsolver.adapters import Sampling
from npsolver.adaptive_cli import add_adaptive_options, cmd_adaptive
from npsolver.api import execute_plan, plan_run
from npsolver.export import FORMATS, export_store
from npsolver.merge import merge_stores
from npsolver.runner import RunSummary
from npsolver.store import Store
from npsolver.tracks import CodeTrack, add_track_arguments, track_options


def add_commands(subparsers) -> None:
    """Add ``run``, ``export`` and ``store`` to the ``nppc`` command line."""
    run = subparsers.add_parser(
        "run", help="score a model on generated instances or a test set (resumable)",
        description="Score a model. Rerunning the same command resumes the same run: finished records are "
                    "skipped and API errors retried. API keys are read from the environment only.")
    model = run.add_argument_group("model")
    model.add_argument("--model", required=True,
                       help="a LiteLLM model string (openai/gpt-4o-mini, anthropic/...), a served model name "
                            "with --api-base, or baseline/exact, baseline/heuristic, baseline/random")
    model.add_argument("--api-base", help="base URL of an OpenAI-compatible server, e.g. http://127.0.0.1:8080/v1")
    model.add_argument("--api-key-env", help="environment variable holding the key for --api-base "
                                             "(default: OPENAI_API_KEY if set, else a dummy key for local servers)")
    model.add_argument("--any-address", action="store_true",
                       help="leave the host and port of --api-base out of the run id, so the same model served at "
                            "another address resumes the same run (a server on loopback never counts its port)")
    select = run.add_argument_group("instances")
    select.add_argument("--problems", type=problem_list, help="problem ids, comma-separated, or all / core")
    select.add_argument("--levels", type=int_list, help="levels, e.g. 1-3,5")
    select.add_argument("--seeds", type=int_list, default=[0], help="test-set seeds, e.g. 0-2 (default 0)")
    select.add_argument("--count", type=positive, default=5, help="instances per problem, level and seed (default 5)")
    select.add_argument("--no-fraction", type=float, default=0.0, help="share of solver-proved no-instances")
    select.add_argument("--tight", action="store_true", help="set bounds to the proved optimum")
    select.add_argument("--time-limit", type=positive_float, default=DEFAULT_TIME_LIMIT,
                        help="solver budget per call, in seconds of work")
    select.add_argument("--testset", help="a test-set JSONL file instead of generating")
    select.add_argument("--keys", help="the answer-key file of --testset, if the key is not inline")
    ask = run.add_argument_group("prompting and sampling (all recorded; all part of the run id)")
    ask.add_argument("--shots", type=int, default=1, help="in-context solved examples per prompt (default 1)")
    ask.add_argument("--samples", type=positive, default=1, help="replies per instance (default 1)")
    ask.add_argument("--max-tokens", type=positive, help="completion token limit (default: the provider's)")
    ask.add_argument("--temperature", type=non_negative_float, help="sampling temperature (default: the provider's)")
    ask.add_argument("--top-p", type=float, help="nucleus sampling (default: the provider's)")
    ask.add_argument("--sampling-seed", type=int, help="the provider's sampling seed, where supported")
    add_track_arguments(run)
    how = run.add_argument_group("execution (not part of the run id)")
    how.add_argument("--store", required=True, help="the run store, a SQLite file (created if missing)")
    how.add_argument("--concurrency", type=positive, default=8, help="requests in flight (default 8)")
    how.add_argument("--timeout", type=positive_float, default=300.0, help="seconds per request (default 300)")
    how.add_argument("--max-attempts", type=positive, default=6, help="attempts per request (default 6)")
    how.add_argument("--retry-delay", type=non_negative_float, default=1.0,
                     help="first backoff in seconds, doubled per attempt up to 60 (default 1)")
    how.add_argument("--max-cost", type=non_negative_float,
                     help="stop starting requests once the run has cost this many USD in all")
    how.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    how.add_argument("--dry-run", action="store_true", help="print the run id and the plan, call nothing")
    how.add_argument("--backend", choices=("local", "ray"), default="local",
                     help="where requests run: this process (default) or a Ray cluster (needs the ray extra)")
    how.add_argument("--address", help="the Ray cluster to join (default: start a local one on 127.0.0.1)")
    how.add_argument("--shard", type=shard_spec, metavar="I/N",
                     help="run only part I of N (from 1) of the tasks, e.g. one task of a Slurm array; the run id is "
                          "the whole run's: join the parts' stores with nppc store merge")
    add_adaptive_options(run)
    run.set_defaults(handler=cmd_run)

    export = subparsers.add_parser("export", help="export the records of a run store")
    export.add_argument("--store", required=True)
    export.add_argument("--format", choices=FORMATS, default="jsonl")
    export.add_argument("--out", required=True)
    export.add_argument("--run", help="only this run id")
    export.add_argument("--no-text", action="store_true", help="leave out response, reasoning and answer texts")
    export.set_defaults(handler=cmd_export)

    store = subparsers.add_parser("store", help="work on run stores")
    store_commands = store.add_subparsers(dest="store_command", metavar="COMMAND", required=True)
    merge = store_commands.add_parser("merge", help="join stores (the parts of a sharded run) into one",
                                      description=merge_stores.__doc__)
    merge.add_argument("parts", nargs="+", metavar="STORE", help="the stores to merge")
    merge.add_argument("--out", required=True, help="the merged store (created if missing)")
    merge.set_defaults(handler=cmd_store_merge)


def cmd_run(args) -> int:
    """``nppc run``: plan the run, say what it asks, run it and report; the exit status."""
    if args.adaptive:
        return cmd_adaptive(args)
    sampling = Sampling(args.max_tokens, args.temperature, args.top_p, args.sampling_seed)
    Store.check_path(args.store)  # a bad --store fails before the instances are made
    plan = plan_run(args.model, problems=args.problems, levels=args.levels, seeds=args.seeds, count=args.count,
                    no_fraction=args.no_fraction, tight=args.tight, time_limit=args.time_limit, testset=args.testset,
                    keys=args.keys, shots=args.shots, samples=args.samples, sampling=sampling,
                    api_base=args.api_base, api_key_env=args.api_key_env, timeout=args.timeout,
                    any_address=args.any_address, track=track_options(args))
    track = ""
    if plan.track:
        sandbox = f" ({plan.track.sandbox.isolation} sandbox)" if isinstance(plan.track, CodeTrack) else ""
        track = f", {args.track} track{sandbox}"
    print(f"run {plan.run_id}: {args.model}, {len(plan.targets)} instances x {args.samples} samples, "
          f"{args.shots} shots, template {TEMPLATE_VERSION}{track}", file=sys.stderr)
    if plan.unkeyed:
        print(f"warning: {plan.unkeyed} instances have no answer key: 'no solution' claims on them cannot be graded "
              "(pass --keys; a later run with --keys grades them from the stored replies)", file=sys.stderr)
    if args.shard:
        plan = plan.shard(*args.shard)
        print(f"shard {args.shard[0]}/{args.shard[1]}: {len(plan.tasks)} tasks", file=sys.stderr)
    if args.dry_run:
        print(plan.run_id)
        return 0
    result = execute_plan(plan, args.store, concurrency=args.concurrency, max_attempts=args.max_attempts,
                          retry_delay=args.retry_delay, max_cost=args.max_cost, progress=not args.no_progress,
                          handle_signals=True, health_check=getattr(args, "health_check", None),
                          backend=args.backend, address=args.address)
    report(result.summary, args.store, result.final)
    if result.summary.signal is not None:
        return 128 + result.summary.signal
    return 0 if result.summary.incomplete == 0 else 1


def report(summary: RunSummary, store_path: str, final: int) -> None:
    """The run's outcome on stdout; what went wrong and what to do next on stderr."""
    accuracy = f"{100 * summary.correct / summary.graded:.1f}%" if summary.graded else "n/a"
    cost = f"${summary.cost:.4f}"
    if summary.cost_unknown:
        cost += f" (+{summary.cost_unknown} records of unknown cost)"
    regraded = f" ({summary.regraded} stored replies graded again)" if summary.regraded else ""
    print(f"run {summary.run_id}: {summary.done} new records{regraded}, {summary.skipped} already done, "
          f"accuracy of new records {accuracy}, {summary.tokens} tokens, {cost}, {summary.seconds:.1f}s")
    print(f"statuses: {dict(sorted(summary.statuses.items()))}")
    for kind, (count, message) in sorted(summary.failures.items()):
        print(f"api errors: {count} x {kind}, e.g. {one_line(message)}", file=sys.stderr)
    if summary.stopped_by_cost:
        print("stopped: --max-cost reached (it counts the whole run); rerun with a higher limit to continue",
              file=sys.stderr)
    if summary.stopped:
        print(f"stopped: {one_line(summary.stopped)}", file=sys.stderr)
    if summary.incomplete or summary.signal is not None:
        print(f"{final} of {summary.total} records are final; {summary.total - final} have none yet (API errors or "
              f"not started): rerun the same command to resume (store: {store_path})", file=sys.stderr)


def one_line(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut to ``limit`` characters, for messages on the terminal."""
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def cmd_store_merge(args) -> int:
    """``nppc store merge``: merge run stores into one and say what was kept."""
    summary = merge_stores(args.parts, args.out)
    print(f"merged {summary.sources} stores ({summary.runs} runs) into {args.out}: {summary.records_read} records "
          f"read, {summary.records_written} new, {summary.duplicates} duplicates dropped", file=sys.stderr)
    return 0


def cmd_export(args) -> int:
    """``nppc export``: write a store's records to a file."""
    count = export_store(args.store, args.out, args.format, args.run, with_text=not args.no_text)
    print(f"wrote {count} records to {args.out}", file=sys.stderr)
    return 0

