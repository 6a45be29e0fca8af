"""The engine: generate, verify, solve and render any registered problem through one interface.

Everything shared by all problems lives here: per-instance seeding, the ``{"solution": ...}``
answer envelope, grading of "no solution" claims against the exact label, and turning a verifier's
:class:`Reject` into a :class:`Verdict`.
"""

from __future__ import annotations

from typing import Any

from npgym.canonical import derive_rng
from npgym.cards import ParamError
from npgym.instance import NO, YES, Instance
from npgym.problem import SolveResult
from npgym.registry import get_problem
from npgym.verdict import NO_ANSWER, OK, UNSETTLED, WRONG_CLAIM, Reject, Verdict

DEFAULT_TIME_LIMIT = 10.0


def instance_rng(problem_id: str, version: int, params: dict[str, Any], seed: int, index: int, stream: str = ""):
    """The private RNG of one instance; ``stream`` separates independent uses (examples, baselines)."""
    return derive_rng(problem_id, version, params, seed, index, stream)


def generate(problem_id: str, level: int, seed: int = 0, index: int = 0) -> Instance:
    """Generate instance ``index`` of ``seed`` at ``level``: a pure function of its arguments."""
    problem = get_problem(problem_id)
    return generate_from_params(problem_id, problem.level_params(level), seed, index, level=level)


def generate_from_params(problem_id: str, params: dict[str, Any], seed: int = 0, index: int = 0,
                         level: int | None = None) -> Instance:
    """Generate a planted yes-instance from explicit size parameters."""
    problem = get_problem(problem_id)
    _check_int("seed", seed)
    _check_int("index", index)
    problem.check_params(params)
    planted = problem.plant(instance_rng(problem.id, problem.version, params, seed, index), params)
    return Instance(problem=problem.id, version=problem.version, level=level, seed=seed, index=index,
                    params=dict(params), data=planted.data, label=YES, certificate=planted.certificate,
                    meta={"planted": True})


def _check_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParamError(f"{name} must be a non-negative integer, got {value!r}")


def verify(instance: Instance, answer: Any) -> Verdict:
    """Grade a parsed answer ``{"solution": ...}`` against ``instance``; never raises on a JSON value.

    ``{"solution": null}`` claims that no solution exists: correct exactly when the instance's label
    was proved ``no``; on a yes-instance it is a ``wrong_claim``; on an unsettled one it cannot be graded.
    """
    if not isinstance(answer, dict) or "solution" not in answer:
        return Verdict(False, NO_ANSWER, 'the answer must be a JSON object with a "solution" key')
    solution = answer["solution"]
    if solution is None:
        return _grade_claim(instance)
    return check_solution(instance, solution)


def check_solution(instance: Instance, solution: Any) -> Verdict:
    """Check a non-null solution value with the problem's verifier."""
    problem = get_problem(instance.problem)
    try:
        objective = problem.check(instance.data, solution)
    except Reject as rejection:
        return rejection.verdict()
    return Verdict.accept("the solution satisfies every constraint", objective)


def _grade_claim(instance: Instance) -> Verdict:
    if instance.label == NO:
        return Verdict(True, OK, "correct: the solver proved that no solution exists")
    if instance.label == YES:
        return Verdict(False, WRONG_CLAIM, "claimed no solution, but the instance has one")
    return Verdict(False, UNSETTLED, "claimed no solution on an instance whose status is not proved")


def solve(instance: Instance, time_limit: float = DEFAULT_TIME_LIMIT) -> SolveResult:
    """Decide ``instance`` exactly (``unknown`` if ``time_limit`` seconds are not enough)."""
    return get_problem(instance.problem).solve(instance.data, time_limit)


def render(instance: Instance) -> str:
    """The compact prompt text of ``instance``."""
    return get_problem(instance.problem).render(instance.data)
