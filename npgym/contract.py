"""The contract every problem must pass, as a public checker: ``npgym.check_problem(problem)``.

What gymnasium's ``check_env`` is to an environment, this is to a problem: anyone writing one (in
this repository or in a package of their own, registered through the ``nppc.problems`` entry-point
group) runs it before publishing. It checks, on real instances of the problem's own levels:

* the card matches the problem, declares a range for every parameter its ladder sets, and every
  level's parameters pass those ranges and the problem's checks;
* generation is a pure function of its arguments, records survive a JSON round trip with their id
  and verdicts, and a tampered record is detected;
* planted certificates verify; the exact solver agrees with the verifier and never does worse than
  the planted certificate; mutated certificates and odd JSON values are rejected with a code, and
  the verifier never raises; a "no solution" claim on a yes-instance is wrong;
* the baselines' answers are gradable, renders are compact text, far levels generate;
* no-instances are proved and graded, tight bounds sit at the proved optimum (and yes-instances drawn
  like no-instances are certified by the solver);
* the card's format example is never a valid answer.

Each check returns a :class:`Check`; :func:`check_problem` raises :class:`ContractError` listing the
failures (or returns the report with ``raise_on_failure=False``). The test suite runs it over the
registry, so a problem added in a new module is checked with no test edit.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from npgym.canonical import assert_json_native
from npgym.cards import ParamError
from npgym.engine import generate, solve, verify
from npgym.instance import Instance
from npgym.problem import Problem
from npgym.registry import get_problem, register
from npgym.verdict import CODES


@dataclass(frozen=True)
class Check:
    """One contract check: its name, whether it passed, and what failed."""

    name: str
    ok: bool
    detail: str = ""


@dataclass(frozen=True)
class ContractReport:
    """Every check of one problem."""

    problem: str
    checks: list[Check] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every check passed."""
        return all(check.ok for check in self.checks)

    @property
    def failures(self) -> list[Check]:
        """The checks that failed."""
        return [check for check in self.checks if not check.ok]

    def __str__(self) -> str:
        lines = [f"{self.problem}: {len(self.checks) - len(self.failures)}/{len(self.checks)} checks pass"]
        lines += [f"  FAILED {check.name}: {check.detail}" for check in self.failures]
        return "\n".join(lines)


class ContractError(AssertionError):
    """A problem breaks its contract; the message lists every failed check."""


class _Failed(Exception):
    pass


def _expect(condition: bool, detail: str) -> None:
    if not condition:
        raise _Failed(detail)


