"""``nppc export``: every record, joined with its label, in JSON lines, CSV and Parquet."""

from __future__ import annotations

import csv
import json

import pytest

from nppc.cli import main
from npsolver.store import Store


@pytest.fixture(scope="module")
def store_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "runs.sqlite"
    for model in ("baseline/exact", "baseline/random"):
        assert main(["run", "--model", model, "--problems", "three_sat,vertex_cover", "--levels", "1",
                     "--count", "3", "--no-fraction", "0.34", "--store", str(path), "--no-progress"]) == 0
    return path


def stored(store_path) -> dict[tuple, dict]:
    with Store(store_path, readonly=True) as store:
        return {(r["run_id"], r["instance_id"], r["sample"]): r for r in store.records()}


def test_jsonl_export_holds_every_record_with_its_label(store_path, tmp_path):
    out = tmp_path / "records.jsonl"
    assert main(["export", "--store", str(store_path), "--format", "jsonl", "--out", str(out)]) == 0
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    records = stored(store_path)
    assert len(rows) == len(records) == 12
    for row in rows:
        record = records[(row["run_id"], row["instance_id"], row["sample"])]
        assert {k: row[k] for k in record} == record
        assert row["label"] in ("yes", "no") and row["prompt_template"]
    assert {row["label"] for row in rows} == {"yes", "no"}


def test_csv_export_and_a_single_run(store_path, tmp_path):
    with Store(store_path, readonly=True) as store:
        run_id = store.runs()[0]["run_id"]
    out = tmp_path / "records.csv"
    assert main(["export", "--store", str(store_path), "--format", "csv", "--out", str(out), "--run", run_id,
                 "--no-text"]) == 0
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 6 and {row["run_id"] for row in rows} == {run_id}
    assert "response_text" not in rows[0] and rows[0]["status"] == "graded"


def test_parquet_export(store_path, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet", reason="Parquet export needs pyarrow (the analysis extra)")
    out = tmp_path / "records.parquet"
    assert main(["export", "--store", str(store_path), "--format", "parquet", "--out", str(out)]) == 0
    table = pq.read_table(out)
    assert table.num_rows == 12 and sorted(table.column("correct").to_pylist()).count(1) >= 6


def test_export_of_a_missing_store_fails_clearly(tmp_path, capsys):
    assert main(["export", "--store", str(tmp_path / "none.sqlite"), "--out", str(tmp_path / "x.jsonl")]) == 2
    assert "no run store" in capsys.readouterr().err
