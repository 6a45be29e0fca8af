"""The runner: send every pending task to the model concurrently, grade each reply, write each record once.

* A fixed pool of ``concurrency`` workers pulls tasks one at a time, so memory does not grow with the
  size of the run and no more than ``concurrency`` requests are ever in flight.
* Each request is retried on its own (:class:`npsolver.errors.RetryPolicy`): one failing request
  never holds up or fails another. A request that fails for good becomes an ``api_error`` record,
  which the next run of the same command retries. A failure that every request would share (``auth``:
  the key is missing or wrong; ``not_found``: no such model) stops the run after its first record, as
  does a local server whose process has died (``health_check``).
* A record is written in one transaction once it is final, so SIGKILL at any moment loses no
  finished record and duplicates none; finished keys are skipped on resume.
* SIGINT / SIGTERM (with ``handle_signals``) stop starting requests; requests in flight get ``grace``
  seconds to finish (a second signal ends them at once), then are cancelled and leave no record.
* A ``verifier_error`` record (a bug in nppc) is graded again from its stored reply on resume, without
  asking the model again, and so is an ``unsettled`` record (a "no solution" claim graded without the
  answer key) once the key is given.
* ``max_cost`` caps the known cost of the whole run, earlier invocations included: once it is reached
  no new request starts; requests in flight finish and are recorded (the run may overshoot by at most
  ``concurrency`` requests).
* Every text that reaches the store passes through the :class:`npsolver.secrets.Redactor`.
"""

from __future__ import annotations

import asyncio
import random
import signal
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from npgym.extract import split_reasoning
from npgym.instance import UNSETTLED as UNKNOWN_LABEL
from npgym.verdict import UNSETTLED
from npsolver.adapters import MISSING, Adapter, Completion, Request
from npsolver.errors import RUN_WIDE, ApiFailure, Interrupted, RetryPolicy, classify
from npsolver.grading import grade_reply
from npsolver.plan import Task
from npsolver.progress import Progress, Tally
from npsolver.records import RunRecord, Status
from npsolver.secrets import Redactor
from npsolver.store import Store


@dataclass(frozen=True)
class RunSettings:
    """How a run executes (none of it changes what is recorded, so none of it is in the run id)."""

    concurrency: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_cost: float | None = None
    progress: bool = True
    progress_interval: float = 10.0
    handle_signals: bool = False  # SIGINT / SIGTERM stop the run cleanly (the command line sets it)
    grace: float = 5.0  # seconds requests in flight get to finish after a stop
    health_check: Callable[[], str | None] | None = None  # why the server is gone, or None while it is up
    track: Any = None  # a CodeTrack / FeedbackTrack (npsolver.tracks) runs each task as an episode; None: plain


@dataclass(frozen=True)
class RunSummary:
    """What a run did: records done and skipped, statuses, accuracy, cost and why it stopped."""

    run_id: str
    total: int
    skipped: int
    done: int
    correct: int
    graded: int
    statuses: dict[str, int]
    cost: float
    cost_unknown: int
    tokens: int
    stopped_by_cost: bool
    seconds: float
    failures: dict[str, tuple[int, str]] = field(default_factory=dict)  # api error kind: (count, a message)
    stopped: str | None = None  # why the run stopped before every task had a final record
    signal: int | None = None  # the signal that interrupted it
    regraded: int = 0  # stored replies graded again (verifier errors, claims that waited for a key)

    @property
    def incomplete(self) -> int:
        """Tasks without a final record: api errors, verifier errors, and tasks not started."""
        return self.total - self.skipped - self.done + self.statuses.get(Status.API_ERROR, 0) + \
            self.statuses.get(Status.VERIFIER_ERROR, 0)


def run_tasks(store: Store, run_id: str, adapter: Adapter, tasks: Sequence[Task], settings: RunSettings,
              redactor: Redactor | None = None) -> RunSummary:
    """Run every task of ``run_id`` that has no final record yet (blocking; see :func:`execute`)."""
    return asyncio.run(execute(store, run_id, adapter, tasks, settings, redactor))


