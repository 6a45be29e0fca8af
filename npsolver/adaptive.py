"""Adaptive runs (``nppc run --adaptive``): find each problem's ceiling level with a fraction of the calls.

Per (model, problem) the run keeps a posterior of the logistic accuracy curve (:mod:`npsolver.ceiling`:
the model, its prior and the design rule), and repeats:

1. from the answers of the problem's **complete** steps (every call has a final record), compute the
   posterior of the ceiling c (the level where accuracy crosses 50%);
2. stop when its 95% interval is narrower than ``ceiling_width`` (``width``), lies below level 1
   (``below_level_1``) or above ``max_level - 1`` (``above_max_level``), or when one more batch would
   pass ``budget`` calls (``budget``; so a run never exceeds its budget);
3. otherwise choose the level by the design rule, take the next ``batch`` unused instances of that
   level, record the decision (:mod:`npsolver.adaptive_log`), and ask them through the normal runner.

The problems advance in rounds, one step each, so the runner's concurrency spans all problems.
Instance number i of a level is ``(seed = seeds[i % len(seeds)], index = i // len(seeds))``, a no-instance
when ``floor((i + 1) f) > floor(i f)`` for ``no_fraction`` f (an exact share in every prefix).

Resuming: every decision is a pure function of the answers of earlier steps, and a recorded step is
finished before a new one is decided, so a run killed at any moment and started again with the same
command makes the same decisions and reaches the same result. The run id hashes the model, sampling,
prompting, problems, seeds and the decision rule (batch, max level, priors, design version), but not
the stopping rule: rerunning with a larger ``budget`` or a smaller ``ceiling_width`` continues the run.
:func:`replay` recomputes every recorded decision from the stored answers, for audits.
"""

from __future__ import annotations

import functools
import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from npgym.cards import ParamError
from npgym.engine import DEFAULT_TIME_LIMIT, GenerationError, generate
from npgym.instance import NO, YES, Instance
from npgym.prompt import TEMPLATE_VERSION
from npgym.registry import get_problem
from npsolver.adapters import Adapter, Sampling, make_adapter
from npsolver.adaptive_log import AdaptiveLog, Step
from npsolver.api import git_commit
from npsolver.errors import RetryPolicy
from npsolver.plan import PlannedRun, build_tasks, identity_address
from npsolver.runner import RunSettings, RunSummary, run_tasks
from npsolver.secrets import Redactor, strip_url_credentials
from npsolver.store import FINAL_STATUSES, Store

DESIGN_VERSION = "logistic-grid-v1"
WIDTH, BUDGET, BELOW, ABOVE = "width", "budget", "below_level_1", "above_max_level"


@dataclass(frozen=True)
class AdaptiveSettings:
    """The decision rule (``batch``, ``max_level``) and the stopping rule (``budget``, ``ceiling_width``)."""

    budget: int = 180  # calls per problem: a fifth of the reference grid (10 levels x 90 instances)
    ceiling_width: float = 1.0
    batch: int = 10  # instances per step
    max_level: int = 100

    def __post_init__(self) -> None:
        for name in ("budget", "batch", "max_level"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"--{name.replace('_', '-')} must be an integer of at least 1, got {value!r}")
        if not self.ceiling_width > 0:
            raise ValueError(f"--ceiling-width must be above 0, got {self.ceiling_width}")


@dataclass(frozen=True)
class AdaptivePlan(PlannedRun):
    """Everything an adaptive run needs before its first decision."""

    adapter: Adapter
    problems: tuple[str, ...]
    seeds: tuple[int, ...]
    no_fraction: float
    shots: int
    samples: int
    settings: AdaptiveSettings
    identity: dict[str, Any]
    api_base: str | None = None
    time_limit: float = DEFAULT_TIME_LIMIT

    def prior(self, problem: str):
        """The ceiling prior of ``problem``: its card's top level and the highest level allowed."""
        from npsolver.ceiling import Prior

        return Prior(top=self.identity["adaptive"]["tops"][problem], max_level=self.settings.max_level)


@dataclass(frozen=True)
class ProblemOutcome:
    """Where one problem stands: its stop reason (None while it still runs), calls, steps, posterior."""

    problem: str
    stop_reason: str | None
    calls: int
    steps: int
    posterior: dict[str, float]


