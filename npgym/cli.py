"""The engine's subcommands: ``nppc list``, ``generate``, ``verify`` and ``solve``."""

from __future__ import annotations

import json
import re
import secrets
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

from npgym.cliargs import int_list, positive, positive_float, problem_list
from npgym.engine import DEFAULT_TIME_LIMIT, solve, verify
from npgym.extract import extract_answer
from npgym.prompt import build_prompt
from npgym.registry import get_problem, problem_ids
from npgym.testset import (
    NoInstanceWarning,
    PlantedBoundWarning,
    ShortfallError,
    ShortfallWarning,
    generate_testset,
    read_jsonl,
    read_testset,
    write_testset,
)


def add_commands(subparsers) -> None:
    """Add ``list``, ``generate``, ``verify`` and ``solve`` to the ``nppc`` command line."""
    listing = subparsers.add_parser("list", help="list problems, versions and level ladders")
    listing.set_defaults(handler=cmd_list)

    gen = subparsers.add_parser("generate", help="generate a test set (JSON lines)")
    gen.add_argument("--problem", "--problems", dest="problems", type=problem_list, default=problem_list("all"),
                     help="problem ids, comma-separated, or 'all' / 'core' (default: all)")
    gen.add_argument("--level", "--levels", dest="levels", type=int_list, required=True, help="levels, e.g. 1-5,8")
    gen.add_argument("--seed", type=int,
                     help="seed of the test set (default: a fresh random seed, kept only in the answer key; a "
                          "published test set needs a seed nobody can guess, since seed and index regenerate "
                          "the planted yes-instance of each slot)")
    gen.add_argument("--count", type=positive, default=10, help="instances per problem and level (default 10)")
    gen.add_argument("--out", required=True, help="output JSONL file")
    gen.add_argument("--no-fraction", type=float, default=0.0,
                     help="share of solver-proved no-instances per problem and level (default 0)")
    gen.add_argument("--tight", action="store_true",
                     help="set every bound to the optimum the exact solver proves (slower; reports its time); "
                          "with --no-fraction above 0 this is always on")
    gen.add_argument("--time-limit", type=positive_float, default=DEFAULT_TIME_LIMIT,
                     help="solver budget per call when proving no-instances or tight bounds, in seconds of "
                          "work (counted deterministically, so labels do not depend on speed or load)")
    gen.add_argument("--with-key", action="store_true", help="write the answer key into the test set itself")
    gen.add_argument("--key-out", help="write the answer key (seed, index, label, certificate, optimum, solver "
                                        "effort) to this file")
    gen.add_argument("--backend", choices=("local", "ray"), default="local",
                     help="where instances and their proofs are made: this process (default) or a Ray cluster "
                          "(needs the ray extra; the files are byte-identical)")
    gen.add_argument("--address", help="the Ray cluster to join (default: start a local one on 127.0.0.1)")
    gen.add_argument("--allow-fewer", action="store_true",
                     help="where a level has fewer distinct instances than --count, write those and warn "
                          "(default: stop with an error)")
    gen.set_defaults(handler=cmd_generate)

    ver = subparsers.add_parser("verify", help="grade answers against a test set")
    ver.add_argument("--testset", required=True)
    ver.add_argument("--keys", help="answer key file, if the test set has no inline key")
    ver.add_argument("--answers", required=True,
                     help='JSONL with {"id", "solution"} or {"id", "response": raw model text} per line')
    ver.add_argument("--out", help="write one verdict per line here (default: standard output)")
    ver.set_defaults(handler=cmd_verify)

    sol = subparsers.add_parser("solve", help="solve every instance of a test set exactly")
    sol.add_argument("--testset", required=True)
    sol.add_argument("--time-limit", type=positive_float, default=DEFAULT_TIME_LIMIT,
                     help="solver budget per instance, in seconds of work")
    sol.add_argument("--out", help="write key lines with solver effort here (default: standard output)")
    sol.set_defaults(handler=cmd_solve)


def cmd_list(args) -> int:
    """``nppc list``: every problem with its version, level count and level 1 and top parameters."""
    print(f"{'problem':32} {'ver':>3} {'levels':>6}  level 1 / top parameters")
    for problem_id in problem_ids():
        problem = get_problem(problem_id)
        card = problem.card
        first, last = card.level_params(1), card.level_params(card.top_level)
        print(f"{problem_id:32} {problem.version:>3} {card.top_level:>6}  {json.dumps(first)} / {json.dumps(last)}")
    return 0


