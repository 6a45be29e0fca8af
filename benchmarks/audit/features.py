"""Cheap features of an instance for telling yes- from no-instances without solving anything.

Every problem gets the numbers in its data (bounds, targets, moduli), size counts, and its family's
statistics: degree statistics, triangles, K4s and components for graphs; element degrees, subset sizes
and repeated subsets for set systems; magnitudes, parity and the bound against easy bounds (greedy
values, LP-style and counting bounds, the convexity floor) for the rest. Each function returns a
dict of named floats; a feature an instance does not have is simply absent. Whether a heuristic *solves*
an instance is not a feature here: a found solution certifies yes, so it is an attack and is counted in
the attack columns of the audit.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Callable
from typing import Any

import npgym
from npgym.graphs import adjacency

from .graphs import complement_sets

FeatureMap = dict[str, float]
K4_EDGE_LIMIT = 4000  # K4s are counted only up to this many edges (the count is cubic in the degree)


def scalars(data: dict[str, Any]) -> FeatureMap:
    """Every top-level integer of the data, raw and as log2."""
    out = {}
    for key, value in data.items():
        if isinstance(value, int) and not isinstance(value, bool):
            out[key] = float(value) if abs(value) < 2 ** 1000 else (math.inf if value > 0 else -math.inf)
            out[f"log2_{key}"] = math.log2(abs(value) + 1)
    return out


def spread(prefix: str, values: list[float]) -> FeatureMap:
    if not values:
        return {}
    return {f"{prefix}_mean": statistics.fmean(values), f"{prefix}_std": statistics.pstdev(values),
            f"{prefix}_min": float(min(values)), f"{prefix}_max": float(max(values))}


# -- graphs ----------------------------------------------------------------------------------------

def graph_features(n: int, edges) -> FeatureMap:
    adj = adjacency(n, edges)
    degrees = [len(a) for a in adj]
    out = {"n": float(n), "m": float(len(edges)), "density": 2 * len(edges) / max(1, n * (n - 1))}
    out.update(spread("degree", degrees))
    for d in (0, 1, 2, 3):
        out[f"degree_{d}_count"] = float(sum(1 for x in degrees if x == d))
    triangles = sum(len(adj[u] & adj[v]) for u, v in edges) // 3
    out["triangles"] = float(triangles)
    if len(edges) <= K4_EDGE_LIMIT:
        k4 = 0
        for u, v in edges:
            common = adj[u] & adj[v]
            k4 += sum(len(adj[w] & common) for w in common) // 2
        out["k4"] = float(k4 // 6)
        out["has_k4"] = float(k4 > 0)
    out["components"] = float(_components(adj))
    return out


def _components(adj: list[set[int]]) -> int:
    seen, count = set(), 0
    for start in range(len(adj)):
        if start in seen:
            continue
        count += 1
        stack = [start]
        seen.add(start)
        while stack:
            for w in adj[stack.pop()]:
                if w not in seen:
                    seen.add(w)
                    stack.append(w)
    return count


def _greedy_independent_size(adj: list[set[int]]) -> int:
    alive, size = set(range(len(adj))), 0
    while alive:
        v = min(alive, key=lambda u: (len(adj[u] & alive), u))
        size += 1
        alive -= adj[v] | {v}
    return size


def _maximal_matching(n: int, edges) -> int:
    used, size = set(), 0
    for u, v in edges:
        if u not in used and v not in used:
            used |= {u, v}
            size += 1
    return size


def heuristic_value(problem_id: str, data: dict[str, Any]) -> float | None:
    """The objective value of the problem's own textbook heuristic (None if its answer is invalid)."""
    problem = npgym.get_problem(problem_id)
    answer = problem.heuristic(data, random.Random(0))
    try:
        return float(problem.check({**data, **_loose_bound(problem)}, answer))
    except Exception:  # noqa: BLE001 - an invalid heuristic answer simply gives no feature
        return None