@dataclass(frozen=True)
class AdaptiveResult:
    """What an adaptive run did: its run id and store, each problem's outcome and every round."""

    run_id: str
    store: Path
    outcomes: dict[str, ProblemOutcome]
    rounds: list[RunSummary] = field(default_factory=list)
    stopped: str | None = None  # why the run ended before every problem stopped
    signal: int | None = None

    @property
    def complete(self) -> bool:
        """Whether every problem has stopped (so a rerun has nothing left to ask)."""
        return all(outcome.stop_reason for outcome in self.outcomes.values())

    @property
    def calls(self) -> int:
        """Model calls made, over every problem."""
        return sum(outcome.calls for outcome in self.outcomes.values())


def plan_adaptive(model: str, *, problems: Sequence[str], seeds: Sequence[int] = (0,), no_fraction: float = 0.0,
                  shots: int = 1, samples: int = 1, sampling: Sampling | None = None, api_base: str | None = None,
                  api_key_env: str | None = None, timeout: float = 300.0, any_address: bool = False,
                  budget: int = 180, ceiling_width: float = 1.0, batch: int = 10, max_level: int = 100,
                  time_limit: float = DEFAULT_TIME_LIMIT) -> AdaptivePlan:
    """Check the options, make the adapter and name the run (one-line ``ValueError`` on bad input)."""
    settings = AdaptiveSettings(budget, ceiling_width, batch, max_level)
    if not problems:
        raise ValueError("--adaptive needs --problems (ids, all or core)")
    if not seeds:
        raise ValueError("--seeds is empty: give at least one seed")
    if not 0.0 <= no_fraction <= 1.0:
        raise ValueError(f"--no-fraction must be in [0, 1], got {no_fraction}")
    if shots < 0 or samples < 1:
        raise ValueError(f"--shots must be >= 0 and --samples >= 1, got {shots} and {samples}")
    problems = tuple(dict.fromkeys(problems))
    cards = {problem: get_problem(problem) for problem in problems}
    sampling = sampling or Sampling()
    adapter = make_adapter(model, sampling, api_base, api_key_env, timeout)
    adapter.prepare()
    identity = {"model": model, "api_base": identity_address(api_base, any_address), "sampling": sampling.to_dict(),
                "shots": shots, "samples": samples, "prompt_template": TEMPLATE_VERSION,
                "adaptive": {"design": DESIGN_VERSION, "problems": list(problems),
                             "versions": {p: cards[p].version for p in problems},
                             "tops": {p: cards[p].card.top_level for p in problems}, "seeds": list(seeds),
                             "no_fraction": no_fraction, "batch": batch, "max_level": max_level}}
    return AdaptivePlan(adapter, problems, tuple(seeds), no_fraction, shots, samples, settings, identity, api_base,
                        time_limit)


def nth_instance(problem: str, level: int, position: int, seeds: Sequence[int], no_fraction: float,
                 time_limit: float = DEFAULT_TIME_LIMIT) -> Instance:
    """Instance number ``position`` of ``level`` in an adaptive run (see the module docstring)."""
    seed, index = seeds[position % len(seeds)], position // len(seeds)
    if math.floor((position + 1) * no_fraction) > math.floor(position * no_fraction):
        try:
            return generate(problem, level, seed, index, label=NO, time_limit=time_limit)
        except (ParamError, GenerationError) as reason:
            print(f"warning: {problem} level {level} instance {position}: a yes-instance instead of a no-instance, "
                  f"because {reason}", file=sys.stderr)
    return generate(problem, level, seed, index, label=YES)


@functools.lru_cache(maxsize=512)
def _decide(prior, counts: tuple[tuple[int, int, int], ...], answers: int) -> tuple[dict[str, float], int,
                                                                                    dict[int, float], float]:
    """Posterior summary, chosen level, candidates and P(c < 1) for sorted (level, correct, attempts) counts.

    Cached because it is a pure function of its arguments and runs of one model share early histories.
    """
    from npsolver.ceiling import Posterior

    posterior = Posterior(prior, {level: (k, n) for level, k, n in counts})
    level, candidates = posterior.best_level(answers)
    return posterior.summary().to_dict(), level, candidates, posterior.mass_below(1.0)


def decision(prior, counts: dict[int, tuple[int, int]], answers: int) -> tuple[dict[str, float], int, dict[int, float]]:
    """The posterior summary before a step, the level the design rule picks, and every candidate's expected sd."""
    summary, level, candidates, _ = _decide(prior, tuple((lv, k, n) for lv, (k, n) in sorted(counts.items())),
                                            answers)
    return summary, level, candidates


