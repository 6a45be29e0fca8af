"""Behaviour tests for the number and partition problems: bin_packing, partition, subset_sum,
minimum_sum_of_squares and clustering (hand-made instances, the reference's traps, brute force)."""

from __future__ import annotations

import itertools
import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npgym.cards import ParamError
from npgym.engine import check_data
from npgym.verdict import BOUND, CONSTRAINT, DUPLICATE, RANGE, SHAPE, TYPE, Reject


def code_of(problem_id: str, data: dict, solution) -> str:
    """The verdict code of ``solution`` on ``data`` ("ok" when accepted)."""
    return check_data(problem_id, data, solution).code


def objective_or_none(problem_id: str, data: dict, solution):
    try:
        return npgym.get_problem(problem_id).check(data, solution)
    except Reject:
        return None


# -- partition ------------------------------------------------------------------------------------

def test_partition_hand_made():
    data = {"numbers": [3, 1, 1, 2, 2, 1]}
    assert code_of("partition", data, [0, 1, 1, 0, 1, 1]) == "ok"  # 3+2 = 1+1+2+1
    assert code_of("partition", data, [1, 1, 0, 0, 0, 0]) == CONSTRAINT  # 4 against 6
    assert code_of("partition", data, [[3, 2], [1, 1, 2, 1]]) == SHAPE  # values, the reference's format
    assert code_of("partition", data, [0, 1, 1, 0, 1]) == SHAPE  # truncated
    assert code_of("partition", data, [0, 1, 1, 0, 1, 1, 0]) == SHAPE
    assert code_of("partition", data, [False, True, True, False, True, True]) == TYPE
    assert code_of("partition", data, [0, 1, 1, 0, 1, 2]) == RANGE
    assert code_of("partition", data, [0, 1, 1, 0, 1, -1]) == RANGE


@pytest.mark.parametrize("numbers", [[2, 3, 7], [1, 2, 4], [5, 5], [1, 1, 1, 3], [4, 4, 6, 2, 8, 3, 7]])
def test_partition_solver_matches_brute_force(numbers):
    data = {"numbers": numbers}
    accepted = [sides for sides in itertools.product((0, 1), repeat=len(numbers))
                if code_of("partition", data, list(sides)) == "ok"]
    result = npgym.get_problem("partition").solve(data, 10)
    assert result.status == ("sat" if accepted else "unsat")
    if accepted:
        assert code_of("partition", data, result.certificate) == "ok"


def test_partition_plant_has_no_outlier_and_no_instances_stop_at_dense_levels():
    problem = npgym.get_problem("partition")
    for seed in range(30):
        instance = npgym.generate("partition", 7, seed)
        assert max(instance.data["numbers"]) <= instance.params["max_value"]
        assert min(instance.data["numbers"]) >= 1
    no = npgym.generate("partition", 3, seed=2, label="no")
    assert sum(no.data["numbers"]) % 2 == 0  # never the odd-total give-away
    with pytest.raises(ParamError, match="numbers"):
        problem.no_candidate(random.Random(0), problem.level_params(4))
    with pytest.raises(ParamError):
        problem.check_params({"numbers": 3, "max_value": 1})


def test_partition_heuristic_solves_an_easy_case():
    data = {"numbers": [5, 4, 3, 2]}  # LPT: 5+2 | 4+3
    problem = npgym.get_problem("partition")
    assert code_of("partition", data, problem.heuristic(data, random.Random(0))) == "ok"


# -- subset_sum -----------------------------------------------------------------------------------

def test_subset_sum_hand_made_and_traps():
    data = {"numbers": [5, 3, 8, 5], "target": 10}
    assert code_of("subset_sum", data, [0, 3]) == "ok"  # two different fives
    assert code_of("subset_sum", data, [0, 0]) == DUPLICATE  # one five used twice (a multiset)
    assert code_of("subset_sum", data, [5, 5]) == RANGE  # values, not positions
    assert code_of("subset_sum", data, [-1, 0]) == RANGE  # negative index would be the last number
    assert code_of("subset_sum", data, [1, 2]) == CONSTRAINT  # 11
    assert code_of("subset_sum", data, [[1, 2]]) == TYPE
    assert code_of("subset_sum", data, [True, 3]) == TYPE
    assert code_of("subset_sum", data, []) == CONSTRAINT


@pytest.mark.parametrize("numbers,target", [([3, 5, 9], 7), ([3, 5, 9], 14), ([2, 4, 6, 8], 11),
                                            ([7, 1, 4, 4], 9), ([10, 20, 30], 60)])
