"""Square roots modulo a composite: factorisation, roots modulo prime powers, and the smallest positive root.

Shared by the quadratic problems. x^2 = a (mod b) has, for b = p_1^e_1 ... p_k^e_k, the roots built by the
Chinese remainder theorem from one root modulo each prime power: x = sum_i t_i E_i (mod b), where E_i is
1 modulo p_i^e_i and 0 modulo the others. With two roots per prime that is 2^k roots; the smallest
positive one is found by meet in the middle over two halves of the primes (2^(k/2) sums each), so its cost
is about 2^(k/2), not 2^k.
"""

from __future__ import annotations

import bisect
import functools
import math
import random
import time
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from npgym.problem import Effort

#: give up (OutOfBudget) once one half of the meet in the middle would hold more sums than this
HALF_LIMIT = 1 << 19
#: search steps per second of ``time_limit``, measured on the reference machine by benchmarks/solver_budget.py
STEPS_PER_SECOND = 75_000
#: the wall-clock fuse is looked at every this many steps
FUSE_EVERY = 4096


class OutOfBudget(Exception):
    """The time limit ran out, or the root combination is too large to search."""


class StepBudget:
    """Counts a search's steps (:meth:`tick`) and raises :class:`OutOfBudget` after ``time_limit`` seconds
    of work, ``STEPS_PER_SECOND`` steps each: a count, not the clock, so that whether a search settles does
    not depend on the machine (see :mod:`npgym.solvers`). The wall-clock fuse, looked at every 4096 steps,
    stops a search on a machine far slower than the reference one."""

    def __init__(self, time_limit: float) -> None:
        from npgym.solvers import held, wall_fuse

        self.limit = max(1, int(held(time_limit) * STEPS_PER_SECOND))
        self.fuse = time.perf_counter() + wall_fuse(time_limit)
        self.steps = 0
        self.next_fuse_check = FUSE_EVERY

    @property
    def work(self) -> float:
        """The steps taken, in the units of ``time_limit``."""
        return round(self.steps / STEPS_PER_SECOND, 6)

    def effort(self, solver: str, seconds: float) -> Effort:
        """The solver effort of a search that took this budget's steps."""
        from npgym.problem import Effort

        return Effort(solver, seconds, branches=self.steps, work=self.work)

    def tick(self, steps: int = 1) -> None:
        """Count ``steps`` steps (a costly step on big numbers counts as several, see :func:`size_weight`);
        raise :class:`OutOfBudget` past the budget or the wall-clock fuse."""
        self.steps += steps
        if self.steps > self.limit:
            raise OutOfBudget
        if self.steps >= self.next_fuse_check:
            self.next_fuse_check = self.steps + FUSE_EVERY
            if time.perf_counter() > self.fuse:
                raise OutOfBudget


def size_weight(n: int) -> int:
    """How many budget steps one of Pollard's rho's batches (256 multiplications modulo ``n``) is worth: its
    cost grows faster than the size of n (measured: 0.6 ms at 800 bits, 4 ms at 2,400 bits, against
    STEPS_PER_SECOND), so a search on numbers of thousands of digits runs out of budget, not of the clock."""
    return max(1, int(45 * (n.bit_length() / 800) ** 1.75))


def odd_primes(limit: int) -> list[int]:
    """The odd primes up to ``limit`` (a small sieve, kept per limit; the list is the caller's own)."""
    return list(_odd_primes(limit))


@functools.lru_cache(maxsize=16)
def _odd_primes(limit: int) -> tuple[int, ...]:
    sieve = bytearray([1]) * (limit + 1)
    sieve[:2] = b"\x00\x00"
    for p in range(2, math.isqrt(limit) + 1):
        if sieve[p]:
            sieve[p * p::p] = bytearray(len(range(p * p, limit + 1, p)))
    return tuple(p for p in range(3, limit + 1) if sieve[p])


