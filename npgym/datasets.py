"""A dataset API in the shape reasoning-gym users expect, for training loops and quick scripts.

``create_dataset(problem, level, seed, size)`` is a sized, indexable sequence of items
``{"question", "answer", "metadata"}``; item ``i`` is a pure function of (problem, level, seed, i).
``score_answer(text, item)`` grades a model's raw text from the saved item alone (the instance and
its answer key travel in ``metadata``), so a row written to disk can be re-scored anywhere.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from npgym.engine import generate, verify
from npgym.extract import extract_answer
from npgym.instance import Instance
from npgym.prompt import TEMPLATE_VERSION, build_prompt


class ProblemDataset(Sequence):
    """``size`` instances of one problem and level, generated on access."""

    def __init__(self, problem: str, level: int, seed: int = 0, size: int = 100):
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ValueError(f"size must be a non-negative integer, got {size!r}")
        self.problem, self.level, self.seed, self.size = problem, level, seed, size
        generate(problem, level, seed, 0)  # fail early on an unknown problem or a bad level

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self.size))]
        if index < 0:
            index += self.size
        if not 0 <= index < self.size:
            raise IndexError(f"index {index} out of range for a dataset of {self.size}")
        instance = generate(self.problem, self.level, self.seed, index)
        return {
            "question": build_prompt(instance),
            "answer": json.dumps({"solution": instance.certificate}),
            "metadata": {"source_dataset": self.problem, "source_index": index,
                         "difficulty": {"level": self.level, **instance.params},
                         "prompt_template": TEMPLATE_VERSION,
                         "instance": instance.to_record(with_key=True)},
        }


def create_dataset(problem: str, level: int = 1, seed: int = 0, size: int = 100) -> ProblemDataset:
    """The dataset of ``size`` items of ``problem`` at ``level`` drawn from ``seed``."""
    return ProblemDataset(problem, level, seed, size)


def score_answer(text: Any, item: dict[str, Any]) -> float:
    """1.0 if the raw model ``text`` holds a valid answer for ``item``'s instance, else 0.0."""
    extraction = extract_answer(text, prompt=item.get("question"))
    if not extraction.ok:
        return 0.0
    instance = Instance.from_record(item["metadata"]["instance"])
    return 1.0 if verify(instance, extraction.answer).ok else 0.0
