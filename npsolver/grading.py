"""From a reply to a record outcome: extract, detect refusals and truncation, verify.

Order of the checks, first match wins:

1. an answer object was extracted: it is verified and the record is ``graded`` (even when the reply
   was cut off after it);
2. no answer and ``finish_reason`` is ``length``: ``truncated``;
3. no answer and the visible text matches one of :data:`REFUSAL_PATTERNS`: ``refusal``;
4. otherwise ``parse_error`` with the extraction's code (``no_json``, ``bad_json``, ``no_solution_key``, ``copied``).

A verifier that raises is a bug in nppc, not a wrong answer: the record gets status
``verifier_error`` (code ``verifier_error``, ``correct`` NULL) and the run goes on.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from npgym.engine import verify
from npgym.extract import extract_answer
from npgym.instance import Instance
from npsolver.records import Status

#: Phrases that mark a reply without an answer as a refusal (matched case-insensitively, anywhere).
REFUSAL_PATTERNS = (
    r"\bI(?:'m| am) (?:sorry|afraid),? but I (?:can(?:no|')t|won't|am unable)",
    r"\bI (?:can(?:no|')t|won't|will not|am unable to|am not able to) (?:help|assist|comply|answer|solve|provide)",
    r"\bI(?:'m| am) (?:unable|not able) to (?:help|assist|comply|answer|solve|provide)",
    r"\bI (?:must|have to) (?:decline|refuse)",
    r"\bas an AI(?: language model)?,? I (?:can(?:no|')t|am unable)",
)
_REFUSAL = re.compile("|".join(REFUSAL_PATTERNS), re.IGNORECASE)
TRUNCATION_REASONS = ("length", "max_tokens")


@dataclass(frozen=True)
class Outcome:
    """The graded result of one reply, in the store's terms."""

    status: Status
    correct: int | None
    code: str
    message: str
    reasoning: str | None
    answer_json: str | None = None
    objective: float | None = None


def is_refusal(text: str) -> bool:
    """Whether ``text`` reads as a refusal to answer."""
    return bool(_REFUSAL.search(text or ""))


def grade_reply(instance: Instance, text: str, reasoning: str | None, finish_reason: str | None,
                prompt: str | None = None) -> Outcome:
    """Grade one reply to ``prompt`` (see the module docstring for the order of the checks).

    With the prompt given, answers the reply copied from it are not the model's (code ``copied``).
    """
    extraction = extract_answer(text, reasoning, prompt)
    if extraction.answer is None:
        if finish_reason in TRUNCATION_REASONS:
            return Outcome(Status.TRUNCATED, 0, "length", "the reply hit the token limit before an answer",
                           extraction.reasoning)
        if is_refusal(extraction.content):
            return Outcome(Status.REFUSAL, 0, "refusal", "the model declined to answer", extraction.reasoning)
        assert extraction.error is not None, "an extraction without an answer carries its error code"
        return Outcome(Status.PARSE_ERROR, 0, extraction.error, extraction.detail, extraction.reasoning)
    answer_json = json.dumps(extraction.answer)
    try:
        verdict = verify(instance, extraction.answer)
    except Exception as error:  # noqa: BLE001 - the verifier's bug must not end the run
        return Outcome(Status.VERIFIER_ERROR, None, "verifier_error", f"{type(error).__name__}: {error}",
                       extraction.reasoning, answer_json)
    objective = verdict.objective if isinstance(verdict.objective, (int, float)) else None
    return Outcome(Status.GRADED, int(verdict.ok), verdict.code, verdict.message, extraction.reasoning, answer_json,
                   objective)
