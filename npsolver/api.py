"""The Python API of ``nppc run``: plan a run, execute it into a store, get a typed result back.

>>> from npsolver import run_model
>>> result = run_model("baseline/exact", "runs.sqlite", problems=["three_sat"], levels=[1, 2], count=5)
>>> result.run_id, result.accuracy, result.final        # doctest: +SKIP

:func:`plan_run` does the work that needs no model (choose or read the instances, build the prompts,
name the run); :func:`execute_plan` asks the model and writes the store. The command line is a thin
layer over the two, so a run made from Python and the same run made from the shell share one run id
and resume each other.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from npgym.cliargs import package_version
from npgym.engine import DEFAULT_TIME_LIMIT
from npgym.instance import Instance
from npgym.prompt import TEMPLATE_VERSION
from npgym.registry import get_problem
from npgym.testset import read_testset
from npsolver.adapters import Adapter, Sampling, make_adapter
from npsolver.distributed import AdapterSpec, execute_on_ray, spec_of
from npsolver.errors import RetryPolicy
from npsolver.plan import PlannedRun, Task, build_tasks, generate_targets, in_shard, run_identity, unique
from npsolver.runner import RunSettings, RunSummary, run_tasks
from npsolver.secrets import Redactor, strip_url_credentials
from npsolver.store import Store
from npsolver.tracks import Track, TrackOptions, check_hidden, prepare_track


@dataclass(frozen=True)
class RunPlan(PlannedRun):
    """Everything a run will ask, before any request: the adapter, the instances, the prompts, the run id."""

    adapter: Adapter
    targets: list[Instance]
    tasks: list[Task]
    identity: dict[str, Any]
    selection: dict[str, Any]
    api_base: str | None = None
    spec: AdapterSpec | None = None  # how a worker elsewhere rebuilds the adapter
    track: Track | None = None  # None: the plain track

    def shard(self, part: int, parts: int) -> RunPlan:
        """The same run (same run id) restricted to shard ``part`` of ``parts``; merge the stores afterwards."""
        return replace(self, tasks=[task for task in self.tasks if in_shard(task, part, parts)])

    @property
    def unkeyed(self) -> int:
        """Instances without an answer key ("no solution" claims on them are graded ``unsettled``)."""
        return sum(1 for target in self.targets if target.label == "unknown")


@dataclass(frozen=True)
class RunResult:
    """What :func:`execute_plan` did, and where the records are."""

    summary: RunSummary
    final: int  # final records of the run in the store, earlier invocations included
    store: Path
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        """The id of the run."""
        return self.summary.run_id

    @property
    def accuracy(self) -> float | None:
        """Correct / graded over the records made by this call (None if it graded none)."""
        return self.summary.correct / self.summary.graded if self.summary.graded else None

    @property
    def complete(self) -> bool:
        """Every task of the run has a final record."""
        return self.final == self.summary.total


def plan_run(model: str, *, problems: Sequence[str] | None = None, levels: Sequence[int] | None = None,
             seeds: Sequence[int] = (0,), count: int = 5, no_fraction: float = 0.0, tight: bool = False,
             time_limit: float = DEFAULT_TIME_LIMIT, testset: str | Path | None = None, keys: str | Path | None = None,
             shots: int = 1, samples: int = 1, sampling: Sampling | None = None, api_base: str | None = None,
             api_key_env: str | None = None, timeout: float = 300.0, any_address: bool = False,
             track: TrackOptions | None = None) -> RunPlan:
    """Choose the instances (generated, or read from ``testset``), build the prompts and name the run.

    ``track`` asks for the code or feedback track (:mod:`npsolver.tracks`; default plain). Fails with
    a one-line ``ValueError`` on a bad model string, a missing key, a bad selection, or a track that
    cannot run (no sandbox, no answer key).
    """
    sampling = sampling or Sampling()
    adapter = make_adapter(model, sampling, api_base, api_key_env, timeout)
    adapter.prepare()
    targets, selection = select_targets(problems, levels, seeds, count, no_fraction, tight, time_limit, testset, keys)
    tasks = build_tasks(targets, shots, samples)
    identity = run_identity(model, api_base, sampling, shots, samples, targets, any_address)
    prepared = prepare_track(track or TrackOptions(), adapter, targets)
    if prepared is not None:
        check_hidden(prepared, [str(testset) if testset else None, str(keys) if keys else None])
        tasks = [task.with_prompt(prepared.prompt(task.prompt)) for task in tasks]
        identity.update(prepared.identity())
    return RunPlan(adapter, targets, tasks, identity, selection, api_base,
                   spec_of(model, sampling, api_base, api_key_env, timeout), prepared)


def select_targets(problems: Sequence[str] | None, levels: Sequence[int] | None, seeds: Sequence[int], count: int,
                   no_fraction: float, tight: bool, time_limit: float, testset: str | Path | None,
                   keys: str | Path | None) -> tuple[list[Instance], dict[str, Any]]:
    """The target instances and a description of how they were chosen."""
    if testset:
        if problems or levels:
            raise ValueError("give either --testset or --problems/--levels, not both")
        targets = unique(read_testset(str(testset), str(keys) if keys else None))
        chosen: dict[str, Any] = {"testset": Path(testset).name, "keys": Path(keys).name if keys else None}
    else:
        if not problems or not levels:
            raise ValueError("give --problems and --levels (or --testset)")
        for problem_id in problems:
            get_problem(problem_id)
        targets = generate_targets(list(problems), list(levels), list(seeds), count, no_fraction, tight, time_limit)
        chosen = {"problems": list(problems), "levels": list(levels), "seeds": list(seeds), "count": count,
                  "no_fraction": no_fraction, "tight": tight}
    if not targets:
        raise ValueError("no instances selected")
    return targets, chosen


def execute_plan(plan: RunPlan, store: str | Path, *, concurrency: int = 8, max_attempts: int = 6,
                 retry_delay: float = 1.0, max_cost: float | None = None, progress: bool = True,
                 handle_signals: bool = False, health_check: Callable[[], str | None] | None = None,
                 backend: str = "local", address: str | None = None, chunk_size: int = 16) -> RunResult:
    """Ask the model every task of ``plan`` that has no final record in ``store`` yet, and record each reply.

    ``backend="ray"`` sends the tasks to a Ray cluster (``address``, or a local one) in chunks of
    ``chunk_size``, ``concurrency`` requests in flight per chunk (:mod:`npsolver.distributed`).
    """
    if backend not in BACKENDS:
        raise ValueError(f"--backend {backend!r}: choose one of {', '.join(BACKENDS)}")
    if backend == "ray" and plan.track is not None:
        raise ValueError("--backend ray runs the plain track only: drop --track, or run the track locally "
                         "(--shard I/N splits it over machines)")
    Store.check_path(store)
    check_hidden(plan.track, [str(store)])
    redactor = Redactor.from_environment(credential_variables=plan.adapter.credential_variables())
    config = redactor.value({**plan.identity, "selection": plan.selection, "adapter": plan.adapter.describe(),
                             **({"track_settings": plan.track.describe()} if plan.track else {}),
                             "concurrency": concurrency, "max_attempts": max_attempts, "retry_delay_s": retry_delay,
                             "max_cost": max_cost, "api_base": strip_url_credentials(plan.api_base)})
    settings = RunSettings(concurrency=concurrency, retry=RetryPolicy(max_attempts, retry_delay), max_cost=max_cost,
                           progress=progress, handle_signals=handle_signals, health_check=health_check,
                           track=plan.track)
    with Store(store) as opened:
        opened.put_run(plan.run_id, plan.model, config, TEMPLATE_VERSION, package_version(), git_commit())
        opened.put_instances(target.to_record(with_key=True) for target in plan.targets)
        if backend == "ray":
            if plan.spec is None:
                raise ValueError("a run on Ray needs the plan's adapter spec: make the plan with plan_run")
            summary = execute_on_ray(opened, plan.run_id, plan.spec, plan.tasks, settings, address=address,
                                     chunk_size=chunk_size)
        else:
            summary = run_tasks(opened, plan.run_id, plan.adapter, plan.tasks, settings, redactor)
        final = opened.final_count(plan.run_id)
    return RunResult(summary, final, Path(store))


def run_model(model: str, store: str | Path, **options: Any) -> RunResult:
    """Plan and execute a run in one call: ``options`` are those of :func:`plan_run` and :func:`execute_plan`."""
    execution = {name: options.pop(name) for name in list(options) if name in _EXECUTION_OPTIONS}
    return execute_plan(plan_run(model, **options), store, **execution)


_EXECUTION_OPTIONS = ("concurrency", "max_attempts", "retry_delay", "max_cost", "progress", "handle_signals",
                      "health_check", "backend", "address", "chunk_size")
BACKENDS = ("local", "ray")


def git_commit() -> str | None:
    """The commit of the source tree this package runs from, if it is a git checkout."""
    try:
        result = subprocess.run(["git", "rev-parse", "HEAD"], cwd=Path(__file__).resolve().parent,
                                capture_output=True, text=True, timeout=5)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None if result.returncode == 0 else None