def _loose_bound(problem) -> dict[str, int]:
    """Bounds that any well-formed answer meets, so check() reports the heuristic's objective value."""
    if problem.bound_key is None:
        return {}
    return {problem.bound_key: 10 ** 18 if problem.objective == "min" else 0}


def with_bound_gaps(out: FeatureMap, bound: float, estimates: dict[str, float | None]) -> FeatureMap:
    for name, value in estimates.items():
        if value is not None:
            out[f"{name}"] = value
            out[f"bound_minus_{name}"] = bound - value
    return out


def vertex_cover(problem_id, data):
    n, k = data["n"], data["k"]
    adj = adjacency(n, data["edges"])
    out = graph_features(n, data["edges"])
    out["k_over_n"] = k / n
    return with_bound_gaps(out, k, {"greedy": heuristic_value(problem_id, data),
                                    "matching_lower": float(_maximal_matching(n, data["edges"])),
                                    "n_minus_greedy_is": float(n - _greedy_independent_size(adj))})


def independent_set(problem_id, data):
    n, k = data["n"], data["k"]
    adj = adjacency(n, data["edges"])
    out = graph_features(n, data["edges"])
    out["k_over_n"] = k / n
    caro_wei = sum(1 / (len(a) + 1) for a in adj)
    return with_bound_gaps(out, k, {"greedy": heuristic_value(problem_id, data), "caro_wei": caro_wei,
                                    "plain_greedy": float(_greedy_independent_size(adj))})


def clique(problem_id, data):
    n, k = data["n"], data["k"]
    comp = complement_sets(adjacency(n, data["edges"]))
    out = graph_features(n, data["edges"]) if len(data["edges"]) <= K4_EDGE_LIMIT else \
        {"n": float(n), "m": float(len(data["edges"]))}
    degrees = [n - 1 - len(c) for c in comp]
    out.update(spread("degree", degrees))
    out["k_over_n"] = k / n
    top_k = sorted(degrees, reverse=True)[:k]
    out["top_k_degree_min"] = float(top_k[-1]) if top_k else 0.0
    return with_bound_gaps(out, k, {"greedy": heuristic_value(problem_id, data),
                                    "plain_greedy": float(_greedy_independent_size(comp))})


def dominating_set(problem_id, data):
    n, k = data["n"], data["k"]
    out = graph_features(n, data["edges"])
    out["k_over_n"] = k / n
    lower = math.ceil(n / (out["degree_max"] + 1))
    return with_bound_gaps(out, k, {"greedy": heuristic_value(problem_id, data), "degree_lower": float(lower)})


def bandwidth(problem_id, data):
    n, k = data["n"], data["k"]
    out = graph_features(n, data["edges"])
    out["k_over_n"] = k / n
    density_lower = 0.0
    if n > 1:  # a layout of width w has at most sum_{d<=w} (n - d) edges
        m, w, room = len(data["edges"]), 0, 0
        while room < m and w < n:
            w += 1
            room += n - w
        density_lower = float(w)
    return with_bound_gaps(out, k, {"cuthill_mckee": heuristic_value(problem_id, data),
                                    "degree_lower": float(math.ceil(out["degree_max"] / 2)),
                                    "density_lower": density_lower})


def max_leaf(problem_id, data):
    n, t = data["n"], data["t"]
    out = graph_features(n, data["edges"])
    out["t_over_n"] = t / n
    return with_bound_gaps(out, t, {"greedy": heuristic_value(problem_id, data)})


def tsp(problem_id, data):
    n, d, bound = data["n"], data["distances"], data["B"]
    off = [d[i][j] for i in range(n) for j in range(i + 1, n)]
    out = {"n": float(n), "B": float(bound), "B_per_city": bound / n}
    out.update(spread("distance", off))
    nearest = sum(min(d[i][j] for j in range(n) if j != i) for i in range(n))
    out["B_over_nearest_sum"] = bound / max(1, nearest)
    greedy = heuristic_value(problem_id, data)
    if greedy:
        out["B_over_greedy"] = bound / greedy
    return with_bound_gaps(out, bound, {"greedy": greedy, "mst": float(_mst(d))})


