"""Attacks on the number problems: pseudo-polynomial subset-sum DP (bitsets, halving to recover the
subset), meet in the middle, complete Karmarkar-Karp, k-way local search, bin-packing repair search and
number-theoretic root finding for the quadratic problems."""

from __future__ import annotations

import bisect
import math
import random

from npgym.modroots import OutOfBudget, crt_parts

from .budget import Deadline

#: bitset DP only while target * items stays below this many bits of work per level of halving
DP_WORK = 4 * 10 ** 9
MITM_ITEMS = 36


class _Timeout(Exception):
    pass


# -- subset sums -----------------------------------------------------------------------------------

def subset_with_sum(values: list[int], target: int, deadline: Deadline) -> list[int] | None:
    """Positions of ``values`` summing to ``target``, by bitset DP with recursive halving; None if none or on time.

    The reachable sums of the first half (shifted left) and the target minus the reachable sums of the
    second half (shifted right) meet at a split point; each half is then solved for its share.
    """
    if target < 0 or target > sum(values):
        return None
    if target * max(1, len(values)) > DP_WORK:
        return None
    try:
        return _halve(list(range(len(values))), values, target, deadline)
    except _Timeout:
        return None


def _halve(positions: list[int], values: list[int], target: int, deadline: Deadline) -> list[int] | None:
    if target == 0:
        return []
    if len(positions) == 1:
        return positions if values[positions[0]] == target else None
    mid = len(positions) // 2
    left, right = positions[:mid], positions[mid:]
    mask = (1 << (target + 1)) - 1
    reach = 1
    for i in left:
        reach |= (reach << values[i]) & mask
        if deadline.over():
            raise _Timeout
    need = 1 << target
    for i in right:
        need |= need >> values[i]
        if deadline.over():
            raise _Timeout
    meet = reach & need
    if not meet:
        return None
    split = (meet & -meet).bit_length() - 1
    first = _halve(left, values, split, deadline)
    second = _halve(right, values, target - split, deadline)
    return None if first is None or second is None else first + second


def meet_in_the_middle(values: list[int], target: int, deadline: Deadline) -> list[int] | None:
    """Positions summing to ``target`` by sorted half-sums (up to MITM_ITEMS values), or None."""
    n = len(values)
    if n > MITM_ITEMS:
        return None
    half = n // 2

    def sums(part: list[int]) -> dict[int, int]:
        table = {0: 0}
        for bit, i in enumerate(part):
            if deadline.over():
                raise _Timeout
            table.update({s + values[i]: mask | (1 << bit) for s, mask in list(table.items())})
        return table

    try:
        left, right = list(range(half)), list(range(half, n))
        low, high = sums(left), sums(right)
    except _Timeout:
        return None
    for s, mask in low.items():
        other = high.get(target - s)
        if other is not None:
            return [left[b] for b in range(len(left)) if mask >> b & 1] + \
                   [right[b] for b in range(len(right)) if other >> b & 1]
    return None


def ckk_partition(values: list[int], deadline: Deadline) -> list[int] | None:
    """Complete Karmarkar-Karp (Korf): branch on differencing or adding the two largest; sides of a
    perfect partition (difference 0, or 1 for an odd total) or None."""
    total = sum(values)
    goal = total % 2
    # a node is (value, id); parents[id] = (a_id, b_id, same_side) rebuilds the sides at the end
    parents: dict[int, tuple[int, int, bool]] = {}
    counter = [len(values)]
    steps = [0]

    def search(items: list[tuple[int, int]]) -> int | None:
        steps[0] += 1
        if steps[0] % 512 == 0 and deadline.over():
            raise _Timeout
        if len(items) == 1:
            return items[0][1] if items[0][0] == goal else None
        (a, ia), (b, ib) = items[-1], items[-2]
        rest = sum(v for v, _ in items) - a
        if a - rest > goal:
            return None
        if a - rest == goal:  # the largest on one side, everything else on the other
            node = ia
            for _, i in items[:-1]:
                new = counter[0]
                counter[0] += 1
                parents[new] = (node, i, False)
                node = new
            return node
        for same in (False, True):
            new = counter[0]
            counter[0] += 1
            parents[new] = (ia, ib, same)
            merged = items[:-2]
            bisect.insort(merged, (a + b if same else a - b, new))
            found = search(merged)
            if found is not None:
                return found
        return None

    try:
        root = search(sorted((v, i) for i, v in enumerate(values)))
    except (_Timeout, RecursionError):
        return None
    if root is None:
        return None
    sides = [0] * len(values)
    stack = [(root, 0)]
    while stack:
        node, side = stack.pop()
        if node < len(values):
            sides[node] = side
            continue
        a, b, same = parents[node]
        stack.append((a, side))
        stack.append((b, side if same else 1 - side))
    return sides


