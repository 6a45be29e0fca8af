"""Every ladder's prompts grow about linearly past the top (issue 17, item 5): a level adds a bounded number of
characters, also for dense graphs, distance matrices and numbers whose bits grow with their count."""

import pytest

import npgym
from npgym.growth import MAX_INCREMENT_RATIO, growth_levels, increment_ratio, median_chars


@pytest.mark.parametrize("problem_id", npgym.problem_ids())
def test_prompts_grow_linearly_past_the_top(problem_id):
    chars = [median_chars(problem_id, level) for level in growth_levels(problem_id)]
    assert chars[0] < chars[1] < chars[2], f"{problem_id}: prompts must keep growing past the top, got {chars}"
    assert increment_ratio(chars) <= MAX_INCREMENT_RATIO, f"{problem_id}: prompts grow faster than linearly: {chars}"


def test_the_increment_ratio_tells_linear_from_quadratic_growth():
    assert increment_ratio([100, 200, 300]) == 1
    assert increment_ratio([n * n for n in (10, 30, 50)]) == 2  # a size growing linearly in a quadratic prompt
    assert increment_ratio([5, 5, 9]) == 4  # no growth in the first span counts as one character