def _mst(d) -> int:
    n = len(d)
    best = [math.inf] * n
    best[0], total, done = 0, 0, [False] * n
    for _ in range(n):
        v = min((u for u in range(n) if not done[u]), key=lambda u: best[u])
        done[v] = True
        total += best[v]
        for u in range(n):
            if not done[u] and d[v][u] < best[u]:
                best[u] = d[v][u]
    return total


def colouring_family(problem_id, data):
    out = graph_features(data["n"], data["edges"])
    out["average_degree"] = 2 * len(data["edges"]) / data["n"]
    return out


def clustering(problem_id, data):
    n, bound = data["n"], data["B"]
    far = [(x, y) for x in range(n) for y in range(x + 1, n) if data["distances"][x][y] > bound]
    out = graph_features(n, far)
    out.update(spread("distance", [data["distances"][x][y] for x in range(n) for y in range(x + 1, n)]))
    out["far_average_degree"] = 2 * len(far) / n
    return out


def hamiltonian(problem_id, data):
    out = graph_features(data["n"], data["edges"])
    return out


# -- clause problems -------------------------------------------------------------------------------

def clause_features(n: int, clauses: list[list[int]]) -> FeatureMap:
    positive = [0] * (n + 1)
    negative = [0] * (n + 1)
    for clause in clauses:
        for lit in clause:
            (positive if lit > 0 else negative)[abs(lit)] += 1
    occurrences = [positive[v] + negative[v] for v in range(1, n + 1)]
    imbalance = [abs(positive[v] - negative[v]) for v in range(1, n + 1)]
    out = {"n": float(n), "m": float(len(clauses)), "ratio": len(clauses) / max(1, n),
           "positive_share": sum(positive) / max(1, sum(positive) + sum(negative))}
    out.update(spread("occurrences", occurrences))
    out.update(spread("imbalance", imbalance))
    widths = [len(c) for c in clauses]
    out.update(spread("width", widths))
    pairs: dict[tuple[int, int], int] = {}
    for clause in clauses:
        lits = sorted(clause)
        for i in range(len(lits)):
            for j in range(i + 1, len(lits)):
                pairs[lits[i], lits[j]] = pairs.get((lits[i], lits[j]), 0) + 1
    out["repeated_literal_pairs"] = float(sum(1 for c in pairs.values() if c > 1))
    out["pure_variables"] = float(sum(1 for v in range(1, n + 1) if (positive[v] == 0) != (negative[v] == 0)))
    return out


def three_sat(problem_id, data):
    out = clause_features(data["n"], data["clauses"])
    return out


def hitting_string(problem_id, data):
    from .sat import hitting_string_clauses

    out = clause_features(data["n"], hitting_string_clauses(data))
    return out


def set_splitting(problem_id, data):
    n, subsets = data["n"], data["subsets"]
    out = set_system(n, subsets)
    return out


# -- set systems -----------------------------------------------------------------------------------

def set_system(n: int, subsets: list[list[int]]) -> FeatureMap:
    degree = [0] * n
    for s in subsets:
        for e in s:
            degree[e] += 1
    keys = [tuple(sorted(s)) for s in subsets]
    out = {"n": float(n), "m": float(len(subsets)), "ratio": len(subsets) / max(1, n),
           "repeated_subsets": float(len(keys) - len(set(keys))), "elements_unused": float(degree.count(0))}
    out.update(spread("element_degree", degree))
    out.update(spread("subset_size", [len(s) for s in subsets]))
    pair_count: dict[tuple[int, int], int] = {}
    for s in subsets:
        for i in range(len(s)):
            for j in range(i + 1, len(s)):
                pair_count[s[i], s[j]] = pair_count.get((s[i], s[j]), 0) + 1
    out["max_pair_multiplicity"] = float(max(pair_count.values(), default=0))
    return out


