"""``nppc export``: the records of a run store as JSON lines, CSV or Parquet (Parquet needs pyarrow).

Each exported row is one record joined with its run's prompt template and its instance's label and
optimum, so a flat file is enough for analysis elsewhere. Rows stream from SQLite; only Parquet holds
the whole table in memory (pyarrow writes a table at once).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from npsolver.records import RECORD_COLUMNS, TEXT_COLUMNS
from npsolver.store import Store

FORMATS = ("jsonl", "csv", "parquet")
JOINED_COLUMNS = ("prompt_template", "label", "optimum")


def export_rows(store: Store, run_id: str | None = None, with_text: bool = True) -> Iterator[dict[str, Any]]:
    """Every record (of ``run_id`` if given) joined with its run and instance, as export rows."""
    columns = RECORD_COLUMNS if with_text else tuple(c for c in RECORD_COLUMNS if c not in TEXT_COLUMNS)
    query = (f"SELECT {', '.join('r.' + c for c in columns)}, u.prompt_template, i.label, i.optimum "
             "FROM records r JOIN runs u ON u.run_id = r.run_id "
             "LEFT JOIN instances i ON i.instance_id = r.instance_id")
    params: tuple = ()
    if run_id:
        query += " WHERE r.run_id = ?"
        params = (run_id,)
    query += " ORDER BY r.run_id, r.problem, r.level, r.instance_id, r.sample"
    for row in store.db.execute(query, params):
        yield dict(zip((*columns, *JOINED_COLUMNS), row))


def export_store(store_path: str | Path, out: str | Path, fmt: str, run_id: str | None = None,
                 with_text: bool = True) -> int:
    """Write the records of ``store_path`` to ``out``; returns the number of rows written."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    with Store(store_path, readonly=True) as store:
        rows = export_rows(store, run_id, with_text)
        if fmt == "jsonl":
            return _write_jsonl(rows, out)
        if fmt == "csv":
            return _write_csv(rows, out, with_text)
        return _write_parquet(rows, out)


def _write_jsonl(rows: Iterator[dict[str, Any]], out: str | Path) -> int:
    count = 0
    with open(out, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_csv(rows: Iterator[dict[str, Any]], out: str | Path, with_text: bool) -> int:
    columns = [c for c in RECORD_COLUMNS if with_text or c not in TEXT_COLUMNS]
    count = 0
    with open(out, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*columns, *JOINED_COLUMNS])
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def _write_parquet(rows: Iterator[dict[str, Any]], out: str | Path) -> int:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ModuleNotFoundError:
        raise RuntimeError('Parquet export needs pyarrow: pip install "nppc[analysis]"') from None
    table = pa.Table.from_pylist(list(rows))
    pq.write_table(table, out)
    return table.num_rows
