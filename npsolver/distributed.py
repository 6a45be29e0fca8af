"""Runs on a Ray cluster: the tasks of a run are sent to Ray workers in chunks; one writer, the driver, stores them.

Each chunk runs the ordinary runner (:func:`npsolver.runner.run_tasks`: retries, grading, redaction)
inside its worker against a scratch store, and returns the finished records; the driver writes each
chunk's records in one transaction as it arrives. So the store has exactly one writer, a killed worker
loses only its chunk in flight (Ray runs it again; if that fails too, its tasks stay without a record
and the same command resumes them), and a killed driver loses nothing that was written. A run on Ray
and the same run on the local backend have the same run id and resume each other.

Workers rebuild the adapter from its description and read API keys from their own environment: keys
are never sent through Ray. Ray is the ``ray`` extra, imported only here and only when chosen.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from npgym.distributed import connect
from npsolver.adapters import Sampling, make_adapter
from npsolver.errors import RetryPolicy
from npsolver.plan import Task
from npsolver.records import RunRecord
from npsolver.runner import RunSettings, RunSummary, run_tasks
from npsolver.store import Store


@dataclass(frozen=True)
class AdapterSpec:
    """What a worker needs to rebuild the driver's adapter (never a key)."""

    model: str
    sampling: dict[str, Any]
    api_base: str | None
    api_key_env: str | None
    timeout: float

    def build(self):
        """The adapter this spec describes, built where it runs (on a Ray worker)."""
        return make_adapter(self.model, Sampling(**self.sampling), self.api_base, self.api_key_env, self.timeout)


def run_chunk(spec: AdapterSpec, run_id: str, tasks: Sequence[Task], concurrency: int, max_attempts: int,
              retry_delay: float) -> list[dict[str, Any]]:
    """One chunk, in a worker: the ordinary runner against a scratch store; the finished records' rows."""
    adapter = spec.build()
    settings = RunSettings(concurrency=concurrency, retry=RetryPolicy(max_attempts, retry_delay), progress=False)
    with tempfile.TemporaryDirectory(prefix="nppc-chunk-") as scratch:
        with Store(Path(scratch) / "chunk.sqlite") as part:
            part.put_run(run_id, spec.model, {}, "", "", None)
            part.put_instances(task.instance.to_record(with_key=True) for task in tasks)
            run_tasks(part, run_id, adapter, tasks, settings)
            return [record.to_row() for record in part.run_records(run_id)]


def execute_on_ray(store: Store, run_id: str, spec: AdapterSpec, tasks: Sequence[Task], settings: RunSettings, *,
                   address: str | None = None, chunk_size: int = 16, num_cpus: int | None = None) -> RunSummary:
    """Run the pending ``tasks`` of ``run_id`` on Ray, writing each returned chunk to ``store``."""
    started = time.perf_counter()
    regrade = [task for task in tasks if task.key in _regradable_keys(store, run_id, tasks)]
    if regrade:  # graded again from stored replies, locally: no model call
        run_tasks(store, run_id, spec.build(), regrade, RunSettings(progress=False))
    finished = store.finished_keys(run_id)
    pending = [task for task in tasks if task.key not in finished]
    ray = connect(address, num_cpus)
    remote = ray.remote(max_retries=2)(run_chunk)
    chunks = [pending[i:i + chunk_size] for i in range(0, len(pending), chunk_size)]
    in_flight: dict[Any, list[Task]] = {}
    window = max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
    written: list[RunRecord] = []
    lost = 0
    stopped_by_cost = False
    try:
        while chunks or in_flight:
            while chunks and len(in_flight) < window and not stopped_by_cost:
                if settings.max_cost is not None and store.run_cost(run_id) >= settings.max_cost:
                    stopped_by_cost = True
                    break
                chunk = chunks.pop(0)
                ref = remote.remote(spec, run_id, chunk, settings.concurrency, settings.retry.max_attempts,
                                    settings.retry.base_delay)
                in_flight[ref] = chunk
            if not in_flight:
                break
            [ready], _ = ray.wait(list(in_flight), num_returns=1)
            chunk = in_flight.pop(ready)
            try:
                rows = ray.get(ready)
            except Exception as error:  # noqa: BLE001 - a chunk whose workers died: its tasks resume later
                lost += len(chunk)
                print(f"ray: a chunk of {len(chunk)} tasks failed ({type(error).__name__}); rerun the same "
                      "command to resume them", file=sys.stderr)
                continue
            records = [RunRecord.from_row(row) for row in rows]
            store.put_records(records)
            written.extend(records)
            if settings.progress:
                print(f"ray: {len(finished) + len(written)}/{len(tasks)} records", file=sys.stderr, flush=True)
    except KeyboardInterrupt:
        for ref in in_flight:
            ray.cancel(ref, force=True)
        raise
    return summarise(run_id, tasks, finished, written, stopped_by_cost, time.perf_counter() - started, len(regrade))


def _regradable_keys(store: Store, run_id: str, tasks: Sequence[Task]) -> set[tuple[str, int]]:
    from npsolver.runner import regradable_replies

    return set(regradable_replies(store, run_id, tasks))


def summarise(run_id: str, tasks: Sequence[Task], finished: set, written: list[RunRecord], stopped_by_cost: bool,
              seconds: float, regraded: int) -> RunSummary:
    """A :class:`RunSummary` of the records a Ray run wrote."""
    statuses: dict[str, int] = {}
    failures: dict[str, tuple[int, str]] = {}
    for record in written:
        statuses[str(record.status)] = statuses.get(str(record.status), 0) + 1
        if not record.status.final and record.code:
            count, first = failures.get(record.code, (0, record.message or ""))
            failures[record.code] = (count + 1, first)
    graded = [r for r in written if r.correct is not None]
    known = [r.cost_usd for r in written if r.cost_usd is not None]
    return RunSummary(run_id, len(tasks), len(finished), len(written), sum(r.correct or 0 for r in graded), len(graded),
                      statuses, float(sum(known)), len(written) - len(known), sum(r.tokens for r in written),
                      stopped_by_cost, seconds, failures, None, None, regraded)


def spec_of(model: str, sampling: Sampling, api_base: str | None, api_key_env: str | None,
            timeout: float) -> AdapterSpec:
    """How a worker elsewhere rebuilds the adapter of these settings (picklable, no key)."""
    return AdapterSpec(model, asdict(sampling), api_base, api_key_env, timeout)