async def execute(store: Store, run_id: str, adapter: Adapter, tasks: Sequence[Task], settings: RunSettings,
                  redactor: Redactor | None = None) -> RunSummary:
    """Send the pending tasks through ``concurrency`` workers; each record is stored once it is final."""
    if settings.concurrency < 1:
        raise ValueError(f"--concurrency must be at least 1, got {settings.concurrency}")
    adapter.prepare()
    started = time.perf_counter()
    redactor = redactor or Redactor.from_environment(credential_variables=adapter.credential_variables())
    stored = regradable_replies(store, run_id, tasks)
    finished = store.finished_keys(run_id) - set(stored)
    pending = [task for task in tasks if task.key not in finished]
    for digest, text in {task.prompt_hash: task.prompt for task in pending}.items():
        store.put_prompt(digest, text)
    tally = Tally(total=len(tasks), skipped=len(tasks) - len(pending))
    progress = Progress(tally, interval=settings.progress_interval, enabled=settings.progress)
    progress.update(force=True)
    worker = _Worker(store, run_id, adapter, settings, redactor, tally, progress, store.run_cost(run_id), stored)
    queue = iter(pending)
    loop = asyncio.get_running_loop()
    handled = _install_signal_handlers(loop, worker) if settings.handle_signals else ()
    try:
        workers = [asyncio.ensure_future(worker.loop(queue))
                   for _ in range(min(settings.concurrency, len(pending)) or 1)]
        await worker.until_done_or_stopped(workers)
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)
        progress.close()
    return RunSummary(run_id, len(tasks), tally.skipped, tally.done, tally.correct, tally.graded, dict(tally.statuses),
                      tally.cost, tally.cost_unknown, tally.tokens, worker.stopped_by_cost,
                      time.perf_counter() - started, dict(tally.failures), worker.stop_reason, worker.signal,
                      worker.regraded)


def regradable_replies(store: Store, run_id: str, tasks: Sequence[Task]) -> dict[tuple[str, int], RunRecord]:
    """Stored replies to grade again without asking: verifier errors, and unsettled claims now keyed."""
    keyed = {task.key for task in tasks if task.instance.label != UNKNOWN_LABEL}
    replies = store.records_with_status(run_id, Status.VERIFIER_ERROR)
    replies.update((key, record) for key, record in store.records_with_code(run_id, UNSETTLED).items()
                   if key in keyed)
    return replies


def _install_signal_handlers(loop: asyncio.AbstractEventLoop, worker: _Worker) -> tuple[int, ...]:
    """SIGINT and SIGTERM stop the run (on platforms whose event loop supports signal handlers)."""
    installed = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, worker.interrupt, signum)
        except (NotImplementedError, RuntimeError):  # not the main thread, or no support (Windows)
            continue
        installed.append(signum)
    return tuple(installed)


