"""The contract every registered problem must pass; a new problem is covered by registering it.

Sweeps the whole registry with the public checker :func:`npgym.check_problem`, and adds what needs a
test runner: hypothesis properties (planted certificates verify at any level, seed and index; no JSON
value makes a verifier raise), determinism across processes, and echoed prompts that hold no answer.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npgym.canonical import assert_json_native
from npgym.verdict import CODES

PROBLEMS = npgym.problem_ids()


def top(problem_id: str) -> int:
    return npgym.get_problem(problem_id).card.top_level


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8),
    lambda children: st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=5), children, max_size=4),
    max_leaves=20,
)


def test_registry_is_populated():
    assert "vertex_cover" in PROBLEMS and "three_sat" in PROBLEMS


@pytest.mark.parametrize("problem_id", PROBLEMS)
def test_problem_passes_the_contract(problem_id):
    report = npgym.check_problem(problem_id, raise_on_failure=False)
    assert report.ok, str(report)


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
@given(value=json_values)
def test_arbitrary_json_never_raises(problem_id, value):
    instance = npgym.generate(problem_id, 2, seed=0)
    for answer in (value, {"solution": value}):
        verdict = npgym.verify(instance, answer)
        assert verdict.code in CODES
        if verdict.ok:
            assert answer == {"solution": value} and value is not None


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
def test_an_echo_of_the_prompt_is_never_an_answer(problem_id):
    """A reply that repeats its prompt, in full or in part, holds no answer the grader takes."""
    from npsolver.plan import build_tasks

    inst = npgym.generate(problem_id, 1, 0, 0)
    prompt = build_tasks([inst], shots=2, samples=1)[0].prompt
    lines = prompt.splitlines()
    echoes = [prompt, "Sure! " + prompt + "\nThat is the task.", "\n".join(lines[len(lines) // 2:]),
              "\n".join(line for line in lines if "solution" in line.lower() or line.startswith("Answer"))]
    for echo in echoes:
        extraction = npgym.extract_answer(echo, prompt=prompt)
        assert extraction.answer is None, f"{problem_id}: took {extraction.answer} from an echo"
