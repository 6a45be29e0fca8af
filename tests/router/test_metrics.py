"""Metric definitions on small hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from nprouter import metrics


def test_performance_ratios():
    result = metrics.performance(accuracy=0.6, random=0.4, best=0.5, oracle=0.8)
    assert result["gain_random"] == pytest.approx(0.5)      # (0.6 - 0.4) / 0.4
    assert result["gain_best"] == pytest.approx(0.2)        # (0.6 - 0.5) / 0.5
    assert result["gap_oracle"] == pytest.approx(0.25)      # (0.8 - 0.6) / 0.8
    assert result["gap_closed"] == pytest.approx(1 / 3)     # (0.6 - 0.5) / (0.8 - 0.5)
    assert metrics.performance(0.5, 0.5, 0.5, 0.5)["gap_closed"] is None


def test_model_recall_counts_queries_few_models_solve():
    solved = np.array([[1, 0, 0], [1, 1, 0], [1, 1, 1], [0, 0, 0]], bool)
    score = np.array([1.0, 0.0, 1.0, 0.0])
    assert metrics.model_recall(score, solved, 1) == 1.0    # only query 0
    assert metrics.model_recall(score, solved, 2) == 0.5    # queries 0 and 1
    assert metrics.model_recall(score, np.zeros((4, 3), bool), 2) is None


def test_pareto_frontier_area_and_distance():
    points = [(1.0, 0.5), (2.0, 0.4), (2.0, 0.7), (4.0, 0.7), (3.0, 0.9)]
    frontier = metrics.pareto_frontier(points)
    assert frontier == [(1.0, 0.5), (2.0, 0.7), (3.0, 0.9)]
    # step curve on [0, 4]: 0 until 1, 0.5 on [1, 2), 0.7 on [2, 3), 0.9 on [3, 4] -> 2.1 / 4
    assert metrics.frontier_area(points, 4.0) == pytest.approx(0.525)
    # on axes (cost / 4, accuracy) the nearest frontier point to (1.0, 0.7) is its end (0.75, 0.9)
    distance = metrics.pareto_distance([(4.0, 0.7)], frontier, 4.0)
    assert distance == pytest.approx(np.hypot(1.0 - 0.75, 0.2))
    assert metrics.pareto_distance([(2.0, 0.7)], frontier, 4.0) == 0.0


def test_perf_gain_and_cost_save():
    assert metrics.perf_gain([0.5, 0.66], best=0.6) == pytest.approx(0.1)
    points = [(1.0, 0.5), (2.0, 0.6), (3.0, 0.7)]
    assert metrics.cost_save(points, best_accuracy=0.6, best_cost=4.0) == pytest.approx(0.5)
    assert metrics.cost_save(points, best_accuracy=0.9, best_cost=4.0) is None


def test_bootstrap_interval():
    constant = [np.full(10, 0.3), np.full(5, 0.3)]
    resamples = [np.random.default_rng(0).integers(0, n, (200, n)) for n in (10, 5)]
    assert metrics.bootstrap_interval(constant, resamples) == pytest.approx((0.3, 0.3))
    values = [np.array([0.0, 1.0] * 50)]
    low, high = metrics.bootstrap_interval(values, [np.random.default_rng(1).integers(0, 100, (1000, 100))])
    assert low < 0.5 < high and high - low == pytest.approx(2 * 1.96 * 0.05, abs=0.03)


def test_resample_means_are_the_means_of_the_index_resamples():
    values = np.random.default_rng(3).random((50, 4))
    indices = np.random.default_rng(8).integers(0, 50, (30, 50))
    expected = np.stack([values[row].mean(0) for row in indices])
    assert np.allclose(metrics.resample_means(np.random.default_rng(8), 50, 30, values, block=7), expected)
