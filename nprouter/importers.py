"""Importers: public routing datasets -> router records, with format auto-detection.

Formats (``FORMATS``):

``native``          a dataset written by :func:`nprouter.schema.write_dataset` (directory, .jsonl or .parquet)
``routellm``        RouteLLM's per-query CSV: ``prompt`` plus one True/False column per model
``routerbench``     RouterBench's wide table (CSV or pickle): ``sample_id, prompt, eval_name, <model>,
                    <model>|total_cost, <model>|model_response``
``llmrouterbench``  LLMRouterBench's result tree ``<dataset>/<split>/<model>/*.json`` (files with ``records``)
``embedllm``        EmbedLLM's long CSV: ``prompt_id, model_id, label`` (+ ``model_name, category, prompt``)
``store``           an nppc run store (SQLite), exported on the fly
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from pathlib import Path
from typing import Any

from nprouter.schema import ModelInfo, RouterDataset, RouterRecord, read_dataset, records_frame

FORMATS = ("native", "routellm", "routerbench", "llmrouterbench", "embedllm", "store")

# List prices (USD per million tokens) of the RouteLLM fixture's models, so its costs can be priced.
ROUTELLM_PRICES = {
    "gpt-4-1106-preview": ModelInfo("gpt-4-1106-preview", "GPT-4 Turbo (1106)", "openai", None, 10.0, 30.0, "2023-11"),
    "mistralai/Mixtral-8x7B-Instruct-v0.1": ModelInfo("mistralai/Mixtral-8x7B-Instruct-v0.1", "Mixtral 8x7B Instruct",
                                                      "mistralai", 46.7, 0.6, 0.6, "2024-01"),
}


def load(path: str | Path, fmt: str | None = None, models: dict[str, ModelInfo] | None = None) -> RouterDataset:
    """Load any supported dataset; ``fmt`` is detected from the file when not given."""
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"no dataset at {path}")
    fmt = fmt or detect_format(path)
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if fmt == "native":
        return read_dataset(path)
    if fmt == "store":
        from nprouter.export import export_stores

        stores = sorted(path.glob("*.sqlite")) if path.is_dir() else [path]
        return export_stores(stores)
    if fmt == "routellm":
        return read_routellm(path, models)
    reader = {"routerbench": read_routerbench, "llmrouterbench": read_llmrouterbench, "embedllm": read_embedllm}[fmt]
    return reader(path)


def detect_format(path: Path) -> str:
    """Guess the format from the file name, the header of a CSV, or a directory's contents."""
    if path.is_dir():
        if any((path / name).exists() for name in ("records.parquet", "records.jsonl")):
            return "native"
        if any(path.glob("*.sqlite")):
            return "store"
        if any(path.rglob("*.json")):
            return "llmrouterbench"
        raise ValueError(f"{path}: cannot tell the format of this directory; pass --format")
    if path.suffix in (".sqlite", ".db"):
        return "store"
    if path.suffix in (".parquet", ".jsonl"):
        return "native"
    if path.suffix in (".pkl", ".pickle"):
        return "routerbench"
    if path.suffix == ".json":
        return "llmrouterbench"
    if path.suffix == ".csv":
        with open(path, newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        if any(name.endswith("|total_cost") for name in header):
            return "routerbench"
        if {"prompt_id", "model_id", "label"} <= set(header):
            return "embedllm"
        if header and header[0] == "prompt" and len(header) >= 3:
            return "routellm"
    raise ValueError(f"{path}: cannot tell the format; pass --format (one of {', '.join(FORMATS)})")


def read_routellm(path: Path, models: dict[str, ModelInfo] | None = None) -> RouterDataset:
    """RouteLLM eval CSV: a ``prompt`` column and one True/False correctness column per model.

    The file has no token counts or costs. When a model has list prices (``ROUTELLM_PRICES`` or
    ``models``), the call is priced from estimated tokens (prompt characters / 4, one completion token:
    the answer is a letter) and ``meta.tokens`` says so; otherwise the cost stays missing.
    """
    import pandas as pd

    frame = pd.read_csv(path)
    if "prompt" not in frame:
        raise ValueError(f"{path}: a RouteLLM CSV needs a 'prompt' column")
    prices = {**ROUTELLM_PRICES, **(models or {})}
    model_ids = [c for c in frame.columns if c != "prompt" and not c.startswith("Unnamed")]
    dataset_id = path.stem
    rows = []
    for prompt, *flags in frame[["prompt", *model_ids]].itertuples(index=False):
        query_id = _text_id(prompt)
        prompt_tokens = math.ceil(len(prompt) / 4)
        for model, flag in zip(model_ids, flags):
            correct = _as_bool(flag, path, model)
            info = prices.get(model)
            cost = info.price(prompt_tokens, 1) if info else None
            rows.append(RouterRecord(
                source="routellm", dataset_id=dataset_id, query_id=query_id, query_text=prompt, model_id=model,
                score=float(correct), correct=correct, prompt_tokens=prompt_tokens if cost is not None else None,
                completion_tokens=1 if cost is not None else None, cost_usd=cost,
                cost_source="priced" if cost is not None else "missing",
                meta={"tokens": "estimated: prompt chars / 4, 1 completion token"} if cost is not None else {}))
    return RouterDataset(records_frame(rows), {m: prices.get(m, ModelInfo(m, m)) for m in model_ids})


def read_routerbench(path: Path) -> RouterDataset:
    """RouterBench wide table: ``<model>`` score, ``<model>|total_cost`` (billed USD), ``<model>|model_response``."""
    import pandas as pd

    frame = pd.read_pickle(path) if path.suffix in (".pkl", ".pickle") else pd.read_csv(path)
    for column in ("prompt", "eval_name"):
        if column not in frame:
            raise ValueError(f"{path}: a RouterBench table needs a {column!r} column")
    model_ids = sorted(c[: -len("|total_cost")] for c in frame.columns if c.endswith("|total_cost"))
    missing = [m for m in model_ids if m not in frame]
    if not model_ids or missing:
        raise ValueError(f"{path}: RouterBench columns incomplete (models without a score column: {missing})")
    rows = []
    for index, item in enumerate(frame.to_dict("records")):
        query_id = str(item.get("sample_id", index))
        for model in model_ids:
            score = float(item[model])
            if math.isnan(score):
                continue
            cost = _number(item.get(f"{model}|total_cost"))
            response = item.get(f"{model}|model_response")
            rows.append(RouterRecord(
                source="routerbench", dataset_id=str(item["eval_name"]), query_id=query_id,
                query_text=str(item["prompt"]), model_id=model, score=score, correct=score >= 1.0,
                response=None if _is_missing(response) else str(response), cost_usd=cost,
                cost_source="billed" if cost is not None else "missing"))
    return RouterDataset(records_frame(rows), {m: ModelInfo(m, m) for m in model_ids})


def read_llmrouterbench(path: Path) -> RouterDataset:
    """LLMRouterBench result files ``<dataset>/<split>/<model>/<dataset>-<split>-<model>-<time>.json``.

    Each file holds ``model_name``, ``dataset_name``, ``split``, ``time_taken`` and ``records`` (index,
    prompt, prediction, score, prompt_tokens, completion_tokens, cost, raw_output). There is no
    per-record latency: ``latency_s`` is the file's ``time_taken`` spread evenly over its records.
    """
    files = sorted(path.rglob("*.json")) if path.is_dir() else [path]
    rows = []
    for file in files:
        try:
            result = json.loads(file.read_text(encoding="utf-8"))
        except json.JSONDecodeError as error:
            raise ValueError(f"{file}: not JSON ({error.msg})") from None
        if not isinstance(result, dict) or "records" not in result:
            continue
        model, dataset = result.get("model_name") or file.parent.name, result.get("dataset_name") or file.parts[-4]
        split = str(result.get("split") or file.parent.parent.name)
        per_record = (result.get("time_taken") or 0) / max(len(result["records"]), 1) or None
        for record in result["records"]:
            score = float(record.get("score") or 0.0)
            cost = _number(record.get("cost"))
            prediction = record.get("prediction")
            rows.append(RouterRecord(
                source="llmrouterbench", dataset_id=dataset, split=split, query_id=str(record["index"]),
                query_text=str(record.get("prompt") or record.get("origin_query") or ""), model_id=model,
                score=min(max(score, 0.0), 1.0), correct=score >= 1.0,
                answer_json=None if prediction is None else json.dumps(prediction),
                response=record.get("raw_output"), prompt_tokens=record.get("prompt_tokens"),
                completion_tokens=record.get("completion_tokens"), cost_usd=cost,
                cost_source="billed" if cost is not None else "missing", latency_s=per_record,
                meta={"ground_truth": record.get("ground_truth"), "file": file.name}))
    if not rows:
        raise ValueError(f"{path}: no LLMRouterBench result files (JSON objects with 'records') found")
    return RouterDataset(records_frame(rows))


def read_embedllm(path: Path) -> RouterDataset:
    """EmbedLLM long CSV: ``prompt_id, model_id, label`` with optional ``model_name, category, prompt``. No costs."""
    import pandas as pd

    frame = pd.read_csv(path)
    missing = {"prompt_id", "model_id", "label"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: an EmbedLLM CSV needs the columns {sorted(missing)}")
    rows = []
    for item in frame.to_dict("records"):
        model = str(item.get("model_name") if not _is_missing(item.get("model_name")) else item["model_id"])
        correct = _as_bool(item["label"], path, model)
        category = item.get("category")
        rows.append(RouterRecord(
            source="embedllm", dataset_id=str(category) if not _is_missing(category) else "embedllm",
            query_id=str(item["prompt_id"]), query_text=str(item.get("prompt") or ""), model_id=model,
            score=float(correct), correct=correct))
    return RouterDataset(records_frame(rows))


def _text_id(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _as_bool(value: Any, path: Path, model: str) -> bool:
    if isinstance(value, str):
        if value.strip().lower() in ("true", "1", "1.0"):
            return True
        if value.strip().lower() in ("false", "0", "0.0"):
            return False
    elif value in (0, 1):
        return bool(value)
    raise ValueError(f"{path}: model {model!r} has a correctness value {value!r} that is not true/false or 1/0")


def _number(value: Any) -> float | None:
    return None if _is_missing(value) else float(value)


def _is_missing(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
