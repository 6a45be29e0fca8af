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
    The board holds no reply text and no instance data: :meth:`Board.text_blocks` streams the text
    columns of the attempts from the stores in chunks, and :meth:`Board.instance_data` reads the
    instances' data, only for the steps that need them (markers, detectors, the judge).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np
import pandas as pd

from npsolver.adapters import is_baseline
from npsolver.records import RunRecord
from npsolver.store import API_ERROR, FINAL_STATUSES, Store

COMPLETE, PARTIAL, MISSING = "complete", "partial", "missing"
CELL_KEYS = ["model", "problem", "level"]
TEXT_COLUMNS = ("response_text", "reasoning_text", "answer_json", "message")
_SQL_LITERALS = {"TEXT": "''", "INTEGER": "0", "REAL": "0.5"}


def _record_columns() -> dict[str, str]:
    """What the board reads of each record: every :class:`RunRecord` column but the texts, with a literal of
    its SQLite type (the first, typed row of a scan; see :func:`_scan`)."""
    columns = {"rowid": "0"}
    for f in fields(RunRecord):
        if f.name not in TEXT_COLUMNS:
            columns[f.name] = _SQL_LITERALS[f.metadata["sql"].split()[0]]
    return columns


_RECORD_COLUMNS = _record_columns()
_TEXT_BLOCK = 100_000  # records per streamed block of text
_SHARED_STRINGS = ("run_id", "instance_id", "model", "problem", "prompt_hash", "status", "code", "finish_reason")


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
        """Every model on the board, sorted."""
        return sorted(self.cells["model"].unique())

    @property
    def problems(self) -> list[str]:
        """Every problem on the board, sorted."""
        return sorted(self.cells["problem"].unique())

    @property
    def attempts(self) -> pd.DataFrame:
        """Records that count in accuracy's denominator (final statuses, with a known level).

        :func:`load_board` puts them first, so this is a slice of :attr:`records`, not a copy.
        """
        counted = self.records["is_attempt"].to_numpy(dtype=bool) & self.records["level"].notna().to_numpy()
        leading = int(counted.sum())
        if counted[:leading].all():
            return self.records.iloc[:leading]
        return self.records[counted]

    def texts(self, rows: pd.DataFrame, columns: Iterable[str] = TEXT_COLUMNS) -> Iterator[pd.DataFrame]:
        """The text ``columns`` of the board ``rows`` (a slice of :attr:`records`), streamed in blocks, each
        indexed like ``rows`` (see :meth:`text_blocks`)."""
        for positions, table in self.text_blocks(rows, columns):
            yield table.to_pandas().set_axis(rows.index[positions])

    def text_blocks(self, rows: pd.DataFrame, columns: Iterable[str] = TEXT_COLUMNS):
        """The text ``columns`` of the board ``rows`` as (positions in ``rows``, an Arrow table of those rows'
        columns) blocks of about :data:`_TEXT_BLOCK` records.

        Each store is scanned once in record order. A record rewritten in its store since the board was
        loaded has no text (NULL), as a reply without text.
        """
        columns = list(columns)
        unknown = set(columns) - set(TEXT_COLUMNS)
        if unknown:
            raise ValueError(f"unknown text columns {sorted(unknown)}; choose from {TEXT_COLUMNS}")
        import pyarrow as pa

        stores = rows["store"].to_numpy()
        for store in pd.unique(stores):
            mine = np.flatnonzero(stores == store)
            rowids = rows["rowid"].to_numpy(dtype=np.int64)[mine]
            position = np.full(int(rowids.max()) + 2, -1, dtype=np.int64)  # rowid -> position in rows
            position[rowids] = mine
            found, batches, size = [], [], 0
            for batch in _scan(store, {"rowid": "0", **{name: "''" for name in columns}}, final=True):
                ids = np.minimum(batch.column(0).to_numpy(zero_copy_only=False), len(position) - 1)
                at = position[ids]
                wanted = at >= 0
                found.append(at[wanted])
                batches.append(batch.filter(pa.array(wanted)).drop_columns(["rowid"]))
                size += int(wanted.sum())
                if size >= _TEXT_BLOCK:
                    yield np.concatenate(found), pa.Table.from_batches(batches)
                    found, batches, size = [], [], 0
            if size:
                yield np.concatenate(found), pa.Table.from_batches(batches)

    def first_instance(self, problem: str) -> dict | None:
        """The stored record of ``problem``'s first instance: lowest level, yes before no, then seed and index."""
        found = []
        for store in self.stores:
            with _connect(store) as db:
                row = db.execute("SELECT level, label != 'yes', seed, instance_index, record_json FROM instances "
                                 "WHERE problem = ? AND level IS NOT NULL ORDER BY 1, 2, 3, 4 LIMIT 1",
                                 (problem,)).fetchone()
            if row:
                found.append(row)
        return json.loads(min(found, key=lambda row: row[:4])[4]) if found else None

    def instance_data(self) -> dict[str, dict]:
        """Every stored instance's data, by instance id (read from the stores on each call)."""
        return {key: json.loads(record).get("data") for key, record in self.instance_rows("record_json")}

    def instance_rows(self, columns: str) -> Iterator[tuple]:
        """``(instance_id, *columns)`` of every stored instance, store by store (a later store's row for the same
        instance comes later); ``columns`` is SQL over the ``instances`` table (e.g. SQLite's JSON functions)."""
        for store in self.stores:
            with _connect(store) as db:
                yield from db.execute(f"SELECT instance_id, {columns} FROM instances")


