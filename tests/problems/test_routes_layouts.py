"""Group C: TSP, Hamiltonian Cycle, Bandwidth and Max Leaf Spanning Tree, on hand-made and brute-forced cases."""

from __future__ import annotations

import itertools
import random

import npgym
from npgym.engine import check_data
from npgym.verdict import BOUND, CONSTRAINT, DUPLICATE, RANGE, SHAPE, TYPE, Reject

TSP = npgym.get_problem("tsp")
HAM = npgym.get_problem("hamiltonian_cycle")
BAND = npgym.get_problem("bandwidth")
MLST = npgym.get_problem("max_leaf_spanning_tree")


def code_of(problem, data, solution):
    return check_data(problem, data, solution).code


def accepted(problem, data, solution) -> bool:
    return code_of(problem, data, solution) == "ok"


# -- TSP ----------------------------------------------------------------------------------------

SQUARE = {"n": 4, "B": 4, "distances": [[0, 1, 2, 1], [1, 0, 1, 2], [2, 1, 0, 1], [1, 2, 1, 0]]}


def test_tsp_square_tour_and_its_traps():
    assert TSP.check(SQUARE, [0, 1, 2, 3]) == 4
    assert TSP.check(SQUARE, [2, 1, 0, 3]) == 4  # any rotation or direction
    assert code_of(TSP, SQUARE, [0, 2, 1, 3]) == BOUND  # length 6 > B
    assert code_of(TSP, SQUARE, [0, 1, 2, 3, 0]) == SHAPE  # the first city must not be repeated
    assert code_of(TSP, SQUARE, [0, 1, 2]) == SHAPE
    assert code_of(TSP, SQUARE, [0, 1, 1, 3]) == DUPLICATE
    assert code_of(TSP, SQUARE, [0, 1, 2, -1]) == RANGE  # no Python negative indexing
    assert code_of(TSP, SQUARE, [0, 1, 2, 3.0]) == TYPE
    assert code_of(TSP, SQUARE, [0, True, 2, 3]) == TYPE
    assert code_of(TSP, SQUARE, "0 1 2 3") == TYPE


def test_tsp_solver_matches_brute_force():
    for seed in range(4):
        data = TSP.plant(random.Random(seed), {"cities": 6, "grid": 30}).data
        best = min(TSP.check({**data, "B": 10**9}, [0, *rest]) for rest in itertools.permutations(range(1, 6)))
        result = TSP.solve(data, 10)
        assert result.status == "sat" and result.optimum == best <= data["B"]
        assert TSP.check(data, result.certificate) == best


def test_tsp_distances_are_small_symmetric_integers():
    data = npgym.generate("tsp", 10, seed=2).data
    d = data["distances"]
    assert all(d[i][j] == d[j][i] and (d[i][j] >= 1) == (i != j) for i in range(data["n"]) for j in range(data["n"]))
    assert all(isinstance(x, int) and not isinstance(x, bool) for row in d for x in row)


def test_tsp_nearest_neighbour_solves_points_on_a_line():
    d = [[abs(i - j) for j in range(6)] for i in range(6)]
    data = {"n": 6, "distances": d, "B": 10}
    assert TSP.check(data, TSP.heuristic(data, random.Random(0))) == 10


# -- Hamiltonian cycle --------------------------------------------------------------------------

PETERSEN = {"n": 10, "edges": sorted([min(a, b), max(a, b)] for a, b in
                                      [(i, (i + 1) % 5) for i in range(5)] + [(i, i + 5) for i in range(5)]
                                      + [(5 + i, 5 + (i + 2) % 5) for i in range(5)])}


def test_hamiltonian_cycle_checks():
    c5 = {"n": 5, "edges": [[0, 1], [0, 4], [1, 2], [2, 3], [3, 4]]}
    assert HAM.check(c5, [0, 1, 2, 3, 4]) is None
    assert HAM.check(c5, [3, 2, 1, 0, 4]) is None
    assert code_of(HAM, c5, [0, 1, 2, 3, 4, 0]) == SHAPE  # closed walk: first vertex repeated
    assert code_of(HAM, c5, [0, 2, 1, 3, 4]) == CONSTRAINT  # 0-2 is not an edge
    assert code_of(HAM, c5, [0, 1, 2, 3, 3]) == DUPLICATE
    assert code_of(HAM, c5, [0, 1, 2, 3, 5]) == RANGE
    assert code_of(HAM, c5, [[0, 1], [1, 2]]) == SHAPE


def test_petersen_graph_is_proved_non_hamiltonian():
    assert HAM.solve(PETERSEN, 10).status == "unsat"
    assert not accepted(HAM, PETERSEN, HAM.heuristic(PETERSEN, random.Random(0)))


def test_hamiltonian_solver_matches_brute_force():
    params = {"nodes": 7, "degree": 2.8}
    for seed in range(6):
        for data in (HAM.plant(random.Random(seed), params).data, HAM.no_candidate(random.Random(seed), params)):
            exists = any(accepted(HAM, data, [0, *rest]) for rest in itertools.permutations(range(1, 7)))
            result = HAM.solve(data, 10)
            assert result.status == ("sat" if exists else "unsat")
            if exists:
                assert accepted(HAM, data, result.certificate)


def test_hamiltonian_no_candidates_keep_size_and_degree():
    params = npgym.get_problem("hamiltonian_cycle").level_params(5)
    yes = HAM.plant(random.Random(1), params).data
    no = HAM.no_candidate(random.Random(1), params)
    assert yes["n"] == no["n"] and len(yes["edges"]) == len(no["edges"])
    assert min(sum(v in e for e in no["edges"]) for v in range(no["n"])) >= 2


