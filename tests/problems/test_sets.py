"""Behaviour tests of the set problems: 3DM, X3C, Set Packing, Set Splitting, Minimum Cover."""

from __future__ import annotations

import itertools
import math
import random
from collections import Counter

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import npgym
from npgym.cards import ParamError
from npgym.engine import check_data
from npgym.problems.set_splitting import balanced_colour, draw_subsets, split_subsets
from npgym.verdict import Reject

THREE_DM = npgym.get_problem("three_dimensional_matching")
X3C = npgym.get_problem("exact_cover_by_3_sets")
PACKING = npgym.get_problem("set_packing")
SPLITTING = npgym.get_problem("set_splitting")
COVER = npgym.get_problem("minimum_cover")


def code_of(problem, data, solution):
    """The verifier's verdict code ('ok' on acceptance)."""
    return check_data(problem, data, solution).code


# -- hand-built instances ------------------------------------------------------------------------

DM = {"n": 2, "triples": [[0, 0, 0], [0, 1, 1], [1, 0, 0], [1, 1, 1]]}
XC = {"n": 6, "subsets": [[0, 1, 2], [0, 3, 4], [1, 2, 5], [3, 4, 5]]}
PACK = {"n": 6, "subsets": [[0, 1], [1, 2], [2, 3], [3, 4], [4, 5]], "k": 3}
SPLIT = {"n": 4, "subsets": [[0, 1, 2], [1, 2, 3], [0, 2, 3]]}
COVERING = {"n": 6, "subsets": [[0, 1, 2, 3], [0, 1, 2], [3, 4, 5], [2, 4], [5]], "k": 2}


@pytest.mark.parametrize("problem, data, solution, code", [
    (THREE_DM, DM, [0, 3], "ok"),
    (THREE_DM, DM, [1, 2], "ok"),
    (THREE_DM, DM, [0, 1], "constraint"),       # X 0 used twice
    (THREE_DM, DM, [0], "constraint"),          # too few: elements uncovered
    (THREE_DM, DM, [0, 0], "duplicate"),
    (THREE_DM, DM, [0, -1], "range"),           # no Python negative indexing
    (THREE_DM, DM, [0, 4], "range"),
    (THREE_DM, DM, [0, 3.0], "type"),
    (THREE_DM, DM, [True, 3], "type"),
    (THREE_DM, DM, ["0", "3"], "type"),
    (THREE_DM, DM, [[0, 0, 0], [1, 1, 0]], "type"),  # triples instead of indices
    (X3C, XC, [0, 3], "ok"),
    (X3C, XC, [1, 2], "ok"),
    (X3C, XC, [0, 1], "constraint"),            # element 0 covered twice
    (X3C, XC, [0, 3, 3], "duplicate"),
    (X3C, XC, [3, 0.5], "type"),
    (PACKING, PACK, [0, 2, 4], "ok"),
    (PACKING, PACK, [0, 2], "bound"),           # fewer than k
    (PACKING, PACK, [0, 1, 3], "constraint"),   # 0 and 1 share element 1
    (PACKING, PACK, [0, 0, 2], "duplicate"),    # a repeated subset does not count twice
    (PACKING, PACK, ["0", "2", "4"], "type"),   # string indices (a reference crash)
    (PACKING, PACK, [0, 2, 4, 10**12], "range"),
    (SPLITTING, SPLIT, [0, 1, 0, 1], "ok"),
    (SPLITTING, SPLIT, [1, 0, 1, 0], "ok"),
    (SPLITTING, SPLIT, [0, 0, 0, 1], "constraint"),
    (SPLITTING, SPLIT, [0, 1, 0], "shape"),     # truncated
    (SPLITTING, SPLIT, [0, 1, 0, 1, 0], "shape"),
    (SPLITTING, SPLIT, [False, True, False, True], "type"),
    (SPLITTING, SPLIT, [0, 2, 0, 1], "range"),
    (SPLITTING, SPLIT, [0, -1, 0, 1], "range"),
    (SPLITTING, SPLIT, [[0, 2], [1, 3]], "shape"),     # the reference's [S1, S2] form
    (SPLITTING, SPLIT, [[0, 2], [0, 2], 0, 0], "type"),
    (COVER, COVERING, [1, 2], "ok"),
    (COVER, COVERING, [0, 2], "ok"),
    (COVER, COVERING, [0, 3, 4], "bound"),       # a cover, but of three subsets
    (COVER, COVERING, [0, 1, 2], "bound"),
    (COVER, COVERING, [0, 4], "constraint"),     # element 4 uncovered
    (COVER, COVERING, [2, 2], "duplicate"),
    (COVER, COVERING, [1, 2.0], "type"),
    (COVER, COVERING, [-5, 2], "range"),
])
def test_hand_built_verdicts(problem, data, solution, code):
    assert code_of(problem, data, solution) == code


