"""Labelling throughput on Ray: a test set with proved no-instances and tight bounds, local vs 1 and 2 workers.

    python benchmarks/ray_labelling.py [--count 12] [--levels 2-6] [--problems ...]

Makes the same labelled test set (``--no-fraction 0.25 --tight``) with the local backend and on a
fresh local Ray cluster of 1 and of 2 CPUs, checks the files are byte-identical, and prints the wall
time of each, the instances per second, the cluster's start-up time, and the per-task overhead (a
chunk of trivial slots, i.e. yes-instances of level 1 without any solver call), so a user can predict
a larger cluster's speed-up: time ~ start-up + slots x (solve time / workers + overhead / workers).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout without installing

from npgym.cliargs import int_list, problem_list  # noqa: E402
from npgym.testset import generate_testset, write_testset  # noqa: E402


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def first_difference(ours: Path, theirs: Path) -> str:
    """Where two test-set files first differ (problem, level and id of the line), for a report that says NO."""
    for number, (a, b) in enumerate(zip(ours.read_text().splitlines(), theirs.read_text().splitlines()), 1):
        if a != b:
            fields = json.loads(a)
            return (f"{theirs.name} line {number}: {fields.get('problem')} level {fields.get('level')} "
                    f"{fields.get('id')}")
    return f"{theirs.name}: a different number of lines"


def timed_local(args, out: Path) -> float:
    started = time.perf_counter()
    write_testset(generate_testset(args.problems, args.levels, args.seed, args.count, 0.25, True, args.time_limit),
                  out / "local.jsonl", key_path=out / "local-key.jsonl")
    return time.perf_counter() - started


def timed_ray(args, out: Path, cpus: int) -> tuple[float, float, float]:
    """(start-up seconds, generation seconds, per-task overhead seconds) on a fresh cluster of ``cpus`` CPUs."""
    import ray

    from npgym.distributed import connect, generate_testset_on_ray, make_chunk

    started = time.perf_counter()
    connect(num_cpus=cpus)
    startup = time.perf_counter() - started
    trivial = [("three_sat", 1, 0, index, "yes", False, 1.0) for index in range(200)]
    remote = ray.remote(make_chunk)
    ray.get(remote.remote(trivial[:1]))  # workers warm
    started = time.perf_counter()
    ray.get([remote.remote([slot]) for slot in trivial])
    local = time.perf_counter()
    make_chunk(trivial)
    overhead = ((local - started) * cpus - (time.perf_counter() - local)) / len(trivial)
    started = time.perf_counter()
    on_ray = generate_testset_on_ray(args.problems, args.levels, args.seed, args.count, 0.25, True, args.time_limit)
    write_testset(on_ray, out / f"ray{cpus}.jsonl", key_path=out / f"ray{cpus}-key.jsonl")
    seconds = time.perf_counter() - started
    ray.shutdown()
    return startup, seconds, max(overhead, 0.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--problems", type=problem_list, default=problem_list("all"))
    parser.add_argument("--levels", type=int_list, default=int_list("2-4"))
    parser.add_argument("--count", type=int, default=14)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--time-limit", type=float, default=10.0)
    parser.add_argument("--out", type=Path, default=Path("/tmp/nppc-ray-labelling"))
    parser.add_argument("--reuse-local", action="store_true",
                        help="compare against the local backend's files already in --out (made with the same "
                             "arguments) instead of making them again")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    instances = len(args.problems) * len(args.levels) * args.count
    print(f"{instances} instance slots ({len(args.problems)} problems x levels {args.levels} x {args.count}), "
          f"no-fraction 0.25, tight; {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f} at start")
    if args.reuse_local and (args.out / "local.jsonl").exists():  # the same arguments give the same bytes
        rows = []
    else:
        rows = [("local", "-", timed_local(args, args.out), "-", "-")]
    for cpus in (1, 2):
        startup, seconds, overhead = timed_ray(args, args.out, cpus)
        rows.append((f"ray, {cpus} worker{'s' if cpus > 1 else ''}", f"{startup:.1f}", seconds, f"{overhead * 1e3:.1f}",
                     "yes" if digest(args.out / f"ray{cpus}.jsonl") == digest(args.out / "local.jsonl")
                     and digest(args.out / f"ray{cpus}-key.jsonl") == digest(args.out / "local-key.jsonl") else "NO"))
    for cpus in (1, 2):
        for suffix in (".jsonl", "-key.jsonl"):
            if digest(args.out / f"ray{cpus}{suffix}") != digest(args.out / f"local{suffix}"):
                print("differs: " + first_difference(args.out / f"local{suffix}", args.out / f"ray{cpus}{suffix}"))
    lines = sum(1 for _ in open(args.out / "local.jsonl"))
    print("\n| backend | start-up s | generation s | instances/s | per-task overhead ms | byte-identical |")
    print("|---|---|---|---|---|---|")
    for name, startup, seconds, overhead, same in rows:
        same_text = same if name != "local" else "-"
        print(f"| {name} | {startup} | {seconds:.1f} | {lines / seconds:.1f} | {overhead} | {same_text} |")
    print(f"\n{lines} instances written; load {os.getloadavg()[0]:.1f} at the end")


if __name__ == "__main__":
    main()
