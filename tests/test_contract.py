"""The contract every registered problem must pass; a new problem is covered by registering it.

Sweeps the whole registry: determinism across processes, planted certificates verify, the exact
solver agrees with the verifier, mutated and arbitrary answers are rejected with a code and never
raise, the JSON round trip keeps ids and verdicts, and levels past the top generate.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npgym.canonical import assert_json_native
from npgym.cards import ParamError
from npgym.verdict import CODES

PROBLEMS = npgym.problem_ids()


def top(problem_id: str) -> int:
    return npgym.get_problem(problem_id).card.top_level


def sample_levels(problem_id: str) -> list[int]:
    t = top(problem_id)
    return sorted({1, max(1, t // 2), t, t + 1})


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


def test_registry_is_populated():
    assert "vertex_cover" in PROBLEMS and "three_sat" in PROBLEMS


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_card_matches_problem(problem_id):
    problem = npgym.get_problem(problem_id)
    card = problem.card
    assert card.id == problem_id and card.statement and card.answer_format
    assert card.top_level >= 1
    for level in range(1, card.top_level + 3):
        problem.level_params(level)  # every ladder row passes the problem's own parameter checks
    with pytest.raises(ParamError):
        npgym.generate(problem_id, 0)


@pytest.mark.parametrize("problem_id", PROBLEMS)
@given(data=st.data())
def test_planted_certificate_verifies(problem_id, data):
    level = data.draw(st.integers(1, top(problem_id) + 2), label="level")
    seed = data.draw(st.integers(0, 2**31), label="seed")
    index = data.draw(st.integers(0, 1000), label="index")
    instance = npgym.generate(problem_id, level, seed, index)
    assert_json_native(instance.to_record(with_key=True))
    verdict = npgym.verify(instance, {"solution": instance.certificate})
    assert verdict.ok, verdict
    assert npgym.generate(problem_id, level, seed, index) == instance  # pure function of its inputs


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_json_round_trip_keeps_id_and_verdicts(problem_id):
    rng = random.Random(5)
    problem = npgym.get_problem(problem_id)
    for level in sample_levels(problem_id):
        instance = npgym.generate(problem_id, level, seed=3, index=1)
        loaded = npgym.Instance.from_record(json.loads(json.dumps(instance.to_record(with_key=True))))
        assert loaded.id == instance.id and loaded.data == instance.data
        answers = [instance.certificate, problem.heuristic(instance.data, rng),
                   problem.random_answer(instance.data, rng), None]
        for answer in answers:
            assert npgym.verify(loaded, {"solution": answer}) == npgym.verify(instance, {"solution": answer})


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_tampered_record_is_detected(problem_id):
    record = npgym.generate(problem_id, 2, seed=1).to_record()
    for field, changed in (("level", 3), ("version", record["version"] + 1),
                           ("params", {**record["params"], "tampered": 1}), ("data", {**record["data"], "tampered": 1})):
        with pytest.raises(ValueError, match="does not match"):
            npgym.Instance.from_record({**record, field: changed})


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_solver_agrees_with_verifier(problem_id):
    problem = npgym.get_problem(problem_id)
    for level in (1, 2, 3):
        for seed in range(3):
            instance = npgym.generate(problem_id, level, seed)
            result = npgym.solve(instance, time_limit=20)
            assert result.status == "sat", (level, seed, result)
            verdict = npgym.verify(instance, {"solution": result.certificate})
            assert verdict.ok, (level, seed, verdict)
            assert result.effort is not None and result.effort.seconds >= 0
            if problem.objective and result.optimum is not None:
                planted = npgym.verify(instance, {"solution": instance.certificate}).objective
                better_or_equal = (result.optimum <= planted) if problem.objective == "min" else (result.optimum >= planted)
                assert better_or_equal and verdict.objective == result.optimum


def mutants(certificate, rng: random.Random):
    """Answers derived from a valid certificate that no problem may accept."""
    yield json.dumps(certificate)                 # the right value, but as a JSON string
    yield [certificate]                          # wrapped one level too deep
    yield {"solution": certificate}              # an object where a value is expected
    if isinstance(certificate, list) and certificate:
        position = rng.randrange(len(certificate))
        element = certificate[position]
        if isinstance(element, bool):
            replacements = [1, "true", None]
        elif isinstance(element, int):
            replacements = [True, str(element), element + 0.5, -1, 10**12, None]
        elif isinstance(element, str):
            replacements = [5, None, [element]]
        else:
            replacements = [5, "x", None]
        for replacement in replacements:
            mutated = list(certificate)
            mutated[position] = replacement
            yield mutated
        yield certificate + [certificate[position]]  # one element too many, or a repeated one


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_mutated_certificates_are_rejected(problem_id):
    rng = random.Random(11)
    for level in sample_levels(problem_id):
        instance = npgym.generate(problem_id, level, seed=2)
        for mutant in mutants(instance.certificate, rng):
            verdict = npgym.verify(instance, {"solution": mutant})
            assert not verdict.ok and verdict.code in CODES and verdict.message, (mutant, verdict)


@pytest.mark.parametrize("problem_id", PROBLEMS)
@given(value=json_values)
def test_arbitrary_json_never_raises(problem_id, value):
    instance = npgym.generate(problem_id, 2, seed=0)
    for answer in (value, {"solution": value}):
        verdict = npgym.verify(instance, answer)
        assert verdict.code in CODES
        if verdict.ok:
            assert answer == {"solution": value} and value is not None


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_null_claim_on_a_planted_instance_is_wrong(problem_id):
    instance = npgym.generate(problem_id, 1, seed=0)
    assert npgym.verify(instance, {"solution": None}).code == "wrong_claim"
    assert npgym.verify(instance, {"answer": instance.certificate}).code == "no_answer"
    assert npgym.verify(instance, []).code == "no_answer"


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_baselines_give_gradable_answers(problem_id):
    problem = npgym.get_problem(problem_id)
    rng = random.Random(1)
    for level in sample_levels(problem_id):
        instance = npgym.generate(problem_id, level, seed=4)
        for answer in (problem.heuristic(instance.data, rng), problem.random_answer(instance.data, rng)):
            assert_json_native(answer)
            assert npgym.verify(instance, {"solution": answer}).code in CODES


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_render_is_compact_text(problem_id):
    for level in sample_levels(problem_id):
        text = npgym.render(npgym.generate(problem_id, level, seed=9))
        assert isinstance(text, str) and text.strip()
        assert "True" not in text and "None" not in text and "{'" not in text and "(" + "[" not in text


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_far_levels_generate(problem_id):
    for level in (20, 50):
        instance = npgym.generate(problem_id, level, seed=1)
        assert npgym.verify(instance, {"solution": instance.certificate}).ok


def test_two_processes_generate_identical_instances():
    script = (
        "import json, npgym\n"
        "out = {}\n"
        "for p in npgym.problem_ids():\n"
        "    t = npgym.get_problem(p).card.top_level\n"
        "    for level in sorted({1, max(1, t // 2), t, t + 3}):\n"
        "        for seed, index in ((0, 0), (7, 3)):\n"
        "            out[f'{p}/{level}/{seed}/{index}'] = npgym.generate(p, level, seed, index).id\n"
        "print(json.dumps(out))\n"
    )
    runs = [json.loads(subprocess.run([sys.executable, "-c", script], check=True, capture_output=True,
                                      text=True).stdout) for _ in range(2)]
    assert runs[0] == runs[1]
    for key, instance_id in runs[0].items():
        problem_id, level, seed, index = key.split("/")
        assert npgym.generate(problem_id, int(level), int(seed), int(index)).id == instance_id


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_no_instances_are_proved_and_graded(problem_id):
    problem = npgym.get_problem(problem_id)
    rng = random.Random(3)
    for level in problem.small_no_levels:
        for index in range(2):
            instance = npgym.generate(problem_id, level, seed=1, index=index, label="no")
            yes = npgym.generate(problem_id, level, seed=1, index=index)
            assert instance.label == "no" and instance.certificate is None
            assert instance.params == yes.params and instance.id != yes.id
            assert npgym.generate(problem_id, level, seed=1, index=index, label="no") == instance
            assert npgym.solve(instance, time_limit=20).status == "unsat"
            assert npgym.verify(instance, {"solution": None}).ok
            for answer in (yes.certificate, problem.heuristic(instance.data, rng),
                           problem.random_answer(instance.data, rng)):
                assert not npgym.verify(instance, {"solution": answer}).ok


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_tight_bounds_sit_at_the_proved_optimum(problem_id):
    problem = npgym.get_problem(problem_id)
    for level in (2, 4):
        instance = npgym.generate(problem_id, level, seed=6, tight=True, time_limit=20)
        verdict = npgym.verify(instance, {"solution": instance.certificate})
        assert verdict.ok
        if problem.bound_key is not None:
            assert instance.data[problem.bound_key] == instance.optimum == verdict.objective
            assert instance.meta["effort"]["seconds"] >= 0