def test_warnsdorff_solves_a_plain_cycle():
    ring = list(range(12))
    random.Random(3).shuffle(ring)
    data = {"n": 12, "edges": sorted([min(a, b), max(a, b)] for a, b in zip(ring, ring[1:] + ring[:1]))}
    assert accepted(HAM, data, HAM.heuristic(data, random.Random(0)))


# -- Bandwidth ----------------------------------------------------------------------------------

def bandwidth_brute_force(data) -> int:
    return min(BAND.check({**data, "k": data["n"]}, list(p)) for p in itertools.permutations(range(data["n"])))


def test_bandwidth_small_graphs():
    path = {"n": 4, "edges": [[0, 2], [1, 3], [2, 3]], "k": 1}
    assert BAND.check(path, [0, 3, 1, 2]) == 1
    assert code_of(BAND, path, [0, 1, 2, 3]) == BOUND
    star = {"n": 5, "edges": [[0, 1], [0, 2], [0, 3], [0, 4]], "k": 2}
    assert BAND.solve(star, 10).optimum == 2 == bandwidth_brute_force(star)
    assert BAND.solve({**star, "k": 1}, 10).status == "unsat"
    assert code_of(BAND, star, [2, 0, 1, 3, 3]) == DUPLICATE
    assert code_of(BAND, star, [2, 0, 1, 3, -1]) == RANGE
    assert code_of(BAND, star, [2, 0, 1, 3]) == SHAPE


def test_bandwidth_solver_matches_brute_force():
    for level in (2, 3, 4, 6):
        for seed in range(3):
            instance = npgym.generate("bandwidth", level, seed)
            result = BAND.solve(instance.data, 10)
            assert result.optimum == bandwidth_brute_force(instance.data) <= instance.data["k"]
            assert result.optimum >= 2  # the planted triangle keeps no-instances possible


def test_level_one_bandwidth_is_degenerate_but_correct():
    instance = npgym.generate("bandwidth", 1, seed=0)
    for layout in itertools.permutations(range(3)):
        assert npgym.verify(instance, {"solution": list(layout)}).ok


def test_cuthill_mckee_solves_a_shuffled_path():
    order = list(range(10))
    random.Random(5).shuffle(order)
    data = {"n": 10, "edges": sorted([min(a, b), max(a, b)] for a, b in zip(order, order[1:])), "k": 1}
    assert BAND.check(data, BAND.heuristic(data, random.Random(0))) == 1


# -- Max leaf spanning tree ---------------------------------------------------------------------

def max_leaves_brute_force(data) -> int:
    best = 0
    for subset in itertools.combinations(data["edges"], data["n"] - 1):
        try:
            best = max(best, MLST.check({**data, "t": 0}, [list(e) for e in subset]))
        except Reject:
            pass
    return best


def test_mlst_checks_and_traps():
    data = {"n": 4, "edges": [[0, 1], [0, 2], [1, 2], [1, 3], [2, 3]], "t": 3}
    assert MLST.check(data, [[1, 0], [1, 2], [3, 1]]) == 3  # either orientation
    assert code_of(MLST, data, [[0, 1], [1, 2], [2, 3]]) == BOUND  # a path: 2 leaves
    assert code_of(MLST, data, [[0, 1], [1, 2], [0, 2]]) == CONSTRAINT  # a cycle, vertex 3 left out
    assert code_of(MLST, data, [[0, 1], [1, 0], [1, 3]]) == DUPLICATE
    assert code_of(MLST, data, [[0, 3], [1, 2], [1, 3]]) == CONSTRAINT  # 0-3 is not an edge
    assert code_of(MLST, data, [[0, 1], [1, 2]]) == SHAPE
    assert code_of(MLST, data, [[0, 1], [1, 2], [1, 3], [1, 3]]) == SHAPE
    assert code_of(MLST, data, [-1, 1, 1, 1]) == SHAPE  # a parent array of n entries
    assert code_of(MLST, data, [1, 0, 1]) == TYPE  # an edge must be a list [u, v]
    assert code_of(MLST, data, [[0, 1], [1, 2], [1, -1]]) == RANGE
    assert code_of(MLST, data, [[0, 1], [1, 2], [1, 3, 0]]) == SHAPE
    assert code_of(MLST, data, [[0, 1], [1, 1], [1, 3]]) == CONSTRAINT  # a loop is not an edge


def test_mlst_solver_matches_brute_force():
    params = {"nodes": 8, "leaves": 4, "extra": 0.5}
    for seed in range(5):
        data = MLST.plant(random.Random(seed), params).data
        result = MLST.solve(data, 10)
        assert result.optimum == max_leaves_brute_force(data) >= data["t"]
        assert MLST.check(data, result.certificate) == result.optimum


def test_mlst_ids_do_not_leak_leaves():
    instance = npgym.generate("max_leaf_spanning_tree", 10, seed=3)
    degree = [0] * instance.data["n"]
    for u, v in instance.certificate:
        degree[u] += 1
        degree[v] += 1
    internal = [v for v in range(instance.data["n"]) if degree[v] > 1]
    assert internal != list(range(len(internal)))  # the reference made internal vertices the lowest ids


def test_greedy_tree_solves_a_star_with_a_rim():
    edges = [[0, v] for v in range(1, 8)] + [[v, v + 1] for v in range(1, 7)]
    data = {"n": 8, "edges": edges, "t": 7}
    assert MLST.check(data, MLST.heuristic(data, random.Random(0))) == 7
