"""The run store: one SQLite file (WAL mode) holding every run, instance, prompt and graded record.

Tables
    runs       one row per run: its configuration, the package version and the git commit
    instances  every instance a run used, with its answer key (label, certificate, optimum)
    prompts    prompt texts by hash (shared by the records that used them)
    records    one row per (run, instance, sample): the raw response, reasoning, parsed answer, verdict,
               tokens, latency, cost and status
    turns      the messages of multi-turn episodes (code and feedback tracks), written in the same
               transaction as their record (:class:`npsolver.records.TurnRecord`)

A record is written in one transaction, only once it is final, keyed by (run_id, instance_id,
sample): killing the process at any moment loses no finished record and duplicates none, and a rerun
of the same run skips finished records and retries the ones that ended in an API error.

Record status and the ``records`` columns are defined once, by :class:`npsolver.records.RunRecord`.
Cost is NULL when unknown (a local model, an unpriced provider), never a silent 0.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import fields
from pathlib import Path
from typing import Any

from npsolver.records import (
    LATER_COLUMNS,
    RECORD_COLUMNS,
    TEXT_COLUMNS,
    TURN_COLUMNS,
    RunRecord,
    Status,
    TurnRecord,
    records_table_sql,
    turns_table_sql,
)

SCHEMA_VERSION = 1
GRADED, PARSE_ERROR, TRUNCATED, REFUSAL, API_ERROR, VERIFIER_ERROR = (
    Status.GRADED, Status.PARSE_ERROR, Status.TRUNCATED, Status.REFUSAL, Status.API_ERROR, Status.VERIFIER_ERROR)
FINAL_STATUSES = tuple(status.value for status in Status if status.final)

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id TEXT PRIMARY KEY,
    model TEXT NOT NULL,
    config_json TEXT NOT NULL,          -- every setting of the run: adapter, api_base, sampling, shots, selection
    prompt_template TEXT NOT NULL,
    package_version TEXT NOT NULL,
    git_commit TEXT,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS instances (
    instance_id TEXT PRIMARY KEY,
    problem TEXT NOT NULL,
    version INTEGER NOT NULL,
    level INTEGER,
    seed INTEGER NOT NULL,               -- -1 when the instance was read without its answer key
    instance_index INTEGER NOT NULL,     -- -1 likewise
    label TEXT NOT NULL,                 -- yes / no / unknown
    optimum REAL,
    record_json TEXT NOT NULL            -- Instance.to_record(with_key=True)
);
CREATE TABLE IF NOT EXISTS prompts (prompt_hash TEXT PRIMARY KEY, prompt_text TEXT NOT NULL);
{records_table_sql()}
CREATE INDEX IF NOT EXISTS records_by_model ON records (model, problem, level);
{turns_table_sql()}
"""


