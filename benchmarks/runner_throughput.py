"""Harness throughput: graded records per second and peak memory of ``nppc run``'s runner.

Usage: python benchmarks/runner_throughput.py [--records 2000] [--big 10000] [--concurrency 1,16,64]

Each measurement runs in a fresh subprocess (so peak RSS is its own) against a zero-latency scripted
OpenAI-compatible server on 127.0.0.1 (``npsolver.testserver``, every reply ``{"solution": null}``,
graded as a wrong claim), through the real LiteLLM client; plus a run of the built-in
``baseline/random`` model, which measures the runner, grading and the store without HTTP. Planning
(instance generation and prompt building) is timed apart from the run. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROBLEMS, LEVELS = ["three_sat", "vertex_cover"], [1, 2, 3, 4, 5]


def measure(model: str, api_base: str | None, records: int, concurrency: int) -> dict:
    """One run in this process; returns its numbers."""
    from npsolver.adapters import Sampling, make_adapter
    from npsolver.errors import RetryPolicy
    from npsolver.plan import build_tasks, generate_targets, run_id_of, run_identity
    from npsolver.runner import RunSettings, execute
    from npsolver.store import Store

    started = time.perf_counter()
    count = -(-records // (len(PROBLEMS) * len(LEVELS)))
    targets = generate_targets(PROBLEMS, LEVELS, [0], count)[:records]
    tasks = build_tasks(targets, shots=0, samples=1)
    plan_seconds = time.perf_counter() - started
    sampling = Sampling(max_tokens=64)
    adapter = make_adapter(model, sampling, api_base)
    adapter.prepare()
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "runs.sqlite") as store:
        run_id = run_id_of(run_identity(model, api_base, sampling, 0, 1, targets))
        store.put_run(run_id, model, {}, "bench", "bench", None)
        store.put_instances(target.to_record(with_key=True) for target in targets)
        settings = RunSettings(concurrency=concurrency, retry=RetryPolicy(3, 0.01), progress=False)
        summary = asyncio.run(execute(store, run_id, adapter, tasks, settings))
        size = sum(path.stat().st_size for path in Path(folder).iterdir())
    return {"model": model, "concurrency": concurrency, "records": summary.done, "plan_s": plan_seconds,
            "run_s": summary.seconds, "per_s": summary.done / summary.seconds,
            "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
            "store_mb": size / 2**20, "statuses": summary.statuses}


def start_server() -> tuple[subprocess.Popen, str]:
    process = subprocess.Popen([sys.executable, "-m", "npsolver.testserver"], stdout=subprocess.PIPE, text=True)
    line = process.stdout.readline()
    if not line.startswith("READY"):
        raise RuntimeError(f"the scripted server did not start: {line!r}")
    return process, f"http://127.0.0.1:{line.split()[1]}/v1"


def in_subprocess(model: str, api_base: str | None, records: int, concurrency: int) -> dict:
    result = subprocess.run([sys.executable, __file__, "--one", json.dumps([model, api_base, records, concurrency])],
                            capture_output=True, text=True, check=True, env={**os.environ, "PYTHONWARNINGS": "ignore"})
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=2000, help="records per concurrency level")
    parser.add_argument("--big", type=int, default=10000, help="records of the large runs")
    parser.add_argument("--concurrency", default="1,16,64")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(measure(*json.loads(args.one))))
        return
    server, api_base = start_server()
    rows = []
    try:
        for concurrency in [int(c) for c in args.concurrency.split(",")]:
            rows.append(in_subprocess("bench-model", api_base, args.records, concurrency))
        rows.append(in_subprocess("bench-model", api_base, args.big, 64))
        rows.append(in_subprocess("baseline/random", None, args.big, 16))
    finally:
        os.kill(server.pid, signal.SIGTERM)
        server.wait()
    print(f"{'model':16} | {'conc':>4} | {'records':>7} | {'plan s':>6} | {'run s':>6} | {'records/s':>9} | "
          f"{'peak RSS MB':>11} | {'store MB':>8}")
    print("|".join("-" * width for width in (17, 6, 9, 8, 8, 11, 13, 9)))
    for row in rows:
        print(f"{row['model']:16} | {row['concurrency']:>4} | {row['records']:>7} | {row['plan_s']:>6.1f} | "
              f"{row['run_s']:>6.1f} | {row['per_s']:>9.0f} | {row['peak_rss_mb']:>11.0f} | {row['store_mb']:>8.1f}")
    failed = [row for row in rows if set(row["statuses"]) != {"graded"}]
    if failed:
        print(f"warning: some runs had non-graded records: {[row['statuses'] for row in failed]}")


if __name__ == "__main__":
    main()
