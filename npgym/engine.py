"""The engine: generate, verify, solve and render any registered problem through one interface.

Everything shared by all problems lives here: per-instance seeding, the ``{"solution": ...}``
answer envelope, grading of "no solution" claims against the exact label, and turning a verifier's
:class:`Reject` into a :class:`Verdict`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from npgym.canonical import derive_rng, rng_deriver
from npgym.cards import ParamError
from npgym.instance import NO, YES, Instance
from npgym.problem import SAT, UNKNOWN, UNSAT, Problem, SolveResult
from npgym.registry import LOADED, get_problem
from npgym.verdict import NO_ANSWER, OK, UNSETTLED, WRONG_CLAIM, Reject, Verdict

DEFAULT_TIME_LIMIT = 10.0
NO_ATTEMPTS = 64
#: problems with a bound try their own no-candidates this many times before moving the bound instead
OWN_NO_ATTEMPTS = 16
#: give up on a no-instance once the solver leaves this many candidates unsettled (``unknown``)
UNSETTLED_LIMIT = 3
#: the verdict of a valid answer without an objective (verdicts are immutable, so one is shared)
ACCEPTED = Verdict.accept("the solution satisfies every constraint")
_MISSING = object()  # an answer without a "solution" key


class GenerationError(RuntimeError):
    """The engine could not make the requested instance (e.g. no proved no-instance in the attempts allowed)."""


def instance_rng(problem_id: str, version: int, params: dict[str, Any], seed: int, index: int, stream: str = ""):
    """The private RNG of one instance; ``stream`` separates independent uses (examples, baselines)."""
    return derive_rng(problem_id, version, params, seed, index, stream)


def generate(problem_id: str, level: int, seed: int = 0, index: int = 0, *, label: str = YES,
             tight: bool = False, time_limit: float = DEFAULT_TIME_LIMIT) -> Instance:
    """Generate instance ``index`` of ``seed`` at ``level``: a pure function of its arguments.

    ``label="no"`` makes a solver-proved no-instance of the same size; ``tight=True`` makes a yes-instance
    look like the no-instances of a mixed set: its bound at the proved optimum, or, where the problem draws
    both labels from one distribution (:attr:`Problem.yes_from_no_candidates`), a drawn candidate the
    solver satisfies. Both call the exact solver (``time_limit`` per call).
    """
    problem = get_problem(problem_id)
    params, rngs = _level(problem, level)
    return _generate(problem, params, rngs, seed, index, level, label, tight, time_limit)


def generate_from_params(problem_id: str, params: dict[str, Any], seed: int = 0, index: int = 0,
                         level: int | None = None, *, label: str = YES, tight: bool = False,
                         time_limit: float = DEFAULT_TIME_LIMIT) -> Instance:
    """Generate an instance from explicit size parameters (see :func:`generate`)."""
    problem = get_problem(problem_id)
    problem.validate_params(params)
    return _generate(problem, params, _params_rngs(problem, params), seed, index, level, label, tight, time_limit)


def _generate(problem: Problem, params: dict[str, Any], rngs: Callable[..., random.Random], seed: int, index: int,
              level: int | None, label: str, tight: bool, time_limit: float) -> Instance:
    """The instance of one slot, from checked parameters and the RNG deriver of those parameters."""
    if type(seed) is not int or seed < 0:  # the common valid case in one test; the check names what is wrong
        _check_int("seed", seed)
    if type(index) is not int or index < 0:
        _check_int("index", index)
    if label == YES and not tight:  # a planted yes-instance, a test set's and a training loop's every call
        return _plant(problem, params, rngs(seed, index, ""), level, seed, index)  # no slot record needed
    slot = _Slot(problem, rngs, dict(problem=problem.id, version=problem.version, level=level, seed=seed,
                                     index=index, params=dict(params), card_hash=problem.card.content_hash))
    if label == NO:
        return _generate_no(slot, time_limit)
    if label != YES:
        raise ParamError(f"label must be 'yes' or 'no', got {label!r}")
    if tight and problem.yes_from_no_candidates:
        return _draw_yes(slot, time_limit)
    return _tight_yes(slot, time_limit) if tight else _planted(slot)


#: (problem, level) -> the level's checked parameters and their RNG deriver; a level's parameters are a pure
#: function of the problem's card, and a test set asks for the same few levels thousands of times
_LEVELS: dict[tuple[Problem, int], tuple[dict[str, Any], Callable[..., random.Random]]] = {}
LEVELS_KEPT = 4096


def _level(problem: Problem, level: int) -> tuple[dict[str, Any], Callable[..., random.Random]]:
    """The checked parameters of ``level`` and their RNG deriver, remembered after the first call."""
    known = _LEVELS.get((problem, level)) if type(level) is int else None  # True == 1 must not hit level 1
    if known is None:
        params = problem.level_params(level)
        known = params, _params_rngs(problem, params)
        if type(level) is int and len(_LEVELS) < LEVELS_KEPT:
            _LEVELS[problem, level] = known
    return known


def _params_rngs(problem: Problem, params: dict[str, Any]) -> Callable[..., random.Random]:
    """``(seed, index, stream) -> instance_rng(problem, version, params, seed, index, stream)``."""
    return rng_deriver(problem.id, problem.version, params)


class _Slot:
    """One instance slot being generated: its problem, the Instance fields it fixes, and its RNG streams."""

    __slots__ = ("problem", "fields", "_rngs")

    def __init__(self, problem: Problem, rngs: Callable[..., random.Random], fields: dict[str, Any]):
        self.problem, self._rngs, self.fields = problem, rngs, fields

    @property
    def params(self) -> dict[str, Any]:
        return self.fields["params"]

    def rng(self, stream: str = "") -> random.Random:
        """The private RNG of this slot's ``stream`` (see :func:`instance_rng`)."""
        return self._rngs(self.fields["seed"], self.fields["index"], stream)


