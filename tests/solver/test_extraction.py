"""Answer extraction and reply classification on the shapes real models produce."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

import npgym
from npgym.extract import BAD_JSON, COPIED, NO_JSON, NO_SOLUTION_KEY, extract_answer
from npsolver.grading import grade_reply, is_refusal

json_values = st.recursive(st.none() | st.booleans() | st.integers(-1000, 1000) | st.text(max_size=6),
                           lambda inner: st.lists(inner, max_size=4), max_leaves=12)


@pytest.mark.parametrize("text, solution", [
    ('{"solution": [1, 2, 3]}', [1, 2, 3]),
    ('Reasoning...\n```json\n{"solution": [0, 1]}\n```\nDone.', [0, 1]),
    ('first {"solution": [9]} then, corrected: {"solution": [4, 5]}', [4, 5]),
    ("{'solution': [True, False, None]}", [True, False, None]),
    ('{"solution": [1, 2, 3,],}', [1, 2, 3]),
    ('{"solution": [[0, 1], [2, 3]], "note": {"x": 1}}', [[0, 1], [2, 3]]),
    ("```json\n[1, 0, 2]\n```", [1, 0, 2]),
    ('{"Solution": null}', None),
    ('<think>try {"solution": [7]}</think>\nFinal: {"solution": [8]}', [8]),
    ('{"solution": {"a": [1, {"b": 2}]}}', {"a": [1, {"b": 2}]}),
])
def test_answers_are_found(text, solution):
    extraction = extract_answer(text)
    assert extraction.ok and extraction.answer == {"solution": solution}


def test_reasoning_is_kept_apart():
    extraction = extract_answer('<think>maybe {"solution": [1]}</think>{"solution": [2]}', "provider thoughts")
    assert extraction.answer == {"solution": [2]}
    assert "provider thoughts" in extraction.reasoning and 'maybe {"solution": [1]}' in extraction.reasoning
    assert "<think>" not in extraction.content


def test_an_answer_only_inside_the_reasoning_is_no_answer():
    assert extract_answer('<think>{"solution": [3]}</think>I am not sure.').error == NO_JSON
    assert extract_answer("I am not sure.", reasoning='{"solution": [3]}').error == NO_JSON


@pytest.mark.parametrize("text, code", [
    ("no answer here", NO_JSON),
    ('{"solution": [1, 2', BAD_JSON),
    ("{solution: [1, 2]}", BAD_JSON),
    ('{"answer": [1, 2]}', NO_SOLUTION_KEY),
])
def test_extraction_failures_have_their_own_codes(text, code):
    assert extract_answer(text).error == code


@given(json_values, st.sampled_from(["{}", "```json\n{}\n```", "Answer:\n{}\n", "<think>x</think>{}"]))
def test_any_json_solution_survives_any_wrapper(solution, wrapper):
    text = wrapper.replace("{}", json.dumps({"solution": solution}))
    assert extract_answer(text).answer == {"solution": solution}


@pytest.fixture(scope="module")
def instance():
    return npgym.generate("vertex_cover", level=1, seed=0)


def test_reply_classes(instance):
    good = json.dumps({"solution": instance.certificate})
    assert grade_reply(instance, good, None, "stop").status == "graded"
    assert grade_reply(instance, good, None, "length").correct == 1  # an answer before the cut is graded
    cut = grade_reply(instance, "Let me start by", None, "length")
    assert (cut.status, cut.code, cut.correct) == ("truncated", "length", 0)
    refused = grade_reply(instance, "I'm sorry, but I can't help with that request.", None, "stop")
    assert (refused.status, refused.code) == ("refusal", "refusal")
    parse = grade_reply(instance, "The cover is 1, 2 and 3.", None, "stop")
    assert (parse.status, parse.code, parse.correct) == ("parse_error", NO_JSON, 0)
    wrong = grade_reply(instance, '{"solution": null}', "thinking", "stop")
    assert (wrong.status, wrong.code, wrong.correct, wrong.reasoning) == ("graded", "wrong_claim", 0, "thinking")


def test_refusal_needs_a_refusal_phrase():
    assert is_refusal("I cannot assist with this.") and is_refusal("As an AI, I cannot solve puzzles")
    assert not is_refusal("I cannot find a cover smaller than 4, so here it is")
    assert not is_refusal("Sorry for the long reasoning; the answer follows.")


def test_a_verifier_that_raises_is_recorded_not_fatal(instance, monkeypatch):
    """Fault injection (a mock): no real verifier is known to raise, so one is made to."""
    def broken(*_args):
        raise ZeroDivisionError("bug in a verifier")

    monkeypatch.setattr("npsolver.grading.verify", broken)
    outcome = grade_reply(instance, '{"solution": [1]}', None, "stop")
    assert (outcome.status, outcome.code, outcome.correct) == ("verifier_error", "verifier_error", None)
    assert "ZeroDivisionError" in outcome.message and outcome.answer_json == '{"solution": [1]}'


# -- replies that copy their prompt ----------------------------------------------------------------

def prompt_with_shots(problem: str = "partition", level: int = 2, shots: int = 2) -> str:
    from npsolver.plan import build_tasks

    return build_tasks([npgym.generate(problem, level, 3, 0)], shots=shots, samples=1)[0].prompt


def test_a_full_echo_holds_no_answer():
    prompt = prompt_with_shots()
    extraction = extract_answer("Let me restate the task.\n" + prompt, prompt=prompt)
    assert extraction.answer is None and extraction.error == COPIED


def test_an_own_answer_after_an_echo_is_taken():
    prompt = prompt_with_shots()
    extraction = extract_answer(prompt + "\nSo my answer is:\n{\"solution\": [1, 0, 0, 1]}", prompt=prompt)
    assert extraction.answer == {"solution": [1, 0, 0, 1]}


def test_a_short_answer_equal_to_prompt_text_is_still_the_models():
    """A bare answer that happens to equal an example's answer is not an echo: it has no copied context."""
    prompt = prompt_with_shots()
    example_answer = next(line for line in prompt.splitlines() if line.startswith("Answer: "))[len("Answer: "):]
    assert extract_answer(example_answer, prompt=prompt).answer == json.loads(example_answer)
    assert extract_answer(f"I think the answer is {example_answer}", prompt=prompt).answer == json.loads(example_answer)


def test_an_echo_rewrapped_with_other_whitespace_is_still_an_echo():
    prompt = prompt_with_shots()
    rewrapped = " ".join(prompt.split())
    assert extract_answer(rewrapped, prompt=prompt).answer is None


@given(data=st.data(), problem=st.sampled_from(["partition", "vertex_cover", "three_sat", "subset_sum"]))
def test_any_echoed_section_of_the_prompt_is_no_answer(data, problem):
    """Echo from any section header to any later line, alone or between words of the model's own."""
    prompt = prompt_with_shots(problem, level=1)
    lines = prompt.splitlines()
    headers = [i for i, line in enumerate(lines) if line.startswith("## ")]
    start = data.draw(st.sampled_from(headers))
    end = data.draw(st.integers(start + 2, len(lines)))
    before = data.draw(st.sampled_from(["", "Okay. ", "The task:\n"]))
    echo = before + "\n".join(lines[start:end])
    assert extract_answer(echo, prompt=prompt).answer is None
