"""Behaviour tests of the graph-subset problems: 3-colouring, clique, independent set, dominating set."""

from __future__ import annotations

import itertools
import json
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npgym.cards import ParamError
from npgym.engine import check_data
from npgym.graphs import adjacency, canonical_edges, relabel
from npgym.problems.clique import flagged_pairs
from npgym.problems.dominating_set import prune
from npgym.verdict import Reject

TRIANGLE_PLUS_TAIL = {"n": 4, "edges": [[0, 1], [0, 2], [1, 2], [2, 3]]}
K4 = {"n": 4, "edges": [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]}
# a 5-cycle 0-1-2-3-4 with the chord 0-2: max clique {0, 1, 2}, max independent set size 2, domination 2
C5_CHORD = {"n": 5, "edges": [[0, 1], [0, 2], [0, 4], [1, 2], [2, 3], [3, 4]]}


def code(problem_id: str, data: dict, solution) -> str:
    """The verdict code of ``solution`` ("ok" if accepted)."""
    return check_data(problem_id, data, solution).code


def brute_optimum(problem_id: str, data: dict, sense: str) -> int | None:
    """The best objective over every subset the verifier accepts when the bound is lifted."""
    problem = npgym.get_problem(problem_id)
    free = {**data, "k": 0 if sense == "max" else data["n"]}
    values = []
    for size in range(data["n"] + 1):
        for subset in itertools.combinations(range(data["n"]), size):
            try:
                values.append(problem.check(free, list(subset)))
            except Reject:
                pass
    if not values:
        return None
    return max(values) if sense == "max" else min(values)


def test_relabel_is_the_canonical_list_of_the_relabelled_pairs():
    """relabel sorts integer keys; the result must be canonical_edges of the mapped pairs, for any input."""
    rng = random.Random(4)
    for n in (1, 2, 5, 12):
        mapping = list(range(n))
        rng.shuffle(mapping)
        edges = [(rng.randrange(n), rng.randrange(n)) for _ in range(3 * n)]  # loops, repeats, both orders
        assert relabel(edges, mapping) == canonical_edges((mapping[u], mapping[v]) for u, v in edges)
    assert relabel([], [1, 0]) == []


# -- three_colouring ----------------------------------------------------------------------------

def test_three_colouring_hand_built():
    assert code("three_colouring", TRIANGLE_PLUS_TAIL, [0, 1, 2, 0]) == "ok"
    assert code("three_colouring", TRIANGLE_PLUS_TAIL, [0, 1, 2, 2]) == "constraint"
    problem = npgym.get_problem("three_colouring")
    assert problem.solve(TRIANGLE_PLUS_TAIL, 5).status == "sat"
    assert problem.solve(K4, 5).status == "unsat"


def test_three_colouring_reference_traps():
    data = TRIANGLE_PLUS_TAIL
    assert code("three_colouring", data, [0, 1, 2, 3]) == "range"        # a fourth colour (list(range(n)))
    assert code("three_colouring", data, [0, 1, 2]) == "shape"           # too short
    assert code("three_colouring", data, [0, 1, 2, 0, 1]) == "shape"     # too long
    assert code("three_colouring", data, [0, 1, 2, -1]) == "range"       # negative colour
    assert code("three_colouring", data, [False, 1, 2, 0]) == "type"     # bool is not a colour
    assert code("three_colouring", data, [0, 1, 2.0, 0]) == "type"
    assert code("three_colouring", data, "0120") == "type"


def test_three_colouring_solver_matches_brute_force():
    problem = npgym.get_problem("three_colouring")
    rng = random.Random(7)
    for _ in range(30):
        n = rng.randrange(4, 8)
        pairs = list(itertools.combinations(range(n), 2))
        data = {"n": n, "edges": [list(e) for e in sorted(rng.sample(pairs, rng.randrange(len(pairs) + 1)))]}
        colourable = any(code("three_colouring", data, list(c)) == "ok"
                         for c in itertools.product(range(3), repeat=n))
        result = problem.solve(data, 5)
        assert result.status == ("sat" if colourable else "unsat")
        if colourable:
            assert code("three_colouring", data, result.certificate) == "ok"


def test_three_colouring_planted_is_balanced_and_params_checked():
    instance = npgym.generate("three_colouring", 10, seed=3)
    counts = sorted(instance.certificate.count(c) for c in range(3))
    assert counts == [10, 10, 10] and len(instance.data["edges"]) == 80
    with pytest.raises(ParamError, match="edges"):
        npgym.get_problem("three_colouring").check_params({"nodes": 5, "edges": 9})


def test_three_colouring_no_candidates_are_mostly_unsat_and_free_of_k4():
    problem = npgym.get_problem("three_colouring")
    for level in (3, 4, 5):
        params = problem.level_params(level)
        candidates = [problem.no_candidate(random.Random(s), params) for s in range(10)]
        assert not any(problem.counting_refutes(data) for data in candidates)
        statuses = [problem.solve(data, 10).status for data in candidates]
        assert statuses.count("unsat") >= 5, (level, statuses)


