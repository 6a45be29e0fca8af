"""The run store: one SQLite file (WAL mode) holding every run, instance, prompt and graded record.

Tables
    runs       one row per run: its configuration, the package version and the git commit
    instances  every instance a run used, with its answer key (label, certificate, optimum)
    prompts    prompt texts by hash (shared by the records that used them)
    records    one row per (run, instance, sample): the raw response, reasoning, parsed answer, verdict,
               tokens, latency, cost and status

A record is written in one transaction, only once it is final, keyed by (run_id, instance_id,
sample): killing the process at any moment loses no finished record and duplicates none, and a rerun
of the same run skips finished records and retries the ones that ended in an API error.

Record status (``status`` column), one per record:
    ``graded``       an answer was extracted and verified (``correct`` is 1 or 0, ``code`` the verdict code)
    ``parse_error``  no answer could be extracted (``code``: no_json / bad_json / no_solution_key); correct = 0
    ``truncated``    the reply hit the token limit (finish_reason "length") before an answer; correct = 0
    ``refusal``      the model declined to answer; correct = 0
    ``api_error``    every attempt failed (``code``: rate_limit / server / timeout / client / connection ...);
                     correct is NULL: not a graded record, retried on resume
    ``verifier_error`` the answer was extracted but the verifier raised (a bug in nppc, not the model's
                     fault; ``code`` verifier_error); correct is NULL: not graded; on resume the stored
                     reply is graded again (the model is not asked again)
Cost is NULL when unknown (a local model, an unpriced provider), never a silent 0.
"""

from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator

SCHEMA_VERSION = 1
GRADED, PARSE_ERROR, TRUNCATED, REFUSAL, API_ERROR = "graded", "parse_error", "truncated", "refusal", "api_error"
VERIFIER_ERROR = "verifier_error"
FINAL_STATUSES = (GRADED, PARSE_ERROR, TRUNCATED, REFUSAL)

_SCHEMA = """
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
CREATE TABLE IF NOT EXISTS records (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    instance_id TEXT NOT NULL REFERENCES instances(instance_id),
    sample INTEGER NOT NULL,
    model TEXT NOT NULL,
    problem TEXT NOT NULL,
    problem_version INTEGER NOT NULL,
    level INTEGER,
    prompt_hash TEXT NOT NULL,
    status TEXT NOT NULL,
    correct INTEGER,                     -- 1 / 0; NULL for api_error
    code TEXT,                           -- verdict code, extraction error, or API error kind
    message TEXT,
    response_text TEXT,
    reasoning_text TEXT,
    finish_reason TEXT,
    answer_json TEXT,                    -- the extracted {"solution": ...} object, as JSON
    objective REAL,                      -- the answer's objective value, when well formed
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    reasoning_tokens INTEGER,
    latency_s REAL,
    cost_usd REAL,                       -- NULL when unknown
    cost_source TEXT,                    -- billed / priced / free (baselines) / missing
    attempts INTEGER NOT NULL DEFAULT 1,
    started_at REAL,
    finished_at REAL,
    PRIMARY KEY (run_id, instance_id, sample)
);
CREATE INDEX IF NOT EXISTS records_by_model ON records (model, problem, level);
"""

RECORD_COLUMNS = ("run_id", "instance_id", "sample", "model", "problem", "problem_version", "level",
                  "prompt_hash", "status", "correct", "code", "message", "response_text", "reasoning_text",
                  "finish_reason", "answer_json", "objective", "prompt_tokens", "completion_tokens",
                  "reasoning_tokens", "latency_s", "cost_usd", "cost_source", "attempts", "started_at",
                  "finished_at")


