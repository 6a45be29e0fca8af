"""The decision log of adaptive runs: two tables beside the records in the run store.

``adaptive_steps``, one row per decision, written (in one transaction) before any of its calls::

    run_id, problem, step          the key; steps count from 0 per (run, problem)
    level, instance_ids, calls     what was asked: the level, the instances (JSON list), instances x samples
    calls_before                   calls of the earlier steps of this problem
    ceiling, mean, sd, ci_low, ci_high   the posterior of the ceiling the decision was made from
    expected_sd                    the design rule's predicted posterior sd of the ceiling after this step
    candidates_json                every candidate level with its predicted sd ({"7": 0.61, ...})
    design, created_at             the version of the model and design rule, and when the step was decided

``adaptive_results``, one row per (run, problem), replaced whenever an invocation ends with the
problem stopped: why it stopped (``width``, ``budget``, ``below_level_1``, ``above_max_level``), the
calls and steps it took, the final posterior of the ceiling and the stopping rule in force.

A step is *complete* once every (instance, sample) of it has a final record; the next decision of
a problem reads only its complete steps, so the log can be replayed from the stored answers
(:func:`npsolver.adaptive.replay`).
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

from npsolver.store import Store

_SCHEMA = """
CREATE TABLE IF NOT EXISTS adaptive_steps (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    problem TEXT NOT NULL,
    step INTEGER NOT NULL,
    level INTEGER NOT NULL,
    instance_ids TEXT NOT NULL,
    calls INTEGER NOT NULL,
    calls_before INTEGER NOT NULL,
    ceiling REAL, mean REAL, sd REAL, ci_low REAL, ci_high REAL,
    expected_sd REAL,
    candidates_json TEXT NOT NULL,
    design TEXT NOT NULL,
    created_at REAL NOT NULL,
    PRIMARY KEY (run_id, problem, step)
);
CREATE TABLE IF NOT EXISTS adaptive_results (
    run_id TEXT NOT NULL REFERENCES runs(run_id),
    problem TEXT NOT NULL,
    stop_reason TEXT NOT NULL,
    calls INTEGER NOT NULL,
    steps INTEGER NOT NULL,
    ceiling REAL, mean REAL, sd REAL, ci_low REAL, ci_high REAL,
    budget INTEGER NOT NULL,
    ceiling_width REAL NOT NULL,
    updated_at REAL NOT NULL,
    PRIMARY KEY (run_id, problem)
);
"""
STEP_COLUMNS = ("run_id", "problem", "step", "level", "instance_ids", "calls", "calls_before", "ceiling", "mean", "sd",
                "ci_low", "ci_high", "expected_sd", "candidates_json", "design", "created_at")
RESULT_COLUMNS = ("run_id", "problem", "stop_reason", "calls", "steps", "ceiling", "mean", "sd", "ci_low", "ci_high",
                  "budget", "ceiling_width", "updated_at")


@dataclass(frozen=True)
class Step:
    """One recorded decision (see the module docstring)."""

    run_id: str
    problem: str
    step: int
    level: int
    instance_ids: tuple[str, ...]
    calls: int
    calls_before: int
    posterior: dict[str, float]  # ceiling, mean, sd, ci_low, ci_high before the step
    expected_sd: float
    candidates: dict[int, float]
    design: str

    def to_row(self) -> tuple:
        """The step as a row of ``adaptive_steps`` (in :data:`STEP_COLUMNS` order)."""
        p = self.posterior
        return (self.run_id, self.problem, self.step, self.level, json.dumps(list(self.instance_ids)), self.calls,
                self.calls_before, p["ceiling"], p["mean"], p["sd"], p["ci_low"], p["ci_high"], self.expected_sd,
                json.dumps({str(level): sd for level, sd in self.candidates.items()}), self.design, time.time())

    @classmethod
    def from_row(cls, row: Any) -> Step:
        """The step a row of ``adaptive_steps`` stores (the inverse of :meth:`to_row`)."""
        return cls(row["run_id"], row["problem"], row["step"], row["level"], tuple(json.loads(row["instance_ids"])),
                   row["calls"], row["calls_before"],
                   {name: row[name] for name in ("ceiling", "mean", "sd", "ci_low", "ci_high")}, row["expected_sd"],
                   {int(level): sd for level, sd in json.loads(row["candidates_json"]).items()}, row["design"])


def has_log(store: Store) -> bool:
    """Whether ``store`` holds the adaptive tables (stores written before adaptive runs do not)."""
    row = store.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'adaptive_steps'").fetchone()
    return row is not None


class AdaptiveLog:
    """Read and write the decision log of one store (creating its tables when writing)."""

    def __init__(self, store: Store, create: bool = True):
        self.store = store
        if create:
            store.db.executescript(_SCHEMA)

    def add_step(self, step: Step) -> None:
        """Store one step, in a transaction of its own."""
        with self.store.transaction() as db:
            db.execute(f"INSERT INTO adaptive_steps ({', '.join(STEP_COLUMNS)}) VALUES "
                       f"({', '.join('?' for _ in STEP_COLUMNS)})", step.to_row())

    def steps(self, run_id: str, problem: str | None = None) -> list[Step]:
        """The recorded steps of a run (of one problem, if given), in order."""
        if not has_log(self.store):
            return []
        query = f"SELECT {', '.join(STEP_COLUMNS)} FROM adaptive_steps WHERE run_id = ?"
        args: tuple = (run_id,)
        if problem is not None:
            query, args = query + " AND problem = ?", (run_id, problem)
        rows = self.store.db.execute(query + " ORDER BY problem, step", args)
        return [Step.from_row(row) for row in rows]

    def put_result(self, run_id: str, problem: str, stop_reason: str, calls: int, steps: int,
                   posterior: dict[str, float], budget: int, ceiling_width: float) -> None:
        """Store (or replace) a problem's final result: why it stopped and its posterior."""
        values = (run_id, problem, stop_reason, calls, steps, posterior["ceiling"], posterior["mean"], posterior["sd"],
                  posterior["ci_low"], posterior["ci_high"], budget, ceiling_width, time.time())
        with self.store.transaction() as db:
            db.execute(f"INSERT OR REPLACE INTO adaptive_results ({', '.join(RESULT_COLUMNS)}) VALUES "
                       f"({', '.join('?' for _ in RESULT_COLUMNS)})", values)

    def results(self, run_id: str | None = None) -> list[dict[str, Any]]:
        """The stored results, of ``run_id`` only if given (none in a store without the log)."""
        if not has_log(self.store):
            return []
        query = f"SELECT {', '.join(RESULT_COLUMNS)} FROM adaptive_results"
        rows = self.store.db.execute(query + " WHERE run_id = ?", (run_id,)) if run_id else self.store.db.execute(query)
        return [dict(row) for row in rows]

    def step_rows(self) -> list[dict[str, Any]]:
        """Every step of every run as plain rows (for analysis and export)."""
        if not has_log(self.store):
            return []
        return [dict(row) for row in self.store.db.execute(
            f"SELECT {', '.join(STEP_COLUMNS)} FROM adaptive_steps ORDER BY run_id, problem, step")]
