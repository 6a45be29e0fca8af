"""The hardness audit's own parts: honest yes/no accuracies, attacks that really solve, features from public data."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import npgym

pytest.importorskip("sklearn", reason="the audit's classifiers need the route extra (scikit-learn)")

from benchmarks.audit.classify import separation  # noqa: E402
from benchmarks.audit.features import features  # noqa: E402
from benchmarks.audit.portfolio import FAMILY, attacks, run_attack  # noqa: E402


def _noise_rows(rng: np.random.Generator, count: int, width: int) -> list[dict[str, float]]:
    return [{f"f{j}": float(v) for j, v in enumerate(rng.normal(size=width))} for _ in range(count)]


@pytest.mark.slow  # about 1,000 classifier fits per set
def test_pure_noise_scores_near_chance_even_with_many_features():
    # 20 noise features, 30 + 30 instances: choosing the best feature after seeing every fold scores well above
    # 0.5 by luck; the honest classifiers choose inside the training folds and stay near chance.
    accuracies, hindsight = [], []
    for seed in range(3):
        rng = np.random.default_rng(seed)
        split = separation(_noise_rows(rng, 30, 20), _noise_rows(rng, 30, 20))
        accuracies.append(split.accuracy)
        hindsight.append(split.best_feature_accuracy)
    assert np.mean(accuracies) < 0.62
    assert np.mean(hindsight) > np.mean(accuracies)


def test_a_leaking_feature_is_found_and_named():
    rng = np.random.default_rng(1)
    yes, no = _noise_rows(rng, 20, 10), _noise_rows(rng, 20, 10)
    for row in yes:
        row["bound_gap"] = 0.0
    for row in no:
        row["bound_gap"] = 1.0
    split = separation(yes, no)
    assert split.best_feature == "bound_gap"
    assert split.accuracy == pytest.approx(1.0)
    assert split.chance < 0.75


@settings(max_examples=8, deadline=None)
@given(st.integers(0, 3), st.integers(0, 3))
def test_separation_needs_two_instances_of_each_label(yes_count, no_count):
    rng = np.random.default_rng(0)
    split = separation(_noise_rows(rng, yes_count, 3), _noise_rows(rng, no_count, 3))
    assert (split is None) == (yes_count < 2 or no_count < 2)


def test_every_problem_has_a_family_attack_beyond_its_textbook_heuristic():
    assert set(FAMILY) == set(npgym.problem_ids())
    for problem_id in npgym.problem_ids():
        assert set(attacks(problem_id)) - {"heuristic"}, problem_id


@pytest.mark.parametrize("problem_id", npgym.problem_ids())
def test_the_family_attacks_solve_small_yes_instances(problem_id):
    # an attack that never finds anything would make every level look hard: at level 1 some attack solves
    instances = [npgym.generate(problem_id, 1, seed=7, index=i) for i in range(3)]
    family = FAMILY[problem_id]
    solved = sum(any(run_attack(attack, instance, 1.0, seed=0) for attack in family.values())
                 for instance in instances)
    assert solved >= 2, f"{problem_id}: the family attacks solved {solved} of 3 level-1 yes-instances"


@pytest.mark.parametrize("problem_id", npgym.problem_ids())
def test_features_read_only_what_a_public_file_holds(problem_id):
    instance = npgym.generate(problem_id, 3, seed=5)
    values = features(problem_id, instance.data)
    assert values and all(isinstance(v, float) for v in values.values())
    # the label, certificate and optimum are not in the data the features see
    assert not {"label", "certificate", "optimum", "meta", "planted"} & set(instance.data)
    assert values == features(problem_id, dict(instance.data))  # deterministic: nothing hidden feeds them


def test_features_of_hundreds_of_digits_do_not_break_the_classifiers():
    rng = np.random.default_rng(2)
    yes = [{"c": float(10 ** 300) * (1 + v), "log2_c": 997.0 + v} for v in rng.random(10)]
    no = [{"c": float(10 ** 300) * (2 + v), "log2_c": 998.0 + v} for v in rng.random(10)]
    split = separation(yes, no)
    assert split.accuracy > 0.9


def test_integers_beyond_a_float_become_infinite_features_with_a_finite_log():
    from benchmarks.audit.features import scalars

    values = scalars({"c": 10 ** 2000, "b": -(10 ** 400), "k": 5})
    assert values["c"] == float("inf") and values["b"] == float("-inf") and values["k"] == 5.0
    assert 6643 < values["log2_c"] < 6644
