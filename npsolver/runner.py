"""The runner: send every pending task to the model concurrently, grade each reply, write each record once.

* A fixed pool of ``concurrency`` workers pulls tasks one at a time, so memory does not grow with the
  size of the run and no more than ``concurrency`` requests are ever in flight.
* Each request is retried on its own (:class:`npsolver.errors.RetryPolicy`): one failing request
  never holds up or fails another. A request that fails for good becomes an ``api_error`` record,
  which the next run of the same command retries.
* A record is written in one transaction once it is final, so SIGKILL at any moment loses no
  finished record and duplicates none; finished keys are skipped on resume.
* A ``verifier_error`` record (a bug in nppc) is graded again from its stored reply on resume, without
  asking the model again.
* ``max_cost`` caps the known cost of the whole run, earlier invocations included: once it is reached
  no new request starts; requests in flight finish and are recorded (the run may overshoot by at most
  ``concurrency`` requests).
* Every text that reaches the store passes through the :class:`npsolver.secrets.Redactor`.
"""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Sequence

from npgym.extract import split_reasoning
from npsolver.adapters import MISSING, Adapter, Completion, Request
from npsolver.errors import ApiFailure, RetryPolicy, classify
from npsolver.grading import grade_reply
from npsolver.plan import Task
from npsolver.progress import Progress, Tally
from npsolver.secrets import Redactor
from npsolver.store import API_ERROR, VERIFIER_ERROR, Store


@dataclass(frozen=True)
class RunSettings:
    """How a run executes (none of it changes what is recorded, so none of it is in the run id)."""

    concurrency: int = 8
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    max_cost: float | None = None
    progress: bool = True
    progress_interval: float = 10.0


@dataclass(frozen=True)
class RunSummary:
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

    @property
    def incomplete(self) -> int:
        """Tasks without a final record: api errors, verifier errors, and tasks not started."""
        return self.total - self.skipped - self.done + self.statuses.get(API_ERROR, 0) + \
            self.statuses.get(VERIFIER_ERROR, 0)


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
    redactor = redactor or Redactor.from_environment()
    finished = store.finished_keys(run_id)
    pending = [task for task in tasks if task.key not in finished]
    for digest, text in {task.prompt_hash: task.prompt for task in pending}.items():
        store.put_prompt(digest, text)
    tally = Tally(total=len(tasks), skipped=len(tasks) - len(pending))
    progress = Progress(tally, interval=settings.progress_interval, enabled=settings.progress)
    progress.update(force=True)
    worker = _Worker(store, run_id, adapter, settings, redactor, tally, progress, store.run_cost(run_id),
                     store.records_with_status(run_id, VERIFIER_ERROR))
    queue = iter(pending)
    try:
        await asyncio.gather(*(worker.loop(queue) for _ in range(min(settings.concurrency, len(pending)) or 1)))
    finally:
        progress.close()
    return RunSummary(run_id, len(tasks), tally.skipped, tally.done, tally.correct, tally.graded, dict(tally.statuses),
                      tally.cost, tally.cost_unknown, tally.tokens, worker.stopped_by_cost,
                      time.perf_counter() - started)


