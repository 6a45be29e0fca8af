"""The ``--adaptive`` options of ``nppc run`` and their handler (see :mod:`npsolver.adaptive`)."""

from __future__ import annotations

import sys

from npgym.cliargs import positive, positive_float
from npsolver.adapters import Sampling
from npsolver.store import Store


def add_adaptive_options(run) -> None:
    """Add the ``--adaptive`` options to the ``run`` command's parser."""
    group = run.add_argument_group(
        "adaptive (instead of --levels / --count / --testset)",
        "per problem, choose each next level from the answers so far to find the ceiling level (where accuracy "
        "crosses 50%), and stop when its 95%% interval is narrow enough or the budget is spent")
    group.add_argument("--adaptive", action="store_true", help="run adaptively (needs --problems)")
    group.add_argument("--budget", type=positive, default=180,
                       help="calls per problem at most (default 180, a fifth of 10 levels x 90 instances)")
    group.add_argument("--ceiling-width", type=positive_float, default=1.0,
                       help="stop a problem once the ceiling's 95%% interval is narrower than this (default 1 level)")
    group.add_argument("--batch", type=positive, default=10, help="instances per step (default 10)")
    group.add_argument("--max-level", type=positive, default=100, help="highest level ever asked (default 100)")


def cmd_adaptive(args) -> int:
    """``nppc run --adaptive``: check the options, plan and run; the exit status."""
    from npsolver.adaptive import execute_adaptive, plan_adaptive

    for flag, value in (("--levels", args.levels), ("--testset", args.testset), ("--keys", args.keys),
                        ("--tight", args.tight)):
        if value:
            raise ValueError(f"--adaptive chooses the levels and instances itself: drop {flag}")
    for flag, value in (("--shard", getattr(args, "shard", None)),
                        ("--backend ray", getattr(args, "backend", "local") != "local")):
        if value:
            raise ValueError(f"--adaptive decides each step from the answers to the last, in one process: drop {flag}")
    Store.check_path(args.store)
    sampling = Sampling(args.max_tokens, args.temperature, args.top_p, args.sampling_seed)
    plan = plan_adaptive(args.model, problems=args.problems or [], seeds=args.seeds, no_fraction=args.no_fraction,
                         shots=args.shots, samples=args.samples, sampling=sampling, api_base=args.api_base,
                         api_key_env=args.api_key_env, timeout=args.timeout, any_address=args.any_address,
                         budget=args.budget, ceiling_width=args.ceiling_width, batch=args.batch,
                         max_level=args.max_level, time_limit=args.time_limit)
    print(f"adaptive run {plan.run_id}: {args.model}, {len(plan.problems)} problems, budget {args.budget} calls "
          f"each, target width {args.ceiling_width:g}", file=sys.stderr)
    if args.dry_run:
        print(plan.run_id)
        return 0
    result = execute_adaptive(plan, args.store, concurrency=args.concurrency, max_attempts=args.max_attempts,
                              retry_delay=args.retry_delay, max_cost=args.max_cost, progress=not args.no_progress,
                              handle_signals=True)
    print(f"run {result.run_id}: {result.calls} calls")
    for outcome in result.outcomes.values():
        p = outcome.posterior
        print(f"{outcome.problem}: ceiling {p['ceiling']:.2f} [{p['ci_low']:.2f}, {p['ci_high']:.2f}], "
              f"{outcome.calls} calls in {outcome.steps} steps, {outcome.stop_reason or 'not finished'}")
    if result.stopped:
        print(f"stopped: {result.stopped}; rerun the same command to resume (store: {args.store})", file=sys.stderr)
    if result.signal is not None:
        return 128 + result.signal
    return 0 if result.complete else 1
