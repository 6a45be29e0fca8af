"""The ceiling model: grid posterior of a logistic accuracy curve, and the design rule."""

from __future__ import annotations

import math

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from npsolver.ceiling import Posterior, Prior

PRIOR = Prior(top=10, max_level=40)


def expected_counts(ceiling: float, slope: float, levels, per_level: int) -> dict[int, tuple[int, int]]:
    """Answers exactly as often correct as the curve says (rounded): data without sampling noise."""
    return {level: (round(per_level / (1 + math.exp(slope * (level - ceiling)))), per_level) for level in levels}


counts_strategy = st.dictionaries(st.integers(1, 30), st.tuples(st.integers(0, 12), st.integers(0, 12)).map(
    lambda kn: (min(kn), max(kn))), max_size=5)


@pytest.mark.parametrize("ceiling, slope", [(3.3, 1.0), (7.5, 1.2), (14.0, 0.8), (22.6, 2.0)])
def test_plenty_of_answers_pin_the_ceiling_inside_a_narrow_interval(ceiling, slope):
    counts = expected_counts(ceiling, slope, range(max(1, int(ceiling) - 4), int(ceiling) + 6), 200)
    summary = Posterior(PRIOR, counts).summary()
    assert summary.low <= ceiling <= summary.high
    assert abs(summary.median - ceiling) < 0.2 and summary.width < 0.8


def test_without_answers_the_posterior_is_the_prior_flat_to_the_top_with_a_third_beyond_it():
    posterior = Posterior(Prior(top=10, max_level=100), {})
    assert posterior.mass_below(10) == pytest.approx(2 / 3, abs=0.01)
    assert posterior.mass_below(5) == pytest.approx(1 / 3, abs=0.01)  # flat below the top
    assert posterior.summary().width > 15


def test_a_model_that_fails_level_one_has_its_ceiling_below_one():
    summary = Posterior(PRIOR, {1: (0, 60), 2: (0, 30)}).summary()
    assert summary.high < 1


@given(counts_strategy, st.integers(1, 30), st.integers(1, 10))
@example({3: (1, 7)}, 5, 8)
def test_one_more_correct_answer_never_lowers_the_fitted_accuracy_at_its_level(counts, level, attempts):
    # (not the ceiling itself: a success far above the crossing also argues for a flatter curve, and that
    # can pull the crossing down; hypothesis found such a case)
    worse = {**counts, level: (0, attempts)}
    better = {**counts, level: (1, attempts)}
    assert Posterior(PRIOR, better).accuracy_band(level)[0] >= Posterior(PRIOR, worse).accuracy_band(level)[0] - 1e-12


@given(counts_strategy, st.integers(1, 40), st.integers(1, 12))
def test_a_batch_is_expected_to_shrink_the_variance_never_to_grow_it(counts, level, batch):
    posterior = Posterior(PRIOR, counts)
    summary = posterior.summary()
    variance = summary.sd ** 2 - 0.1 ** 2 / 12  # the summary adds the spread within a grid cell
    assert posterior.expected_variance(level, batch) <= variance * (1 + 1e-9) + 1e-12


@given(counts_strategy)
def test_quantiles_are_ordered_and_inside_the_grid(counts):
    posterior = Posterior(PRIOR, counts)
    summary = posterior.summary()
    assert 0 <= summary.low <= summary.median <= summary.high <= PRIOR.max_level
    assert all(1 <= level <= PRIOR.max_level for level in posterior.candidate_levels())


def test_the_design_asks_near_the_crossing_once_it_is_located():
    posterior = Posterior(PRIOR, expected_counts(7.5, 1.2, [4, 6, 8, 11], 10))
    level, expected = posterior.best_level(10)
    assert 6 <= level <= 9
    assert expected[level] == min(expected.values())
    far = [posterior.expected_variance(lv, 10) for lv in (1, 2, 14, 30)]
    assert expected[level] ** 2 < min(far)


def test_the_accuracy_band_brackets_the_true_curve_where_data_are_plentiful():
    posterior = Posterior(PRIOR, expected_counts(6.0, 1.0, range(2, 11), 100))
    for level in (3, 6, 9):
        mean, low, high = posterior.accuracy_band(level)
        truth = 1 / (1 + math.exp(level - 6.0))
        assert low <= truth <= high and low <= mean <= high


@pytest.mark.parametrize("counts", [{0: (1, 2)}, {3: (5, 2)}, {3: (-1, 2)}])
def test_impossible_counts_are_refused(counts):
    with pytest.raises(ValueError, match="bad counts"):
        Posterior(PRIOR, counts)
