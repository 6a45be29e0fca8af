"""Each importer on its format: the two real public fixtures, and tiny synthetic LLMRouterBench and EmbedLLM
files written here (their real data is not available on this machine)."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from nprouter.importers import detect_format, load


def test_routellm_fixture(routellm_csv):
    path = routellm_csv
    assert detect_format(path) == "routellm"
    records = load(path).records
    assert records["query_id"].nunique() == 100 and records["model_id"].nunique() == 2
    solved = records.groupby("model_id")["correct"].sum().to_dict()
    assert solved == {"mistralai/Mixtral-8x7B-Instruct-v0.1": 32, "gpt-4-1106-preview": 46}
    assert set(records["cost_source"]) == {"priced"} and (records["cost_usd"] > 0).all()
    gpt4 = records[records["model_id"] == "gpt-4-1106-preview"]["cost_usd"].mean()
    mixtral = records[records["model_id"] != "gpt-4-1106-preview"]["cost_usd"].mean()
    assert gpt4 > 10 * mixtral  # priced from the list prices, not a silent 0


def test_routerbench_fixture(routerbench_csv):
    path = routerbench_csv
    assert detect_format(path) == "routerbench"
    records = load(path).records
    assert records["query_id"].nunique() == 380 and records["model_id"].nunique() == 11
    assert set(records["dataset_id"]) == {"winogrande"} and set(records["cost_source"]) == {"billed"}
    raw = pd.read_csv(path)
    first = records[(records["query_id"] == raw["sample_id"][0]) & (records["model_id"] == "gpt-4-1106-preview")]
    assert first["cost_usd"].item() == pytest.approx(raw["gpt-4-1106-preview|total_cost"][0])
    assert first["score"].item() == raw["gpt-4-1106-preview"][0]
    assert first["response"].item() == raw["gpt-4-1106-preview|model_response"][0]


def _llmrouterbench_file(root, model, scores, cost):
    folder = root / "aime" / "test" / model
    folder.mkdir(parents=True)
    result = {"model_name": model, "dataset_name": "aime", "split": "test", "time_taken": 4.0,
              "records": [{"index": i, "origin_query": f"q{i}", "prompt": f"Solve {i}", "prediction": str(i),
                           "ground_truth": "1", "score": s, "prompt_tokens": 10, "completion_tokens": 5,
                           "cost": cost, "raw_output": f"answer {i}"} for i, s in enumerate(scores)]}
    (folder / f"aime-test-{model}-20250101.json").write_text(json.dumps(result))


def test_llmrouterbench_tree(tmp_path):
    _llmrouterbench_file(tmp_path, "gpt-5", [1.0, 0.0, 1.0, 0.5], 0.01)
    _llmrouterbench_file(tmp_path, "qwen3-8b", [0.0, 0.0, 1.0, 1.0], None)
    assert detect_format(tmp_path) == "llmrouterbench"
    records = load(tmp_path).records.sort_values(["model_id", "query_id"])
    assert len(records) == 8 and set(records["dataset_id"]) == {"aime"}
    gpt = records[records["model_id"] == "gpt-5"]
    assert gpt["score"].tolist() == [1.0, 0.0, 1.0, 0.5]
    assert gpt["correct"].tolist() == [True, False, True, False]  # graded 0.5 is not correct
    assert gpt["latency_s"].tolist() == [1.0] * 4  # time_taken spread over the file's records
    qwen = records[records["model_id"] == "qwen3-8b"]
    assert qwen["cost_usd"].isna().all() and set(qwen["cost_source"]) == {"missing"}
    assert gpt["query_text"].tolist()[0] == "Solve 0" and gpt["response"].tolist()[0] == "answer 0"


def test_embedllm_long_csv(tmp_path):
    path = tmp_path / "train.csv"
    pd.DataFrame({"prompt_id": [0, 0, 1, 1], "model_id": [0, 1, 0, 1], "category_id": [2, 2, 3, 3],
                  "label": [1, 0, 0, 1], "model_name": ["m-a", "m-b", "m-a", "m-b"],
                  "category": ["gsm8k", "gsm8k", "mmlu", "mmlu"],
                  "prompt": ["2+2?", "2+2?", "capital?", "capital?"]}).to_csv(path, index=False)
    assert detect_format(path) == "embedllm"
    records = load(path).records
    assert records["correct"].tolist() == [True, False, False, True]
    assert records["dataset_id"].tolist() == ["gsm8k", "gsm8k", "mmlu", "mmlu"]
    assert records["cost_usd"].isna().all()


def test_bad_input_is_named(tmp_path):
    path = tmp_path / "bad.csv"
    pd.DataFrame({"prompt": ["a"], "m1": ["maybe"], "m2": [True]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match="m1"):
        load(path)
    odd = tmp_path / "odd.csv"
    odd.write_text("x,y\n1,2\n")
    with pytest.raises(ValueError, match="--format"):
        load(odd)
    with pytest.raises(ValueError, match="unknown format"):
        load(path, "csv")