def test_k4_refutes_three_colourability_and_clustering_into_three_groups():
    problem = npgym.get_problem("three_colouring")
    k4 = [[0, 1], [0, 2], [0, 3], [1, 2], [1, 3], [2, 3]]
    assert problem.counting_refutes({"n": 5, "edges": k4 + [[3, 4]]})
    assert not problem.counting_refutes({"n": 5, "edges": k4[:5] + [[3, 4]]})
    far = [[0 if x == y else (20 if sorted((x, y)) in k4 else 1) for y in range(4)] for x in range(4)]
    clustering = npgym.get_problem("clustering")
    assert clustering.counting_refutes({"n": 4, "distances": far, "K": 3, "B": 10})
    assert not clustering.counting_refutes({"n": 4, "distances": far, "K": 4, "B": 10})


def test_dsatur_colours_a_bipartite_graph():
    even_cycle = {"n": 6, "edges": [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5], [0, 5]]}
    answer = npgym.get_problem("three_colouring").heuristic(even_cycle, random.Random(0))
    assert code("three_colouring", even_cycle, answer) == "ok"


# -- clique and independent set ----------------------------------------------------------------

def test_clique_hand_built():
    data = {**C5_CHORD, "k": 3}
    assert code("clique", data, [0, 1, 2]) == "ok"
    assert code("clique", data, [2, 1, 0]) == "ok"
    assert code("clique", data, [0, 1]) == "bound"
    assert code("clique", data, [0, 2, 3]) == "constraint"
    result = npgym.get_problem("clique").solve(data, 5)
    assert result.status == "sat" and result.optimum == 3
    assert npgym.get_problem("clique").solve({**data, "k": 4}, 5).status == "unsat"


def test_independent_set_hand_built():
    data = {**C5_CHORD, "k": 2}
    assert code("independent_set", data, [1, 3]) == "ok"
    assert code("independent_set", data, [1, 4]) == "ok"
    assert code("independent_set", data, [0, 1]) == "constraint"
    assert code("independent_set", data, [3]) == "bound"
    assert npgym.get_problem("independent_set").solve({**data, "k": 3}, 5).status == "unsat"


@pytest.mark.parametrize("problem_id", ["clique", "independent_set"])
def test_subset_reference_traps(problem_id):
    instance = npgym.generate(problem_id, 3, seed=1)
    data, planted = instance.data, instance.certificate
    assert code(problem_id, data, [planted[0]] * data["k"]) == "duplicate"   # [v] * k
    assert code(problem_id, data, [str(v) for v in planted]) == "type"       # string elements
    assert code(problem_id, data, [[1, 2]]) == "type"
    assert code(problem_id, data, [None]) == "type"
    assert code(problem_id, data, planted[:-1] + [-1]) == "range"            # no negative indexing
    assert code(problem_id, data, planted[:-1] + [data["n"]]) == "range"
    assert code(problem_id, data, [True] + planted[1:]) == "type"
    assert code(problem_id, data, planted[:-1]) == "bound"                   # one vertex short
    # after a JSON round trip the verifier still tells a valid set from an arbitrary k vertices
    loaded = json.loads(json.dumps(data))
    assert code(problem_id, loaded, planted) == "ok"
    others = [v for v in range(data["n"]) if v not in planted]
    assert code(problem_id, loaded, sorted(others[:1] + planted[1:])) in ("constraint", "ok")


@pytest.mark.parametrize("problem_id", ["clique", "independent_set"])
def test_subset_solver_matches_brute_force(problem_id):
    problem = npgym.get_problem(problem_id)
    for seed in range(8):
        for level in (1, 2):
            data = npgym.generate(problem_id, level, seed).data
            best = brute_optimum(problem_id, data, "max")
            result = problem.solve(data, 10)
            assert result.status == "sat" and result.optimum == best
            assert problem.solve({**data, "k": best + 1}, 10).status == "unsat"


@pytest.mark.parametrize("problem_id", ["clique", "independent_set"])
def test_planted_set_is_maximal(problem_id):
    problem = npgym.get_problem(problem_id)
    instance = npgym.generate(problem_id, 9, seed=2)
    data, planted = instance.data, instance.certificate
    assert len(planted) == data["k"] >= instance.params[problem.card.params[1]]
    for v in set(range(data["n"])) - set(planted):
        assert code(problem_id, data, sorted(planted + [v])) == "constraint"


