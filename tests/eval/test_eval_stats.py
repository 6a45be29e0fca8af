"""The statistics against hand-computed cases."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from npeval import stats


def test_iqm_of_a_known_matrix_drops_a_quarter_from_each_end():
    scores = np.array([[0.0, 1.0, 0.2, 0.4], [0.9, 0.3, 0.5, 0.7]])  # 8 entries: drop 2 lowest, 2 highest
    assert stats.iqm(scores.ravel()) == pytest.approx((0.3 + 0.4 + 0.5 + 0.7) / 4)
    assert stats.iqm(np.array([1.0, 2.0, 3.0])) == pytest.approx(2.0)  # int(0.75) = 0: nothing trimmed


def test_mean_median_and_gap_average_runs_within_a_task_first():
    scores = np.array([1.0, 0.0, 0.5, 0.25, 0.75])
    tasks = np.array([0, 0, 1, 2, 2])  # task means: 0.5, 0.5, 0.5
    assert stats.mean_score(scores, tasks) == pytest.approx(0.5)
    assert stats.median_score(np.array([0.1, 0.9, 0.4]), np.array([0, 1, 2])) == pytest.approx(0.4)
    assert stats.optimality_gap(np.array([1.0, 0.5]), np.array([0, 1])) == pytest.approx(0.25)


def test_probability_of_improvement_of_a_dominating_model_is_one_and_of_a_copy_one_half():
    better = {("p", 1): np.array([0.9, 0.8]), ("p", 2): np.array([0.6, 0.7])}
    worse = {("p", 1): np.array([0.1, 0.2]), ("p", 2): np.array([0.3, 0.5])}
    assert stats.probability_of_improvement(better, worse) == 1.0
    assert stats.probability_of_improvement(worse, better) == 0.0
    assert stats.probability_of_improvement(better, better) == 0.5
    # one task: x = [1, 0], y = [0.5]: pairs (1 > .5), (0 < .5) -> 0.5
    assert stats.mann_whitney(np.array([1.0, 0.0]), np.array([0.5])) == 0.5


def test_ceiling_is_the_top_of_the_unbroken_run_of_passing_levels():
    levels = np.array([1, 2, 3, 4])
    assert stats.ceiling_level(levels, np.array([0.9, 0.6, 0.4, 0.8])) == 2  # level 4 passes but 3 broke the run
    assert stats.ceiling_level(levels, np.array([0.5, 0.5, 0.5, 0.5])) == 4  # 50% counts as passing
    assert stats.ceiling_level(levels, np.array([0.3, 0.9, 0.9, 0.9])) == 0  # lowest level fails: levels[0] - 1
    assert stats.ceiling_level(levels, np.array([0.9, np.nan, 0.9, 0.9])) == 1  # a missing level ends the run
    replicates = np.array([[0.9, 0.2], [0.9, 0.9], [0.1, 0.9], [0.9, 0.9]])  # two replicates as columns
    assert list(stats.ceiling_level(levels, replicates)) == [2, 0]


def test_bootstrap_interval_of_a_constant_score_is_a_point():
    rng = np.random.default_rng(0)
    correct, attempts = stats.resample_sums(np.ones(7, dtype=int), np.ones(7, dtype=int), 500, rng)
    interval = stats.percentile_interval(1.0, correct / attempts)
    assert (interval.low, interval.high) == (1.0, 1.0)


def test_bootstrap_is_reproducible_from_its_seed_and_uses_no_global_rng():
    correct, attempts = np.array([1, 0, 1, 0, 0]), np.ones(5, dtype=int)
    np.random.seed(1)
    first = stats.resample_sums(correct, attempts, 200, np.random.default_rng(42))
    np.random.seed(2)
    second = stats.resample_sums(correct, attempts, 200, np.random.default_rng(42))
    assert np.array_equal(first[0], second[0])


@given(st.lists(st.floats(0, 1), min_size=1, max_size=40))
def test_iqm_lies_between_min_and_max_and_ignores_order(values):
    values = np.array(values)
    assert values.min() - 1e-12 <= stats.iqm(values) <= values.max() + 1e-12
    assert stats.iqm(values[::-1]) == pytest.approx(stats.iqm(values))


def test_iqm_matches_scipy_trim_mean():
    scipy_stats = pytest.importorskip("scipy.stats")
    values = np.random.default_rng(5).random(37)
    assert stats.iqm(values) == pytest.approx(scipy_stats.trim_mean(values, 0.25))
