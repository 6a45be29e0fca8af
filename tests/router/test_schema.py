"""The router record schema: validation, and lossless JSONL / Parquet / directory round trips."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from nprouter.schema import (
    SCHEMA_VERSION,
    ModelInfo,
    RouterDataset,
    RouterRecord,
    read_dataset,
    records_frame,
    write_dataset,
)
from nprouter.synthetic import synthetic_dataset


def _record(**changes) -> RouterRecord:
    fields = dict(source="s", dataset_id="d", query_id="q", model_id="m", score=1.0)
    return RouterRecord(**{**fields, **changes})


def test_record_defaults_and_validation():
    record = _record()
    assert record.group_id == "q" and record.cost_usd is None and record.cost_source == "missing"
    with pytest.raises(ValueError, match="status"):
        _record(status="graded")
    with pytest.raises(ValueError, match="score"):
        _record(score=1.5)
    with pytest.raises(ValueError, match="missing"):
        _record(cost_source="billed")  # a cost source without a cost


def test_price_needs_every_part():
    info = ModelInfo("m", price_in_per_mtok=2.0, price_out_per_mtok=6.0)
    assert info.price(1000, 500) == pytest.approx(0.005)
    assert info.price(None, 500) is None
    assert ModelInfo("m").price(1000, 500) is None


@pytest.mark.parametrize("name", ["records.jsonl", "records.parquet", "folder"])
def test_round_trip_keeps_values_and_nulls(tmp_path, name):
    dataset = synthetic_dataset(n_queries=12, n_models=3, n_samples=2, seed=3)
    dataset.records.loc[0, "cost_usd"] = None
    dataset.records.loc[0, "cost_source"] = "missing"
    out = write_dataset(dataset, tmp_path / name)
    back = read_dataset(out)
    assert len(back.records) == len(dataset.records)
    assert back.records["query_features"].tolist() == dataset.records["query_features"].tolist()
    assert back.records["score"].tolist() == dataset.records["score"].tolist()
    assert math.isnan(back.records["cost_usd"][0]) and back.records["cost_source"][0] == "missing"
    assert back.records["cost_usd"][1:].tolist() == pytest.approx(dataset.records["cost_usd"][1:].tolist())
    if name == "folder":
        assert set(back.models) == set(dataset.models)


def test_wrong_schema_version_is_refused(tmp_path):
    frame = records_frame([_record()])
    frame["schema_version"] = SCHEMA_VERSION + 1
    RouterDataset(frame)  # in memory it is just a table
    path = tmp_path / "old.jsonl"
    frame.to_json(path, orient="records", lines=True)
    with pytest.raises(ValueError, match="schema version"):
        read_dataset(path)


def test_dataset_needs_key_columns():
    with pytest.raises(ValueError, match="query_id"):
        RouterDataset(pd.DataFrame({"dataset_id": ["d"], "model_id": ["m"], "score": [1.0]}))