class _Worker:
    """The shared state of the worker coroutines of one run."""

    def __init__(self, store: Store, run_id: str, adapter: Adapter, settings: RunSettings, redactor: Redactor,
                 tally: Tally, progress: Progress, earlier_cost: float,
                 stored_replies: dict[tuple[str, int], RunRecord]):
        self.store, self.run_id, self.adapter, self.settings = store, run_id, adapter, settings
        self.redactor, self.tally, self.progress = redactor, tally, progress
        self.earlier_cost = earlier_cost
        self.stored_replies = stored_replies  # graded again, not asked again
        self.jitter = random.Random()  # timing only: never affects a recorded value
        self.stopped_by_cost = False
        self.stop = asyncio.Event()
        self.stop_reason: str | None = None
        self.signal: int | None = None
        self.in_flight = 0
        self.regraded = 0

    def halt(self, reason: str) -> None:
        """Start no new request: ``reason`` says why (the first reason given is kept)."""
        if not self.stop.is_set():
            self.stop_reason = reason
            self.stop.set()
            interrupt = getattr(self.adapter, "interrupt", None)
            if self.signal is not None and interrupt:
                interrupt()

    def interrupt(self, signum: int) -> None:
        """A signal handler: the first signal stops the run, a second one ends requests in flight now."""
        name = signal.Signals(signum).name
        if self.stop.is_set() and self.signal is not None:
            print(f"\n{name} again: cancelling {self.in_flight} requests in flight", file=sys.stderr, flush=True)
            self.grace_over.set()
            return
        self.signal = signum
        print(f"\n{name}: starting no new requests; {self.in_flight} in flight get up to {self.settings.grace:g}s "
              f"to finish ({name} again to cancel them now)", file=sys.stderr, flush=True)
        self.halt(f"interrupted by {name}")

    async def until_done_or_stopped(self, workers: Sequence[asyncio.Future[None]]) -> None:
        """Wait for the workers; after a stop give requests in flight ``grace`` seconds, then cancel them."""
        self.grace_over = asyncio.Event()
        everything: asyncio.Future[Any] = asyncio.gather(*workers)
        stopped: asyncio.Future[Any] = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait({everything, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not everything.done():
                grace_over: asyncio.Future[Any] = asyncio.ensure_future(self.grace_over.wait())
                await asyncio.wait({everything, grace_over}, timeout=self.settings.grace,
                                   return_when=asyncio.FIRST_COMPLETED)
                grace_over.cancel()
                if not everything.done():
                    for future in workers:
                        future.cancel()
            await asyncio.gather(everything, return_exceptions=True)
            for future in workers:  # a worker's own exception (a bug) must not pass silently
                error = future.exception() if future.done() and not future.cancelled() else None
                if error is not None:
                    raise error
        finally:
            stopped.cancel()

    def over_budget(self) -> bool:
        limit = self.settings.max_cost
        if limit is not None and self.earlier_cost + self.tally.cost >= limit:
            self.stopped_by_cost = True
        return self.stopped_by_cost

    async def loop(self, queue: Iterator[Task]) -> None:
        for task in queue:
            if self.stop.is_set() or self.over_budget():
                return
            stored = self.stored_replies.pop(task.key, None)
            if stored is None:
                self.in_flight += 1
                try:
                    attempted = await self.attempt(task)
                finally:
                    self.in_flight -= 1
                if attempted is None:  # stopped before the request was final: nothing to record
                    return
                record, turns = attempted
                tokens, cost = record.tokens, record.cost_usd
            else:  # its tokens and cost were counted when it was asked; its turns stay as stored
                record = self.graded_record(task, stored_completion(stored), stored.attempts, stored.started_at,
                                            episode_fields=track_fields(stored))
                tokens, cost, turns = 0, 0.0, None
                self.regraded += 1
            self.store.put_record(record, turns)
            self.tally.add(record.status, record.correct, tokens, cost, record.code, record.message)
            self.progress.update()

    async def attempt(self, task: Task) -> tuple[RunRecord, list | None] | None:
        """Call the model with retries; the finished record (graded or api_error) and its episode's turns,
        or None if stopped first."""
        started_at = time.time()
        request = Request(task.prompt, task.instance, task.sample)
        policy = self.settings.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                episode = await self.settings.track.run(self.adapter, request) if self.settings.track else None
                completion = episode.final if episode else await self.adapter.complete(request)
            except asyncio.CancelledError:
                raise
            except Interrupted:
                return None
            except Exception as error:  # noqa: BLE001 - every failure is classified and recorded
                failure = classify(error)
                if failure.kind in RUN_WIDE:
                    self.halt(f"{failure.kind}: {self.redactor.text(failure.message)}")
                    return self.failed_record(task, failure, attempt, started_at), None
                gone = self.settings.health_check() if self.settings.health_check and failure.retryable else None
                if gone:
                    self.halt(gone)
                    return self.failed_record(task, failure, attempt, started_at), None
                if failure.retryable and attempt < policy.max_attempts:
                    if await self.wait_unless_stopped(policy.delay(attempt, failure, self.jitter)):
                        return None
                    continue
                return self.failed_record(task, failure, attempt, started_at), None
            if episode is None:
                return self.graded_record(task, completion, attempt, started_at), None
            record = self.graded_record(task, completion, attempt, started_at, episode.grading_prompt,
                                        episode.record_fields(self.settings.track.name))
            return record, episode.turn_records(self.run_id, task.instance.id, task.sample, self.redactor.text)

    async def wait_unless_stopped(self, seconds: float) -> bool:
        """Sleep ``seconds``; True if the run was stopped meanwhile."""
        try:
            await asyncio.wait_for(self.stop.wait(), timeout=seconds)
        except asyncio.TimeoutError:
            return False
        return True

    def base_fields(self, task: Task, attempts: int, started_at: float | None) -> dict[str, Any]:
        instance = task.instance
        return {"run_id": self.run_id, "instance_id": instance.id, "sample": task.sample,
                "model": self.adapter.model, "problem": instance.problem, "problem_version": instance.version,
                "level": instance.level, "prompt_hash": task.prompt_hash, "attempts": attempts,
                "started_at": started_at, "finished_at": time.time()}

    def failed_record(self, task: Task, failure: ApiFailure, attempts: int, started_at: float) -> RunRecord:
        return RunRecord(**self.base_fields(task, attempts, started_at), status=Status.API_ERROR, correct=None,
                         code=failure.kind, message=(self.redactor.text(failure.message) or "")[:2000],
                         cost_usd=None, cost_source=MISSING)

    def graded_record(self, task: Task, completion: Completion, attempts: int, started_at: float | None,
                      prompt: str | None = None, episode_fields: dict[str, Any] | None = None) -> RunRecord:
        """The graded record of a reply to ``prompt`` (default: the task's; an episode's final reply answers more).

        ``episode_fields`` are the track fields of an episode (default: those of one plain reply); the
        answer is solved at the episode's last reply or not at all, since an episode ends once solved.
        """
        outcome = grade_reply(task.instance, completion.text, completion.reasoning, completion.finish_reason,
                              prompt or task.prompt)
        clean = self.redactor.text
        return RunRecord(**self.base_fields(task, attempts, started_at), status=outcome.status,
                         correct=outcome.correct, code=outcome.code, message=clean(outcome.message),
                         response_text=clean(completion.text), reasoning_text=clean(outcome.reasoning),
                         finish_reason=completion.finish_reason, answer_json=clean(outcome.answer_json),
                         objective=outcome.objective, prompt_tokens=completion.prompt_tokens,
                         completion_tokens=completion.completion_tokens, reasoning_tokens=completion.reasoning_tokens,
                         latency_s=round(completion.latency, 6), cost_usd=completion.cost,
                         cost_source=completion.cost_source,
                         **solved(episode_fields or PLAIN_FIELDS, outcome.correct))


PLAIN_FIELDS = {"track": "plain", "turns": 1, "tool_calls": 0}
EPISODE_FIELDS = ("track", "turns", "tool_calls", "tool_cpu_s", "tool_wall_s")


def solved(fields: dict[str, Any], correct: int | None) -> dict[str, Any]:
    """An episode's record fields with the turn it was solved on (None if it was not)."""
    return {**fields, "solved_turn": fields["turns"] if correct else None}


def track_fields(record: RunRecord) -> dict[str, Any] | None:
    """The episode fields of a stored record, kept when its reply is graded again (None: a plain record)."""
    if record.track in (None, "plain"):
        return None
    return {name: getattr(record, name) for name in EPISODE_FIELDS}


def stored_completion(record: RunRecord) -> Completion:
    """The reply kept in a stored record, to grade it again without asking the model."""
    text = record.response_text or ""
    reasoning, own = record.reasoning_text, split_reasoning(text)[1]
    if reasoning and own and reasoning.endswith(own):  # the reply's <think> blocks come back from the text itself
        reasoning = reasoning[:-len(own)].rstrip("\n") or None
    return Completion(text=text, reasoning=reasoning, finish_reason=record.finish_reason,
                      prompt_tokens=record.prompt_tokens, completion_tokens=record.completion_tokens,
                      reasoning_tokens=record.reasoning_tokens, cost=record.cost_usd,
                      cost_source=record.cost_source or MISSING, latency=record.latency_s or 0.0)