def _planted(slot: _Slot, stream: str = "") -> Instance:
    fields = slot.fields
    return _plant(slot.problem, slot.params, slot.rng(stream), fields["level"], fields["seed"], fields["index"])


def _plant(problem: Problem, params: dict[str, Any], rng: random.Random, level: int | None, seed: int,
           index: int) -> Instance:
    """The planted yes-instance that ``rng`` draws (the instance keeps its own copy of ``params``)."""
    own = dict(params)
    planted = problem.plant(rng, own)
    return Instance(problem.id, problem.version, level, seed, index, own, planted.data, YES, planted.certificate,
                    None, {"planted": True}, problem.card.content_hash)


def _tight_yes(slot: _Slot, time_limit: float) -> Instance:
    """A planted yes-instance at its proved optimum. Where the solver leaves an optimum unproved, another
    planted draw is tried (up to ``UNSETTLED_LIMIT`` in all), as no-instances are drawn until one is proved:
    both labels then come from the instances whose optimum the solver settles, and a test set needs the
    planted-bound fallback (whose constant bound would tell yes from no) only where none settles."""
    for attempt in range(UNSETTLED_LIMIT):
        try:
            return _tighten(slot.problem, _planted(slot, "" if attempt == 0 else f"tight-{attempt}"), time_limit)
        except GenerationError as error:
            unsettled = error
    raise unsettled


def _draw_yes(slot: _Slot, time_limit: float) -> Instance:
    """A yes-instance drawn like the no-instances: candidates until the solver satisfies one (its certificate
    is the key), for a problem with a bound one whose proved optimum is the bound itself. Raises
    :class:`GenerationError` (the test set then plants one, with a warning) when the solver leaves
    ``UNSETTLED_LIMIT`` candidates unsettled or none of ``NO_ATTEMPTS`` qualifies."""
    problem, base = slot.problem, slot.fields
    tried: dict[str, int] = {}
    for attempt in range(NO_ATTEMPTS):
        try:
            data = problem.no_candidate(slot.rng(f"yes-{attempt}"), slot.params)
        except ParamError as reason:  # a level with no candidates (e.g. one triple) keeps planted yes-instances
            raise GenerationError(f"{problem.id}: no candidates to draw from at parameters {base['params']} "
                                  f"({reason})") from reason
        if data is None:
            break
        result = problem.solve(data, time_limit)
        tried[result.status] = tried.get(result.status, 0) + 1
        if result.status == SAT and problem.bound_key is not None and result.optimum != data[problem.bound_key]:
            continue  # a drawn yes-instance sits at its proved optimum, as tight ones do: one past its bound is redrawn
        if result.status == SAT:
            return Instance(**base, data=data, label=YES, certificate=result.certificate, optimum=result.optimum,
                            meta={"planted": False, "attempts": attempt + 1, "effort": _effort(result)})
        if tried.get(UNKNOWN, 0) >= UNSETTLED_LIMIT:
            break
    raise GenerationError(f"{problem.id}: no drawn candidate the solver satisfies (solver results {tried}) at "
                          f"parameters {base['params']}")


def _tighten(problem: Problem, instance: Instance, time_limit: float) -> Instance:
    """Set the question's bound to the proved optimum; the solver's certificate becomes the key."""
    if problem.bound_key is None:
        return instance.with_key(meta={**instance.meta, "tight": "no bound to tighten"})
    result = problem.solve(instance.data, time_limit)
    if result.status != SAT or result.optimum is None:
        raise GenerationError(f"{problem.id}: the solver could not prove an optimum within {time_limit} s of work "
                              f"(status {result.status}); raise the time limit or drop --tight")
    data = {**instance.data, problem.bound_key: result.optimum}
    return Instance(**_identity(instance), data=data, label=YES, certificate=result.certificate,
                    optimum=result.optimum, meta={"planted": True, "tight": True, "effort": _effort(result)})


