"""One table of records from one or more run stores, joined with the facts of their instances.

A *board* is what every analysis starts from: the records of all stores (several submitters merge
into one board), each joined with its instance's seed, index, label and optimum, and a coverage
table that says, for every (model, problem, level) cell on the board, how many answers were
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
Text
    The board holds no reply text and no instance data: :meth:`Board.texts` streams the text
    columns of the attempts from the stores in chunks, and :meth:`Board.instance_data` reads the
    instances' data, only for the steps that need them (markers, detectors, the judge).
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np
import pandas as pd

from npsolver.store import API_ERROR, FINAL_STATUSES

BASELINE_PREFIX = "baseline/"
COMPLETE, PARTIAL, MISSING = "complete", "partial", "missing"
CELL_KEYS = ["model", "problem", "level"]
TEXT_COLUMNS = ("response_text", "reasoning_text", "answer_json", "message")
_RECORD_QUERY = ("SELECT rowid, run_id, instance_id, sample, model, problem, level, prompt_hash, status, correct, "
                 "code, finish_reason, objective, prompt_tokens, completion_tokens, reasoning_tokens, cost_usd "
                 "FROM records")
_SHARED_STRINGS = ("run_id", "instance_id", "model", "problem", "prompt_hash", "status", "code", "finish_reason")
_CHUNK = 100_000
_TEXT_CHUNK = 900  # rowids per query: under SQLite's oldest limit of 999 parameters


@dataclass
class Board:
    """Records joined with instance facts, the runs behind them, and the coverage of every cell."""

    records: pd.DataFrame
    runs: pd.DataFrame
    instance_facts: pd.DataFrame
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

    def texts(self, rows: pd.DataFrame, columns: Iterable[str] = TEXT_COLUMNS) -> Iterator[pd.DataFrame]:
        """The text ``columns`` of the board ``rows`` (a slice of :attr:`records`), streamed in chunks.

        Each chunk is indexed like ``rows``; a record rewritten in its store since the board was
        loaded has no text (NULL), as a reply without text.
        """
        columns = list(columns)
        unknown = set(columns) - set(TEXT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown text columns {sorted(unknown)}; choose from {TEXT_COLUMNS}")
        query = f"SELECT rowid, {', '.join(columns)} FROM records WHERE rowid IN "
        for store, picked in rows.groupby("store", sort=False):
            rowids = picked["rowid"].to_numpy()
            with _connect(store) as db:
                for start in range(0, len(rowids), _TEXT_CHUNK):
                    wanted = rowids[start:start + _TEXT_CHUNK]
                    found = db.execute(query + f"({', '.join('?' * len(wanted))})", wanted.tolist()).fetchall()
                    block = pd.DataFrame.from_records(found, columns=["rowid", *columns], index="rowid")
                    yield block.reindex(wanted).set_axis(picked.index[start:start + _TEXT_CHUNK])

    def instance_data(self) -> dict[str, dict]:
        """Every stored instance's data, by instance id (read from the stores on each call)."""
        data: dict[str, dict] = {}
        for store in self.stores:
            with _connect(store) as db:
                for key, record in db.execute("SELECT instance_id, record_json FROM instances"):
                    data[key] = json.loads(record).get("data")
        return data


def is_baseline(model: str) -> bool:
    return str(model).startswith(BASELINE_PREFIX)


def load_board(paths: Iterable[str | Path]) -> Board:
    """Read the stores at ``paths`` into a :class:`Board`; raise ValueError if they hold no records."""
    paths = [str(path) for path in paths]
    if not paths:
        raise ValueError("no run store given; pass at least one --store FILE")
    for path in paths:
        if not Path(path).is_file():
            raise FileNotFoundError(f"no run store at {path}")
    records, runs, facts = _read(paths)
    if records.empty:
        raise ValueError(f"the stores {', '.join(paths)} hold no records yet; run `nppc run` first")
    notes: list[str] = []
    records = _join_instances(records, facts, notes)
    cells = _coverage(records, facts, runs)
    return Board(records, runs, facts, cells, tuple(paths), notes)


def _connect(path: str) -> sqlite3.Connection:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    db.execute("PRAGMA busy_timeout=10000")
    return db


