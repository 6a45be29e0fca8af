"""Local search and bounded search for the graph problems: a k-set tabu search for independent set
(and through it clique and vertex cover), weighted local search for covers (dominating set, minimum
cover), tabucol for colouring, rotation-extension for Hamiltonian cycles, iterated 2-opt for tours,
layout search for bandwidth and randomised trees for max-leaf spanning trees."""

from __future__ import annotations

import random

from npgym.graphs import adjacency
from npgym.problems.max_leaf_spanning_tree import connected_dominating, tree_of_core
from npgym.problems.tsp import nearest_neighbour, tour_length, two_opt_pass

from .budget import Deadline


def complement_sets(adj: list[set[int]]) -> list[set[int]]:
    everyone = set(range(len(adj)))
    return [everyone - a - {v} for v, a in enumerate(adj)]


# -- independent sets -----------------------------------------------------------------------------

def kset_tabu(adj: list[set[int]], size: int, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """A set of ``size`` pairwise non-adjacent vertices by swap-based tabu search, or None.

    Keeps exactly ``size`` vertices and minimises the edges inside; a move swaps the chosen vertex with
    most inside neighbours for the outside vertex with fewest, with a tabu tenure on both; restarts
    from a random greedy set every 20 n moves without improvement.
    """
    n = len(adj)
    if size <= 0:
        return []
    if size > n:
        return None
    while not deadline.over():
        chosen = set(_greedy_independent(adj, rng)[:size])
        while len(chosen) < size:
            chosen.add(rng.choice([v for v in range(n) if v not in chosen]))
        inside = [len(adj[v] & chosen) for v in range(n)]
        conflicts = sum(inside[v] for v in chosen) // 2
        best, stale, step = conflicts, 0, 0
        tabu = [0] * n
        while stale < 20 * n:
            if conflicts == 0:
                return sorted(chosen)
            step += 1
            if step % 64 == 0 and deadline.over():
                return None
            members = [v for v in chosen if tabu[v] <= step]
            outside = [v for v in range(n) if v not in chosen and tabu[v] <= step]
            if not members or not outside:
                tabu = [0] * n
                continue
            worst = max(inside[v] for v in members)
            u = rng.choice([v for v in members if inside[v] == worst])
            fewest = min(inside[v] - (v in adj[u]) for v in outside)
            v = rng.choice([w for w in outside if inside[w] - (w in adj[u]) == fewest])
            conflicts += fewest - worst
            chosen.remove(u)
            for w in adj[u]:
                inside[w] -= 1
            chosen.add(v)
            for w in adj[v]:
                inside[w] += 1
            tabu[u] = step + 7 + rng.randrange(5)
            tabu[v] = step + 3 + rng.randrange(3)
            if conflicts < best:
                best, stale = conflicts, 0
            else:
                stale += 1
    return None


def _greedy_independent(adj: list[set[int]], rng: random.Random) -> list[int]:
    """Minimum-degree greedy with random ties: a maximal independent set."""
    alive = set(range(len(adj)))
    chosen = []
    while alive:
        degree = {v: len(adj[v] & alive) for v in alive}
        least = min(degree.values())
        v = rng.choice([u for u, d in degree.items() if d == least])
        chosen.append(v)
        alive -= adj[v] | {v}
    return chosen


def independent_set_tabu(data, deadline, rng):
    return kset_tabu(adjacency(data["n"], data["edges"]), data["k"], deadline, rng)


def clique_tabu(data, deadline, rng):
    return kset_tabu(complement_sets(adjacency(data["n"], data["edges"])), data["k"], deadline, rng)


def vertex_cover_tabu(data, deadline, rng):
    """A cover of at most k vertices is the complement of an independent set of n - k vertices."""
    n = data["n"]
    free = kset_tabu(adjacency(n, data["edges"]), n - data["k"], deadline, rng)
    return None if free is None else sorted(set(range(n)) - set(free))


# -- covers ----------------------------------------------------------------------------------------

def weighted_cover(universe: int, sets: list[list[int]], k: int, deadline: Deadline,
                   rng: random.Random) -> list[int] | None:
    """At most ``k`` of ``sets`` covering 0..universe-1, by weighted swap local search (NuMVC-like), or None.

    Keeps k sets; each step removes the set whose loss (weight of elements only it covers) is least and
    adds the best set holding a random uncovered element; uncovered elements gain weight every step,
    and a removed set may not come straight back.
    """
    if k <= 0:
        return None
    holders: list[list[int]] = [[] for _ in range(universe)]
    for s, members in enumerate(sets):
        for e in members:
            holders[e].append(s)
    if any(not h for h in holders):
        return None
    weight = [1] * universe
    count = [0] * universe
    chosen: set[int] = set()
    uncovered = set(range(universe))
    while uncovered and len(chosen) < k:  # greedy start
        s = max(range(len(sets)), key=lambda s: (sum(e in uncovered for e in sets[s]), rng.random()))
        chosen.add(s)
        for e in sets[s]:
            count[e] += 1
            uncovered.discard(e)
    while len(chosen) < k:
        chosen.add(rng.choice([s for s in range(len(sets)) if s not in chosen]))
        for e in sets[max(chosen)]:
            count[e] += 1
    recent = -1
    step = 0
    while uncovered:
        step += 1
        if step % 32 == 0 and deadline.over():
            return None
        loss = {s: sum(weight[e] for e in sets[s] if count[e] == 1) for s in chosen if s != recent}
        least = min(loss.values())
        out = rng.choice([s for s, value in loss.items() if value == least])
        chosen.remove(out)
        for e in sets[out]:
            count[e] -= 1
            if count[e] == 0:
                uncovered.add(e)
        target = rng.choice(list(uncovered))
        gain = {s: sum(weight[e] for e in sets[s] if count[e] == 0) for s in holders[target] if s not in chosen}
        most = max(gain.values())
        into = rng.choice([s for s, value in gain.items() if value == most])
        chosen.add(into)
        for e in sets[into]:
            count[e] += 1
            uncovered.discard(e)
        recent = into
        for e in uncovered:
            weight[e] += 1
    return sorted(chosen)


def dominating_set_cover(data, deadline, rng):
    n = data["n"]
    adj = adjacency(n, data["edges"])
    return weighted_cover(n, [sorted(adj[v] | {v}) for v in range(n)], data["k"], deadline, rng)


# -- colouring -------------------------------------------------------------------------------------

def tabucol(n: int, adj: list[set[int]], colours: int, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Tabucol (Hertz and de Werra): recolour a conflicting vertex to the best non-tabu colour; None on time."""
    neighbours = [list(a) for a in adj]
    while not deadline.over():
        colour = [rng.randrange(colours) for _ in range(n)]
        seen = [[0] * colours for _ in range(n)]  # seen[v][c]: neighbours of v with colour c
        for v in range(n):
            for w in neighbours[v]:
                seen[v][colour[w]] += 1
        conflicts = sum(seen[v][colour[v]] for v in range(n)) // 2
        tabu: dict[tuple[int, int], int] = {}
        best, stale, step = conflicts, 0, 0
        while stale < 50 * n:
            if conflicts == 0:
                return colour
            step += 1
            if step % 64 == 0 and deadline.over():
                return None
            move, move_delta = None, None
            for v in range(n):
                own = seen[v][colour[v]]
                if own == 0:
                    continue
                for c in range(colours):
                    if c == colour[v]:
                        continue
                    delta = seen[v][c] - own
                    if tabu.get((v, c), 0) > step and conflicts + delta >= best:
                        continue
                    if move_delta is None or delta < move_delta or (delta == move_delta and rng.random() < 0.3):
                        move, move_delta = (v, c), delta
            if move is None:
                continue
            v, c = move
            old = colour[v]
            colour[v] = c
            for w in neighbours[v]:
                seen[w][old] -= 1
                seen[w][c] += 1
            conflicts += move_delta
            tabu[v, old] = step + int(0.6 * conflicts) + rng.randrange(10)
            if conflicts < best:
                best, stale = conflicts, 0
            else:
                stale += 1
    return None


def three_colouring_tabucol(data, deadline, rng):
    return tabucol(data["n"], adjacency(data["n"], data["edges"]), 3, deadline, rng)


# -- Hamiltonian cycles ----------------------------------------------------------------------------

def rotation_extension(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Posa's rotation-extension: grow a path from its end; when stuck, rotate it at a random neighbour
    of the end that lies on the path; close it once every vertex is on it. Restarts every 50 n steps."""
    n = data["n"]
    adj = [list(a) for a in adjacency(n, data["edges"])]
    if any(len(a) < 2 for a in adj):
        return None
    while not deadline.over():
        path = [rng.randrange(n)]
        position = {path[0]: 0}
        for step in range(50 * n):
            if step % 64 == 0 and deadline.over():
                return None
            end = path[-1]
            fresh = [w for w in adj[end] if w not in position]
            if fresh:
                w = rng.choice(fresh)
                position[w] = len(path)
                path.append(w)
                continue
            if len(path) == n and path[0] in adj[end]:
                return path
            w = rng.choice(adj[end])
            i = position[w]
            if i == len(path) - 2:
                if rng.random() < 0.5:  # also rotate from the other end now and then
                    path.reverse()
                    position = {v: j for j, v in enumerate(path)}
                continue
            path[i + 1:] = path[i + 1:][::-1]
            for j in range(i + 1, len(path)):
                position[path[j]] = j
    return None


def hamiltonian_backtrack(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Depth-first search for a Hamiltonian cycle, fewest-onward-neighbours first (Warnsdorff), pruning
    when an unvisited vertex has fewer than two usable neighbours; None on time."""
    n = data["n"]
    adj = adjacency(n, data["edges"])
    if any(len(a) < 2 for a in adj):
        return None
    start = min(range(n), key=lambda v: (len(adj[v]), rng.random()))
    path, visited = [start], [False] * n
    visited[start] = True
    steps = [0]

    def dead(v: int) -> bool:  # some unvisited neighbour of the new end is left with < 2 ways in and out
        for w in adj[v]:
            if not visited[w]:
                ways = sum(1 for x in adj[w] if not visited[x] or x == v or x == start)
                if ways < 2:
                    return True
        return False

    def extend() -> bool:
        steps[0] += 1
        if steps[0] % 128 == 0 and deadline.over():
            raise TimeoutError
        end = path[-1]
        if len(path) == n:
            return start in adj[end]
        options = [w for w in adj[end] if not visited[w]]
        options.sort(key=lambda w: (sum(not visited[x] for x in adj[w]), rng.random()))
        for w in options:
            visited[w] = True
            path.append(w)
            if not dead(w) and extend():
                return True
            path.pop()
            visited[w] = False
        return False

    try:
        return list(path) if extend() else None
    except (TimeoutError, RecursionError):
        return None


# -- tours -----------------------------------------------------------------------------------------

def two_opt(tour: list[int], d, near: list[list[int]], deadline: Deadline) -> list[int]:
    """First-improvement 2-opt over neighbour lists (the generator's pass) until no move helps or time runs out."""
    while not deadline.over() and two_opt_pass(tour, d, near):
        pass
    return tour


def iterated_two_opt(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Iterated local search: 2-opt from nearest neighbour, then double-bridge kicks kept when no worse;
    returns the best tour once it meets B (or the best found when time runs out)."""
    n, d, bound = data["n"], data["distances"], data["B"]
    near = [sorted((c for c in range(n) if c != a), key=lambda c: d[a][c])[:12] for a in range(n)]
    tour = two_opt(nearest_neighbour(d, rng.randrange(n)), d, near, deadline)
    best = tour_length(d, tour)
    while best > bound and not deadline.over() and n >= 8:
        i, j, k = sorted(rng.sample(range(1, n), 3))
        trial = two_opt(tour[:i] + tour[j:k] + tour[i:j] + tour[k:], d, near, deadline)
        length = tour_length(d, trial)
        if length <= best:
            tour, best = trial, length
    return tour


# -- bandwidth -------------------------------------------------------------------------------------

def bandwidth_layout_search(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Backtracking over layouts left to right (a vertex may take the next position only while every
    placed vertex's unplaced neighbours can still come within k of it), from random vertex orders."""
    n, k = data["n"], data["k"]
    adj = adjacency(n, data["edges"])
    order: list[int] = []
    position = [-1] * n
    steps = [0]
    candidates = list(range(n))

    def feasible(v: int, p: int) -> bool:
        for w in adj[v]:
            if position[w] >= 0 and p - position[w] > k:
                return False
        return True

    def urgent(p: int) -> bool:  # a placed vertex at p - k with an unplaced neighbour: it must be placed now
        if p - k - 1 < 0:
            return False
        u = order[p - k - 1]
        return any(position[w] < 0 for w in adj[u])

    def place(p: int) -> bool:
        steps[0] += 1
        if steps[0] % 256 == 0 and deadline.over():
            raise TimeoutError
        if p == n:
            return True
        if urgent(p):
            return False
        pending = [v for v in candidates if position[v] < 0]
        forced = None
        if p >= k:  # the vertex at p - k may still have one unplaced neighbour: it must go here
            u = order[p - k]
            waiting = [w for w in adj[u] if position[w] < 0]
            if len(waiting) > 1:
                return False
            forced = waiting[0] if waiting else None
        for v in ([forced] if forced is not None else pending):
            if feasible(v, p):
                position[v] = p
                order.append(v)
                if place(p + 1):
                    return True
                order.pop()
                position[v] = -1
        return False

    try:
        while not deadline.over():
            rng.shuffle(candidates)
            candidates.sort(key=lambda v: len(adj[v]))
            if place(0):
                return list(position)
            return None  # the search was complete: no layout within k
    except (TimeoutError, RecursionError):
        return None
    return None


def bandwidth_swap_search(data, deadline: Deadline, rng: random.Random) -> list[int] | None:
    """Swap local search on a layout from a breadth-first order: minimise the edges longer than k."""
    n, k, edges = data["n"], data["k"], data["edges"]
    adj = [list(a) for a in adjacency(n, edges)]
    while not deadline.over():
        root = rng.randrange(n)
        order, seen = [root], {root}
        for v in order:
            for w in sorted(adj[v], key=lambda w: (len(adj[w]), rng.random())):
                if w not in seen:
                    seen.add(w)
                    order.append(w)
        order += [v for v in range(n) if v not in seen]
        pos = [0] * n
        for i, v in enumerate(order):
            pos[v] = i

        # this restart's state, bound explicitly: the helper is called only within this iteration
        def excess(v: int, pos: list[int] = pos) -> int:
            return sum(max(0, abs(pos[v] - pos[w]) - k) for w in adj[v])

        total = sum(max(0, abs(pos[u] - pos[v]) - k) for u, v in edges)
        for step in range(200 * n):
            if total == 0:
                return pos
            if step % 64 == 0 and deadline.over():
                return None
            bad = [v for v in range(n) if excess(v)]
            v = rng.choice(bad)
            best_delta, best_w = None, None
            for w in rng.sample(range(n), min(n, 30)):
                if w == v:
                    continue
                before = excess(v) + excess(w)
                pos[v], pos[w] = pos[w], pos[v]
                delta = excess(v) + excess(w) - before
                pos[v], pos[w] = pos[w], pos[v]
                if best_delta is None or delta < best_delta:
                    best_delta, best_w = delta, w
            if best_w is not None and (best_delta <= 0 or rng.random() < 0.1):
                pos[v], pos[best_w] = pos[best_w], pos[v]
                total = sum(max(0, abs(pos[u] - pos[x]) - k) for u, x in edges)
    return None


# -- max-leaf spanning trees -------------------------------------------------------------------------

def randomised_leafy_trees(data, deadline: Deadline, rng: random.Random) -> list[list[int]] | None:
    """Random greedy tree growing (expand the tree vertex with most outside neighbours, noisy ties), then
    drop internal vertices while the rest stays a connected dominating set; best tree until it has t leaves."""
    n, t = data["n"], data["t"]
    adj = adjacency(n, data["edges"])
    while not deadline.over():
        start = rng.randrange(n)
        in_tree, core = {start}, set()
        frontier = [start]
        while len(in_tree) < n and frontier:
            gains = [(len(adj[v] - in_tree) + rng.random() * 1.5, v) for v in frontier]
            gain, v = max(gains)
            if gain < 1:
                break
            core.add(v)
            in_tree |= adj[v]
            frontier = [u for u in in_tree if adj[u] - in_tree]
        if len(in_tree) < n:
            continue
        for x in sorted(core, key=lambda _: rng.random()):
            if len(core) > 1 and _connected_dominating(core - {x}, adj):
                core.discard(x)
        if n - len(core) >= t:
            return tree_of_core(n, core, adj)
    return None


def _connected_dominating(core: set[int], adj: list[set[int]]) -> bool:
    """npgym's check, except that a single vertex joined to all others (a star's centre) counts too."""
    if len(core) == 1:
        return len(adj[next(iter(core))]) == len(adj) - 1
    return connected_dominating(core, adj)


def clustering_tabucol(data, deadline, rng):
    n, bound = data["n"], data["B"]
    far = [(x, y) for x in range(n) for y in range(x + 1, n) if data["distances"][x][y] > bound]
    return tabucol(n, adjacency(n, far), data["K"], deadline, rng)