class _Worker:
    """The shared state of the worker coroutines of one run."""

    def __init__(self, store: Store, run_id: str, adapter: Adapter, settings: RunSettings, redactor: Redactor,
                 tally: Tally, progress: Progress, earlier_cost: float, stored_replies: dict[tuple, dict]):
        self.store, self.run_id, self.adapter, self.settings = store, run_id, adapter, settings
        self.redactor, self.tally, self.progress = redactor, tally, progress
        self.earlier_cost = earlier_cost
        self.stored_replies = stored_replies  # verifier_error records: graded again, not asked again
        self.jitter = random.Random()  # timing only: never affects a recorded value
        self.stopped_by_cost = False

    def over_budget(self) -> bool:
        limit = self.settings.max_cost
        if limit is not None and self.earlier_cost + self.tally.cost >= limit:
            self.stopped_by_cost = True
        return self.stopped_by_cost

    async def loop(self, queue: Iterator[Task]) -> None:
        for task in queue:
            if self.over_budget():
                return
            stored = self.stored_replies.pop(task.key, None)
            if stored is None:
                record = await self.attempt(task)
                tokens = (record.get("prompt_tokens") or 0) + (record.get("completion_tokens") or 0)
                cost = record["cost_usd"]
            else:  # its tokens and cost were counted when it was asked
                record = self.graded_record(task, stored_completion(stored), stored["attempts"], stored["started_at"])
                tokens, cost = 0, 0.0
            self.store.put_record(record)
            self.tally.add(record["status"], record["correct"], tokens, cost)
            self.progress.update()

    async def attempt(self, task: Task) -> dict[str, Any]:
        """Call the model with retries; the finished record (graded or api_error)."""
        started_at = time.time()
        request = Request(task.prompt, task.instance, task.sample)
        policy = self.settings.retry
        attempt = 0
        while True:
            attempt += 1
            try:
                completion = await self.adapter.complete(request)
            except asyncio.CancelledError:
                raise
            except Exception as error:  # noqa: BLE001 - every failure is classified and recorded
                failure = classify(error)
                if failure.retryable and attempt < policy.max_attempts:
                    await asyncio.sleep(policy.delay(attempt, failure, self.jitter))
                    continue
                return self.failed_record(task, failure, attempt, started_at)
            return self.graded_record(task, completion, attempt, started_at)

    def base_record(self, task: Task, attempts: int, started_at: float) -> dict[str, Any]:
        instance = task.instance
        return {"run_id": self.run_id, "instance_id": instance.id, "sample": task.sample,
                "model": self.adapter.model, "problem": instance.problem, "problem_version": instance.version,
                "level": instance.level, "prompt_hash": task.prompt_hash, "attempts": attempts,
                "started_at": started_at, "finished_at": time.time()}

    def failed_record(self, task: Task, failure: ApiFailure, attempts: int, started_at: float) -> dict[str, Any]:
        return {**self.base_record(task, attempts, started_at), "status": API_ERROR, "correct": None,
                "code": failure.kind, "message": self.redactor.text(failure.message)[:2000],
                "cost_usd": None, "cost_source": MISSING}

    def graded_record(self, task: Task, completion: Completion, attempts: int, started_at: float) -> dict[str, Any]:
        outcome = grade_reply(task.instance, completion.text, completion.reasoning, completion.finish_reason,
                              task.prompt)
        clean = self.redactor.text
        return {**self.base_record(task, attempts, started_at), "status": outcome.status,
                "correct": outcome.correct, "code": outcome.code, "message": clean(outcome.message),
                "response_text": clean(completion.text), "reasoning_text": clean(outcome.reasoning),
                "finish_reason": completion.finish_reason, "answer_json": clean(outcome.answer_json),
                "objective": outcome.objective, "prompt_tokens": completion.prompt_tokens,
                "completion_tokens": completion.completion_tokens,
                "reasoning_tokens": completion.reasoning_tokens, "latency_s": round(completion.latency, 6),
                "cost_usd": completion.cost, "cost_source": completion.cost_source}


def stored_completion(record: dict[str, Any]) -> Completion:
    """The reply kept in a stored record, to grade it again without asking the model."""
    text = record["response_text"] or ""
    reasoning, own = record["reasoning_text"], split_reasoning(text)[1]
    if reasoning and own and reasoning.endswith(own):  # the reply's <think> blocks come back from the text itself
        reasoning = reasoning[:-len(own)].rstrip("\n") or None
    return Completion(text=text, reasoning=reasoning,
                      finish_reason=record["finish_reason"], prompt_tokens=record["prompt_tokens"],
                      completion_tokens=record["completion_tokens"], reasoning_tokens=record["reasoning_tokens"],
                      cost=record["cost_usd"], cost_source=record["cost_source"] or MISSING,
                      latency=record["latency_s"] or 0.0)
