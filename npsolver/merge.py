"""Joining run stores: the parts of a sharded run (``--shard i/n``, Ray workers, Slurm arrays) into one.

Runs, instances and prompts are copied once each (an instance stored without its answer key gets
the key when another part has it). Records are deduplicated by (run, instance, sample); when two
parts hold the same key, the record kept is chosen by a rule that does not depend on the order of
the parts: a final record beats an API or verifier error, then the earlier finish wins, then the
smaller content. Merging a store into itself, or the same parts twice, changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from npsolver.records import RunRecord
from npsolver.store import Store


@dataclass(frozen=True)
class MergeSummary:
    """What a merge did: stores and runs read, records read, written and dropped as duplicates."""

    sources: int
    runs: int
    records_read: int
    records_written: int
    duplicates: int


def preference(record: RunRecord) -> tuple:
    """Sort key of the record to keep among records of one key (smallest wins)."""
    return (not record.status.final, record.finished_at if record.finished_at is not None else float("inf"),
            json.dumps(record.to_row(), sort_keys=True, default=str))


def merge_stores(sources: Iterable[str | Path], out: str | Path) -> MergeSummary:
    """Merge every store in ``sources`` into ``out`` (created if missing; its own records take part too)."""
    paths = [Path(path) for path in sources]
    if not paths:
        raise ValueError("give at least one store to merge")
    for path in paths:
        if path.resolve() == Path(out).resolve():
            raise ValueError(f"{path} is the output store; give the parts only")
    with Store(out) as target:
        best: dict[tuple[str, str, int], RunRecord] = {
            (r.run_id, r.instance_id, r.sample): r for r in target.run_records()}
        before = len(best)
        read = duplicates = 0
        runs: set[str] = set()
        for path in paths:
            with Store(path, readonly=True) as part:
                copy_runs_instances_prompts(part, target)
                runs.update(run["run_id"] for run in part.runs())
                for record in part.run_records():
                    read += 1
                    key = (record.run_id, record.instance_id, record.sample)
                    kept = best.get(key)
                    if kept is not None:
                        duplicates += 1
                        if preference(kept) <= preference(record):
                            continue
                    best[key] = record
        target.put_records(best.values())
    return MergeSummary(len(paths), len(runs), read, len(best) - before, duplicates)


def copy_runs_instances_prompts(part: Store, target: Store) -> None:
    """Copy the rows every record refers to; a run seen twice keeps its first configuration."""
    with target.transaction() as db:
        for run in part.runs():
            db.execute("INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (run["run_id"], run["model"], run["config_json"], run["prompt_template"],
                        run["package_version"], run["git_commit"], run["created_at"], run["updated_at"]))
            db.execute("UPDATE runs SET created_at = MIN(created_at, ?), updated_at = MAX(updated_at, ?) "
                       "WHERE run_id = ?", (run["created_at"], run["updated_at"], run["run_id"]))
        prompts = part.db.execute("SELECT prompt_hash, prompt_text FROM prompts").fetchall()
        db.executemany("INSERT OR IGNORE INTO prompts VALUES (?, ?)", [tuple(row) for row in prompts])
    target.put_instances(part.instances().values())

