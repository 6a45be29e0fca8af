"""Metric definitions (routing.md §5c), each a small pure function so tests can check them by hand.

Let A be a router's accuracy on the test queries, R the random expectation (mean accuracy over
models), B the test accuracy of the best single model chosen on training data, O the Oracle's.

* ``Gain@R = (A - R) / R``, ``Gain@B = (A - B) / B``, ``Gap@O = (O - A) / O``,
  ``gap closed = (A - B) / (O - B)``; each is None when its denominator is 0.
* model recall@k: mean score on the test queries that at least 1 and at most ``k`` models solve.
* The Pareto frontier: the (cost, accuracy) points no other point beats on both (lower or equal cost
  and higher accuracy, or lower cost and equal accuracy).
* Frontier area: the area under the step curve "best accuracy reachable at cost <= c" for c in
  [0, cost_max], divided by cost_max (accuracy 0 left of the cheapest point); 1.0 is perfect.
* ParetoDist: mean Euclidean distance from a router's points to the frontier polyline, on axes with
  cost divided by cost_max.
* PerfGain = (max A - B) / B; CostSave = 1 - (least cost with A >= B) / cost(B).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator, or None when the denominator is 0."""
    return None if denominator == 0 else float(numerator / denominator)


def performance(accuracy: float, random: float, best: float, oracle: float) -> dict[str, float | None]:
    """Gain@R, Gain@B, Gap@O and the share of the best-to-Oracle gap closed."""
    return {"gain_random": ratio(accuracy - random, random), "gain_best": ratio(accuracy - best, best),
            "gap_oracle": ratio(oracle - accuracy, oracle), "gap_closed": ratio(accuracy - best, oracle - best)}


def model_recall(score: np.ndarray, solved: np.ndarray, k: int) -> float | None:
    """Mean ``score`` over queries that between 1 and ``k`` models solve (``solved`` is (Q, M)); None if none."""
    solvers = solved.sum(1)
    rows = (solvers >= 1) & (solvers <= k)
    return float(score[rows].mean()) if rows.any() else None


def pareto_frontier(points: Sequence[tuple[float, float]]) -> list[tuple[float, float]]:
    """Non-dominated (cost, accuracy) points, sorted by cost (duplicates kept once)."""
    frontier: list[tuple[float, float]] = []
    for cost, accuracy in sorted(set(points), key=lambda p: (p[0], -p[1])):
        if not frontier or accuracy > frontier[-1][1]:
            frontier.append((cost, accuracy))
    return frontier


def frontier_area(points: Sequence[tuple[float, float]], cost_max: float) -> float:
    """Area under the best-accuracy-at-cost step curve over [0, cost_max], divided by cost_max."""
    if cost_max <= 0:
        return max(a for _, a in points)
    frontier = [(c, a) for c, a in pareto_frontier(points) if c <= cost_max]
    area = 0.0
    for (cost, accuracy), following in zip(frontier, frontier[1:] + [(cost_max, None)]):
        area += (following[0] - cost) * accuracy
    return area / cost_max


def pareto_distance(points: Sequence[tuple[float, float]], frontier: Sequence[tuple[float, float]],
                    cost_max: float) -> float:
    """Mean distance from ``points`` to the polyline through ``frontier`` (cost scaled by ``cost_max``)."""
    scale = cost_max if cost_max > 0 else 1.0
    line = np.array([(c / scale, a) for c, a in frontier])
    segments = list(zip(line[:-1], line[1:])) or [(line[0], line[0])]
    distances = []
    for cost, accuracy in points:
        p = np.array([cost / scale, accuracy])
        distances.append(min(_segment_distance(p, a, b) for a, b in segments))
    return float(np.mean(distances))


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    span = b - a
    length = float(span @ span)
    t = 0.0 if length == 0 else min(max(float((p - a) @ span) / length, 0.0), 1.0)
    return float(np.linalg.norm(p - (a + t * span)))


def perf_gain(accuracies: Sequence[float], best: float) -> float | None:
    """How much the best of ``accuracies`` beats ``best`` (the best single model), relative to it."""
    return ratio(max(accuracies) - best, best)


def cost_save(points: Sequence[tuple[float, float]], best_accuracy: float, best_cost: float) -> float | None:
    """1 - (least cost reaching the best single model's accuracy) / its cost; None if never reached."""
    reaching = [c for c, a in points if a >= best_accuracy - 1e-12]
    if not reaching or best_cost <= 0:
        return None
    return 1.0 - min(reaching) / best_cost


def bootstrap_interval(per_seed_values: Sequence[np.ndarray], per_seed_resamples: Sequence[np.ndarray],
                       level: float = 0.95) -> tuple[float, float]:
    """Percentile interval of the seed-averaged mean, resampling test queries within each seed.

    ``per_seed_resamples[i]`` is a (B, n_i) index array shared by every router of seed i (paired).
    """
    means = np.mean([values[indices].mean(1) for values, indices in zip(per_seed_values, per_seed_resamples)], 0)
    return percentile_pair(means, level)


def percentile_pair(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """The central ``level`` interval of ``values`` (percentiles)."""
    tail = (1.0 - level) / 2 * 100
    low, high = np.percentile(values, [tail, 100 - tail])
    return float(low), float(high)


def resample_means(rng: np.random.Generator, n: int, n_boot: int, values: np.ndarray, block: int = 100) -> np.ndarray:
    """(B, columns) means of ``values`` (n, columns) over ``n_boot`` resamples of its n rows with replacement.

    The resamples are ``rng.integers(0, n, (n_boot, n))`` (the same indices whatever the block size),
    turned into draw counts so that every column's means come from one matrix product.
    """
    means = np.empty((n_boot, values.shape[1]))
    for start in range(0, n_boot, block):
        rows = min(block, n_boot - start)
        indices = rng.integers(0, n, (rows, n))
        counts = np.bincount((indices + n * np.arange(rows)[:, None]).ravel(), minlength=rows * n).reshape(rows, n)
        means[start:start + rows] = counts @ values / n
    return means
