"""npgym.draws takes exactly the values of the random.Random methods it stands for, and leaves the stream
where they leave it (the next draw agrees too)."""

import math
import random

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from npgym import draws

seeds = st.integers(0, 2 ** 64)


def twins(seed):
    return random.Random(seed), random.Random(seed)


@given(seeds, st.integers(1, 2 ** 70))
def test_below_is_randrange(seed, n):
    ours, theirs = twins(seed)
    assert [draws.below(ours, n) for _ in range(5)] == [theirs.randrange(n) for _ in range(5)]
    assert ours.random() == theirs.random()


@given(seeds, st.integers(-2 ** 70, 2 ** 70), st.integers(0, 2 ** 70))
def test_between_is_randint(seed, lo, width):
    ours, theirs = twins(seed)
    assert [draws.between(ours, lo, lo + width) for _ in range(5)] == [theirs.randint(lo, lo + width) for _ in range(5)]
    assert ours.random() == theirs.random()


@given(seeds, st.integers(0, 300))
def test_shuffle_is_shuffle(seed, n):
    ours, theirs = twins(seed)
    mine, reference = list(range(n)), list(range(n))
    draws.shuffle(ours, mine)
    theirs.shuffle(reference)
    assert mine == reference and ours.random() == theirs.random()


@given(seeds, st.data())
def test_sample_is_sample(seed, data):
    n = data.draw(st.integers(0, 400))
    k = data.draw(st.integers(0, n))  # both of CPython's strategies: a copied pool and a set of indices
    population = [f"item{i}" for i in range(n)]
    ours, theirs = twins(seed)
    assert draws.sample(ours, population, k) == theirs.sample(population, k)
    assert ours.random() == theirs.random()


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sample_is_sample_at_every_small_size(seed):
    """Every (n, k) up to n = 100: both sides of CPython's pool-or-set rule (n = 21 for k <= 5, 85 for k = 6..21),
    and sets of indices crowded enough that a drawn index is often already taken."""
    population = list(range(100))
    ours, theirs = twins(seed)
    for n in range(101):
        for k in range(n + 1):
            assert draws.sample(ours, population[:n], k) == theirs.sample(population[:n], k), (n, k)


@given(seeds, st.lists(st.floats(0.01, 5.0), min_size=1, max_size=8))
def test_choose_cumulative_is_choices(seed, weights):
    cumulative = [sum(weights[:i + 1]) for i in range(len(weights))]
    population = list(range(len(weights)))
    ours, theirs = twins(seed)
    picked = [draws.choose_cumulative(ours, population, cumulative) for _ in range(6)]
    assert picked == [theirs.choices(population, cum_weights=cumulative)[0] for _ in range(6)]


def test_impossible_draws_are_refused():
    with pytest.raises(ValueError):
        draws.below(random.Random(0), 0)
    with pytest.raises(ValueError):
        draws.between(random.Random(0), 3, 2)
    with pytest.raises(ValueError):
        draws.belows(random.Random(0), 0, 3)
    with pytest.raises(ValueError):
        draws.sample(random.Random(0), [1, 2], 3)


#: probabilities where random_below's byte table changes its mind: bucket edges k / 256 and their neighbours,
#: the ends, values off the ends and NaN, beside ordinary ones
edges = st.integers(0, 256).map(lambda k: k / 256)
within = st.tuples(st.integers(0, 255), st.floats(0, 1)).map(lambda kf: (kf[0] + kf[1]) / 256)  # inside a bucket
probabilities = st.one_of(within, edges, edges.map(lambda p: p + 2 ** -53), edges.map(lambda p: p - 2 ** -53),
                          st.sampled_from([0.0, 1.0, -0.5, 1.5, float("inf"), float("-inf"), float("nan")]))


@given(seeds, st.integers(0, 3000), probabilities, st.booleans())
@example(seed=3, count=20, p=float("nan"), below=False)  # NaN: neither below nor at or above
@example(seed=3, count=20, p=float("nan"), below=True)
def test_random_below_is_a_comparison_per_random_draw(seed, count, p, below):
    ours, theirs = twins(seed)
    expected = bytes(theirs.random() < p if below else theirs.random() >= p for _ in range(count))
    assert bytes(draws.random_below(ours, count, p, below)) == expected
    assert ours.random() == theirs.random()


@given(seeds, st.integers(1, 200), st.data())
def test_random_below_compares_a_draw_equal_to_the_probability_exactly(seed, count, data):
    """p set to one of the draws themselves (or its neighbour): the draw's full 53 bits decide, not its top byte."""
    drawn = [r.random() for r in [random.Random(seed)] for _ in range(count)]
    p = data.draw(st.sampled_from(drawn))
    p = data.draw(st.sampled_from([p, math.nextafter(p, 2), math.nextafter(p, -1)]))
    for below in (True, False):
        ours = random.Random(seed)
        expected = bytes(value < p if below else value >= p for value in drawn)
        assert bytes(draws.random_below(ours, count, p, below)) == expected


@given(seeds, st.integers(1, 2 ** 40), st.integers(0, 50))
def test_belows_are_randranges(seed, n, count):
    ours, theirs = twins(seed)
    assert draws.belows(ours, n, count) == [theirs.randrange(n) for _ in range(count)]
    assert ours.random() == theirs.random()