def load_board(paths: Iterable[str | Path]) -> Board:
    """Read the stores at ``paths`` into a :class:`Board`; raise ValueError if they hold no records."""
    names = [str(path) for path in paths]
    _check_stores(names)
    records, runs, facts = _read(names)
    if records.empty:
        raise ValueError(f"the stores {', '.join(names)} hold no records yet; run `nppc run` first")
    notes: list[str] = []
    records = _attempts_first(_join_instances(records, facts, notes), names)
    cells = _coverage(records, facts, runs)
    return Board(records, runs, facts, cells, tuple(names), notes)


def load_attempts(paths: Iterable[str | Path], columns: Iterable[str]) -> Board:
    """Only the attempts of the stores at ``paths``, with only ``columns`` of each record (and ``rowid``,
    ``store``, ``level``, ``is_attempt``): the same :attr:`Board.attempts` as :func:`load_board`'s, in the same
    order, read in about a third of its time (the text search in a worker reads this). The board has no runs,
    cells or instance facts."""
    names = [str(path) for path in paths]
    _check_stores(names)
    wanted = {name: _RECORD_COLUMNS[name] for name in ("rowid", "level", *columns)}
    records = _read_records(names, wanted, parts=(True,))
    facts = []
    for path in names:
        with _connect(path) as db:
            facts.append(pd.read_sql_query("SELECT instance_id, level AS instance_level FROM instances", db))
    levels = pd.concat(facts, ignore_index=True).drop_duplicates("instance_id", keep="last")
    codes = pd.Index(levels["instance_id"]).get_indexer(records["instance_id"])
    records["level"] = _level(records, levels, codes)
    records["is_attempt"] = True
    records = _attempts_first(records[records["level"].notna()].reset_index(drop=True), names)
    empty = pd.DataFrame()
    return Board(records, empty, empty, empty, tuple(names))


def _check_stores(names: list[str]) -> None:
    """Raise a one-line error for no store, or for a store that is missing, empty or not a run store."""
    if not names:
        raise ValueError("no run store given; pass at least one --store FILE")
    for path in names:
        Store(path, readonly=True).close()


def _level(records: pd.DataFrame, facts: pd.DataFrame, codes: np.ndarray) -> pd.Series:
    """Each record's level: its own, else its instance's (``codes``: the instance's row in ``facts``, -1 if none)."""
    level = records["level"].astype(float)
    stored = np.where(codes >= 0, facts["instance_level"].to_numpy(dtype=float)[codes], np.nan)
    return level.where(level.notna(), stored).astype("Int64")


def _attempts_first(records: pd.DataFrame, stores: list[str]) -> pd.DataFrame:
    """The records with :attr:`Board.attempts` first, each part in store and record order.

    :func:`_read` reads the final records first, so this is a copy only when some of them have no level.
    """
    counted = records["is_attempt"].to_numpy(dtype=bool) & records["level"].notna().to_numpy()
    store = pd.Index(stores).get_indexer(records["store"])
    order = np.lexsort((records["rowid"].to_numpy(), store, ~counted))
    if (order == np.arange(len(order))).all():
        return records
    return records.iloc[order].reset_index(drop=True)


@contextmanager
def _connect(path: str) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the store at ``path``, closed on leaving the block."""
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        db.execute("PRAGMA busy_timeout=10000")
        yield db
    finally:
        db.close()


def _read(paths: list[str]) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Records (no text), runs and instance facts of every store; each record and run names its store."""
    records = _read_records(paths)
    runs, facts = [], []
    for path in paths:
        with _connect(path) as db:
            run_rows = db.execute("SELECT * FROM runs ORDER BY created_at")
            run_names = [column[0] for column in run_rows.description]
            for row in run_rows.fetchall():
                run = dict(zip(run_names, row))
                runs.append({**run, "config": json.loads(run["config_json"]), "store": path})
            facts.append(pd.read_sql_query(
                "SELECT instance_id, problem, level AS instance_level, seed, instance_index, label, optimum "
                "FROM instances", db))
    facts = pd.concat(facts, ignore_index=True).drop_duplicates("instance_id", keep="last")
    return records, pd.DataFrame(runs), facts.reset_index(drop=True)


