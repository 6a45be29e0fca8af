"""npgym.draws takes exactly the values of the random.Random methods it stands for, and leaves the stream
where they leave it (the next draw agrees too)."""

import random

import pytest
from hypothesis import given
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
        draws.sample(random.Random(0), [1, 2], 3)
