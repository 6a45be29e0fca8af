"""Aggregate scores over runs x tasks, and the stratified bootstrap behind every interval.

Scores
    A *task* is one (problem, level). A *run* is one seed. The unit score of a model is its
    accuracy on one (task, seed) *stratum*: correct attempts / attempts (api errors excluded, see
    :mod:`npeval.data`). A model's scores are a list of entries (task, score), one per stratum it has.
Aggregates (the definitions of rliable, Agarwal et al. 2021, as used by the reference NPPC)
    ``iqm``      interquartile mean: the 25% trimmed mean over *all* entries: sort them, drop
                 ``floor(0.25 n)`` from each end, average the rest (``scipy.stats.trim_mean(x, 0.25)``).
    ``mean``     mean over tasks of the task's mean over runs.
    ``median``   median over tasks of the task's mean over runs.
    ``optimality_gap``  gamma - mean over tasks of the task's mean of min(score, gamma), gamma = 1:
                 how far the model is from solving everything (lower is better).
    ``probability of improvement`` P(X > Y): for each task both models have, the Mann-Whitney
                 statistic over their run scores, P(x > y) + 0.5 P(x = y) over all pairs (x, y);
                 averaged over those tasks. A model that beats another on every run of every task
                 scores 1; identical models score 0.5.
Bootstrap (stratified, percentile method, 95%)
    Every replicate resamples, independently in every (model, task, seed) stratum, that stratum's
    instances with replacement (as many as it has); an instance brings all its samples along. Every
    statistic (cell accuracy, aggregates, ceilings, P(improvement)) is recomputed on each replicate
    and its interval is the 2.5 and 97.5 percentiles. All randomness comes from one
    ``numpy.random.Generator`` seeded by the caller; the strata are visited in sorted order, so
    the same stores and seed give the same intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CONFIDENCE = 0.95
GAMMA = 1.0


@dataclass(frozen=True)
class Interval:
    """A point estimate with its bootstrap interval (NaN when there is no data)."""

    value: float
    low: float
    high: float


def percentile_interval(point: float, replicates: np.ndarray, confidence: float = CONFIDENCE) -> Interval:
    """The percentile bootstrap interval of ``replicates`` around ``point`` (NaN replicates ignored)."""
    finite = replicates[np.isfinite(replicates)]
    if not np.isfinite(point) or finite.size == 0:
        return Interval(float(point), float("nan"), float("nan"))
    tail = (1 - confidence) / 2 * 100
    low, high = np.percentile(finite, [tail, 100 - tail])
    return Interval(float(point), float(low), float(high))


def iqm(scores: np.ndarray) -> np.ndarray:
    """25% trimmed mean over the last axis (all run x task entries)."""
    scores = np.sort(np.asarray(scores, dtype=float), axis=-1)
    count = scores.shape[-1]
    if count == 0:
        return np.full(scores.shape[:-1], np.nan)
    cut = int(0.25 * count)
    return scores[..., cut:count - cut].mean(axis=-1)


def task_means(scores: np.ndarray, tasks: np.ndarray) -> np.ndarray:
    """Per-task mean over runs: entries on the last axis, ``tasks`` their task codes 0..T-1."""
    scores = np.asarray(scores, dtype=float)
    tasks = np.asarray(tasks)
    n_tasks = int(tasks.max()) + 1 if tasks.size else 0
    onehot = np.zeros((tasks.size, n_tasks))
    onehot[np.arange(tasks.size), tasks] = 1
    return (scores @ onehot) / onehot.sum(axis=0)


def mean_score(scores: np.ndarray, tasks: np.ndarray) -> np.ndarray:
    return task_means(scores, tasks).mean(axis=-1)


def median_score(scores: np.ndarray, tasks: np.ndarray) -> np.ndarray:
    return np.median(task_means(scores, tasks), axis=-1)


def optimality_gap(scores: np.ndarray, tasks: np.ndarray, gamma: float = GAMMA) -> np.ndarray:
    return gamma - task_means(np.minimum(np.asarray(scores, dtype=float), gamma), tasks).mean(axis=-1)


AGGREGATES = {
    "iqm": lambda scores, tasks: iqm(scores),
    "mean": mean_score,
    "median": median_score,
    "optimality_gap": optimality_gap,
}


def mann_whitney(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """P(x > y) + 0.5 P(x = y) over all pairs of the last axes (leading axes broadcast)."""
    x = np.asarray(x, dtype=float)[..., :, None]
    y = np.asarray(y, dtype=float)[..., None, :]
    return ((x > y) + 0.5 * (x == y)).mean(axis=(-2, -1))


def probability_of_improvement(x_by_task: dict, y_by_task: dict) -> np.ndarray:
    """Mean over the tasks both have of :func:`mann_whitney`; values are arrays of run scores."""
    common = sorted(set(x_by_task) & set(y_by_task))
    if not common:
        return np.asarray(np.nan)
    return np.mean([mann_whitney(x_by_task[task], y_by_task[task]) for task in common], axis=0)


def ceiling_level(levels: np.ndarray, accuracy: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    """Highest level L with accuracy >= threshold at every level <= L (levels sorted, one per row).

    ``accuracy`` has the levels on axis 0 (and replicates after). A level without data (NaN) ends
    the run like a failed one. When even the lowest level fails, the ceiling is ``levels[0] - 1``.
    """
    passed = np.nan_to_num(np.asarray(accuracy, dtype=float), nan=-1.0) >= threshold
    run_length = np.cumprod(passed, axis=0).sum(axis=0)  # how many levels pass in a row from the bottom
    below = np.concatenate([[levels[0] - 1], levels])
    return below[run_length]


def resample_sums(correct: np.ndarray, attempts: np.ndarray, n_boot: int,
                  rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap sums of per-instance (correct, attempts) of one stratum: two arrays of length n_boot."""
    picks = rng.integers(0, correct.size, size=(n_boot, correct.size))
    return correct[picks].sum(axis=1), attempts[picks].sum(axis=1)