def _scan(path: str, columns: dict[str, str], final: bool | None = None):
    """Record batches of the store's ``columns`` (name -> a literal of its type), read with the ADBC SQLite driver
    (``final``: True for the attempts only, False for every other record, None for all).

    The driver infers each column's type from its first values (NULL reads as an integer) and fails
    on a later value of another type, so the query starts with one typed row, dropped here.
    """
    try:
        import adbc_driver_sqlite.dbapi as adbc
    except ImportError:
        raise ImportError("reading run stores needs the ADBC SQLite driver: pip install -e '.[analysis]'") from None
    query = (f"SELECT {', '.join(f'{value} AS {name}' for name, value in columns.items())} UNION ALL "
             f"SELECT {', '.join(columns)} FROM records")
    if final is not None:  # the statuses whose records count in accuracy, or the others
        query += f" WHERE status {'' if final else 'NOT '}IN ({', '.join(repr(status) for status in FINAL_STATUSES)})"
    with adbc.connect(Path(path).resolve().as_uri() + "?mode=ro") as db, db.cursor() as cursor:
        cursor.execute(query)
        first = True
        for batch in cursor.fetch_record_batch():
            yield batch.slice(1) if first else batch
            first = False


def _read_records(paths: list[str], columns: dict[str, str] = _RECORD_COLUMNS,
                  parts: tuple[bool, ...] = (True, False)) -> pd.DataFrame:
    """The stores' records without their text (``columns``: see :func:`_scan`), each naming its store: first every
    store's final records, then every store's others (``parts``: True for the final, False for the others), each
    part in store and record order (so the attempts come first, see :func:`_attempts_first`). Converted to pandas
    a column at a time: no second copy of the whole table."""
    import pyarrow as pa

    batches, stores = [], []
    for final in parts:
        for path in paths:
            for batch in _scan(path, columns, final=final):
                batches.append(batch)
                stores.append((path, batch.num_rows))
    table = pa.Table.from_batches(batches) if batches else pa.table({name: [] for name in columns})
    del batches
    columns = {}
    for name in list(table.column_names):
        column = table.column(name)
        table = table.drop_columns([name])  # its buffers go as soon as the column is converted
        columns[name] = _shared_strings(column) if name in _SHARED_STRINGS else column.to_pandas()
        del column
    names = np.asarray([path for path, _ in stores], dtype=object)
    columns["store"] = pd.Series(np.repeat(names, [rows for _, rows in stores]), dtype="str")
    return pd.DataFrame(columns, copy=False)


def _shared_strings(column) -> pd.Series:
    """An Arrow string column as an object column holding one string object per distinct value (8 bytes a row)."""
    encoded = column.combine_chunks().dictionary_encode() if column.num_chunks != 1 else \
        column.chunk(0).dictionary_encode()
    values = np.asarray(encoded.dictionary.to_pylist() + [np.nan], dtype=object)  # NULL as NaN, as pandas has it
    codes = encoded.indices.fill_null(len(values) - 1).to_numpy(zero_copy_only=False)
    return pd.Series(values[codes], dtype=object, copy=False)


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
    records["level"] = _level(records, facts, codes)
    no_level = records["level"].isna()
    if no_level.any():
        notes.append(f"{int(no_level.sum())} records have no level (instances made from raw parameters); "
                     "they appear in no per-level table")
    records["is_attempt"] = records["status"].isin(FINAL_STATUSES)
    records["is_api_error"] = records["status"] == API_ERROR
    records["is_correct"] = records["is_attempt"] & (records["correct"].fillna(0).astype(int) == 1)
    outcome = np.where(records["is_correct"], "correct", np.where(records["is_attempt"], "wrong", "missing"))
    records["outcome"] = pd.Series(outcome, index=records.index).astype("category").astype(object)
    records["is_baseline"] = records["model"].map({m: is_baseline(m) for m in records["model"].unique()}).astype(bool)
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
    counts = leveled.assign(level=leveled["level"].astype(int)).groupby(CELL_KEYS).agg(
        records=("status", "size"), attempts=("is_attempt", "sum"), correct=("is_correct", "sum"),
        api_errors=("is_api_error", "sum"))
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
