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
    and its interval is the 2.5 and 97.5 percentiles. A replicate needs only the stratum's resampled
    sums (correct, attempts), so each is drawn from their exact distribution (the n-fold convolution
    of the instances' empirical distribution, :func:`resampled_sums_distribution`) by inverting its
    CDF with one uniform number: the same distribution as drawing n instance indices, for 1/n of the
    random numbers. All randomness comes from one ``numpy.random.Generator`` seeded by the caller;
    the strata are visited in sorted order, so the same stores and seed give the same intervals.
Intervals that miss their point
    A percentile interval need not contain its point estimate (an IQM or a median over few strata
    can sit outside the bulk of its replicates). Tables keep the interval as computed and flag such
    rows (``ci_excludes_point``); figures draw error bars clipped at the point.
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


def percentile_rows(points: np.ndarray, replicates: np.ndarray,
                    confidence: float = CONFIDENCE) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise :func:`percentile_interval`: (low, high) arrays for ``points`` (R,) and ``replicates`` (R, B)."""
    points = np.asarray(points, dtype=float)
    low, high = np.full(len(points), np.nan), np.full(len(points), np.nan)
    if not len(points):
        return low, high
    replicates = np.asarray(replicates, dtype=float).reshape(len(points), -1)
    finite = np.isfinite(replicates)
    whole = np.isfinite(points) & finite.all(axis=1)
    tail = (1 - confidence) / 2 * 100
    if whole.any():
        low[whole], high[whole] = np.percentile(replicates[whole], [tail, 100 - tail], axis=1)
    for row in np.flatnonzero(np.isfinite(points) & ~whole & finite.any(axis=1)):  # rare: some NaN replicates
        interval = percentile_interval(points[row], replicates[row], confidence)
        low[row], high[row] = interval.low, interval.high
    return low, high


def excludes_point(points, low, high) -> np.ndarray:
    """True where a finite interval [low, high] does not contain its point (beyond float round-off)."""
    points, low, high = (np.asarray(v, dtype=float) for v in (points, low, high))
    slack = 1e-12 * np.maximum(1.0, np.abs(points))
    with np.errstate(invalid="ignore"):
        return np.isfinite(low) & np.isfinite(high) & ((points < low - slack) | (points > high + slack))


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
    if tasks.size == 0:
        return np.zeros(scores.shape[:-1] + (0,))
    order = np.argsort(tasks, kind="stable")
    sorted_tasks = tasks[order]
    starts = np.flatnonzero(np.r_[True, sorted_tasks[1:] != sorted_tasks[:-1]])
    sums = np.add.reduceat(scores[..., order], starts, axis=-1)
    counts = np.diff(np.r_[starts, tasks.size])
    means = np.full(scores.shape[:-1] + (int(tasks.max()) + 1,), np.nan)
    means[..., sorted_tasks[starts]] = sums / counts
    return means


def mean_score(scores: np.ndarray, tasks: np.ndarray) -> np.ndarray:
    """The mean over tasks of the per-task mean scores."""
    return task_means(scores, tasks).mean(axis=-1)


def median_score(scores: np.ndarray, tasks: np.ndarray) -> np.ndarray:
    """The median over tasks of the per-task mean scores."""
    return np.median(task_means(scores, tasks), axis=-1)


def optimality_gap(scores: np.ndarray, tasks: np.ndarray, gamma: float = GAMMA) -> np.ndarray:
    """How far the per-task means fall short of ``gamma`` on average (each capped at ``gamma``)."""
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


def mann_whitney_matrix(runs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """:func:`mann_whitney` of every ordered pair of models at once, on one task.

    ``runs`` is (M, R, ...): model m's run scores in its first ``counts[m]`` slots (the rest is
    ignored), trailing axes broadcast (replicates). Returns (M, M, ...); NaN where a model has no run.
    Uses P(x > y) + 0.5 P(x = y) = 1/2 + mean sign(x - y)/2, with unused slots set above every score:
    their signs against real runs are known, and are taken back out. The signs are counted in small integers
    from two comparisons (a quarter of the memory traffic of float signs, the same sums); a NaN score makes all
    of its model's pairs NaN, as a float sign would.
    """
    runs = np.asarray(runs, dtype=float)
    counts = np.asarray(counts)
    n_models, n_slots = runs.shape[:2]
    trailing = (1,) * (runs.ndim - 2)
    used = (np.arange(n_slots)[None, :] < counts[:, None]).reshape(n_models, n_slots, *trailing)
    above = float(np.max(runs, where=used, initial=0.0)) + 1.0
    runs = np.where(used, runs, above)
    shape = (n_models, n_models) + runs.shape[2:]
    signs = np.zeros(shape, dtype=np.int16 if n_slots * n_slots < 2 ** 15 else np.int64)
    greater, less = np.empty(shape, dtype=bool), np.empty(shape, dtype=bool)
    for i in range(n_slots):
        left = runs[:, None, i]
        for j in range(n_slots):
            right = runs[None, :, j]
            signs += np.greater(left, right, out=greater)
            signs -= np.less(left, right, out=less)
    unused = n_slots - counts
    known = (counts[:, None] * unused[None, :] - unused[:, None] * counts[None, :]).reshape(n_models, n_models,
                                                                                           *trailing)
    pairs = (counts[:, None] * counts[None, :]).reshape(n_models, n_models, *trailing)
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = np.where(pairs > 0, 0.5 + 0.5 * (signs + known) / np.where(pairs > 0, pairs, 1), np.nan)
    missing = np.isnan(runs).any(axis=1)
    if missing.any():
        matrix[missing[:, None] | missing[None, :]] = np.nan
    return matrix


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
    support_correct, support_attempts, probabilities = resampled_sums_distribution(correct, attempts)
    cdf = np.cumsum(probabilities)
    cdf[-1] = 1.0
    picked = np.searchsorted(cdf, rng.random(n_boot), side="right")
    return support_correct[picked], support_attempts[picked]


_ROUND_OFF = 1e-13  # FFT noise floor; a real probability this small is never drawn by any bootstrap


def resampled_sums_distribution(correct: np.ndarray, attempts: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                                  np.ndarray]:
    """The exact distribution of (sum of correct, sum of attempts) over n instances drawn with replacement.

    ``correct`` and ``attempts`` are the n instances' integer counts. Returns the support (correct
    sums, attempt sums) and the probability of each point: the n-fold convolution, computed by FFT,
    of the empirical distribution of (correct, attempts) over the instances.
    """
    correct = np.asarray(correct, dtype=np.int64)
    attempts = np.asarray(attempts, dtype=np.int64)
    n = correct.size
    low = int(attempts.min())
    grid = np.zeros((int(correct.max()) + 1, int(attempts.max()) - low + 1))
    np.add.at(grid, (correct, attempts - low), 1.0 / n)
    shape = ((grid.shape[0] - 1) * n + 1, (grid.shape[1] - 1) * n + 1)
    if grid.size == 1:
        distribution = np.ones((1, 1))
    elif grid.shape[1] == 1:
        distribution = np.fft.irfft(np.fft.rfft(grid[:, 0], shape[0]) ** n, shape[0])[:, None]
    else:
        distribution = np.fft.irfft2(np.fft.rfft2(grid, shape) ** n, shape)
    distribution[distribution < _ROUND_OFF] = 0.0
    rows, columns = np.nonzero(distribution)
    probabilities = distribution[rows, columns]
    return rows, columns + n * low, probabilities / probabilities.sum()