def exact_cover(problem_id, data):
    out = set_system(data["n"], data["subsets"])
    return out


def three_dm(problem_id, data):
    n = data["n"]
    blocks = [[x, n + y, 2 * n + z] for x, y, z in data["triples"]]
    out = set_system(3 * n, blocks)
    return out


def set_packing(problem_id, data):
    n, k = data["n"], data["k"]
    out = set_system(n, data["subsets"])
    out["k_over_n"] = k / n
    out["n_over_min_size"] = n / max(1, out.get("subset_size_min", 1))
    return with_bound_gaps(out, k, {"greedy": heuristic_value(problem_id, data),
                                    "counting_upper": float(n // max(1, out.get("subset_size_min", 1)))})


def minimum_cover(problem_id, data):
    n, k = data["n"], data["k"]
    out = set_system(n, data["subsets"])
    return with_bound_gaps(out, k, {"greedy": heuristic_value(problem_id, data),
                                    "counting_lower": float(math.ceil(n / max(1, out.get("subset_size_max", 1))))})


def superstring(problem_id, data):
    from npgym.problems.shortest_common_superstring import essential_strings, positive_overlaps

    strings = data["strings"]
    kept = essential_strings(strings)
    total = sum(map(len, kept))
    out = {"strings": float(len(strings)), "total_length": float(sum(map(len, strings))),
           "k": float(data["k"]), "longest": float(max(map(len, strings))),
           "essential": float(len(kept)), "essential_length": float(total),
           "essential_share": len(kept) / len(strings)}
    out.update(spread("length", [len(s) for s in strings]))
    letters = "".join(strings)
    for letter in data["alphabet"]:
        out[f"letter_{letter}_share"] = letters.count(letter) / max(1, len(letters))
    overlaps = positive_overlaps(kept)
    best_out = [0] * len(kept)
    best_in = [0] * len(kept)
    for (i, j), size in overlaps.items():
        best_out[i], best_in[j] = max(best_out[i], size), max(best_in[j], size)
    out["overlap_pairs"] = float(len(overlaps))
    greedy = heuristic_value(problem_id, data)
    if greedy is not None:
        out["greedy_overlap"] = total - greedy
    return with_bound_gaps(out, data["k"], {
        "greedy": greedy, "longest_lower": float(max(map(len, strings))),
        "best_link_lower": float(total - min(sum(best_out), sum(best_in))),
        "cycle_cover_lower": _cycle_cover_lower(kept, overlaps)})


def _cycle_cover_lower(kept: list[str], overlaps: dict[tuple[int, int], int]) -> float | None:
    """The total length less the largest overlap of a cycle cover of the strings and a dummy string
    (an assignment of successors, none its own): no superstring is shorter, as a merge order closed
    into a cycle through the dummy is such a cover."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    m = len(kept)
    weights = np.zeros((m + 1, m + 1))
    for (i, j), size in overlaps.items():
        weights[i, j] = size
    np.fill_diagonal(weights, -1e9)
    rows, cols = linear_sum_assignment(weights, maximize=True)
    return float(sum(map(len, kept)) - weights[rows, cols].sum())


def betweenness(problem_id, data):
    n, triples = data["n"], data["triples"]
    keys = [tuple(sorted(t)) for t in triples]
    middles = [0] * n
    touches = [0] * n
    for a, b, c in triples:
        middles[b] += 1
        for e in (a, b, c):
            touches[e] += 1
    out = {"n": float(n), "m": float(len(triples)), "ratio": len(triples) / n,
           "repeated_three_sets": float(len(keys) - len(set(keys)))}
    out.update(spread("middle_count", middles))
    out.update(spread("element_degree", touches))
    return out


# -- numbers ---------------------------------------------------------------------------------------

def number_list(numbers: list[int]) -> FeatureMap:
    total = sum(numbers)
    out = {"count": float(len(numbers)), "total": float(total), "log2_total": math.log2(total + 1),
           "total_parity": float(total % 2), "distinct_share": len(set(numbers)) / len(numbers),
           "density_bits": len(numbers) / max(1.0, math.log2(max(numbers) + 1))}
    out.update(spread("value", numbers))
    out.update(spread("log2_value", [math.log2(x + 1) for x in numbers]))
    return out


def partition(problem_id, data):
    out = number_list(data["numbers"])
    out["largest_over_half"] = max(data["numbers"]) / max(1, sum(data["numbers"]) / 2)
    return out


def subset_sum(problem_id, data):
    numbers, target = data["numbers"], data["target"]
    total = sum(numbers)
    out = number_list(numbers)
    out.update({"target": float(target), "target_share": target / max(1, total),
                "gap_to_total_over_min": (total - target) / max(1, min(numbers)),
                "target_over_min": target / max(1, min(numbers))})
    return out


def sum_of_squares(problem_id, data):
    numbers, k, bound = data["numbers"], data["k"], data["J"]
    total = sum(numbers)
    q, r = divmod(total, k)
    floor = r * (q + 1) ** 2 + (k - r) * q * q
    out = number_list(numbers)
    out.update({"k": float(k), "J_minus_floor": float(bound - floor), "J_over_floor": bound / max(1, floor),
                "total_mod_k": float(r)})
    return with_bound_gaps(out, bound, {"lpt": heuristic_value(problem_id, data)})


def bin_packing(problem_id, data):
    weights, capacity, bins = data["weights"], data["capacity"], data["bins"]
    total = sum(weights)
    out = number_list(weights)
    out.update({"capacity": float(capacity), "bins": float(bins), "slack": float(bins * capacity - total),
                "lp_bins_minus_bins": float(math.ceil(total / capacity) - bins),
                "items_per_bin": len(weights) / bins,
                "big_items": float(sum(1 for w in weights if 2 * w > capacity))})
    ffd = heuristic_value(problem_id, {**data, "bins": len(weights)})
    if ffd is not None:
        out["ffd_bins_minus_bins"] = ffd - bins
    return out


def quadratic(problem_id, data):
    a, b, c = data["a"], data["b"], data["c"]
    out = scalars(data)
    small_primes = [p for p in range(3, 200, 2) if all(p % q for q in range(3, int(p ** 0.5) + 1, 2))]
    omega = sum(1 for p in [2] + small_primes if b % p == 0)
    out.update({"omega_small": float(omega), "c_over_b": c / b,
                "log2_c_roots_over_b": math.log2(c * 2 ** omega / b + 1e-9),
                "gcd_ab": float(math.gcd(a, b)), "a_over_b": a / b})
    if problem_id == "quadratic_diophantine":
        out["c_mod_gcd"] = float(c % math.gcd(a, b))
        out["sqrt_c_over_a_over_b"] = math.isqrt(c // a) / b
    return out


FEATURES: dict[str, Callable[[str, dict], FeatureMap]] = {
    "three_sat": three_sat, "hitting_string": hitting_string, "set_splitting": set_splitting,
    "vertex_cover": vertex_cover, "independent_set": independent_set, "clique": clique,
    "dominating_set": dominating_set, "bandwidth": bandwidth, "max_leaf_spanning_tree": max_leaf, "tsp": tsp,
    "three_colouring": colouring_family, "clustering": clustering, "hamiltonian_cycle": hamiltonian,
    "exact_cover_by_3_sets": exact_cover, "three_dimensional_matching": three_dm, "set_packing": set_packing,
    "minimum_cover": minimum_cover, "shortest_common_superstring": superstring, "betweenness": betweenness,
    "partition": partition, "subset_sum": subset_sum, "minimum_sum_of_squares": sum_of_squares,
    "bin_packing": bin_packing, "quadratic_congruences": quadratic, "quadratic_diophantine": quadratic,
}


def features(problem_id: str, data: dict[str, Any]) -> FeatureMap:
    """The scalars of the data plus the problem's family features."""
    out = scalars(data)
    out.update(FEATURES[problem_id](problem_id, data))
    return out