def test_subset_sum_solver_matches_brute_force(numbers, target):
    data = {"numbers": numbers, "target": target}
    accepted = [list(chosen) for size in range(len(numbers) + 1)
                for chosen in itertools.combinations(range(len(numbers)), size)
                if code_of("subset_sum", data, list(chosen)) == "ok"]
    result = npgym.get_problem("subset_sum").solve(data, 10)
    assert result.status == ("sat" if accepted else "unsat")
    if accepted:
        assert code_of("subset_sum", data, result.certificate) == "ok"


def test_subset_sum_no_instances_keep_the_target_in_range():
    for index in range(4):
        no = npgym.generate("subset_sum", 2, seed=5, index=index, label="no")
        assert 1 <= no.data["target"] < sum(no.data["numbers"])



@pytest.mark.parametrize("problem_id", ["subset_sum", "partition"])
def test_dense_and_beyond_solver_levels_make_no_no_instances(problem_id):
    for level in (5, 13, 14):  # dense reference levels, and past the top sums beyond 2^61
        with pytest.raises(ParamError, match="no no-instances"):
            npgym.generate(problem_id, level, seed=8, label="no")


@pytest.mark.parametrize("problem_id", ["subset_sum", "partition"])
def test_past_the_top_numbers_have_about_as_many_bits_as_there_are_numbers(problem_id):
    top = npgym.get_problem(problem_id).card.top_level
    for level in (top + 1, top + 5):
        instance = npgym.generate(problem_id, level, seed=3)
        numbers = instance.data["numbers"]
        assert len(numbers) == instance.params["numbers"] and instance.params["max_value"] == 2 ** len(numbers)
        assert max(numbers).bit_length() > len(numbers) - 4
        assert npgym.verify(instance, {"solution": instance.certificate}).ok
        assert npgym.solve(instance, 1).status == "unknown"  # beyond the 64-bit solver: the planted yes is the label


def test_subset_sum_heuristic_solves_an_easy_case():
    data = {"numbers": [1, 9, 4, 20], "target": 13}
    problem = npgym.get_problem("subset_sum")
    assert code_of("subset_sum", data, problem.heuristic(data, random.Random(0))) == "ok"


# -- bin_packing ----------------------------------------------------------------------------------

def test_bin_packing_hand_made_and_traps():
    data = {"capacity": 10, "bins": 3, "weights": [6, 4, 5, 5, 3]}
    assert objective_or_none("bin_packing", data, [0, 0, 1, 1, 2]) == 3
    assert code_of("bin_packing", data, [0, 0, 1, 1, -1]) == RANGE  # -1 is not "the last bin"
    assert code_of("bin_packing", data, [0, 0, 1, 1, 3]) == RANGE
    assert code_of("bin_packing", data, [0, 0, 1, 1, 1]) == CONSTRAINT  # bin 1 holds 13
    assert code_of("bin_packing", data, [0, 0, 1, 1]) == SHAPE
    assert code_of("bin_packing", data, [0, 0, 1, 1, 2.0]) == TYPE


def test_bin_packing_solver_matches_brute_force():
    problem = npgym.get_problem("bin_packing")
    for weights in ([6, 4, 5, 5, 3], [7, 6, 5, 4, 3, 2], [9, 8, 3, 2, 2, 1]):
        for bins in (2, 3):
            data = {"capacity": 10, "bins": bins, "weights": weights}
            values = [objective_or_none("bin_packing", data, list(home))
                      for home in itertools.product(range(bins), repeat=len(weights))]
            best = min((v for v in values if v is not None), default=None)
            result = problem.solve(data, 10)
            if best is None:
                assert result.status == "unsat"
            else:
                assert result.status == "sat" and result.optimum == best
                assert objective_or_none("bin_packing", data, result.certificate) == best


def test_bin_packing_plants_perfect_packings_and_checks_params():
    problem = npgym.get_problem("bin_packing")
    for level in (1, 5, 10, 20):
        instance = npgym.generate("bin_packing", level, seed=3)
        data = instance.data
        assert sum(data["weights"]) == data["capacity"] * data["bins"]
    with pytest.raises(ParamError, match="items"):
        problem.validate_params({"items": 41, "capacity": 10, "bins": 4})
    with pytest.raises(ParamError, match="items"):
        problem.validate_params({"items": 2, "capacity": 10, "bins": 3})
    problem.plant(random.Random(0), {"items": 40, "capacity": 10, "bins": 4})  # every bin full of ones


