"""Run store -> router dataset: ids, groups, prompts, features, status and cost mapping, re-verification."""

from __future__ import annotations

import math

import numpy as np

from nprouter.export import export_stores
from nprouter.matrix import build_matrix
from nprouter.schema import read_dataset, write_dataset
from npsolver.store import Store


def test_export_maps_every_field(bench_store):
    dataset = export_stores([bench_store])
    records = dataset.records
    assert len(records) == 16 * 3 and records["query_id"].nunique() == 16
    with Store(bench_store, readonly=True) as store:
        instances = store.instances()
        stored = {(r["instance_id"], r["model"]): r for r in store.records()}
        row = records.iloc[0]
        assert row["query_text"] == store.prompt(stored[(row["query_id"], row["model_id"])]["prompt_hash"])
    assert set(records["query_id"]) == set(instances)
    assert set(records["dataset_id"]) == {"np/vertex_cover", "np/three_sat"}
    # one group per (problem, seed, index): the level-2 and level-3 instances of a slot share it
    assert records.groupby("group_id")["query_id"].nunique().eq(2).all()
    features = records.iloc[0]["query_features"]
    assert {"problem", "level", "label"} <= set(features) and any(k.startswith("param_") for k in features)
    flaky = records[records["model_id"] == "api/flaky"]
    parse_errors = flaky[flaky["meta"].map(lambda m: m["store_status"] == "parse_error")]
    assert len(parse_errors) == 8 and set(parse_errors["status"]) == {"ok"} and not parse_errors["correct"].any()
    unknown = flaky[flaky["cost_source"] == "missing"]
    assert len(unknown) == 2 and unknown["cost_usd"].isna().all()  # NULL stays NULL, never 0
    free = records[records["model_id"] == "baseline/exact"]
    assert set(free["cost_source"]) == {"free"} and (free["cost_usd"] == 0).all()
    assert records["answer_json"].notna().sum() == 16 * 3 - 8


#: a store status, the error code stored with it, and the status the export gives it
EXPORTED_STATUS = (("truncated", None, "truncated"), ("refusal", None, "refused"), ("api_error", "timeout", "timeout"))


def test_status_mapping_and_api_errors(tmp_path, store_writer):
    path = store_writer(tmp_path / "runs.sqlite")
    with Store(path) as store:
        some = store.records()[0]
        for status, code, _ in EXPORTED_STATUS:
            store.put_record({**{k: some[k] for k in ("instance_id", "problem", "problem_version", "level",
                                                      "prompt_hash")},
                              "run_id": f"run-{status}", "model": f"x/{status}", "sample": 0, "status": status,
                              "correct": None if status == "api_error" else 0, "code": code})
            store.put_run(f"run-{status}", f"x/{status}", {}, "nppc-prompt-1", "0.1.0", None)
    kept = export_stores([path]).records
    assert "x/api_error" not in set(kept["model_id"])
    assert kept.set_index("model_id").loc["x/truncated", "status"] == "truncated"
    assert kept.set_index("model_id").loc["x/refusal", "status"] == "refused"
    every = export_stores([path], include_api_errors=True).records.set_index("model_id")
    for status, _, exported in EXPORTED_STATUS:
        assert every.loc[f"x/{status}", "status"] == exported
    assert every.loc["x/api_error", "score"] == 0.0


def test_round_trip_keeps_instances_and_reverifies(tmp_path, store_writer):
    path = store_writer(tmp_path / "lying.sqlite", lie=True)
    folder = write_dataset(export_stores([path]), tmp_path / "routing")
    dataset = read_dataset(folder)
    assert len(dataset.instances) == 16
    data = build_matrix(dataset)
    assert data.info["verifier"] == "npgym" and data.info["verifier_disagreements"] == 1
    cheap = data.models.index("api/cheap")
    # the lying record claims correct; the exact verifier rejects its answer
    assert data.solved[:, cheap].sum() == data.accepted[:, cheap].sum() + 1
    assert data.info["cost_axis"] == "usd" and not np.isnan(data.cost).any()
    exact = data.models.index("baseline/exact")
    assert data.accepted[:, exact].all() and math.isclose(data.cost[:, exact].sum(), 0.0)