def sample_levels(problem: Problem) -> list[int]:
    """Level 1, the middle and the top of the reference ladder, and one level past it."""
    top = problem.card.top_level
    return sorted({1, max(1, top // 2), top, top + 1})


def mutants(certificate: Any, rng: random.Random) -> Iterator[Any]:
    """Answers derived from a valid certificate that no problem may accept."""
    yield json.dumps(certificate)  # the right value, but as a JSON string
    yield [certificate]  # wrapped one level too deep
    yield {"solution": certificate}  # an object where a value is expected
    if isinstance(certificate, list) and certificate:
        position = rng.randrange(len(certificate))
        element = certificate[position]
        if isinstance(element, bool):
            replacements: list[Any] = [1, "true", None]
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


ODD_VALUES: tuple[Any, ...] = (None, True, 0, -1, 2**63, 1.5, float("1e300"), "", "x", [], [[]], [None], {},
                               {"a": 1}, [1, "1"], [True, False], [-1, 0], list(range(50)), "0" * 40)


def _card_matches(problem: Problem) -> None:
    card = problem.card
    _expect(card.id == problem.id, f"the card's id is {card.id!r}")
    _expect(bool(card.statement and card.answer_format), "the card has no statement or answer format")
    _expect(card.top_level >= 1, "the ladder has no level")
    undeclared = [name for name in card.ladder_params if name not in card.ranges]
    _expect(not undeclared, f"{card.path} declares no range for {', '.join(undeclared)}: add it under [params], "
                            f"e.g. {undeclared[0] if undeclared else ''} = {{ type = \"int\", min = 1 }}")
    unused = [name for name in card.ranges if name not in card.ladder_params]
    _expect(not unused, f"{card.path} declares a range for {', '.join(unused)}, which its ladder never sets")
    for level in range(1, card.top_level + 3):
        problem.level_params(level)
    try:
        generate(problem.id, 0)
    except ParamError:
        return
    raise _Failed("level 0 generated instead of raising ParamError")


def _pure_and_planted(problem: Problem) -> None:
    rng = random.Random(17)
    for level in [*sample_levels(problem), problem.card.top_level + 3]:
        for _ in range(3):
            seed, index = rng.randrange(2**31), rng.randrange(1000)
            instance = generate(problem.id, level, seed, index)
            assert_json_native(instance.to_record(with_key=True))
            _expect(generate(problem.id, level, seed, index) == instance, f"level {level}: not a pure function")
            verdict = verify(instance, {"solution": instance.certificate})
            _expect(verdict.ok, f"level {level} seed {seed}: the planted certificate fails: {verdict.message}")


def _round_trip(problem: Problem) -> None:
    rng = random.Random(5)
    for level in sample_levels(problem):
        instance = generate(problem.id, level, seed=3, index=1)
        loaded = Instance.from_record(json.loads(json.dumps(instance.to_record(with_key=True))))
        _expect(loaded.id == instance.id and loaded.data == instance.data, f"level {level}: the round trip changed it")
        for answer in (instance.certificate, problem.heuristic(instance.data, rng),
                       problem.random_answer(instance.data, rng), None):
            _expect(verify(loaded, {"solution": answer}) == verify(instance, {"solution": answer}),
                    f"level {level}: a verdict changed over the round trip")
    record = generate(problem.id, 2, seed=1).to_record()
    for name, changed in (("level", 3), ("version", record["version"] + 1),
                          ("params", {**record["params"], "tampered": 1}), ("data", {**record["data"], "tampered": 1})):
        try:
            Instance.from_record({**record, name: changed})
        except ValueError:
            continue
        raise _Failed(f"a record with a changed {name} loaded without complaint")


def _solver_agrees(problem: Problem) -> None:
    for level in (1, 2, 3):
        for seed in range(3):
            instance = generate(problem.id, level, seed)
            result = solve(instance, time_limit=20)
            _expect(result.status == "sat", f"level {level} seed {seed}: the solver says {result.status}")
            verdict = verify(instance, {"solution": result.certificate})
            _expect(verdict.ok, f"level {level} seed {seed}: the solver's certificate fails: {verdict.message}")
            _expect(result.effort is not None and result.effort.seconds >= 0, "the solver reports no effort")
            if problem.objective and result.optimum is not None:
                planted = verify(instance, {"solution": instance.certificate}).objective
                better = planted is not None and (result.optimum <= planted if problem.objective == "min"
                                                  else result.optimum >= planted)
                _expect(better and verdict.objective == result.optimum,
                        f"level {level} seed {seed}: optimum {result.optimum} vs planted {planted}")


def _rejects_wrong_answers(problem: Problem) -> None:
    rng = random.Random(11)
    for level in sample_levels(problem):
        instance = generate(problem.id, level, seed=2)
        for mutant in mutants(instance.certificate, rng):
            verdict = verify(instance, {"solution": mutant})
            _expect(not verdict.ok and verdict.code in CODES and bool(verdict.message),
                    f"level {level}: the mutant {str(mutant)[:80]} got {verdict}")
    instance = generate(problem.id, 2, seed=0)
    for value in ODD_VALUES:
        for answer in (value, {"solution": value}):
            verdict = verify(instance, answer)  # raising here is itself the failure
            _expect(verdict.code in CODES, f"the answer {answer!r} got the unknown code {verdict.code!r}")
            _expect(not verdict.ok or (answer == {"solution": value} and value is not None),
                    f"the answer {answer!r} was accepted")
    planted = generate(problem.id, 1, seed=0)
    _expect(verify(planted, {"solution": None}).code == "wrong_claim", "a no-solution claim on a yes-instance")
    _expect(verify(planted, {"answer": planted.certificate}).code == "no_answer", "an answer without 'solution'")
    _expect(verify(planted, []).code == "no_answer", "a list instead of an answer object")


def _baselines_and_render(problem: Problem) -> None:
    rng = random.Random(1)
    for level in sample_levels(problem):
        instance = generate(problem.id, level, seed=4)
        for answer in (problem.heuristic(instance.data, rng), problem.random_answer(instance.data, rng)):
            assert_json_native(answer)
            _expect(verify(instance, {"solution": answer}).code in CODES, f"level {level}: a baseline answer")
        text = problem.render(instance.data)
        _expect(isinstance(text, str) and bool(text.strip()), f"level {level}: an empty render")
        _expect(not any(marker in text for marker in ("True", "None", "{'", "([")),
                f"level {level}: the render holds a Python repr")
    for level in (20, 50):
        instance = generate(problem.id, level, seed=1)
        _expect(verify(instance, {"solution": instance.certificate}).ok, f"level {level}: the certificate fails")


def _no_instances(problem: Problem) -> None:
    rng = random.Random(3)
    for level in problem.small_no_levels:
        for index in range(2):
            instance = generate(problem.id, level, seed=1, index=index, label="no")
            yes = generate(problem.id, level, seed=1, index=index)
            _expect(instance.label == "no" and instance.certificate is None, f"level {level}: not labelled no")
            _expect(instance.params == yes.params and instance.id != yes.id, f"level {level}: not its own instance")
            _expect(generate(problem.id, level, seed=1, index=index, label="no") == instance,
                    f"level {level}: the no-instance is not a pure function")
            _expect(solve(instance, time_limit=20).status == "unsat", f"level {level}: the solver does not prove it")
            _expect(verify(instance, {"solution": None}).ok, f"level {level}: the right claim is not accepted")
            for answer in (yes.certificate, problem.heuristic(instance.data, rng),
                           problem.random_answer(instance.data, rng)):
                _expect(not verify(instance, {"solution": answer}).ok, f"level {level}: a no-instance was solved")


def _tight_bounds(problem: Problem) -> None:
    # a problem that draws yes- like no-instances does so where its no-instances come: its small no-levels
    for level in problem.small_no_levels if problem.yes_from_no_candidates else (2, 4):
        instance = generate(problem.id, level, seed=6, tight=True, time_limit=20)
        verdict = verify(instance, {"solution": instance.certificate})
        _expect(verdict.ok, f"level {level}: the certificate misses the tight bound")
        if problem.yes_from_no_candidates:
            _expect(instance.meta["planted"] is False, f"level {level}: a tight yes-instance is not drawn")
        if problem.bound_key is not None:
            _expect(instance.data[problem.bound_key] == instance.optimum == verdict.objective,
                    f"level {level}: the bound is not the proved optimum")


def _format_example_is_wrong(problem: Problem) -> None:
    example = problem.card.answer_example
    for level in range(1, problem.card.top_level + 3):
        for seed in range(6):
            verdict = verify(generate(problem.id, level, seed, 0), {"solution": example})
            _expect(not verdict.ok, f"level {level} seed {seed}: the card's format example is a valid answer")


CHECKS: tuple[tuple[str, Callable[[Problem], None]], ...] = (
    ("card matches the problem", _card_matches),
    ("generation is pure and planted certificates verify", _pure_and_planted),
    ("records round-trip; tampering is detected", _round_trip),
    ("the exact solver agrees with the verifier", _solver_agrees),
    ("wrong and odd answers are rejected with a code", _rejects_wrong_answers),
    ("baselines, renders and far levels", _baselines_and_render),
    ("no-instances are proved and graded", _no_instances),
    ("tight bounds sit at the proved optimum", _tight_bounds),
    ("the format example is never a valid answer", _format_example_is_wrong),
)


def check_problem(problem: Problem | str, *, raise_on_failure: bool = True) -> ContractReport:
    """Run every contract check on ``problem`` (an object, registered here if need be, or a registered id)."""
    if isinstance(problem, str):
        problem = get_problem(problem)
    else:
        register(problem)
    checks = []
    for name, run in CHECKS:
        try:
            run(problem)
        except _Failed as failure:
            checks.append(Check(name, False, str(failure)))
        except Exception as error:  # noqa: BLE001 - a check that raises is a failed check, reported as such
            checks.append(Check(name, False, f"raised {type(error).__name__}: {error}"))
        else:
            checks.append(Check(name, True))
    report = ContractReport(problem.id, checks)
    if raise_on_failure and not report.ok:
        raise ContractError(str(report))
    return report