def is_probable_prime(n: int) -> bool:
    """Miller-Rabin with the first twelve prime bases (exact below 3.3 * 10^24)."""
    if n < 2:
        return False
    bases = (2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37)
    for p in bases:
        if n % p == 0:
            return n == p
    d, s = n - 1, 0
    while d % 2 == 0:
        d, s = d // 2, s + 1
    for a in bases:
        x = pow(a, d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = x * x % n
            if x == n - 1:
                break
        else:
            return False
    return True


def random_prime(rng: random.Random, bits: int, avoid: set[int]) -> int:
    """A uniformly random prime of exactly ``bits`` bits, not in ``avoid``."""
    while True:
        candidate = rng.getrandbits(bits) | (1 << (bits - 1)) | 1
        if candidate not in avoid and is_probable_prime(candidate):
            return candidate


def factorise(n: int, tick: Callable[..., None]) -> list[tuple[int, int]]:
    """(prime, exponent) pairs of n: trial division below 1000, then Pollard's rho (Brent's cycle finding);
    ``tick`` is called per step (it may raise OutOfBudget)."""
    counts: dict[int, int] = {}
    for p in [2] + odd_primes(1000):
        while n % p == 0:
            counts[p] = counts.get(p, 0) + 1
            n //= p
    for p in _large_prime_factors(n, tick):
        counts[p] = counts.get(p, 0) + 1
    return sorted(counts.items())


def _large_prime_factors(n: int, tick: Callable[..., None]) -> Iterator[int]:
    """The prime factors of n (no factor below 1000), with repetition, as Pollard's rho splits them off."""
    stack = [n] if n > 1 else []
    while stack:
        m = stack.pop()
        weight = size_weight(m)
        tick(weight * max(1, m.bit_length() // 200))  # a Miller-Rabin round: about bits / 200 rho batches
        if is_probable_prime(m):
            yield m
            continue
        d = _rho(m, tick, weight)
        stack += [d, m // d]


def _rho(n: int, tick: Callable[..., None], weight: int = 1) -> int:
    """A proper factor of the composite n (no factor below 1000) by Pollard-Brent."""
    c = 1
    while True:
        y, r, q, g = 2, 1, 1, 1
        while g == 1:
            x = y
            for _ in range(r):
                y = (y * y + c) % n
            k = 0
            while k < r and g == 1:
                saved = y
                for _ in range(min(128, r - k)):
                    y = (y * y + c) % n
                    q = q * abs(x - y) % n
                tick(weight)
                g = math.gcd(q, n)
                k += 128
            r *= 2
        if g == n:  # the batch overshot: step back one at a time
            g, y = 1, saved
            while g == 1:
                y = (y * y + c) % n
                g = math.gcd(abs(x - y), n)
        if g != n:
            return g
        c += 1


def roots_mod_prime_power(a: int, p: int, e: int, tick: Callable[..., None]) -> list[int]:
    """Every t in 0..p^e - 1 with t^2 = a (mod p^e)."""
    q = p ** e
    if q <= 1 << 16:
        found = []
        for t in range(q):
            tick()
            if (t * t - a) % q == 0:
                found.append(t)
        return found
    if a % p == 0 or p == 2:  # large and not coprime: lift every root mod p step by step
        roots = roots_mod_prime_power(a, p, 1, tick)
        for k in range(1, e):
            modulus = p ** (k + 1)
            lifted = (r + j * p ** k for r in roots for j in range(p))
            roots = sorted({x for x in lifted if (x * x - a) % modulus == 0})
        return roots
    root = _tonelli_shanks(a % p, p)
    if root is None:
        return []
    roots = [root, p - root]
    for k in range(1, e):  # Hensel: p odd and p does not divide a, so each root lifts uniquely
        modulus = p ** (k + 1)
        roots = [(r - (r * r - a) * pow(2 * r, -1, modulus)) % modulus for r in roots]
    return sorted(set(roots))


def _tonelli_shanks(a: int, p: int) -> int | None:
    if a == 0:
        return 0
    if pow(a, (p - 1) // 2, p) != 1:
        return None
    if p % 4 == 3:
        return pow(a, (p + 1) // 4, p)
    q, s = p - 1, 0
    while q % 2 == 0:
        q, s = q // 2, s + 1
    z = 2
    while pow(z, (p - 1) // 2, p) != p - 1:
        z += 1
    m, c, t, r = s, pow(z, q, p), pow(a, q, p), pow(a, (q + 1) // 2, p)
    while t != 1:
        i, t2 = 0, t
        while t2 != 1:
            t2, i = t2 * t2 % p, i + 1
        b = pow(c, 1 << (m - i - 1), p)
        m, c, t, r = i, b * b % p, t * b * b % p, r * b % p
    return r


def crt_parts(a: int, b: int, tick: Callable[..., None],
              factors: list[tuple[int, int]] | None = None) -> list[list[int]] | None:
    """Per prime power of b, the residues modulo b that its roots contribute (root * E_i); None without roots.
    ``factors`` (prime, exponent) may be given when known."""
    parts = []
    for p, e in factors if factors is not None else factorise(b, tick):
        q = p ** e
        roots = roots_mod_prime_power(a % q, p, e, tick)
        if not roots:
            return None
        basis = _crt_basis(b, q)
        parts.append(sorted({r * basis % b for r in roots}))
    return parts


def known_root_parts(x: int, primes: list[int]) -> list[list[int]]:
    """:func:`crt_parts` of a = x^2 modulo b, the product of the distinct odd ``primes``, for x coprime to b,
    without a search: modulo each prime p the roots of a are x and -x."""
    b = math.prod(primes)
    parts = []
    for p in primes:
        basis = _crt_basis(b, p)
        parts.append(sorted({x % p * basis % b, (p - x % p) * basis % b}))
    return parts


def _crt_basis(b: int, q: int) -> int:
    """E, 1 modulo the prime power q and 0 modulo b / q."""
    return (b // q) * pow(b // q, -1, q) % b if b != q else 1


def _root_bearing_factors(a: int, b: int, tick: Callable[..., None]) -> list[tuple[int, int]] | None:
    """The factors of b, or None as soon as one odd prime factor not dividing a has no square root of a.
    Raises OutOfBudget as soon as the odd prime factors with two roots each are too many for the meet in the
    middle (2^k roots, 2^(k/2) sums per half): on numbers of thousands of digits, factoring all of b would
    cost minutes of arithmetic for an answer that is ``unknown`` anyway."""
    limit = 2 * (HALF_LIMIT.bit_length() - 1)
    counts: dict[int, int] = {}
    for p in [2] + odd_primes(1000):
        while b % p == 0:
            counts[p] = counts.get(p, 0) + 1
            b //= p
    for p in _large_prime_factors(b, tick):
        if p not in counts and a % p:
            if pow(a, (p - 1) // 2, p) != 1:
                return None
            if sum(1 for q in counts if q > 2 and a % q) >= limit:
                raise OutOfBudget
        counts[p] = counts.get(p, 0) + 1
    return sorted(counts.items())


def smallest_positive_root(a: int, b: int, tick: Callable[..., None],
                           factors: list[tuple[int, int]] | None = None) -> int | None:
    """The smallest x >= 1 with x^2 = a (mod b), or None; raises OutOfBudget on time or size."""
    if b == 1:
        return 1
    if factors is None:
        factors = _root_bearing_factors(a, b, tick)
        if factors is None:
            return None
    parts = crt_parts(a, b, tick, factors)
    if parts is None:
        return None
    return smallest_combination(parts, b, tick)


def smallest_combination(parts: list[list[int]], b: int, tick: Callable[..., None]) -> int | None:
    """The smallest x >= 1 (b standing for 0) that is a sum modulo b of one residue from each of ``parts``:
    meet in the middle over two halves of the parts; raises OutOfBudget on time or size."""
    parts = sorted(parts, key=len)
    left_parts, right_parts = [], []
    left_size = right_size = 1
    for options in reversed(parts):  # balance the two halves by their number of sums
        if left_size <= right_size:
            left_parts.append(options)
            left_size *= len(options)
        else:
            right_parts.append(options)
            right_size *= len(options)
    if max(left_size, right_size) > HALF_LIMIT:
        raise OutOfBudget
    left = _sums(left_parts, b, tick)
    right = sorted(_sums(right_parts, b, tick))
    best = None
    for s in left:
        tick()
        j = bisect.bisect_left(right, (1 - s) % b)  # the least r with s + r = 1.. (mod b), wrapping to right[0]
        r = right[j] if j < len(right) else right[0]
        value = (s + r) % b or b
        if best is None or value < best:
            best = value
    return best


def _sums(parts: list[list[int]], b: int, tick: Callable[..., None]) -> list[int]:
    sums = [0]
    for options in parts:
        tick()
        sums = [(s + o) % b for s in sums for o in options]
    return sums