def stop_reason(summary: dict[str, float], calls: int, next_calls: int, settings: AdaptiveSettings) -> str | None:
    """Why a problem stops here, or None to take another step (see the module docstring)."""
    if summary["ci_high"] - summary["ci_low"] < settings.ceiling_width:
        return WIDTH
    if summary["ci_high"] < 1:
        return BELOW
    if summary["ci_low"] > settings.max_level - 1:
        return ABOVE
    if calls + next_calls > settings.budget:
        return BUDGET
    return None


def final_answers(store: Store, run_id: str) -> dict[tuple[str, int], int]:
    """(instance_id, sample) -> 1 / 0 for every final record of the run (parse errors and the like count 0)."""
    marks = ", ".join("?" for _ in FINAL_STATUSES)
    rows = store.db.execute(f"SELECT instance_id, sample, correct FROM records WHERE run_id = ? AND status IN "
                            f"({marks})", (run_id, *FINAL_STATUSES))
    return {(row[0], row[1]): int(row[2] or 0) for row in rows}


def step_counts(step: Step, samples: int, answers: dict[tuple[str, int], int]) -> tuple[int, int] | None:
    """(correct, calls) of a step, or None while any of its calls lacks a final record."""
    keys = [(instance_id, sample) for instance_id in step.instance_ids for sample in range(samples)]
    if any(key not in answers for key in keys):
        return None
    return sum(answers[key] for key in keys), len(keys)


def load_instances(store: Store, ids: Sequence[str]) -> list[Instance]:
    """The stored instances with these ids, in that order."""
    marks = ", ".join("?" for _ in ids)
    rows = dict(store.db.execute(f"SELECT instance_id, record_json FROM instances WHERE instance_id IN ({marks})",
                                 tuple(ids)).fetchall())
    return [Instance.from_record(json.loads(rows[instance_id])) for instance_id in ids]


@dataclass
class _ProblemState:
    """The recorded steps of one problem and what its complete steps add up to."""

    problem: str
    steps: list[Step]
    counts: dict[int, tuple[int, int]] = field(default_factory=dict)
    calls: int = 0
    pending: Step | None = None  # a recorded step whose calls are not all final yet

    def tally(self, samples: int, answers: dict[tuple[str, int], int]) -> None:
        self.counts, self.calls, self.pending = {}, 0, None
        for step in self.steps:
            counted = step_counts(step, samples, answers)
            if counted is None:
                self.pending = step
                continue
            correct, calls = counted
            k, n = self.counts.get(step.level, (0, 0))
            self.counts[step.level] = (k + correct, n + calls)
            self.calls += calls

    def used_at(self, level: int) -> int:
        return sum(len(step.instance_ids) for step in self.steps if step.level == level)


def execute_adaptive(plan: AdaptivePlan, store: str | Path, *, concurrency: int = 8, max_attempts: int = 6,
                     retry_delay: float = 1.0, max_cost: float | None = None, progress: bool = True,
                     handle_signals: bool = False) -> AdaptiveResult:
    """Step every problem of ``plan`` until each stops (or a round leaves calls without a final record)."""
    Store.check_path(store)
    redactor = Redactor.from_environment(credential_variables=plan.adapter.credential_variables())
    config = redactor.value({**plan.identity, "adapter": plan.adapter.describe(), "concurrency": concurrency,
                             "max_attempts": max_attempts, "retry_delay_s": retry_delay, "max_cost": max_cost,
                             "api_base": strip_url_credentials(plan.api_base),
                             "stopping": {"budget": plan.settings.budget,
                                          "ceiling_width": plan.settings.ceiling_width}})
    settings = RunSettings(concurrency=concurrency, retry=RetryPolicy(max_attempts, retry_delay), max_cost=max_cost,
                           progress=False, handle_signals=handle_signals)
    rounds: list[RunSummary] = []
    with Store(store) as opened:
        opened.put_run(plan.run_id, plan.model, config, TEMPLATE_VERSION, _version(), git_commit())
        log = AdaptiveLog(opened)
        states = {problem: _ProblemState(problem, log.steps(plan.run_id, problem)) for problem in plan.problems}
        while True:
            answers = final_answers(opened, plan.run_id)
            tasks, outcomes = [], {}
            for problem, state in states.items():
                state.tally(plan.samples, answers)
                outcome, step = _advance(plan, opened, log, state)
                outcomes[problem] = outcome
                if step is not None:
                    tasks.extend(build_tasks(load_instances(opened, step.instance_ids), plan.shots, plan.samples))
            if progress:
                _print_round(len(rounds), outcomes, len(tasks))
            if not tasks:
                return AdaptiveResult(plan.run_id, Path(store), outcomes, rounds)
            summary = run_tasks(opened, plan.run_id, plan.adapter, tasks, settings, redactor)
            rounds.append(summary)
            halted = summary.stopped or ("--max-cost reached" if summary.stopped_by_cost else None)
            if halted or summary.incomplete:
                why = halted or f"{summary.incomplete} calls of this round have no final record (API errors)"
                return AdaptiveResult(plan.run_id, Path(store), outcomes, rounds, why, summary.signal)