def test_objectives_are_reported():
    assert PACKING.check(PACK, [0, 2, 4]) == 3
    assert COVER.check(COVERING, [1, 2]) == 2
    assert THREE_DM.check(DM, [0, 3]) is None and X3C.check(XC, [0, 3]) is None


def test_hand_built_solver_results():
    assert THREE_DM.solve(DM, 5).status == "sat"
    assert X3C.solve(XC, 5).status == "sat"
    assert X3C.solve({"n": 6, "subsets": [[0, 1, 2], [0, 3, 4], [2, 3, 5]]}, 5).status == "unsat"
    assert PACKING.solve(PACK, 5).optimum == 3
    assert PACKING.solve({**PACK, "k": 4}, 5).status == "unsat"
    assert COVER.solve(COVERING, 5).optimum == 2
    assert COVER.solve({**COVERING, "k": 1}, 5).status == "unsat"
    fano = {"n": 7, "subsets": [[0, 1, 2], [0, 3, 4], [0, 5, 6], [1, 3, 5], [1, 4, 6], [2, 3, 6], [2, 4, 5]]}
    assert SPLITTING.solve(fano, 5).status == "unsat"
    assert SPLITTING.solve(SPLIT, 5).status == "sat"


def test_heuristics_solve_easy_cases():
    rng = random.Random(0)
    assert code_of(THREE_DM, DM, THREE_DM.heuristic(DM, rng)) == "ok"
    assert code_of(X3C, XC, X3C.heuristic(XC, rng)) == "ok"
    assert code_of(PACKING, PACK, PACKING.heuristic(PACK, rng)) == "ok"
    assert code_of(SPLITTING, SPLIT, SPLITTING.heuristic(SPLIT, rng)) == "ok"
    assert code_of(COVER, COVERING, COVER.heuristic(COVERING, rng)) == "ok"


# -- brute force against the solver on tiny generated instances ------------------------------------

def index_answers(count: int, max_size: int):
    for size in range(max_size + 1):
        yield from (list(c) for c in itertools.combinations(range(count), size))


@pytest.mark.parametrize("problem_id, key", [("three_dimensional_matching", "triples"),
                                             ("exact_cover_by_3_sets", "subsets")])
@pytest.mark.parametrize("label", ["yes", "no"])
def test_exact_cover_brute_force(problem_id, key, label):
    problem = npgym.get_problem(problem_id)
    for seed in range(3):
        data = npgym.generate(problem_id, 1, seed, label=label).data
        items = len(data[key])
        accepted = [a for a in index_answers(items, items) if code_of(problem, data, a) == "ok"]
        assert bool(accepted) == (label == "yes") == (problem.solve(data, 10).status == "sat")


@pytest.mark.parametrize("problem, sense", [(PACKING, max), (COVER, min)])
def test_bounded_problems_brute_force(problem, sense):
    for seed in range(3):
        data = npgym.generate(problem.id, 1, seed).data
        m = len(data["subsets"])
        free = {**data, "k": 0 if sense is max else m}  # every feasible answer passes the bound
        values = []
        for answer in index_answers(m, m):
            try:
                values.append(problem.check(free, answer))
            except Reject as rejection:
                assert rejection.code == "constraint"
        result = problem.solve(data, 10)
        assert result.status == "sat" and result.optimum == sense(values)
        accepted = [v for v in values if (v >= data["k"] if sense is max else v <= data["k"])]
        assert accepted  # the planted bound is reachable


@pytest.mark.parametrize("level, label", [(1, "yes"), (2, "yes"), (2, "no"), (3, "no")])
def test_set_splitting_brute_force(level, label):
    for seed in range(3):
        data = npgym.generate("set_splitting", level, seed, label=label).data
        valid = [c for c in itertools.product((0, 1), repeat=data["n"])
                 if code_of(SPLITTING, data, list(c)) == "ok"]
        assert bool(valid) == (label == "yes") == (SPLITTING.solve(data, 10).status == "sat")


# -- generator properties -------------------------------------------------------------------------

def test_matching_degrees_are_all_equal():
    for level in (1, 4, 10):
        instance = npgym.generate("three_dimensional_matching", level, 5)
        n, degree = instance.params["n"], instance.params["degree"]
        for axis in range(3):
            counts = Counter(t[axis] for t in instance.data["triples"])
            assert set(counts.values()) == {degree} and len(counts) == n
        assert len({tuple(t) for t in instance.data["triples"]}) == len(instance.data["triples"])


