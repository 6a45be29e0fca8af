"""Attacks on the set and sequence problems: exact-cover search (Algorithm X with the fewest-options
rule), packing as an independent set of the intersection graph, maximum matching where every subset has
two elements, weighted cover search, superstring order search and betweenness layout search."""

from __future__ import annotations

import random

from .budget import Deadline
from .graphs import kset_tabu, weighted_cover


def exact_cover_search(n: int, blocks: list[list[int]], deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Algorithm X: branch on the uncovered element with fewest live blocks; None if none or on time."""
    holders: list[list[int]] = [[] for _ in range(n)]
    for b, block in enumerate(blocks):
        for e in block:
            holders[e].append(b)
    alive = [True] * len(blocks)
    live = [len(h) for h in holders]
    covered = [False] * n
    chosen: list[int] = []
    steps = [0]

    def search() -> bool:
        steps[0] += 1
        if steps[0] % 256 == 0 and deadline.over():
            raise TimeoutError
        best, fewest = None, None
        for e in range(n):
            if not covered[e] and (fewest is None or live[e] < fewest):
                best, fewest = e, live[e]
                if fewest <= 1:
                    break
        if best is None:
            return True
        if fewest == 0:
            return False
        options = [b for b in holders[best] if alive[b]]
        rng.shuffle(options)
        for b in options:
            killed = []
            for x in blocks[b]:
                covered[x] = True
                for c in holders[x]:
                    if alive[c]:
                        alive[c] = False
                        killed.append(c)
                        for y in blocks[c]:
                            live[y] -= 1
            chosen.append(b)
            if search():
                return True
            chosen.pop()
            for x in blocks[b]:
                covered[x] = False
            for c in killed:
                alive[c] = True
                for y in blocks[c]:
                    live[y] += 1
        return False

    try:
        return sorted(chosen) if search() else None
    except (TimeoutError, RecursionError):
        return None


def intersection_graph(subsets: list[list[int]]) -> list[set[int]]:
    holders: dict[int, list[int]] = {}
    for s, members in enumerate(subsets):
        for e in members:
            holders.setdefault(e, []).append(s)
    adj: list[set[int]] = [set() for _ in subsets]
    for group in holders.values():
        for s in group:
            adj[s].update(group)
    for s, a in enumerate(adj):
        a.discard(s)
    return adj


def x3c_search(data, deadline, rng):
    return exact_cover_search(data["n"], data["subsets"], deadline, rng)


def x3c_packing_tabu(data, deadline, rng):
    return kset_tabu(intersection_graph(data["subsets"]), data["n"] // 3, deadline, rng)


def three_dm_blocks(data) -> list[list[int]]:
    n = data["n"]
    return [[x, n + y, 2 * n + z] for x, y, z in data["triples"]]


def three_dm_search(data, deadline, rng):
    return exact_cover_search(3 * data["n"], three_dm_blocks(data), deadline, rng)


def three_dm_packing_tabu(data, deadline, rng):
    return kset_tabu(intersection_graph(three_dm_blocks(data)), data["n"], deadline, rng)


def set_packing_tabu(data, deadline, rng):
    return kset_tabu(intersection_graph(data["subsets"]), data["k"], deadline, rng)


def set_packing_matching(data, deadline, rng):
    """Where every subset has at most two elements, a maximum matching (Edmonds) is a maximum packing."""
    import networkx as nx

    subsets = data["subsets"]
    if any(len(s) > 2 for s in subsets):
        return None
    graph = nx.Graph()
    singles = [i for i, s in enumerate(subsets) if len(s) == 1]
    used = {subsets[i][0] for i in singles}
    by_pair = {}
    for i, s in enumerate(subsets):
        if len(s) == 2 and not set(s) & used:
            graph.add_edge(*s)
            by_pair[tuple(s)] = i
    matching = nx.max_weight_matching(graph, maxcardinality=True)
    return sorted(singles + [by_pair[tuple(sorted(edge))] for edge in matching])


def minimum_cover_search(data, deadline, rng):
    return weighted_cover(data["n"], data["subsets"], data["k"], deadline, rng)


# -- superstrings ----------------------------------------------------------------------------------

def _overlap(left: str, right: str) -> int:
    for size in range(min(len(left), len(right)) - 1, 0, -1):
        if left.endswith(right[:size]):
            return size
    return 0


def _overlap_graph(strings: list[str]) -> tuple[list[str], list[list[int]]]:
    """The strings not inside others and their overlap matrix (what every merge order is scored by)."""
    kept: list[str] = []
    for s in sorted(set(strings), key=len, reverse=True):
        if not any(s in t for t in kept):
            kept.append(s)
    return kept, [[0 if i == j else _overlap(a, b) for j, b in enumerate(kept)] for i, a in enumerate(kept)]


def _merge(kept: list[str], over: list[list[int]], order: list[int]) -> str:
    text = kept[order[0]]
    for a, b in zip(order, order[1:]):
        text += kept[b][over[a][b]:]
    return text


def superstring_order_search(data, deadline: Deadline, rng: random.Random) -> str | None:
    """The strings not inside others, merged in an order found by greedy plus random-restart insertion
    search on the total overlap (a maximum-weight Hamiltonian path); the merge once it has <= k letters."""
    kept, over = _overlap_graph(data["strings"])
    m = len(kept)
    need = sum(len(s) for s in kept) - data["k"]  # the total overlap a short enough merge must reach

    def link(a: int | None, b: int | None) -> int:
        return 0 if a is None or b is None else over[a][b]

    while not deadline.over():
        path, left = [rng.randrange(m)], set(range(m))
        left.discard(path[0])
        while left:
            end = path[-1]
            best = max(left, key=lambda j: (over[end][j], rng.random()))
            path.append(best)
            left.remove(best)
        value = sum(over[a][b] for a, b in zip(path, path[1:]))
        for step in range(30 * m):
            if value >= need:
                return _merge(kept, over, path)
            if step % 16 == 0 and deadline.over():
                return None
            i = rng.randrange(m)
            before, item, after = (path[i - 1] if i else None), path[i], (path[i + 1] if i + 1 < m else None)
            removed = value - link(before, item) - link(item, after) + link(before, after)
            del path[i]
            options = []
            for j in range(m):  # insert before path[j] (j = m - 1: at the end)
                a, b = (path[j - 1] if j else None), (path[j] if j < m - 1 else None)
                options.append((removed - link(a, b) + link(a, item) + link(item, b), rng.random(), j))
            value, _, j = max(options)
            path.insert(j, item)
    return None


def _random_greedy_path(over, rng: random.Random) -> list[int]:
    """Greedy merging with random tie-breaks: join ends by decreasing overlap, never closing a cycle;
    the chains it leaves (joined by zero overlaps only) follow one another in random order."""
    m = len(over)
    pairs = [(over[i][j], rng.random(), i, j) for i in range(m) for j in range(m) if over[i][j]]
    pairs.sort(reverse=True)
    successor: list[int | None] = [None] * m
    has_predecessor = [False] * m
    head_of = list(range(m))  # for a chain's tail: its head
    tail_of = list(range(m))  # for a chain's head: its tail
    for _, _, i, j in pairs:
        if successor[i] is None and not has_predecessor[j] and head_of[i] != j:
            successor[i], has_predecessor[j] = j, True
            head, tail = head_of[i], tail_of[j]
            tail_of[head], head_of[tail] = tail, head
    heads = [i for i in range(m) if not has_predecessor[i]]
    rng.shuffle(heads)
    path: list[int] = []
    for head in heads:
        current: int | None = head
        while current is not None:
            path.append(current)
            current = successor[current]
    return path


def superstring_greedy_local(data, deadline: Deadline, rng: random.Random) -> str | None:
    """Greedy merging with random tie-breaks, restarted, each start improved by local search on the merge
    order scored by total overlap: Or-opt (a run of 1-3 strings moved to its best gap, ties at random, so
    the search also walks plateaus) and swaps of two strings kept when they lose nothing."""
    import numpy as np

    kept, over_lists = _overlap_graph(data["strings"])
    m = len(kept)
    need = sum(len(s) for s in kept) - data["k"]
    if m == 1:
        return kept[0] if len(kept[0]) <= data["k"] else None
    over = np.array(over_lists, dtype=np.int64)
    # a column and a row of zeros: index m stands for "no neighbour" at either end of the path
    padded = np.zeros((m + 1, m + 1), dtype=np.int64)
    padded[:m, :m] = over

    def value_of(order: list[int]) -> int:
        return int(over[order[:-1], order[1:]].sum())

    while not deadline.over():
        path = _random_greedy_path(over_lists, rng)
        value = value_of(path)
        for step in range(40 * m):
            if value >= need:
                return _merge(kept, over_lists, path)
            if step % 16 == 0 and deadline.over():
                return None
            if rng.random() < 0.8:  # Or-opt: cut a run out, put it into its best gap
                size = rng.randint(1, min(3, m - 1))
                i = rng.randrange(m - size + 1)
                run, rest = path[i:i + size], path[:i] + path[i + size:]
                before = path[i - 1] if i else m
                after = path[i + size] if i + size < m else m
                cut = value - padded[before, run[0]] - padded[run[-1], after] + padded[before, after]
                ends = np.array([m] + rest + [m])
                gains = padded[ends[:-1], run[0]] + padded[run[-1], ends[1:]] - padded[ends[:-1], ends[1:]]
                best = gains.max()
                gap = rng.choice(np.flatnonzero(gains == best).tolist())
                path = rest[:gap] + run + rest[gap:]
                value = int(cut + best)
            else:  # swap two strings if that loses nothing
                a, b = sorted(rng.sample(range(m), 2))
                trial = path[:]
                trial[a], trial[b] = trial[b], trial[a]
                trial_value = value_of(trial)
                if trial_value >= value:
                    path, value = trial, trial_value
    return None


# -- betweenness -----------------------------------------------------------------------------------

def betweenness_local(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Move an element of a violated triple to its best slot (random among ties), restarted from random
    orders every 50 n moves."""
    n, triples = data["n"], [tuple(t) for t in data["triples"]]
    involving: list[list[tuple]] = [[] for _ in range(n)]
    for t in triples:
        for e in t:
            involving[e].append(t)

    def ok(pos, a, b, c) -> bool:
        return min(pos[a], pos[c]) < pos[b] < max(pos[a], pos[c])

    while not deadline.over():
        order = list(range(n))
        rng.shuffle(order)
        for step in range(50 * n):
            pos = {e: i for i, e in enumerate(order)}
            violated = [t for t in triples if not ok(pos, *t)]
            if not violated:
                return order
            if step % 16 == 0 and deadline.over():
                return None
            moving = rng.choice(rng.choice(violated))
            rest = [e for e in order if e != moving]
            rank = {e: i for i, e in enumerate(rest)}
            costs = []
            for slot in range(n):
                rank[moving] = slot - 0.5
                costs.append(sum(not ok(rank, *t) for t in involving[moving]))
            least = min(costs)
            slot = rng.choice([s for s, c in enumerate(costs) if c == least])
            order = rest[:slot] + [moving] + rest[slot:]
    return None


def betweenness_backtrack(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Place elements left to right; a triple fails once its middle is placed before both outer elements
    or both outer elements are placed before its middle."""
    n = data["n"]
    involving: list[list[tuple]] = [[] for _ in range(n)]
    for t in data["triples"]:
        for e in t:
            involving[e].append(tuple(t))
    placed = [False] * n
    order: list[int] = []
    steps = [0]
    elements = sorted(range(n), key=lambda e: (-len(involving[e]), rng.random()))

    def violates(e: int) -> bool:
        return any((placed[b] and not placed[a] and not placed[c]) or (not placed[b] and placed[a] and placed[c])
                   for a, b, c in involving[e])

    def place() -> bool:
        steps[0] += 1
        if steps[0] % 256 == 0 and deadline.over():
            raise TimeoutError
        if len(order) == n:
            return True
        for e in elements:
            if placed[e]:
                continue
            placed[e] = True
            order.append(e)
            if not violates(e) and place():
                return True
            order.pop()
            placed[e] = False
        return False

    try:
        return list(order) if place() else None
    except (TimeoutError, RecursionError):
        return None