def cmd_generate(args) -> int:
    """``nppc generate``: write a test set (and its answer keys) as JSON lines."""
    for problem_id in args.problems:
        get_problem(problem_id)
    started = time.perf_counter()
    solver_seconds = []
    seed = args.seed if args.seed is not None else secrets.randbelow(2 ** 63)
    if args.backend == "ray":
        from npgym.distributed import generate_testset_on_ray

        instances = generate_testset_on_ray(args.problems, args.levels, seed, args.count, args.no_fraction,
                                            args.tight, args.time_limit, allow_fewer=args.allow_fewer,
                                            address=args.address)
    else:
        instances = generate_testset(args.problems, args.levels, seed, args.count, args.no_fraction,
                                     args.tight, args.time_limit, allow_fewer=args.allow_fewer)

    def tracked():
        for instance in instances:
            if "effort" in instance.meta:
                solver_seconds.append(instance.meta["effort"]["seconds"])
            yield instance

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", NoInstanceWarning)
        warnings.simplefilter("always", ShortfallWarning)
        warnings.simplefilter("always", PlantedBoundWarning)
        try:
            count = write_testset(tracked(), args.out, with_key=args.with_key, key_path=args.key_out)
        except ShortfallError as error:
            for path in (args.out, args.key_out):
                if path:
                    Path(path).unlink(missing_ok=True)
            print(f"error: {error}; nothing written", file=sys.stderr)
            return 2
    for line in summarised_warnings([str(warning.message) for warning in caught]):
        print(f"warning: {line}", file=sys.stderr)
    if args.seed is None:
        print(f"seed {seed} (random; recorded in the answer key only)", file=sys.stderr)
    print(f"wrote {count} instances to {args.out}" + (f" and their keys to {args.key_out}" if args.key_out else "")
          + f" in {time.perf_counter() - started:.2f}s", file=sys.stderr)
    if solver_seconds:
        print(f"exact solver: {len(solver_seconds)} calls, {sum(solver_seconds):.2f}s in all, "
              f"max {max(solver_seconds):.2f}s", file=sys.stderr)
    return 0


def cmd_verify(args) -> int:
    """``nppc verify``: grade a file of answers against a test set; the exit status."""
    instances = {instance.id: instance for instance in read_testset(args.testset, args.keys)}
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    codes: Counter = Counter()
    try:
        for record in read_jsonl(args.answers):
            instance = instances.get(record.get("id", ""))
            if instance is None:
                raise ValueError(f"answer for unknown instance id {record.get('id')!r}")
            if "response" in record:
                extraction = extract_answer(record["response"], prompt=record.get("prompt") or build_prompt(instance))
                answer = extraction.answer
                verdict_code = extraction.error
            else:
                answer, verdict_code = {"solution": record.get("solution")}, None
            if answer is None:
                line = {"id": instance.id, "ok": False, "code": verdict_code, "message": "no answer extracted"}
            else:
                line = {"id": instance.id, **verify(instance, answer).to_dict()}
            codes[line["code"]] += 1
            out.write(json.dumps(line) + "\n")
    finally:
        if args.out:
            out.close()
    total = sum(codes.values())
    print(f"{codes['ok']}/{total} correct; codes: {dict(codes)}", file=sys.stderr)
    return 0


def cmd_solve(args) -> int:
    """``nppc solve``: solve every instance of a test set exactly and write the results."""
    out = open(args.out, "w", encoding="utf-8") if args.out else sys.stdout
    statuses: Counter = Counter()
    try:
        for instance in read_testset(args.testset):
            result = solve(instance, args.time_limit)
            statuses[result.status] += 1
            label = {"sat": "yes", "unsat": "no"}.get(result.status, "unknown")
            out.write(json.dumps({"id": instance.id, "label": label, "certificate": result.certificate,
                                  "optimum": result.optimum, "meta": {"effort": result.to_dict()["effort"]}}) + "\n")
    finally:
        if args.out:
            out.close()
    print(f"solved: {dict(statuses)}", file=sys.stderr)
    return 0


_SLOT = re.compile(r"^(?P<where>\S+ level \d+) index (?P<index>\d+): ")


def summarised_warnings(messages: list[str]) -> list[str]:
    """The test-set warnings with one line per (problem, level, what happened): a level whose slots all fall
    back the same way (a tiny level with no no-instances, say) is said once with its slot count, not per slot."""
    grouped: dict[tuple[str, str], list[int]] = {}
    for message in messages:
        slot = _SLOT.match(message)
        key = (slot["where"], message[slot.end():]) if slot else ("", message)
        grouped.setdefault(key, []).append(int(slot["index"]) if slot else -1)
    lines = []
    for (where, what), indices in grouped.items():
        if not where:
            lines.append(what)
        elif len(indices) == 1:
            lines.append(f"{where} index {indices[0]}: {what}")
        else:
            lines.append(f"{where}, {len(indices)} slots (indices {_ranges(sorted(indices))}): {what}")
    return lines


def _ranges(numbers: list[int]) -> str:
    """``0-3, 7, 9-10`` for [0, 1, 2, 3, 7, 9, 10]."""
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in runs)
