"""Every router fitted on every seed's training queries and routed on its test queries, in worker processes.

The (seed, router) tasks are independent, and each is deterministic given its seed: BLAS and OpenMP
are held to one thread (:func:`one_thread`) and every random choice is seeded. So tasks may run in any
process and in any order; collected in task order, the runs are the same for any number of workers.
Workers are forked, sharing the routing data with this process instead of receiving a copy; where
fork is not available, or one worker is asked for, the tasks run here. On the shared 2-core machine
two workers were no faster than one at a million records (other jobs kept both cores busy), so the
evaluation's default is one.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from npgym.machine import usable_cores
from nprouter import metrics
from nprouter.matrix import RoutingData
from nprouter.routers import NotApplicable, make_router
from nprouter.routers.baselines import BestSingleRouter


@dataclass(frozen=True)
class Split:
    """One seed's train and test query rows."""

    seed: int
    train_rows: np.ndarray
    test_rows: np.ndarray


@dataclass
class SeedRun:
    """One router at one knob value on one seed's test queries."""

    score: np.ndarray
    cost: np.ndarray
    model: np.ndarray
    calls: np.ndarray
    metrics: dict[str, Any]


@dataclass
class RouterRuns:
    """One router on one seed: a run per knob value, or why the router does not apply; fit and route seconds."""

    name: str
    seed: int
    knob_name: str = ""
    runs: dict[float, SeedRun] = field(default_factory=dict)
    skipped: str | None = None
    fit_s: float = 0.0
    route_s: float = 0.0


@contextmanager
def one_thread() -> Iterator[None]:
    """BLAS and OpenMP held to one thread.

    The routers' matrices are skinny (tens of columns), so threads buy little, while on a shared machine
    OpenBLAS's spinning threads made the fits up to 30 times slower than one thread; parallelism comes
    from worker processes instead. A limit reaches only the libraries already loaded, so scipy's own
    OpenBLAS and scikit-learn's OpenMP are loaded first.
    """
    import scipy.linalg  # noqa: F401
    import sklearn.cluster  # noqa: F401
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def references(train: RoutingData, test: RoutingData) -> dict[str, Any]:
    """What the metrics compare a router with on one split: random, the best single model, the Oracle."""
    best = BestSingleRouter().fit(train).best
    return {"random": float(test.score.mean()), "best": float(test.score[:, best].mean()), "best_model": best,
            "best_cost": float(test.cost[:, best].mean()), "oracle": float(test.score.max(1).mean()),
            "singles": [(float(test.cost[:, m].mean()), float(test.score[:, m].mean()))
                        for m in range(len(test.models))]}


def route_all(data: RoutingData, splits: Sequence[Split], routers: Sequence[str], workers: int = 0) -> list[RouterRuns]:
    """Every router on every split, seeds first then routers in the order given, in ``workers`` processes.

    ``workers`` 0 means one per usable core but no more than there are splits (each worker holds one
    split's train and test data, a few hundred MB at a million records); never more than there are tasks.
    """
    tasks = [(index, name) for index in range(len(splits)) for name in routers]
    workers = min(workers or min(usable_cores(), len(splits)), len(tasks))
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _install(data, splits)
        try:
            return [_task(task) for task in tasks]
        finally:
            _STATE.clear()
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"), initializer=_install,
                             initargs=(data, splits)) as pool:
        return list(pool.map(_task, tasks))


_STATE: dict[str, Any] = {}  # a worker's routing data and splits, and the split it last prepared


def _install(data: RoutingData, splits: Sequence[Split]) -> None:
    _STATE.update(data=data, splits=splits, prepared=None)


def _prepared(index: int) -> tuple[Split, RoutingData, RoutingData, np.ndarray, dict[str, Any]]:
    """Split ``index``'s train and test data, its test queries' dataset numbers and references, kept for the next
    task (tasks come seed by seed)."""
    if _STATE["prepared"] is None or _STATE["prepared"][0] != index:
        split, data = _STATE["splits"][index], _STATE["data"]
        train, test = data.subset(split.train_rows), data.subset(split.test_rows)
        families = np.unique(test.dataset, return_inverse=True)[1]
        _STATE["prepared"] = (index, (split, train, test, families, references(train, test)))
    return _STATE["prepared"][1]


def _task(task: tuple[int, str]) -> RouterRuns:
    """Fit router ``name`` on split ``index`` and route its test queries at every knob value."""
    index, name = task
    split, train, test, families, reference = _prepared(index)
    result = RouterRuns(name, split.seed)
    with one_thread():
        started = time.perf_counter()
        try:
            router = make_router(name, split.seed).fit(train)
        except NotApplicable as reason:
            result.skipped = str(reason)
            return result
        fitted = time.perf_counter()
        result.knob_name = router.knob_name
        for knob in router.knobs:
            outcome = router.route(test, knob)
            result.runs[knob] = SeedRun(outcome.score, outcome.cost, outcome.model, outcome.calls,
                                        _metrics(outcome.score, outcome.calls, outcome.cost, test, families, reference))
        result.fit_s, result.route_s = fitted - started, time.perf_counter() - fitted
    return result


def _metrics(score, calls, cost, test: RoutingData, families: np.ndarray, reference: dict[str, Any]):
    """The metrics of one run; ``families`` numbers each test query's dataset (sorted names), for the macro mean."""
    accuracy = float(score.mean())
    macro = float(np.mean(np.bincount(families, weights=score) / np.bincount(families)))
    return {"accuracy": accuracy, "accuracy_macro": macro, "cost": float(cost.mean()),
            "calls": float(calls.mean()),
            **metrics.performance(accuracy, reference["random"], reference["best"], reference["oracle"]),
            "recall_1": metrics.model_recall(score, test.solved, 1),
            "recall_2": metrics.model_recall(score, test.solved, 2)}