def _read(paths: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Records (no text), runs and instance facts of every store; each record and run names its store."""
    records, runs, facts = [], [], []
    for path in paths:
        with _connect(path) as db:
            cursor = db.execute(_RECORD_QUERY)
            names = [column[0] for column in cursor.description]
            while rows := cursor.fetchmany(_CHUNK):
                records.append(_compact(pd.DataFrame.from_records(rows, columns=names)).assign(store=path))
            run_rows = db.execute("SELECT * FROM runs ORDER BY created_at")
            run_names = [column[0] for column in run_rows.description]
            for row in run_rows.fetchall():
                run = dict(zip(run_names, row))
                runs.append({**run, "config": json.loads(run["config_json"]), "store": path})
            facts.append(pd.read_sql_query(
                "SELECT instance_id, problem, level AS instance_level, seed, instance_index, label, optimum "
                "FROM instances", db))
    records = pd.concat(records, ignore_index=True) if records else pd.DataFrame()
    facts = pd.concat(facts, ignore_index=True).drop_duplicates("instance_id", keep="last")
    return records, pd.DataFrame(runs), facts.reset_index(drop=True)


def _compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Make rows share one string object per distinct value of the text-like columns (8 bytes a row)."""
    for column in _SHARED_STRINGS:
        frame[column] = frame[column].astype("category").astype(object)
    return frame


def _join_instances(records: pd.DataFrame, facts: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    codes = pd.Index(facts["instance_id"]).get_indexer(records["instance_id"])
    known = codes >= 0
    pick = lambda column, fill: np.where(known, facts[column].to_numpy()[codes], fill)  # noqa: E731
    records["seed"] = pick("seed", -1).astype("int64")
    records["instance_index"] = pick("instance_index", np.nan)
    records["label"] = pick("label", "unknown")
    records["optimum"] = pick("optimum", np.nan).astype(float)
    if not known.all():
        notes.append(f"{int((~known).sum())} records name instances missing from the stores' instance tables; "
                     "they are analysed as seed -1")
    level = records["level"].astype(float)
    level = level.where(level.notna(), pick("instance_level", np.nan).astype(float))
    no_level = level.isna()
    if no_level.any():
        notes.append(f"{int(no_level.sum())} records have no level (instances made from raw parameters); "
                     "they appear in no per-level table")
    records["level"] = level.astype("Int64")
    records["is_attempt"] = records["status"].isin(FINAL_STATUSES)
    records["is_api_error"] = records["status"] == API_ERROR
    records["is_correct"] = records["is_attempt"] & (records["correct"].fillna(0).astype(int) == 1)
    outcome = np.where(records["is_correct"], "correct", np.where(records["is_attempt"], "wrong", "missing"))
    records["outcome"] = pd.Series(outcome, index=records.index).astype("category").astype(object)
    records["is_baseline"] = records["model"].map(is_baseline).astype(bool)
    return records


def _coverage(records: pd.DataFrame, facts: pd.DataFrame, runs: pd.DataFrame) -> pd.DataFrame:
    leveled = records[records["level"].notna()]
    stored = facts.loc[facts["instance_level"].notna(), ["problem", "instance_level", "instance_id"]]
    seen = pd.DataFrame({"problem": leveled["problem"], "instance_level": leveled["level"].astype(int),
                         "instance_id": leveled["instance_id"]})
    tasks = (pd.concat([stored.astype({"instance_level": int}), seen]).drop_duplicates()
             .groupby(["problem", "instance_level"]).size().rename("instances").reset_index()
             .rename(columns={"instance_level": "level"}))
    samples = records.groupby(["model", "instance_id"]).size().groupby(level="model").max()
    models = sorted(set(records["model"]) | (set(runs["model"]) if len(runs) else set()))
    grid = pd.MultiIndex.from_product([models, range(len(tasks))], names=["model", "task"]).to_frame(index=False)
    cells = grid.join(tasks, on="task").drop(columns="task")
    counts = (leveled.assign(level=leveled["level"].astype(int)).groupby(CELL_KEYS).agg(records=("status", "size"), attempts=("is_attempt", "sum"),
                                      correct=("is_correct", "sum"), api_errors=("is_api_error", "sum")))
    cells = cells.join(counts, on=CELL_KEYS)
    for column in ("records", "attempts", "correct", "api_errors"):
        cells[column] = cells[column].fillna(0).astype(int)
    cells["expected"] = cells["instances"] * cells["model"].map(samples).fillna(1).astype(int)
    cells["missing"] = (cells["expected"] - cells["attempts"]).clip(lower=0)
    cells["status"] = np.where(cells["attempts"] == 0, MISSING,
                               np.where(cells["attempts"] < cells["expected"], PARTIAL, COMPLETE))
    cells = cells[["model", "problem", "level", "records", "attempts", "correct", "api_errors", "expected",
                   "missing", "status"]]
    cells = cells.sort_values(["model", "problem", "level"], kind="stable").reset_index(drop=True)
    cells["is_baseline"] = cells["model"].map(is_baseline)
    return cells