def _advance(plan: AdaptivePlan, store: Store, log: AdaptiveLog,
             state: _ProblemState) -> tuple[ProblemOutcome, Step | None]:
    """The problem's next step to run (a pending one first, else a new decision), or its stop."""
    prior = plan.prior(state.problem)
    answers_per_step = plan.settings.batch * plan.samples
    summary, level, candidates = decision(prior, state.counts, answers_per_step)
    if state.pending is not None:
        return ProblemOutcome(state.problem, None, state.calls, len(state.steps), summary), state.pending
    reason = stop_reason(summary, state.calls, answers_per_step, plan.settings)
    outcome = ProblemOutcome(state.problem, reason, state.calls, len(state.steps), summary)
    if reason:
        log.put_result(plan.run_id, state.problem, reason, state.calls, len(state.steps), summary,
                       plan.settings.budget, plan.settings.ceiling_width)
        return outcome, None
    start = state.used_at(level)
    instances = [nth_instance(state.problem, level, start + offset, plan.seeds, plan.no_fraction, plan.time_limit)
                 for offset in range(plan.settings.batch)]
    store.put_instances(instance.to_record(with_key=True) for instance in instances)
    step = Step(plan.run_id, state.problem, len(state.steps), level, tuple(i.id for i in instances),
                len(instances) * plan.samples, state.calls, summary, candidates[level], candidates, DESIGN_VERSION)
    log.add_step(step)
    state.steps.append(step)
    return outcome, step


def _print_round(number: int, outcomes: dict[str, ProblemOutcome], calls: int) -> None:
    active = [o for o in outcomes.values() if not o.stop_reason]
    print(f"adaptive round {number}: {calls} calls for {len(active)} problems; {len(outcomes) - len(active)} stopped",
          file=sys.stderr, flush=True)


def _version() -> str:
    from npgym.cliargs import package_version

    return package_version()


def run_adaptive(model: str, store: str | Path, **options: Any) -> AdaptiveResult:
    """Plan and execute an adaptive run in one call: ``options`` of :func:`plan_adaptive` and
    :func:`execute_adaptive`."""
    execution = {name: options.pop(name) for name in list(options) if name in _EXECUTION_OPTIONS}
    return execute_adaptive(plan_adaptive(model, **options), store, **execution)


_EXECUTION_OPTIONS = ("concurrency", "max_attempts", "retry_delay", "max_cost", "progress", "handle_signals")


@dataclass(frozen=True)
class Mismatch:
    """A recorded decision that the stored answers do not reproduce."""

    problem: str
    step: int
    recorded_level: int
    replayed_level: int
    detail: str


def replay(store_path: str | Path, run_id: str) -> list[Mismatch]:
    """Recompute every recorded decision of ``run_id`` from the stored answers; the ones that differ."""
    from npsolver.ceiling import Prior

    with Store(store_path, readonly=True) as store:
        runs = {run["run_id"]: run for run in store.runs()}
        if run_id not in runs or "adaptive" not in runs[run_id]["config"]:
            raise ValueError(f"{store_path} holds no adaptive run {run_id}; see nppc report for the run ids")
        config = runs[run_id]["config"]
        rule = config["adaptive"]
        samples, answers = config["samples"], final_answers(store, run_id)
        steps = AdaptiveLog(store, create=False).steps(run_id)
    mismatches = []
    for problem in rule["problems"]:
        prior = Prior(top=rule["tops"][problem], max_level=rule["max_level"])
        counts: dict[int, tuple[int, int]] = {}
        for step in (s for s in steps if s.problem == problem):
            summary, level, _ = decision(prior, counts, rule["batch"] * samples)
            drift = max(abs(summary[name] - step.posterior[name]) for name in summary)
            if level != step.level or drift > 1e-9:
                mismatches.append(Mismatch(problem, step.step, step.level, level,
                                           f"posterior differs by up to {drift:.3g}"))
            counted = step_counts(step, samples, answers)
            if counted is None:
                break
            k, n = counts.get(step.level, (0, 0))
            counts[step.level] = (k + counted[0], n + counted[1])
    return mismatches