def test_bin_packing_own_no_instances_fill_the_bins_exactly():
    """Level 1 (3.3 items per bin) draws its own no-candidates: same bins, total = bins * capacity."""
    own = [instance for seed in range(4)
           if (instance := npgym.generate("bin_packing", 1, seed, label="no")).data["bins"] == instance.params["bins"]]
    assert own  # about 85% of level-1 no-instances are own candidates, the rest move the bound
    for instance in own:
        data = instance.data
        assert instance.label == "no" and sum(data["weights"]) == data["bins"] * data["capacity"]
        assert len(data["weights"]) == instance.params["items"]
        assert npgym.solve(instance, time_limit=10).status == "unsat"
    problem = npgym.get_problem("bin_packing")
    assert problem.no_candidate(random.Random(0), problem.level_params(4)) is None  # 13.3 items per bin


@given(st.integers(1, 6), st.floats(1.0, 3.5), st.integers(4, 60), st.integers(0, 2**32))
def test_bin_packing_no_candidates_keep_the_planted_range(bins, per_bin, capacity, seed):
    from npgym.problems.bin_packing import FLOOR

    items = max(bins, int(per_bin * bins))
    params = {"items": items, "capacity": capacity, "bins": bins}
    problem = npgym.get_problem("bin_packing")
    problem.validate_params(params)  # at most 3.5 items per bin always fit bins of capacity >= 4
    fewest = items // bins
    least = max(1, int(FLOOR * capacity * bins / items))
    most = capacity - min(least, capacity // fewest) * (fewest - 1)
    assert max(problem.plant(random.Random(seed), params).data["weights"]) <= most
    data = problem.no_candidate(random.Random(seed), params)
    if data is not None:
        weights = data["weights"]
        assert len(weights) == items and sum(weights) == bins * capacity
        assert least <= min(weights) and max(weights) <= most


def test_bin_packing_ffd_solves_an_easy_case():
    data = {"capacity": 10, "bins": 2, "weights": [5, 5, 4, 3, 3]}
    problem = npgym.get_problem("bin_packing")
    assert objective_or_none("bin_packing", data, problem.heuristic(data, random.Random(0))) == 2


# -- minimum_sum_of_squares -----------------------------------------------------------------------

def test_minimum_sum_of_squares_hand_made():
    data = {"numbers": [1, 2, 3, 4], "k": 2, "J": 50}
    assert objective_or_none("minimum_sum_of_squares", data, [0, 1, 1, 0]) == 50  # 5^2 + 5^2
    assert code_of("minimum_sum_of_squares", data, [0, 0, 1, 1]) == BOUND  # 3^2 + 7^2 = 58
    assert code_of("minimum_sum_of_squares", data, [0, 1, 2, 0]) == RANGE  # three labels for k = 2
    assert code_of("minimum_sum_of_squares", data, [0, 1, 1]) == SHAPE
    assert code_of("minimum_sum_of_squares", data, [0, 1, 1, -1]) == RANGE


@pytest.mark.parametrize("numbers,k", [([1, 2, 3, 4], 2), ([5, 9, 2, 7, 3], 3), ([10, 1, 1, 1], 2),
                                       ([4, 4, 4, 6, 7], 2)])
def test_minimum_sum_of_squares_solver_matches_brute_force(numbers, k):
    problem = npgym.get_problem("minimum_sum_of_squares")
    loose = {"numbers": numbers, "k": k, "J": sum(numbers) ** 2}
    best = min(problem.check(loose, list(groups)) for groups in itertools.product(range(k), repeat=len(numbers)))
    result = problem.solve(loose, 10)
    assert result.status == "sat" and result.optimum == best
    assert problem.solve({**loose, "J": best}, 10).status == "sat"
    assert problem.solve({**loose, "J": best - 1}, 10).status == "unsat"


def test_minimum_sum_of_squares_bound_is_tight_on_dense_levels():
    """J comes from LPT plus local improvement, which reaches the convexity floor on dense levels."""
    from npgym.problems.minimum_sum_of_squares import _floor

    for seed in range(5):
        data = npgym.generate("minimum_sum_of_squares", 4, seed).data
        assert data["J"] == _floor(sum(data["numbers"]), data["k"])


def test_minimum_sum_of_squares_lpt_solves_an_easy_case():
    data = {"numbers": [5, 4, 3, 2], "k": 2, "J": 98}  # LPT: 5+2 | 4+3 -> 7^2 + 7^2
    problem = npgym.get_problem("minimum_sum_of_squares")
    assert code_of("minimum_sum_of_squares", data, problem.heuristic(data, random.Random(0))) == "ok"


# -- clustering -----------------------------------------------------------------------------------

def _matrix(n: int, far: set, near: int = 3, distant: int = 15) -> list[list[int]]:
    return [[0 if x == y else distant if (min(x, y), max(x, y)) in far else near for y in range(n)]
            for x in range(n)]


def test_clustering_hand_made_and_traps():
    far = {(0, 1), (1, 2), (2, 3), (0, 3)}  # a 4-cycle of far pairs: two groups suffice
    data = {"n": 4, "distances": _matrix(4, far), "K": 2, "B": 10}
    assert code_of("clustering", data, [0, 1, 0, 1]) == "ok"
    assert code_of("clustering", data, [0, 0, 1, 1]) == CONSTRAINT
    assert code_of("clustering", data, [0, 1, 0]) == SHAPE  # truncated: the reference accepted it
    assert code_of("clustering", data, [0, 1, 2, 1]) == RANGE  # a third group when K = 2
    assert code_of("clustering", data, "0101") == TYPE
    assert code_of("clustering", data, 42) == TYPE
    assert code_of("clustering", data, [[1, 2]]) == SHAPE
    assert code_of("clustering", data, [True, 1, 0, 1]) == TYPE
    triangle = {"n": 3, "distances": _matrix(3, {(0, 1), (1, 2), (0, 2)}), "K": 2, "B": 10}
    assert npgym.get_problem("clustering").solve(triangle, 10).status == "unsat"


def test_clustering_solver_matches_brute_force():
    problem = npgym.get_problem("clustering")
    rng = random.Random(7)
    for _ in range(12):
        n, k = 6, rng.choice((2, 3))
        far = {(x, y) for x in range(n) for y in range(x + 1, n) if rng.random() < 0.45}
        data = {"n": n, "distances": _matrix(n, far), "K": k, "B": 10}
        accepted = any(code_of("clustering", data, list(g)) == "ok" for g in itertools.product(range(k), repeat=n))
        result = problem.solve(data, 10)
        assert result.status == ("sat" if accepted else "unsat")
        if accepted:
            assert code_of("clustering", data, result.certificate) == "ok"


def test_clustering_cross_pairs_are_often_near():
    """Unlike the reference, many pairs in different groups are within B: components give nothing away."""
    instance = npgym.generate("clustering", 8, seed=1)
    data, groups = instance.data, instance.certificate
    cross_near = sum(1 for x in range(data["n"]) for y in range(x + 1, data["n"])
                     if groups[x] != groups[y] and data["distances"][x][y] <= data["B"])
    assert cross_near > data["n"]


def test_clustering_dsatur_solves_an_easy_case():
    far = {(0, 1), (1, 2), (2, 3), (3, 4)}  # a path: two groups suffice
    data = {"n": 5, "distances": _matrix(5, far), "K": 2, "B": 10}
    problem = npgym.get_problem("clustering")
    assert code_of("clustering", data, problem.heuristic(data, random.Random(0))) == "ok"


def test_sums_of_squares_past_the_top_plant_a_perfect_split_at_the_floor():
    problem = npgym.get_problem("minimum_sum_of_squares")
    for level in (problem.card.top_level + 1, problem.card.top_level + 6):
        instance = npgym.generate("minimum_sum_of_squares", level, seed=2)
        numbers, k = instance.data["numbers"], instance.data["k"]
        sums = [sum(a for a, g in zip(numbers, instance.certificate) if g == h) for h in range(k)]
        assert len(set(sums)) == 1 and instance.data["J"] == k * sums[0] ** 2  # the convexity floor itself
        assert max(numbers) <= instance.params["max_value"] == 2 ** len(numbers) and min(numbers) >= 1
        assert not problem.counting_refutes(instance.data) and npgym.solve(instance, 1).status == "unknown"


def test_bin_packing_far_past_the_top_is_unknown_to_the_solver_without_building_a_model():
    # 14,290 items in 1,429 bins once took more than 12 GB to model; now it answers at once, never wrongly
    instance = npgym.generate("bin_packing", 1429, seed=0)
    assert npgym.solve(instance, 10).status == "unknown"
    small = npgym.generate("bin_packing", 3, seed=0)
    assert npgym.solve(small, 10).status == "sat"
