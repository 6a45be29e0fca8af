"""Random draws that take exactly the values :class:`random.Random`'s own methods take, in fewer Python calls.

An instance is a pure function of its seed, so a faster draw must consume the Mersenne Twister stream exactly
as the method it stands for: the same ``getrandbits`` and ``random`` calls with the same arguments, in the
same order. CPython's ``randrange``, ``randint``, ``shuffle``, ``sample`` and ``choices`` check their arguments and call
``_randbelow`` once per number; a generator drawing thousands of small numbers spends most of its time there.
These do the same arithmetic inline. They are pinned to CPython's algorithms (rejection sampling on
``getrandbits(n.bit_length())``; Fisher-Yates from the end; ``sample``'s pool or set strategy chosen by the
same size rule; ``choices`` by bisecting cumulative weights), and ``tests/test_draws.py`` checks every one
against the method it replaces on random seeds and sizes.
"""

from __future__ import annotations

import functools
import math
import random
from bisect import bisect
from collections.abc import Sequence
from typing import Any, TypeVar

T = TypeVar("T")


def below(rng: random.Random, n: int) -> int:
    """``rng.randrange(n)`` for ``n >= 1``: uniform on ``0..n-1``."""
    if n < 1:
        raise ValueError(f"no number below {n} to draw")
    bits = n.bit_length()
    value = rng.getrandbits(bits)
    while value >= n:
        value = rng.getrandbits(bits)
    return value


def belows(rng: random.Random, n: int, count: int) -> list[int]:
    """``[rng.randrange(n) for _ in range(count)]`` for ``n >= 1``, in one Python frame."""
    if n < 1:
        raise ValueError(f"no number below {n} to draw")
    getrandbits, bits = rng.getrandbits, n.bit_length()
    values = []
    for _ in range(count):
        value = getrandbits(bits)
        while value >= n:
            value = getrandbits(bits)
        values.append(value)
    return values


def between(rng: random.Random, lo: int, hi: int) -> int:
    """``rng.randint(lo, hi)`` for ``lo <= hi``: uniform on ``lo..hi``."""
    return lo + below(rng, hi - lo + 1)


def shuffle(rng: random.Random, items: list) -> None:
    """``rng.shuffle(items)``, in place: Fisher-Yates from the end, the sizes of one bit length in one run."""
    getrandbits = rng.getrandbits
    size = len(items)
    while size > 1:
        bits = size.bit_length()
        least = 1 << (bits - 1)  # the least size of this bit length
        for last in range(size - 1, least - 2, -1):  # swap position last with a uniform j in 0..last
            j = getrandbits(bits)
            while j > last:
                j = getrandbits(bits)
            items[last], items[j] = items[j], items[last]
        size = least - 1


def _pool_is_smaller(n: int, k: int) -> bool:
    """Whether ``sample`` copies the population (a list of ``n`` costs less than a set of ``k``), by
    CPython's rule."""
    limit = 21
    if k > 5:
        limit += 4 ** math.ceil(math.log(k * 3, 4))
    return n <= limit


def sample(rng: random.Random, population: Sequence[T], k: int) -> list[T]:
    """``rng.sample(population, k)`` for a sequence and ``0 <= k <= len(population)``."""
    n = len(population)
    if not 0 <= k <= n:
        raise ValueError(f"cannot sample {k} of {n} items")
    getrandbits = rng.getrandbits
    picked: list[Any] = []
    if _pool_is_smaller(n, k):
        pool = list(population)
        for i in range(k):
            left = n - i
            bits = left.bit_length()
            j = getrandbits(bits)
            while j >= left:
                j = getrandbits(bits)
            picked.append(pool[j])
            pool[j] = pool[left - 1]  # the last unpicked item fills the gap
        return picked
    bits = n.bit_length()
    taken: set[int] = set()
    for _ in range(k):
        j = getrandbits(bits)
        while j >= n or j in taken:
            j = getrandbits(bits)
        taken.add(j)
        picked.append(population[j])
    return picked


def choose_cumulative(rng: random.Random, population: Sequence[T], cum_weights: Sequence[float]) -> T:
    """``rng.choices(population, cum_weights=cum_weights)[0]``: one item, by its cumulative weight."""
    return population[bisect(cum_weights, rng.random() * (cum_weights[-1] + 0.0), 0, len(population) - 1)]


def random_below(rng: random.Random, count: int, probability: float, below: bool = True) -> bytes | bytearray:
    """``bytes(rng.random() < probability for _ in range(count))`` (with ``below``; else ``>=``), from the same
    draws, in a few C calls: instances stay as they were, a plant draws hundreds of pairs.

    ``random()`` is X / 2**53 with X = (a >> 5) * 2**26 + (b >> 6), a and b the next two 32-bit outputs of the
    Mersenne Twister, and ``getrandbits(64 * count)`` is those 2 * count outputs in order, the first in the
    lowest bits, leaving the generator where ``count`` calls of ``random()`` would. ``random() < p`` is
    X < ceil(p * 2**53) exactly, and the top byte of a (X's top 8 bits) settles it for all but the one byte
    value at the bound; those draws (one in 256) are compared in full.
    """
    if count <= 0:
        return b""
    table, bound = _top_byte_verdicts(probability, below)
    outputs = rng.getrandbits(64 * count).to_bytes(8 * count, "little")
    flags: bytes | bytearray = outputs[3::8].translate(table)
    at = flags.find(2)
    if at >= 0:
        flags = bytearray(flags)
        while at >= 0:
            a = int.from_bytes(outputs[8 * at:8 * at + 4], "little")
            b = int.from_bytes(outputs[8 * at + 4:8 * at + 8], "little")
            flags[at] = ((a >> 5 << 26 | b >> 6) < bound) == below
            at = flags.find(2, at + 1)
    return flags


@functools.lru_cache(maxsize=64)
def _top_byte_verdicts(probability: float, below: bool) -> tuple[bytes, int]:
    """For :func:`random_below`: what each top byte of X says (1 true, 0 false, 2 look closer), and the bound."""
    if probability != probability:  # NaN: no draw is below it, nor at or above it
        return bytes(256), 0
    bound = math.ceil(min(max(probability, 0.0), 2.0) * 2.0 ** 53)  # X < bound iff X / 2**53 < probability
    verdicts = bytearray(256)
    for top in range(256):  # X with this top byte lie in [top << 45, (top + 1) << 45)
        if (top + 1) << 45 <= bound:
            verdicts[top] = below
        elif top << 45 >= bound:
            verdicts[top] = not below
        else:
            verdicts[top] = 2
    return bytes(verdicts), bound