def partition_dp(data, deadline, rng):
    values = data["numbers"]
    total = sum(values)
    if total % 2:
        return None
    chosen = subset_with_sum(values, total // 2, deadline)
    return None if chosen is None else [int(i in set(chosen)) for i in range(len(values))]


def partition_ckk(data, deadline, rng):
    return ckk_partition(data["numbers"], deadline)


def partition_mitm(data, deadline, rng):
    values = data["numbers"]
    if sum(values) % 2:
        return None
    chosen = meet_in_the_middle(values, sum(values) // 2, deadline)
    return None if chosen is None else [int(i in set(chosen)) for i in range(len(values))]


def subset_sum_dp(data, deadline, rng):
    return subset_with_sum(data["numbers"], data["target"], deadline)


def subset_sum_mitm(data, deadline, rng):
    return meet_in_the_middle(data["numbers"], data["target"], deadline)


def subset_sum_local(data, deadline: Deadline, rng: random.Random):
    """Random restarts of a flip search on |sum - target|: flip a random number, then the number (inside
    or outside) that best closes the gap; kept when no worse, or now and then anyway."""
    values, target = data["numbers"], data["target"]
    n = len(values)
    while not deadline.over():
        chosen = [rng.random() < 0.5 for _ in range(n)]
        total = sum(v for v, c in zip(values, chosen) if c)
        sides = [sorted((values[i], i) for i in range(n) if chosen[i] == side) for side in (False, True)]

        # this restart's state, bound explicitly: the helper is called only within this iteration
        def flip(i: int, sides: list = sides, chosen: list[bool] = chosen) -> None:
            nonlocal total
            sides[chosen[i]].remove((values[i], i))
            chosen[i] = not chosen[i]
            bisect.insort(sides[chosen[i]], (values[i], i))
            total += values[i] if chosen[i] else -values[i]

        def closer(gap: int, sides: list = sides) -> int | None:  # the number whose flip leaves the smallest gap
            pool = sides[False] if gap > 0 else sides[True]
            j = bisect.bisect_left(pool, (abs(gap), -1))
            near = [pool[k] for k in (j - 1, j) if 0 <= k < len(pool)]
            return min(near, key=lambda item: abs(abs(gap) - item[0]))[1] if near else None

        for step in range(50 * n):
            if total == target:
                return [i for i in range(n) if chosen[i]]
            if step % 64 == 0 and deadline.over():
                return None
            before = abs(target - total)
            i = rng.randrange(n)
            flip(i)
            j = closer(target - total)
            if j is not None:
                flip(j)
            if abs(target - total) > before and rng.random() > 0.05:
                if j is not None:
                    flip(j)
                flip(i)
    return None


# -- k-way partitioning (minimum sum of squares) -----------------------------------------------------

def sum_of_squares_local(data, deadline: Deadline, rng: random.Random):
    """LPT with random ties, then moves and swaps between the heaviest and lightest groups, perturbed
    and restarted until the value meets J."""
    numbers, k, bound = data["numbers"], data["k"], data["J"]
    n = len(numbers)
    best = None
    while not deadline.over():
        groups = [0] * n
        sums = [0] * k
        for i in sorted(range(n), key=lambda i: (-numbers[i], rng.random())):
            g = min(range(k), key=lambda g: (sums[g], rng.random()))
            groups[i] = g
            sums[g] += numbers[i]
        for step in range(50 * n):
            value = sum(s * s for s in sums)
            if value <= bound:
                return groups
            if step % 32 == 0 and deadline.over():
                break
            hi = max(range(k), key=lambda g: sums[g])
            if rng.random() < 0.3:
                lo = rng.choice([g for g in range(k) if g != hi])
            else:
                lo = min(range(k), key=lambda g: sums[g])
            gap = sums[hi] - sums[lo]
            members_hi = [i for i in range(n) if groups[i] == hi]
            members_lo = [i for i in range(n) if groups[i] == lo]
            move, gain = None, 0
            for i in members_hi:
                a = numbers[i]
                if a * (gap - a) > gain:
                    move, gain = (i, None), a * (gap - a)
                for j in rng.sample(members_lo, min(len(members_lo), 20)):
                    net = a - numbers[j]
                    if net * (gap - net) > gain:
                        move, gain = (i, j), net * (gap - net)
            if move is None:  # a random swap to leave the local optimum
                if not members_hi or not members_lo:
                    break
                move = (rng.choice(members_hi), rng.choice(members_lo))
            i, j = move
            groups[i] = lo
            sums[hi] -= numbers[i]
            sums[lo] += numbers[i]
            if j is not None:
                groups[j] = hi
                sums[lo] -= numbers[j]
                sums[hi] += numbers[j]
        if best is None:
            best = groups
    return None


# -- bin packing -----------------------------------------------------------------------------------

def bin_packing_repair(data, deadline: Deadline, rng: random.Random):
    """First-fit decreasing into the b bins, then moves and swaps that lower the total overflow,
    with random kicks and restarts."""
    capacity, bins, weights = data["capacity"], data["bins"], data["weights"]
    n = len(weights)
    while not deadline.over():
        load = [0] * bins
        home = [0] * n
        for i in sorted(range(n), key=lambda i: (-weights[i], rng.random())):
            fits = [b for b in range(bins) if load[b] + weights[i] <= capacity]
            b = fits[0] if fits else min(range(bins), key=lambda b: (load[b], rng.random()))
            home[i] = b
            load[b] += weights[i]
        for step in range(100 * n):
            over = [b for b in range(bins) if load[b] > capacity]
            if not over:
                return home
            if step % 32 == 0 and deadline.over():
                return None
            b = rng.choice(over)
            excess = load[b] - capacity
            inside = [i for i in range(n) if home[i] == b]
            best, best_gain = None, 0
            for i in inside:
                for c in range(bins):
                    if c == b:
                        continue
                    before = excess + max(0, load[c] - capacity)
                    after = max(0, load[b] - weights[i] - capacity) + max(0, load[c] + weights[i] - capacity)
                    if before - after > best_gain:
                        best, best_gain = (i, c, None), before - after
            if best is None:
                for i in rng.sample(inside, min(len(inside), 6)):
                    for j in rng.sample(range(n), min(n, 40)):
                        c = home[j]
                        if c == b:
                            continue
                        delta = weights[i] - weights[j]
                        before = excess + max(0, load[c] - capacity)
                        after = max(0, load[b] - delta - capacity) + max(0, load[c] + delta - capacity)
                        if before - after > best_gain or (before == after and rng.random() < 0.02):
                            best, best_gain = (i, c, j), before - after
            if best is None:
                i = rng.choice(inside)
                best = (i, rng.choice([c for c in range(bins) if c != b]), None) if bins > 1 else None
                if best is None:
                    break
            i, c, j = best
            home[i] = c
            load[b] -= weights[i]
            load[c] += weights[i]
            if j is not None:
                home[j] = b
                load[c] -= weights[j]
                load[b] += weights[j]
    return None


# -- quadratic congruences and Diophantine equations -------------------------------------------------

def smallest_square_root_below(a: int, b: int, bound: int, deadline: Deadline) -> int | None:
    """Some x with 1 <= x < bound and x^2 = a (mod b): factor b, take roots per prime power, and search
    the Chinese-remainder combinations by meet in the middle (sorted half sums); None if none or on time."""
    try:
        parts = crt_parts(a, b, deadline.tick)  # per prime power: the residues mod b it contributes
    except OutOfBudget:
        return None
    if parts is None:
        return None
    half = len(parts) // 2

    def combine(chunk) -> list[int]:
        sums = [0]
        for options in chunk:
            sums = [(s + o) % b for s in sums for o in options]
            if len(sums) > 4 * 10 ** 6 or deadline.over():
                raise _Timeout
        return sums

    try:
        left = combine(parts[:half])
        right = sorted(combine(parts[half:]))
    except _Timeout:
        return None
    for s in left:  # x = s + r mod b in [1, bound): r in [1 - s, bound - s) mod b
        lo = (1 - s) % b
        j = bisect.bisect_left(right, lo)
        if j < len(right) and right[j] - lo < bound - 1:
            return (s + right[j]) % b
        if lo + bound - 1 > b:  # the window wraps past b
            if right and right[0] < (lo + bound - 1) - b:
                return (s + right[0]) % b
        if deadline.over():
            return None
    return None


def quadratic_congruence_roots(data, deadline, rng):
    return smallest_square_root_below(data["a"] % data["b"], data["b"], data["c"], deadline)


def quadratic_congruence_scan(data, deadline: Deadline, rng):
    """x = 1, 2, ... below c until time runs out."""
    a, b, c = data["a"], data["b"], data["c"]
    for x in range(1, c):
        if (x * x - a) % b == 0:
            return x
        if x % 4096 == 0 and deadline.over():
            return None
    return None


def diophantine_roots(data, deadline, rng):
    """a x^2 + b y = c with y >= 1 means a x^2 = c (mod b) and x <= sqrt((c - b) / a): a square root of
    c / a modulo b below that bound (where gcd(a, b) divides c)."""
    a, b, c = data["a"], data["b"], data["c"]
    if c - b < a:
        return None
    top = math.isqrt((c - b) // a)
    g = math.gcd(a, b)
    if c % g:
        return None
    a2, b2, c2 = a // g, b // g, c // g
    # a x^2 = c (mod b) with g | a, b, c  <=>  a2 x^2 = c2 (mod b2)
    target = c2 * pow(a2, -1, b2) % b2 if b2 > 1 else 0
    if b2 == 1:
        x = 1
    else:
        x = smallest_square_root_below(target, b2, top + 1, deadline)
        if x is None:
            return None
    while x <= top:  # a root mod b2 gives the x of its class; check it against b itself
        if (c - a * x * x) % b == 0 and (c - a * x * x) // b >= 1:
            return [x, (c - a * x * x) // b]
        x += b2
        if deadline.over():
            return None
    return None


def diophantine_scan(data, deadline: Deadline, rng):
    a, b, c = data["a"], data["b"], data["c"]
    x = 1
    while c - a * x * x >= b:
        if (c - a * x * x) % b == 0:
            return [x, (c - a * x * x) // b]
        x += 1
        if x % 4096 == 0 and deadline.over():
            return None
    return None