class Store:
    """A run store on one SQLite file; safe to reopen, and to read while a run writes."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        try:
            self.db = self._open_readonly() if readonly else self._open_for_writing()
        except sqlite3.DatabaseError as error:  # not SQLite at all ("file is not a database"), or damaged
            raise ValueError(f"{self.path} is not a run store ({error}); give the SQLite file that nppc run "
                             "wrote with --store") from None
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout=10000")
        present = {row[1] for row in self.db.execute("PRAGMA table_info(records)")}
        # an older store lacks the later columns: they read as NULL
        self._select = ", ".join(c if c in present else f"NULL AS {c}" for c in RECORD_COLUMNS)
        self._has_turns = bool(self.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'turns'").fetchone())

    def _open_readonly(self) -> sqlite3.Connection:
        if not self.path.is_file():
            raise FileNotFoundError(f"no run store at {self.path}: give the file nppc run wrote with --store")
        db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not {"runs", "records", "instances"} <= tables:
            db.close()
            raise ValueError(f"{self.path} is not a run store (an empty or other SQLite file, without the runs and "
                             "records tables); give the file that nppc run wrote with --store")
        return db

    @staticmethod
    def check_path(path: str | Path) -> None:
        """Fail with a one-line error if a store cannot be written at ``path``; creates nothing."""
        path = Path(path)
        blocking = next((p for p in [path.parent, *path.parent.parents] if p.exists() and not p.is_dir()), None)
        if blocking is not None:
            raise ValueError(f"--store {path}: {blocking} is a file, not a folder; put the store in a folder")
        if path.is_dir():
            raise ValueError(f"--store {path} is a folder; give a file name, e.g. {path / 'runs.sqlite'}")
        if path.is_file() and path.stat().st_size > 0:
            Store(path, readonly=True).close()  # an existing file must already be a store

    def _open_for_writing(self) -> sqlite3.Connection:
        self.check_path(self.path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
        db.executescript(_SCHEMA)
        present = {row[1] for row in db.execute("PRAGMA table_info(records)")}
        sql_types = {name: sql for name, sql in _later_column_types()}
        for name in LATER_COLUMNS:
            if name not in present:  # a store written before the column existed
                db.execute(f"ALTER TABLE records ADD COLUMN {name} {sql_types[name]}")
        db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        return db

    def close(self) -> None:
        """Close the database."""
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """A write transaction: committed when the block ends, rolled back if it raises."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")

    # -- writing ------------------------------------------------------------------------------

    def put_run(self, run_id: str, model: str, config: dict[str, Any], prompt_template: str,
                package_version: str, git_commit: str | None) -> None:
        """Create the run, or touch it when the same run resumes (its configuration is not changed)."""
        now = time.time()
        with self.transaction() as db:
            db.execute("INSERT OR IGNORE INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                       (run_id, model, json.dumps(config, sort_keys=True), prompt_template, package_version,
                        git_commit, now, now))
            db.execute("UPDATE runs SET updated_at = ? WHERE run_id = ?", (now, run_id))

    def put_instances(self, records: Iterable[dict[str, Any]]) -> None:
        """Store instance records (``Instance.to_record(with_key=True)``), once each.

        An instance stored without its answer key gets the key when a later run brings it.
        """
        rows = [(r["id"], r["problem"], r["version"], r["level"], _known(r.get("seed")), _known(r.get("index")),
                 r.get("label", "unknown"),
                 r.get("optimum"), json.dumps(r)) for r in records]
        with self.transaction() as db:
            db.executemany("INSERT INTO instances VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (instance_id) DO "
                           "UPDATE SET seed = excluded.seed, instance_index = excluded.instance_index, "
                           "label = excluded.label, optimum = excluded.optimum, record_json = excluded.record_json "
                           "WHERE instances.label = 'unknown' AND excluded.label != 'unknown'",
                           rows)

    def put_prompt(self, prompt_hash: str, text: str) -> None:
        """Store a prompt's text under its hash (once)."""
        self.db.execute("INSERT OR IGNORE INTO prompts VALUES (?, ?)", (prompt_hash, text))

    def put_record(self, record: RunRecord | Mapping[str, Any], turns: Iterable[TurnRecord] | None = None) -> None:
        """Write one finished record atomically (replacing an earlier attempt of the same key).

        ``turns`` (an episode's messages) replace the key's stored turns in the same transaction;
        None leaves them as they are (a stored reply graded again).
        """
        record = as_record(record)
        row = record.to_row()
        placeholders = ", ".join("?" for _ in RECORD_COLUMNS)
        with self.transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO records ({', '.join(RECORD_COLUMNS)}) VALUES ({placeholders})",
                       [row[c] for c in RECORD_COLUMNS])
            if turns is None:
                return
            turn_rows = [turn.to_row() for turn in turns]
            db.execute("DELETE FROM turns WHERE run_id = ? AND instance_id = ? AND sample = ?",
                       (record.run_id, record.instance_id, record.sample))
            db.executemany(f"INSERT INTO turns ({', '.join(TURN_COLUMNS)}) VALUES ({_marks(TURN_COLUMNS)})",
                           [[turn[c] for c in TURN_COLUMNS] for turn in turn_rows])

    def put_records(self, records: Iterable[RunRecord | Mapping[str, Any]]) -> None:
        """Write records in one transaction: all of them or, if one is bad, none."""
        rows = [[row[c] for c in RECORD_COLUMNS] for row in (as_record(r).to_row() for r in records)]
        with self.transaction() as db:
            db.executemany(f"INSERT OR REPLACE INTO records ({', '.join(RECORD_COLUMNS)}) "
                           f"VALUES ({_marks(RECORD_COLUMNS)})", rows)

    # -- reading ------------------------------------------------------------------------------

    def finished_keys(self, run_id: str) -> set[tuple[str, int]]:
        """(instance_id, sample) pairs of ``run_id`` that are final and need no retry."""
        rows = self.db.execute(
            f"SELECT instance_id, sample FROM records WHERE run_id = ? AND status IN ({_marks(FINAL_STATUSES)})",
            (run_id, *FINAL_STATUSES))
        return {(row[0], row[1]) for row in rows}

    def records_with_status(self, run_id: str, status: str) -> dict[tuple[str, int], RunRecord]:
        """The records of ``run_id`` with ``status``, by (instance_id, sample)."""
        rows = self.db.execute(f"SELECT {self._select} FROM records WHERE run_id = ? AND status = ?",
                               (run_id, str(status)))
        return {(row["instance_id"], row["sample"]): RunRecord.from_row(row) for row in rows}

    def final_count(self, run_id: str) -> int:
        """How many records of ``run_id`` are final (need no retry)."""
        final = _marks(FINAL_STATUSES)
        return self.db.execute(f"SELECT COUNT(*) FROM records WHERE run_id = ? AND status IN ({final})",
                               (run_id, *FINAL_STATUSES)).fetchone()[0]

    def records_with_code(self, run_id: str, code: str) -> dict[tuple[str, int], RunRecord]:
        """The graded records of ``run_id`` whose verdict code is ``code``, by (instance_id, sample)."""
        rows = self.db.execute(f"SELECT {self._select} FROM records WHERE run_id = ? AND status = ? "
                               "AND code = ?", (run_id, GRADED.value, code))
        return {(row["instance_id"], row["sample"]): RunRecord.from_row(row) for row in rows}

    def run_records(self, run_id: str | None = None) -> Iterator[RunRecord]:
        """Every record (of one run, if given) as a typed :class:`RunRecord`, streamed."""
        query = f"SELECT {self._select} FROM records"
        rows = self.db.execute(query + " WHERE run_id = ?", (run_id,)) if run_id else self.db.execute(query)
        return (RunRecord.from_row(row) for row in rows)

    def run_cost(self, run_id: str) -> float:
        """The known cost in USD of every record of ``run_id`` so far (records of unknown cost count 0)."""
        return self.db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM records WHERE run_id = ?",
                               (run_id,)).fetchone()[0]

    def runs(self) -> list[dict[str, Any]]:
        """Every run, oldest first, with its configuration parsed."""
        rows = self.db.execute("SELECT * FROM runs ORDER BY created_at")
        return [{**dict(row), "config": json.loads(row["config_json"])} for row in rows]

    def records(self, run_id: str | None = None, with_text: bool = True) -> list[dict[str, Any]]:
        """All records (of one run, if given) as dicts; ``with_text=False`` skips the large text columns."""
        selected = [part for part in self._select.split(", ") if with_text or part not in TEXT_COLUMNS]
        query = f"SELECT {', '.join(selected)} FROM records"
        rows = self.db.execute(query + " WHERE run_id = ?", (run_id,)) if run_id else self.db.execute(query)
        return [dict(row) for row in rows]

    def turns(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """Every stored turn (of one run, if given), in episode order."""
        if not self._has_turns:
            return []
        query = f"SELECT {', '.join(TURN_COLUMNS)} FROM turns"
        order = " ORDER BY run_id, instance_id, sample, step"
        rows = self.db.execute(query + " WHERE run_id = ?" + order, (run_id,)) if run_id else \
            self.db.execute(query + order)
        return [dict(row) for row in rows]

    def instances(self) -> dict[str, dict[str, Any]]:
        """Every stored instance record (with its answer key), by instance id."""
        return {row[0]: json.loads(row[1]) for row in self.db.execute("SELECT instance_id, record_json FROM instances")}

    def prompt(self, prompt_hash: str) -> str | None:
        """The text of the prompt with this hash, or None."""
        row = self.db.execute("SELECT prompt_text FROM prompts WHERE prompt_hash = ?", (prompt_hash,)).fetchone()
        return row[0] if row else None


def as_record(record: RunRecord | Mapping[str, Any]) -> RunRecord:
    """A :class:`RunRecord` from itself or from a mapping of its fields (an unknown field is an error)."""
    if isinstance(record, RunRecord):
        return record
    unknown = set(record) - set(RECORD_COLUMNS)
    if unknown:
        raise ValueError(f"unknown record fields {sorted(unknown)}")
    return RunRecord(**record)


def _marks(values: tuple) -> str:
    return ", ".join("?" for _ in values)


def _later_column_types() -> list[tuple[str, str]]:
    return [(f.name, f.metadata["sql"]) for f in fields(RunRecord) if f.name in LATER_COLUMNS]


def board_model(model: str, track: str | None) -> str:
    """How a model is named on boards and in routing data: ``MODEL [code]`` off the plain track."""
    return model if track in (None, "plain") else f"{model} [{track}]"


def read_stores(paths: Iterable[str | Path], with_text: bool = True) -> tuple[list[dict], list[dict], dict]:
    """Records, runs and instances merged from several stores (several submitters); each row names its store.

    A run on the code or feedback track is a model of its own here (:func:`board_model`).
    """
    records, runs, instances = [], [], {}
    for path in paths:
        with Store(path, readonly=True) as store:
            for run in store.runs():
                runs.append({**run, "model": board_model(run["model"], run["config"].get("track")),
                             "store": str(path)})
            for record in store.records(with_text=with_text):
                records.append({**record, "model": board_model(record["model"], record["track"]),
                                "store": str(path)})
            instances.update(store.instances())
    return records, runs, instances


def _known(value: int | None) -> int:
    """A seed or index, or -1 where the instance was read without its answer key."""
    return -1 if value is None else value
