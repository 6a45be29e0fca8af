"""Prompt text built from a problem card: statement, worked examples, the instance, the answer format.

The template is versioned (:data:`TEMPLATE_VERSION`): any change to the wording below changes what
models are asked, so runs record the version they used and results stay comparable.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from npgym.engine import render
from npgym.instance import Instance
from npgym.registry import get_problem

TEMPLATE_VERSION = "nppc-prompt-2"

# No complete answer object appears in these rules: a reply that echoes them must not hold an answer
# the extractor could take (the value shown is never a solution object, and "null" is given in words).
_ANSWER_RULES = (
    'Answer with a JSON object of the form {{"solution": VALUE}}, where VALUE is {answer_format_lower}\n'
    "A VALUE of that form, written for some other instance: {example}\n"
    "If you are certain that no valid solution exists, give null as the VALUE.\n"
    "Reason step by step if it helps, then end your reply with the JSON object on its own line."
)


def answer_rules(problem_id: str) -> str:
    """The prompt's answer rules for ``problem_id``: its card's answer format and example."""
    card = get_problem(problem_id).card
    text = card.answer_format[:1].lower() + card.answer_format[1:]
    return _ANSWER_RULES.format(answer_format_lower=text, example=json.dumps(card.answer_example))


def build_prompt(target: Instance, examples: Sequence[Instance] = ()) -> str:
    """The full user prompt for ``target`` with solved ``examples`` of the same problem shown first."""
    card = get_problem(target.problem).card
    sections = [f"# {card.name}\n\n{card.statement}"]
    for number, example in enumerate(examples, 1):
        solution = None if example.label == "no" else example.certificate
        sections.append(f"## Example {number}\n\n{render(example)}\n\nAnswer: "
                        + json.dumps({"solution": solution}))
    sections.append(f"## Your instance\n\n{render(target)}")
    sections.append(f"## Answer format\n\n{answer_rules(target.problem)}")
    return "\n\n".join(sections) + "\n"