class Store:
    """A run store on one SQLite file; safe to reopen, and to read while a run writes."""

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        if readonly:
            if not self.path.exists():
                raise FileNotFoundError(f"no run store at {self.path}")
            self.db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL survives a killed process
            self.db.executescript(_SCHEMA)
            self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA busy_timeout=10000")

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
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
        """Store instance records (``Instance.to_record(with_key=True)``), once each."""
        rows = [(r["id"], r["problem"], r["version"], r["level"], _known(r.get("seed")), _known(r.get("index")),
                 r.get("label", "unknown"),
                 r.get("optimum"), json.dumps(r)) for r in records]
        with self.transaction() as db:
            db.executemany("INSERT OR IGNORE INTO instances VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)

    def put_prompt(self, prompt_hash: str, text: str) -> None:
        self.db.execute("INSERT OR IGNORE INTO prompts VALUES (?, ?)", (prompt_hash, text))

    def put_record(self, record: dict[str, Any]) -> None:
        """Write one finished record atomically (replacing an earlier failed attempt of the same key)."""
        unknown = set(record) - set(RECORD_COLUMNS)
        if unknown:
            raise ValueError(f"unknown record fields {sorted(unknown)}")
        columns = [c for c in RECORD_COLUMNS if c in record]
        placeholders = ", ".join("?" for _ in columns)
        with self.transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO records ({', '.join(columns)}) VALUES ({placeholders})",
                       [record[c] for c in columns])

    # -- reading ------------------------------------------------------------------------------

    def finished_keys(self, run_id: str) -> set[tuple[str, int]]:
        """(instance_id, sample) pairs of ``run_id`` that are final and need no retry."""
        rows = self.db.execute(
            f"SELECT instance_id, sample FROM records WHERE run_id = ? AND status IN ({_marks(FINAL_STATUSES)})",
            (run_id, *FINAL_STATUSES))
        return {(row[0], row[1]) for row in rows}

    def records_with_status(self, run_id: str, status: str) -> dict[tuple[str, int], dict[str, Any]]:
        """The records of ``run_id`` with ``status``, by (instance_id, sample)."""
        rows = self.db.execute(f"SELECT {', '.join(RECORD_COLUMNS)} FROM records WHERE run_id = ? AND status = ?",
                               (run_id, status))
        return {(row["instance_id"], row["sample"]): dict(row) for row in rows}

    def run_cost(self, run_id: str) -> float:
        """The known cost in USD of every record of ``run_id`` so far (records of unknown cost count 0)."""
        return self.db.execute("SELECT COALESCE(SUM(cost_usd), 0) FROM records WHERE run_id = ?",
                               (run_id,)).fetchone()[0]

    def runs(self) -> list[dict[str, Any]]:
        rows = self.db.execute("SELECT * FROM runs ORDER BY created_at")
        return [{**dict(row), "config": json.loads(row["config_json"])} for row in rows]

    def records(self, run_id: str | None = None, with_text: bool = True) -> list[dict[str, Any]]:
        """All records (of one run, if given) as dicts; ``with_text=False`` skips the large text columns."""
        columns = RECORD_COLUMNS if with_text else tuple(
            c for c in RECORD_COLUMNS if c not in ("response_text", "reasoning_text", "answer_json"))
        query = f"SELECT {', '.join(columns)} FROM records"
        rows = self.db.execute(query + " WHERE run_id = ?", (run_id,)) if run_id else self.db.execute(query)
        return [dict(row) for row in rows]

    def instances(self) -> dict[str, dict[str, Any]]:
        """Every stored instance record (with its answer key), by instance id."""
        return {row[0]: json.loads(row[1]) for row in self.db.execute("SELECT instance_id, record_json FROM instances")}

    def prompt(self, prompt_hash: str) -> str | None:
        row = self.db.execute("SELECT prompt_text FROM prompts WHERE prompt_hash = ?", (prompt_hash,)).fetchone()
        return row[0] if row else None


def _marks(values: tuple) -> str:
    return ", ".join("?" for _ in values)


def read_stores(paths: Iterable[str | Path], with_text: bool = True) -> tuple[list[dict], list[dict], dict]:
    """Records, runs and instances merged from several stores (several submitters); each row names its store."""
    records, runs, instances = [], [], {}
    for path in paths:
        with Store(path, readonly=True) as store:
            for run in store.runs():
                runs.append({**run, "store": str(path)})
            for record in store.records(with_text=with_text):
                records.append({**record, "store": str(path)})
            instances.update(store.instances())
    return records, runs, instances


def _known(value: int | None) -> int:
    """A seed or index, or -1 where the instance was read without its answer key."""
    return -1 if value is None else value
