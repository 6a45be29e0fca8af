"""Fit and evaluate every numpy / scikit-learn router on 100,000 synthetic query x model records.

Usage: python benchmarks/router_fit.py [--queries 10000] [--models 10] [--seeds 42]
Prints the time to build the matrices and the representation, then per router the fit time and the
time to route the test queries at every knob value, and the accuracy at its best knob.
ModelSwitch is left out (it needs repeated samples, which this single-shot set does not have).
"""

from __future__ import annotations

import argparse
import time

from nprouter.embed import query_matrix
from nprouter.matrix import build_matrix, split_queries
from nprouter.routers import ROUTERS, make_router
from nprouter.synthetic import synthetic_dataset


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", type=int, default=10_000)
    parser.add_argument("--models", type=int, default=10)
    parser.add_argument("--seeds", type=int, nargs="+", default=[42])
    args = parser.parse_args()

    started = time.perf_counter()
    dataset = synthetic_dataset(n_queries=args.queries, n_models=args.models, n_families=8, seed=0)
    made = time.perf_counter()
    data = build_matrix(dataset)
    built = time.perf_counter()
    data.X, inputs = query_matrix(data.text, data.features)
    embedded = time.perf_counter()
    print(f"{len(dataset.records):,} records ({args.queries:,} queries x {args.models} models); "
          f"synthesise {made - started:.2f}s, matrices {built - made:.2f}s, representation {inputs} "
          f"{data.X.shape[1]}-d {embedded - built:.2f}s")
    total, total_cpu = embedded - made, time.process_time()
    for seed in args.seeds:
        train_rows, test_rows = split_queries(data, seed)
        train, test = data.subset(train_rows), data.subset(test_rows)
        print(f"seed {seed}: {len(train):,} train / {len(test):,} test queries")
        print(f"{'router':16} {'fit s':>8} {'route s':>8} {'cpu s':>8} {'knobs':>6} {'best acc':>9}")
        for name in ROUTERS:
            if name == "modelswitch":
                continue
            t0, cpu = time.perf_counter(), time.process_time()
            router = make_router(name, seed).fit(train)
            t1 = time.perf_counter()
            accuracy = max(router.route(test, knob).score.mean() for knob in router.knobs)
            t2 = time.perf_counter()
            total += t2 - t0
            cpu = time.process_time() - cpu
            total_cpu += cpu
            print(f"{name:16} {t1 - t0:8.3f} {t2 - t1:8.3f} {cpu:8.3f} {len(router.knobs):6d} {accuracy:9.4f}")
    print(f"total (matrices, representation, every router fitted and swept): {total:.1f}s wall, "
          f"{total_cpu:.1f}s CPU of this process")


if __name__ == "__main__":
    main()