def _generate_no(slot: _Slot, time_limit: float) -> Instance:
    """Draw candidates until the solver proves one unsatisfiable (a bounded number of attempts).

    Gives up early when the solver cannot settle ``UNSETTLED_LIMIT`` candidates within ``time_limit``:
    candidates share one size distribution, so more attempts would only cost more time.
    """
    problem, base = slot.problem, slot.fields
    tried: dict[str, int] = {}
    for attempt in range(NO_ATTEMPTS):
        data, result = _no_candidate(problem, slot.rng(f"no-{attempt}"), slot.params, time_limit,
                                     own=attempt < OWN_NO_ATTEMPTS)
        outcome = result.status if result is not None else "no candidate"
        tried[outcome] = tried.get(outcome, 0) + 1
        if data is not None and result is not None and result.status == UNSAT:
            return Instance(**base, data=data, label=NO, certificate=None, optimum=result.optimum,
                            meta={"planted": False, "attempts": attempt + 1, "effort": _effort(result)})
        if tried.get(UNKNOWN, 0) >= UNSETTLED_LIMIT:
            raise GenerationError(f"{problem.id}: the solver settled none of {UNSETTLED_LIMIT} candidates within "
                                  f"{time_limit} s of work at parameters {base['params']} (results {tried}); raise the "
                                  f"time limit or choose a lower level")
    raise GenerationError(f"{problem.id}: no proved no-instance in {NO_ATTEMPTS} attempts "
                          f"(solver results {tried}) at parameters {base['params']}")


def _no_candidate(problem: Problem, rng, params: dict[str, Any], time_limit: float,
                  own: bool) -> tuple[dict[str, Any] | None, SolveResult | None]:
    """One candidate and the solver's verdict on it (None, None when there is no candidate).

    The problem's own candidate comes first; for problems with a bound, after ``own`` attempts (or when
    the problem has none), a planted instance whose bound is moved one step past its proved optimum: the
    proof of that optimum is the proof that the moved bound cannot be met. A candidate that plain counting
    already refutes (:meth:`Problem.counting_refutes`) is no candidate: its answer would be a give-away.
    """
    if own or problem.bound_key is None:
        data = problem.no_candidate(rng, params)
        if data is not None and not problem.counting_refutes(data):
            return data, problem.solve(data, time_limit)
        if problem.bound_key is None:
            return None, None
    data = problem.plant(rng, params).data
    result = problem.solve(data, time_limit)
    if result.optimum is None:
        # unknown, or a packing found whose optimum was not proved: either way the solver left it unsettled
        # (counted, so a level whose optima are out of reach gives up after UNSETTLED_LIMIT tries, not 64)
        return None, (replace(result, status=UNKNOWN) if result.status in (UNKNOWN, SAT) else None)
    step = -1 if problem.objective == "min" else 1
    moved = {**data, problem.bound_key: result.optimum + step}
    if moved[problem.bound_key] < 1 or problem.counting_refutes(moved):
        return None, None
    return moved, replace(result, status=UNSAT, certificate=None)


def _effort(result: SolveResult) -> dict[str, Any] | None:
    """The solver's effort for an instance's meta (None if the solver reported none)."""
    return asdict(result.effort) if result.effort is not None else None


def _identity(instance: Instance) -> dict[str, Any]:
    return dict(problem=instance.problem, version=instance.version, level=instance.level, seed=instance.seed,
                index=instance.index, params=instance.params, card_hash=instance.card_hash)


def _check_int(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ParamError(f"{name} must be a non-negative integer, got {value!r}")


def verify(instance: Instance, answer: Any) -> Verdict:
    """Grade a parsed answer ``{"solution": ...}`` against ``instance``; never raises on a JSON value.

    ``{"solution": null}`` claims that no solution exists: correct exactly when the instance's label
    was proved ``no``; on a yes-instance it is a ``wrong_claim``; on an unsettled one it cannot be graded.
    """
    if type(answer) is dict:  # a parsed JSON object: its key read by subscript, the cheapest lookup there is
        try:
            solution = answer["solution"]
        except KeyError:
            solution = _MISSING
    else:  # a dict subclass (read with get: a defaultdict must not grow a key) or no object at all
        solution = answer.get("solution", _MISSING) if isinstance(answer, dict) else _MISSING
    if solution is None:
        return _grade_claim(instance)
    if solution is _MISSING:
        return Verdict(False, NO_ANSWER, 'the answer must be a JSON object with a "solution" key')
    # the problem read off the registry without a call: a training loop's hot path, where the reference's whole
    # check of a small instance costs less than a microsecond
    problem = LOADED.get(instance.problem) or get_problem(instance.problem)
    return _graded(problem.check, instance.data, solution)


def check_solution(instance: Instance, solution: Any) -> Verdict:
    """Check a non-null solution value with the problem's verifier."""
    return check_data(instance.problem, instance.data, solution)


def check_data(problem: str | Problem, data: dict[str, Any], solution: Any) -> Verdict:
    """Check a non-null solution against bare instance ``data`` (hand-built instances, tests)."""
    return _graded((get_problem(problem) if isinstance(problem, str) else problem).check, data, solution)


def _graded(check: Callable[[dict[str, Any], Any], Any], data: dict[str, Any], solution: Any) -> Verdict:
    """A problem's verdict on a non-null solution (``check`` is its verifier): its :class:`Reject`, or
    acceptance with the objective."""
    try:
        objective = check(data, solution)
    except Reject as rejection:
        return rejection.verdict()
    if objective is None:  # the common acceptance, one shared verdict
        return ACCEPTED
    return Verdict.accept(ACCEPTED.message, objective)


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
