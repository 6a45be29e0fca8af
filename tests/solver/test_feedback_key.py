"""The feedback track never reveals the answer key: swept over every registered problem.

For a yes- and a no-instance of each problem, wrong answers of every kind (random, heuristic,
unparsable, a "no solution" claim) are graded and turned into feedback twice: once against the
instance, once against a twin whose answer key (label, certificate, optimum) is changed. Feedback on
a solution must be the same for both (it is a function of the data and the answer alone); a wrong
"no solution" claim is told only that it is wrong.
"""

from __future__ import annotations

import json
import random

import pytest

from npgym.registry import get_problem, problem_ids
from npsolver.episodes import FEEDBACK, WRONG_CLAIM_MESSAGE, feedback_text
from npsolver.grading import grade_reply
from npsolver.plan import generate_targets


@pytest.fixture(scope="module")
def targets():
    return generate_targets(problem_ids(), [2], [0], 2, no_fraction=0.5)


def wrong_answers(instance) -> list[str]:
    problem = get_problem(instance.problem)
    rng = random.Random(7)
    answers = [json.dumps({"solution": problem.random_answer(instance.data, rng)}) for _ in range(3)]
    answers.append(json.dumps({"solution": problem.heuristic(instance.data, rng)}))
    return answers + ["I could not finish.", '{"answer": 3}', '{"solution": [1, 2', '{"solution": "x"}']


def test_feedback_depends_on_the_data_and_the_answer_never_on_the_key(targets):
    assert {t.problem for t in targets} == set(problem_ids())
    assert {t.label for t in targets} == {"yes", "no"}
    told = 0
    for instance in targets:
        twin = instance.with_key(label="no" if instance.label == "yes" else "yes", certificate=None, optimum=None)
        for text in wrong_answers(instance):
            outcome = grade_reply(instance, text, None, "stop")
            if outcome.correct:
                continue  # a random answer can be right; nothing is told then
            same = grade_reply(twin, text, None, "stop")
            assert feedback_text(outcome) == feedback_text(same), (instance.problem, text)
            feedback = feedback_text(outcome)
            if instance.certificate is not None and isinstance(instance.certificate, list) \
                    and len(instance.certificate) > 2:
                assert json.dumps(instance.certificate) not in feedback
            told += 1
    assert told > 6 * len(targets)


def test_a_wrong_no_solution_claim_is_told_only_that_it_is_wrong(targets):
    for instance in targets:
        outcome = grade_reply(instance, '{"solution": null}', None, "stop")
        if instance.label == "no":
            assert outcome.correct == 1  # right: the episode ends, nothing is told
        else:
            assert feedback_text(outcome) == FEEDBACK.format(code="wrong_claim", message=WRONG_CLAIM_MESSAGE)
