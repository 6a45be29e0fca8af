"""A synthetic model with a known accuracy curve, for testing and validating ceiling estimates.

``baseline/synthetic:ceiling=7.5,slope=1.2`` answers an instance of level L correctly with probability

    p(L) = floor + (1 - floor) / (1 + exp(slope * (L - ceiling)))

(``floor`` defaults to 0; with a floor the 50% crossing lies below ``ceiling``, see
:attr:`SyntheticCurve.crossing`). Whether one answer is correct is decided by a uniform number hashed
from (model string, instance id, sample), so it is deterministic, independent across instances, and
``seed=N`` in the spec gives an independent replicate of the same curve.

A correct answer is the answer key itself: the planted certificate, or ``null`` on a proved
no-instance. A wrong answer is a corrupted one: a random answer of the right shape on a no-instance
(never valid there), and on a yes-instance a random answer when it fails the verifier, else a false
"no solution" claim. Replies go through the same extraction and grading as any model's, and the
model is marked as a baseline (its id starts with ``baseline/``).
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from dataclasses import dataclass

from npgym.engine import check_solution, instance_rng
from npgym.instance import NO, YES, Instance
from npgym.registry import get_problem
from npsolver.adapters import FREE, Completion, Request, Sampling, register_adapter
from npsolver.errors import INTERNAL, ApiFailure

SYNTHETIC_PREFIX = "baseline/synthetic"
SPEC_HELP = "write baseline/synthetic:ceiling=7.5,slope=1.2 (optional: floor=0.1, seed=3)"


@dataclass(frozen=True)
class SyntheticCurve:
    """The true accuracy curve of a synthetic model."""

    ceiling: float
    slope: float
    floor: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.slope > 0:
            raise ValueError(f"synthetic model: slope must be > 0, got {self.slope}; {SPEC_HELP}")
        if not 0 <= self.floor < 0.5:
            raise ValueError(f"synthetic model: floor must be in [0, 0.5), got {self.floor}; {SPEC_HELP}")

    def accuracy(self, level: float) -> float:
        """The model's chance of a correct answer at ``level``: a logistic fall past the ceiling."""
        return self.floor + (1 - self.floor) / (1 + math.exp(min(self.slope * (level - self.ceiling), 700.0)))

    @property
    def crossing(self) -> float:
        """The level at which accuracy is exactly 50% (the true ceiling)."""
        share = (0.5 - self.floor) / (1 - self.floor)
        return self.ceiling + math.log(1 / share - 1) / self.slope


def parse_spec(model: str) -> SyntheticCurve:
    """The curve named by a model string ``baseline/synthetic:key=value,...`` (one-line errors)."""
    head, _, body = model.partition(":")
    if head != SYNTHETIC_PREFIX or not body:
        raise ValueError(f"synthetic model {model!r} names no curve; {SPEC_HELP}")
    values: dict[str, str] = {}
    for part in body.split(","):
        key, equals, value = part.partition("=")
        if not equals or key.strip() not in ("ceiling", "slope", "floor", "seed"):
            raise ValueError(f"synthetic model {model!r}: cannot read {part!r}; {SPEC_HELP}")
        values[key.strip()] = value.strip()
    if "ceiling" not in values or "slope" not in values:
        raise ValueError(f"synthetic model {model!r} needs both ceiling and slope; {SPEC_HELP}")
    try:
        return SyntheticCurve(float(values["ceiling"]), float(values["slope"]), float(values.get("floor", 0)),
                              int(values.get("seed", 0)))
    except ValueError as error:
        if "synthetic model" in str(error):
            raise
        raise ValueError(f"synthetic model {model!r}: a value is not a number; {SPEC_HELP}") from None


def uniform_draw(model: str, instance_id: str, sample: int) -> float:
    """A number in [0, 1) that is a pure function of (model string, instance, sample)."""
    digest = hashlib.sha256(f"{model}|{instance_id}|{sample}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2 ** 64


def answers_correctly(model: str, curve: SyntheticCurve, instance: Instance, sample: int) -> bool:
    """Whether the synthetic model answers this (instance, sample) correctly."""
    if instance.level is None:
        raise ValueError(f"the synthetic model answers by level; instance {instance.id} was made without one")
    return uniform_draw(model, instance.id, sample) < curve.accuracy(instance.level)


def wrong_answer(instance: Instance) -> object:
    """A corrupted answer: a random answer of the right shape when it is wrong, else a false claim."""
    problem = get_problem(instance.problem)
    if instance.seed is None or instance.index is None:
        raise ValueError(f"a synthetic wrong answer is drawn from the instance's seed; {instance.id} has none")
    rng = instance_rng(instance.problem, instance.version, instance.params, instance.seed, instance.index,
                       "baseline-synthetic-wrong")
    guess = problem.random_answer(instance.data, rng)
    if instance.label == NO or not check_solution(instance, guess).ok:
        return guess
    return None


class SyntheticAdapter:
    """Answers from the answer key along a known curve (see the module docstring)."""

    def __init__(self, model: str):
        self.model = model
        self.curve = parse_spec(model)

    def describe(self) -> dict:
        """The curve's parameters, as recorded with the run."""
        return {"adapter": "synthetic", "ceiling": self.curve.ceiling, "slope": self.curve.slope,
                "floor": self.curve.floor, "seed": self.curve.seed, "crossing": self.curve.crossing}

    def credential_variables(self) -> list[str]:
        """None: the synthetic model needs no key."""
        return []

    def prepare(self) -> None:
        """Nothing to start: the synthetic model answers in process."""
        pass

    async def complete(self, request: Request) -> Completion:
        """A correct or a corrupted answer, drawn from the curve at the instance's level."""
        started = time.perf_counter()
        instance = request.instance
        if instance.level is None:
            raise ApiFailure(INTERNAL, f"{self.model} needs instances with a level (this one was made from "
                                       "raw parameters)")
        if instance.label not in (YES, NO):
            raise ApiFailure(INTERNAL, f"{self.model} answers from the answer key, and instance {instance.id} has "
                                       "none: pass --keys")
        if answers_correctly(self.model, self.curve, instance, request.sample):
            answer = instance.certificate if instance.label == YES else None
        else:
            answer = wrong_answer(instance)
        return Completion(text=json.dumps({"solution": answer}), finish_reason="stop", cost=0.0, cost_source=FREE,
                          latency=time.perf_counter() - started)


def _synthetic(model: str, sampling: Sampling, api_base: str | None, api_key_env: str | None,
               timeout: float) -> SyntheticAdapter:
    if api_base:
        raise ValueError("baselines run locally: drop --api-base")
    return SyntheticAdapter(model)


register_adapter(SYNTHETIC_PREFIX, _synthetic)
