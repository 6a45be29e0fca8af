"""One table of records from one or more run stores, joined with the facts of their instances.

A *board* is what every analysis starts from: the records of all stores (several submitters merge
into one board), each joined with its instance's seed, index, label, parameters and optimum, and a
coverage table that says, for every (model, problem, level) cell on the board, how many answers were
expected, how many were attempted and how many are missing.

Denominators
    An *attempt* is a record whose status is final (``graded``, ``parse_error``, ``truncated`` or
    ``refusal``): it counts in accuracy's denominator, and is correct only when graded correct.
    A record with status ``api_error`` is not an attempt: it is *missing*, never counted as wrong.
Expected answers
    ``expected = instances x samples``: the number of distinct instances of that (problem, level)
    on the whole board (the stores' instance tables and records together) times the model's
    samples per instance (the most records it has on any one instance). A cell with fewer attempts
    is ``partial``; with none, ``missing``. Cells are never dropped: every model gets a row for every
    (problem, level) on the board.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import pandas as pd

from npsolver.store import API_ERROR, FINAL_STATUSES, read_stores

BASELINE_PREFIX = "baseline/"
COMPLETE, PARTIAL, MISSING = "complete", "partial", "missing"
CELL_KEYS = ["model", "problem", "level"]


@dataclass
class Board:
    """Records joined with instance facts, the runs behind them, and the coverage of every cell."""

    records: pd.DataFrame
    runs: pd.DataFrame
    instances: dict[str, dict]
    cells: pd.DataFrame
    stores: tuple[str, ...]
    notes: list[str] = field(default_factory=list)

    @property
    def models(self) -> list[str]:
        return sorted(self.cells["model"].unique())

    @property
    def problems(self) -> list[str]:
        return sorted(self.cells["problem"].unique())

    @property
    def attempts(self) -> pd.DataFrame:
        """Records that count in accuracy's denominator (final statuses, with a known level)."""
        return self.records[self.records["is_attempt"] & self.records["level"].notna()]


def is_baseline(model: str) -> bool:
    return str(model).startswith(BASELINE_PREFIX)


def load_board(paths: Iterable[str | Path], with_text: bool = True) -> Board:
    """Read the stores at ``paths`` into a :class:`Board`; raise ValueError if they hold no records."""
    paths = [str(path) for path in paths]
    if not paths:
        raise ValueError("no run store given; pass at least one --store FILE")
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no run store at {path}")
    raw_records, raw_runs, instances = read_stores(paths, with_text=with_text)
    if not raw_records:
        raise ValueError(f"the stores {', '.join(paths)} hold no records yet; run `nppc run` first")
    notes: list[str] = []
    records = _join_instances(pd.DataFrame(raw_records), instances, notes)
    runs = pd.DataFrame(raw_runs)
    cells = _coverage(records, instances, runs)
    return Board(records, runs, instances, cells, tuple(paths), notes)


def _join_instances(records: pd.DataFrame, instances: dict[str, dict], notes: list[str]) -> pd.DataFrame:
    facts = pd.DataFrame([{
        "instance_id": key, "seed": inst.get("seed"), "instance_index": inst.get("index"),
        "label": inst.get("label", "unknown"), "optimum": inst.get("optimum"),
        "params": json.dumps(inst.get("params", {}), sort_keys=True),
        "instance_level": inst.get("level"),
    } for key, inst in instances.items()], columns=["instance_id", "seed", "instance_index", "label", "optimum",
                                                   "params", "instance_level"])
    records = records.merge(facts, on="instance_id", how="left")
    unknown = records["seed"].isna()
    if unknown.any():
        notes.append(f"{int(unknown.sum())} records name instances missing from the stores' instance tables; "
                     "they are analysed as seed -1")
        records.loc[unknown, "seed"] = -1
        records.loc[unknown, "label"] = "unknown"
    records["level"] = records["level"].fillna(records["instance_level"])
    no_level = records["level"].isna()
    if no_level.any():
        notes.append(f"{int(no_level.sum())} records have no level (instances made from raw parameters); "
                     "they appear in no per-level table")
    records = records.drop(columns=["instance_level"])
    records["seed"] = records["seed"].astype("int64")
    records["level"] = records["level"].astype("Int64")
    records["is_attempt"] = records["status"].isin(FINAL_STATUSES)
    records["is_api_error"] = records["status"] == API_ERROR
    records["is_correct"] = records["is_attempt"] & (records["correct"].fillna(0).astype(int) == 1)
    records["outcome"] = "missing"
    records.loc[records["is_attempt"], "outcome"] = "wrong"
    records.loc[records["is_correct"], "outcome"] = "correct"
    records["is_baseline"] = records["model"].map(is_baseline)
    return records


def _coverage(records: pd.DataFrame, instances: dict[str, dict], runs: pd.DataFrame) -> pd.DataFrame:
    leveled = records[records["level"].notna()]
    task_instances: dict[tuple[str, int], set[str]] = {}
    for key, inst in instances.items():
        if inst.get("level") is not None:
            task_instances.setdefault((inst["problem"], int(inst["level"])), set()).add(key)
    for (problem, level), ids in leveled.groupby(["problem", "level"])["instance_id"]:
        task_instances.setdefault((problem, int(level)), set()).update(ids)
    per_instance = records.groupby(["model", "instance_id"]).size()
    samples = per_instance.groupby(level="model").max().to_dict()
    models = sorted(set(records["model"]) | (set(runs["model"]) if len(runs) else set()))
    counts = leveled.groupby(CELL_KEYS).agg(records=("status", "size"), attempts=("is_attempt", "sum"),
                                            correct=("is_correct", "sum"), api_errors=("is_api_error", "sum"))
    rows = []
    for model in models:
        for (problem, level), ids in sorted(task_instances.items()):
            expected = len(ids) * samples.get(model, 1)
            got = counts.loc[(model, problem, level)] if (model, problem, level) in counts.index else None
            attempts = int(got["attempts"]) if got is not None else 0
            rows.append({"model": model, "problem": problem, "level": level,
                         "records": int(got["records"]) if got is not None else 0, "attempts": attempts,
                         "correct": int(got["correct"]) if got is not None else 0,
                         "api_errors": int(got["api_errors"]) if got is not None else 0,
                         "expected": expected, "missing": max(expected - attempts, 0),
                         "status": MISSING if attempts == 0 else PARTIAL if attempts < expected else COMPLETE})
    cells = pd.DataFrame(rows, columns=["model", "problem", "level", "records", "attempts", "correct",
                                        "api_errors", "expected", "missing", "status"])
    cells["is_baseline"] = cells["model"].map(is_baseline)
    return cells
