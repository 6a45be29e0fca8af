"""The runner's subcommands: ``nppc run`` (score a model, resumable) and ``nppc export``."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

from nppc import __version__
from nppc.args import int_list, non_negative_float, positive, positive_float, problem_list
from npgym.engine import DEFAULT_TIME_LIMIT
from npgym.prompt import TEMPLATE_VERSION
from npgym.registry import get_problem
from npgym.testset import read_testset
from npsolver.adapters import Sampling, make_adapter
from npsolver.errors import RetryPolicy
from npsolver.export import FORMATS, export_store
from npsolver.plan import build_tasks, generate_targets, run_id_of, run_identity, unique
from npsolver.runner import RunSettings, RunSummary, run_tasks
from npsolver.secrets import Redactor, strip_url_credentials
from npsolver.store import Store


def add_commands(subparsers) -> None:
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
    select.add_argument("--time-limit", type=positive_float, default=DEFAULT_TIME_LIMIT, help="solver seconds per call")
    select.add_argument("--testset", help="a test-set JSONL file instead of generating")
    select.add_argument("--keys", help="the answer-key file of --testset, if the key is not inline")
    ask = run.add_argument_group("prompting and sampling (all recorded; all part of the run id)")
    ask.add_argument("--shots", type=int, default=1, help="in-context solved examples per prompt (default 1)")
    ask.add_argument("--samples", type=positive, default=1, help="replies per instance (default 1)")
    ask.add_argument("--max-tokens", type=positive, help="completion token limit (default: the provider's)")
    ask.add_argument("--temperature", type=non_negative_float, help="sampling temperature (default: the provider's)")
    ask.add_argument("--top-p", type=float, help="nucleus sampling (default: the provider's)")
    ask.add_argument("--sampling-seed", type=int, help="the provider's sampling seed, where supported")
    how = run.add_argument_group("execution (not part of the run id)")
    how.add_argument("--store", required=True, help="the run store, a SQLite file (created if missing)")
    how.add_argument("--concurrency", type=positive, default=8, help="requests in flight (default 8)")
    how.add_argument("--timeout", type=positive_float, default=300.0, help="seconds per request (default 300)")
    how.add_argument("--max-attempts", type=positive, default=6, help="attempts per request (default 6)")
    how.add_argument("--retry-delay", type=non_negative_float, default=1.0,
                     help="first backoff in seconds, doubled per attempt up to 60 (default 1)")
    how.add_argument("--max-cost", type=non_negative_float, help="stop starting requests once the run has cost this many USD in all")
    how.add_argument("--no-progress", action="store_true", help="no progress line on stderr")
    how.add_argument("--dry-run", action="store_true", help="print the run id and the plan, call nothing")
    run.set_defaults(handler=cmd_run)

    export = subparsers.add_parser("export", help="export the records of a run store")
    export.add_argument("--store", required=True)
    export.add_argument("--format", choices=FORMATS, default="jsonl")
    export.add_argument("--out", required=True)
    export.add_argument("--run", help="only this run id")
    export.add_argument("--no-text", action="store_true", help="leave out response, reasoning and answer texts")
    export.set_defaults(handler=cmd_export)


def load_targets(args) -> tuple[list, dict]:
    """The target instances and a description of how they were chosen."""
    if args.testset:
        if args.problems or args.levels:
            raise ValueError("give either --testset or --problems/--levels, not both")
        targets = unique(read_testset(args.testset, args.keys))
        return targets, {"testset": Path(args.testset).name, "keys": Path(args.keys).name if args.keys else None}
    if not args.problems or not args.levels:
        raise ValueError("give --problems and --levels (or --testset)")
    for problem_id in args.problems:
        get_problem(problem_id)
    targets = generate_targets(args.problems, args.levels, args.seeds, args.count, args.no_fraction, args.tight,
                               args.time_limit)
    return targets, {"problems": args.problems, "levels": args.levels, "seeds": args.seeds, "count": args.count,
                     "no_fraction": args.no_fraction, "tight": args.tight}


def git_commit() -> str | None:
    """The commit of the source tree this package runs from, if it is a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None


def cmd_run(args) -> int:
    sampling = Sampling(args.max_tokens, args.temperature, args.top_p, args.sampling_seed)
    adapter = make_adapter(args.model, sampling, args.api_base, args.api_key_env, args.timeout)
    adapter.prepare()  # an unknown provider or a missing key fails here, in one line, before any work
    Store.check_path(args.store)  # a bad --store fails before the instances are made
    targets, selection = load_targets(args)
    if not targets:
        raise ValueError("no instances selected")
    unkeyed = sum(1 for target in targets if target.label == "unknown")
    tasks = build_tasks(targets, args.shots, args.samples)
    identity = run_identity(args.model, args.api_base, sampling, args.shots, args.samples, targets, args.any_address)
    run_id = run_id_of(identity)
    print(f"run {run_id}: {args.model}, {len(targets)} instances x {args.samples} samples, "
          f"{args.shots} shots, template {TEMPLATE_VERSION}", file=sys.stderr)
    if unkeyed:
        print(f"warning: {unkeyed} instances have no answer key: 'no solution' claims on them cannot be graded "
              "(pass --keys; a later run with --keys grades them from the stored replies)", file=sys.stderr)
    if args.dry_run:
        print(run_id)
        return 0
    redactor = Redactor.from_environment(credential_variables=adapter.credential_variables())
    config = redactor.value({**identity, "selection": selection, "adapter": adapter.describe(),
                             "concurrency": args.concurrency, "max_attempts": args.max_attempts,
                             "retry_delay_s": args.retry_delay, "max_cost": args.max_cost, "timeout_s": args.timeout,
                             "api_base": strip_url_credentials(args.api_base)})
    settings = RunSettings(concurrency=args.concurrency, retry=RetryPolicy(args.max_attempts, args.retry_delay),
                           max_cost=args.max_cost, progress=not args.no_progress, handle_signals=True,
                           health_check=getattr(args, "health_check", None))
    with Store(args.store) as store:
        store.put_run(run_id, args.model, config, TEMPLATE_VERSION, __version__, git_commit())
        store.put_instances(target.to_record(with_key=True) for target in targets)
        summary = run_tasks(store, run_id, adapter, tasks, settings, redactor)
        final = store.final_count(run_id)
    report(summary, args.store, final)
    if summary.signal is not None:
        return 128 + summary.signal
    return 0 if summary.incomplete == 0 else 1


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
    flat = " ".join((text or "").split())
    return flat if len(flat) <= limit else flat[:limit - 3] + "..."


def cmd_export(args) -> int:
    count = export_store(args.store, args.out, args.format, args.run, with_text=not args.no_text)
    print(f"wrote {count} records to {args.out}", file=sys.stderr)
    return 0