@pytest.mark.parametrize("problem_id, level", [("exact_cover_by_3_sets", 10), ("exact_cover_by_3_sets", 15),
                                               ("set_packing", 4), ("minimum_cover", 16)])
def test_set_degrees_are_balanced_and_subsets_distinct(problem_id, level):
    data = npgym.generate(problem_id, level, 3).data
    degrees = Counter(e for subset in data["subsets"] for e in subset)
    assert len(degrees) == data["n"] and max(degrees.values()) - min(degrees.values()) <= 1
    assert len({tuple(s) for s in data["subsets"]}) == len(data["subsets"])
    assert all(s == sorted(set(s)) for s in data["subsets"]) and data["subsets"] == sorted(data["subsets"])


@given(st.integers(2, 20), st.integers(1, 5), st.integers(0, 19), st.integers(0, 2**32))
@settings(max_examples=60, deadline=None)
def test_x3c_plant_keeps_degrees_even(q, degree, spare, seed):
    m = min(degree * q + spare % q, math.comb(3 * q, 3) // 2)  # at most half of all triples (q = 2: 10)
    planted = X3C.plant(random.Random(seed), {"q": q, "m": m})
    subsets = planted.data["subsets"]
    degrees = Counter(e for subset in subsets for e in subset)
    assert len(degrees) == 3 * q and max(degrees.values()) - min(degrees.values()) <= 1
    if m % q == 0:  # an integer average degree: every element has it, so degrees say nothing of the cover
        assert set(degrees.values()) == {m // q}
    assert len({tuple(s) for s in subsets}) == m and code_of(X3C, planted.data, planted.certificate) == "ok"


def test_x3c_past_the_top_every_element_has_degree_four():
    top = X3C.card.top_level
    ladder = [X3C.level_params(level) for level in range(top, top + 40)]
    assert ladder[0]["m"] == 2 * ladder[0]["q"]  # the reference's parity systems
    assert all(params["m"] == 4 * params["q"] for params in ladder[1:])  # whole degree: nothing leaks
    assert all(low["q"] < high["q"] for low, high in zip(ladder, ladder[1:]))


def test_x3c_heuristic_solves_the_top_but_not_seven_levels_past_it():
    def solved(level):
        instances = [npgym.generate(X3C.id, level, seed) for seed in range(5)]
        return sum(code_of(X3C, i.data, X3C.heuristic(i.data, random.Random(i.seed))) == "ok" for i in instances)

    top = X3C.card.top_level
    assert solved(top) == 5 and solved(top + 7) <= 1


def test_set_packing_subsets_have_three_elements_at_every_level():
    for level in (1, 3, 4, 11, 12, 20):  # levels 3 and 11 (k = n / 2) and past the top were matching in version 1
        instance = npgym.generate("set_packing", level, 4)
        n, k = instance.params["n"], instance.params["k"]
        assert {len(s) for s in instance.data["subsets"]} == {3}
        assert instance.data["k"] == (k if k <= n // 3 else n // 3 - 2) == len(instance.certificate)


def test_set_packing_never_makes_a_no_instance_that_counting_refutes():
    assert PACKING.counting_refutes({"n": 10, "subsets": [[0, 1, 2]], "k": 4})
    assert not PACKING.counting_refutes({"n": 10, "subsets": [[0, 1, 2]], "k": 3})
    for index in range(3):
        instance = npgym.generate("set_packing", 2, 0, index, label="no")
        assert instance.data["k"] <= instance.data["n"] // 3


@pytest.mark.parametrize("problem_id, level", [("minimum_cover", 13)])
def test_planted_subsets_are_sized_like_decoys(problem_id, level):
    instance = npgym.generate(problem_id, level, 2)
    subsets, n, k = instance.data["subsets"], instance.data["n"], instance.data["k"]
    assert {len(s) for s in subsets} == {n // k, n // k + 1}
    planted_big = sum(len(subsets[i]) > n // k for i in instance.certificate) / k
    decoy_big = sum(len(s) > n // k for s in subsets) / len(subsets)
    assert abs(planted_big - decoy_big) < 0.2  # the largest or smallest subsets are not the answer


def test_set_splitting_planted_colouring_is_balanced():
    instance = npgym.generate("set_splitting", 7, 1)
    assert abs(2 * sum(instance.certificate) - instance.data["n"]) <= 1


@pytest.mark.parametrize("label", ["yes", "no"])
def test_set_splitting_dense_levels_repeat_subsets_evenly(label):
    data = npgym.generate("set_splitting", 9, 0, label=label).data  # 10 elements, 1000 subsets: more than exist
    counts = Counter(tuple(s) for s in data["subsets"])
    assert len(data["subsets"]) == 1000 and max(counts.values()) - min(counts.values()) <= 1
    assert len(counts) == 100  # the 100 subsets a balanced colouring splits, or as many after swaps: no count tell


@given(st.integers(4, 30), st.integers(1, 400), st.integers(0, 2**32), st.booleans())
@settings(max_examples=60, deadline=None)
def test_set_splitting_draws_keep_size_and_spread(n, m, seed, replace_some):
    rng = random.Random(seed)
    colour = balanced_colour(rng, n)
    available = split_subsets(n, 3, colour)
    assume(2 * m <= available or available <= 2000)
    assume(available < math.comb(n, 3) or not replace_some)  # n = 4: every subset is split, nothing to swap in
    subsets = draw_subsets(rng, n, 3, m, colour, replace_some)
    counts = Counter(tuple(s) for s in subsets)
    assert len(subsets) == m and all(list(s) == sorted(set(s)) and 0 <= s[0] and s[-1] < n for s in subsets)
    assert max(counts.values()) - min(counts.values()) <= 1  # distinct, or each listed evenly often
    assert len(counts) == min(m, available)
    if not replace_some:
        assert all(0 < sum(colour[e] for e in s) < 3 for s in subsets)


def test_set_splitting_past_the_top_sits_at_the_threshold():
    card = SPLITTING.card
    assert card.level_params(11) == {"n": 20, "m": 500, "size": 3}  # the reference top is kept
    for level in (12, 13, 20):
        params = card.level_params(level)
        assert params["n"] == 20 + 60 * (level - 11) and params["m"] == round(2.25 * params["n"])


def test_set_splitting_degrees_do_not_leak_the_colouring():
    gaps = []
    for seed in range(10):
        instance = npgym.generate("set_splitting", 12, seed)
        degrees = Counter(e for s in instance.data["subsets"] for e in s)
        by_colour = [[degrees[e] for e, c in enumerate(instance.certificate) if c == colour] for colour in (0, 1)]
        gaps.append(sum(by_colour[1]) / len(by_colour[1]) - sum(by_colour[0]) / len(by_colour[0]))
    assert abs(sum(gaps) / len(gaps)) < 0.25  # mean degree 6.3; the sd of one instance's gap is about 0.2


def test_set_splitting_has_no_level_1_no_instances():
    with pytest.raises(ParamError, match="Fano"):
        npgym.generate("set_splitting", 1, 0, label="no")


@pytest.mark.parametrize("problem, params, wrong", [
    (THREE_DM, {"n": 1, "degree": 2}, "n"), (THREE_DM, {"n": 4, "degree": 9}, "degree"),
    (X3C, {"q": 3, "m": 2}, "m"), (X3C, {"q": 3, "m": 100}, "m"),
    (PACKING, {"n": 10, "m": 200, "k": 3, "size": 3}, "m"), (PACKING, {"n": 10, "m": 20, "k": 3, "size": 2}, "size"),
    (SPLITTING, {"n": 3, "m": 5, "size": 3}, "n"), (SPLITTING, {"n": 500, "m": 10**8, "size": 3}, "m = "),
    (COVER, {"n": 5, "m": 10, "k": 6}, "k"), (COVER, {"n": 5, "m": 100, "k": 3}, "m"),
])
def test_impossible_parameters_are_refused(problem, params, wrong):
    with pytest.raises(ParamError, match=f"^{problem.id}: {wrong}"):
        problem.validate_params(params)


def test_renders_name_every_subset():
    text = npgym.render(npgym.generate("exact_cover_by_3_sets", 2, 0))
    assert "12 elements numbered 0 to 11" in text and "choose 4 subsets" in text and "\n7: " in text
    text = npgym.render(npgym.generate("minimum_cover", 2, 0))
    assert text.rstrip().endswith("k = 3")  # min(k, n // 3) since version 2


def test_minimum_cover_blocks_have_three_elements_where_version_1_had_pairs():
    for level in (2, 3, 4, 6):  # k = n / 2 in the reference: pairs would make it edge cover
        data = npgym.generate("minimum_cover", level, 1).data
        assert min(len(s) for s in data["subsets"]) >= 3 and data["k"] == data["n"] // 3


def test_minimum_cover_no_instances_keep_k_and_are_not_refuted_by_counting():
    assert COVER.counting_refutes({"n": 6, "subsets": [[0, 1, 2], [3, 4], [5]], "k": 1})
    assert not COVER.counting_refutes({"n": 6, "subsets": [[0, 1, 2], [3, 4], [5]], "k": 3})
    for index in range(2):
        yes, no = (npgym.generate("minimum_cover", 10, 3, index, label=label) for label in ("yes", "no"))
        assert no.data["k"] == yes.data["k"] and not COVER.counting_refutes(no.data)