def test_subset_heuristics_solve_easy_cases():
    rng = random.Random(0)
    # a 5-clique on 0..4 plus a pendant path 5-6-7 hanging off vertex 4
    edges = [[u, v] for u, v in itertools.combinations(range(5), 2)] + [[4, 5], [5, 6], [6, 7]]
    data = {"n": 8, "edges": edges, "k": 5}
    assert npgym.get_problem("clique").heuristic(data, rng) == [0, 1, 2, 3, 4]
    star = {"n": 6, "edges": [[0, v] for v in range(1, 6)], "k": 5}
    assert npgym.get_problem("independent_set").heuristic(star, rng) == [1, 2, 3, 4, 5]


# -- dominating_set ---------------------------------------------------------------------------

def test_dominating_set_hand_built():
    data = {**C5_CHORD, "k": 2}
    assert code("dominating_set", data, [0, 3]) == "ok"
    assert code("dominating_set", data, [2, 4]) == "ok"
    assert code("dominating_set", data, [1, 2]) == "constraint"   # vertex 4 is left out
    assert code("dominating_set", data, [0, 1, 3]) == "bound"
    assert npgym.get_problem("dominating_set").solve({**data, "k": 1}, 5).status == "unsat"


def test_dominating_set_reference_traps():
    instance = npgym.generate("dominating_set", 3, seed=1)
    data, planted = instance.data, instance.certificate
    for answer in ("___", 42, [[1, 2]], True, [str(v) for v in planted], planted[:-1] + [1.5]):
        assert code("dominating_set", data, answer) == "type", answer
    assert code("dominating_set", data, planted + [planted[0]]) == "duplicate"
    assert code("dominating_set", data, planted[:-1] + [-1]) == "range"


def test_dominating_set_solver_matches_brute_force():
    problem = npgym.get_problem("dominating_set")
    for seed in range(8):
        data = npgym.generate("dominating_set", 1, seed).data
        best = brute_optimum("dominating_set", data, "min")
        result = problem.solve(data, 10)
        assert result.status == "sat" and result.optimum == best
        assert problem.solve({**data, "k": best - 1}, 10).status == "unsat"


def test_dominating_set_planted_is_minimal():
    for level in (3, 6, 12):
        instance = npgym.generate("dominating_set", level, seed=5)
        data, planted = instance.data, instance.certificate
        assert len(planted) == data["k"] <= instance.params["dominators"]
        for v in planted:
            smaller = [u for u in planted if u != v]
            assert code("dominating_set", {**data, "k": len(smaller)}, smaller) == "constraint"


def test_dominating_set_prune_and_heuristic():
    star = {"n": 6, "edges": [[0, v] for v in range(1, 6)], "k": 1}
    assert npgym.get_problem("dominating_set").heuristic(star, random.Random(0)) == [0]
    assert prune([1, 2, 0], adjacency(6, star["edges"])) == [0]


def test_dominating_set_verifier_is_fast_on_large_instances():
    instance = npgym.generate("dominating_set", 50, seed=1)
    everyone = list(range(instance.data["n"]))
    assert code("dominating_set", {**instance.data, "k": len(everyone)}, everyone) == "ok"
    with pytest.raises(ParamError, match="dominators"):
        npgym.get_problem("dominating_set").validate_params({"nodes": 10, "dominators": 6})


STAR = {"n": 5, "edges": [[0, 1], [0, 2], [0, 3], [0, 4]]}


@pytest.mark.parametrize("problem_id, refuted, kept", [
    ("bandwidth", {**STAR, "k": 1}, {**STAR, "k": 2}),                   # degree 4 needs k >= 2
    ("max_leaf_spanning_tree", {**STAR, "t": 5}, {**STAR, "t": 4}),      # at most n - 1 leaves
    ("dominating_set", {"n": 6, "edges": [[0, 1], [2, 3], [4, 5]], "k": 2},
     {"n": 6, "edges": [[0, 1], [2, 3], [4, 5]], "k": 3}),
    ("clique", {**STAR, "k": 3}, {**STAR, "k": 2}),                       # only one vertex of degree >= 2
    ("independent_set", {**STAR, "k": 5}, {**STAR, "k": 4}),              # a matched edge excludes a vertex
])
def test_no_instance_that_counting_refutes_is_recognised(problem_id, refuted, kept):
    problem = npgym.get_problem(problem_id)
    assert problem.counting_refutes(refuted) and not problem.counting_refutes(kept)


@given(st.integers(0, 12), st.integers(0, 12), st.data())
def test_flagged_pairs_are_the_flagged_pairs_in_drawing_order(k, extra, data):
    """The clique and independent-set plants read their conflicts row by row off one flag per pair (v = k..n-1,
    u = 0..v-1): the same pairs, in the same order, as filtering the pairs one by one."""
    n = k + extra
    drawn = [(u, v) for v in range(k, n) for u in range(v)]
    flags = bytes(data.draw(st.lists(st.integers(0, 1), min_size=len(drawn), max_size=len(drawn))))
    assert flagged_pairs(flags, k, n) == [pair for pair, flag in zip(drawn, flags) if flag]
