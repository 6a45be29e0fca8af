"""Run stores -> router records: every benchmark run becomes rows of the router schema.

One row per store record (run x instance x sample). The choices:

* ``query_id`` is the instance id (a content hash): the same instance asked of several models is one query.
* ``group_id`` is ``problem/seed/index`` without the level: the instances built from one (seed, index)
  at other levels, and the yes- and no-variants of one slot, stay on one side of a router split, so a
  router never trains on a sibling of a test instance.
* ``query_text`` is the exact prompt the store kept (prompts table), not a re-rendering.
* ``query_features``: problem, level, the size parameters (``param_*``), the instance label and the
  exact solver's effort when the instance carries it (no-instances and tight bounds).
* ``score``/``correct`` come from the record; ``answer_json`` is kept so the verifier cascade can
  re-verify it against the instance (written beside the records).
* Status: graded/parse_error -> ok (a wrong or unparsable answer is a valid, failed attempt),
  truncated -> truncated, refusal -> refused, api_error and verifier_error -> error (timeouts -> timeout),
  the last two only on request as they are not graded attempts. Non-ok rows keep
  score 0 so routers learn failures.
* Cost: the stored cost and its source; a NULL cost stays NULL with source ``missing``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from nprouter.schema import ModelInfo, RouterDataset, RouterRecord, records_frame
from npsolver.adapters import is_baseline

SOURCE = "npbench"
_NOT_GRADED = ("api_error", "verifier_error")
_STATUS = {"graded": "ok", "parse_error": "ok", "truncated": "truncated", "refusal": "refused", "api_error": "error"}


def export_stores(paths: Iterable[str | Path], include_api_errors: bool = False) -> RouterDataset:
    """Read run stores and return their records as a router dataset (instances included).

    API and verifier errors are not graded attempts (the runner retries them); they are left out
    unless ``include_api_errors``, then kept as ``error``/``timeout`` rows with score 0.
    """
    from npsolver.store import Store, read_stores

    paths = [Path(p) for p in paths]
    records, runs, instances = read_stores(paths)
    prompts: dict[str, str | None] = {}
    for path in paths:
        with Store(path, readonly=True) as store:
            for record in records:
                if record["store"] == str(path) and record["prompt_hash"] not in prompts:
                    prompts[record["prompt_hash"]] = store.prompt(record["prompt_hash"])
    run_config = {run["run_id"]: run for run in runs}
    rows = []
    for record in records:
        if record["status"] in _NOT_GRADED and not include_api_errors:
            continue
        instance = instances.get(record["instance_id"])
        if instance is None:
            raise ValueError(f"record {record['run_id']}/{record['instance_id']} has no stored instance")
        rows.append(_row(record, instance, prompts.get(record["prompt_hash"]) or "", run_config.get(record["run_id"])))
    if not rows:
        raise ValueError(f"no graded records in {', '.join(map(str, paths))}")
    models = {name: ModelInfo(name, display_name=name, is_local=_is_local(name))
              for name in sorted({row.model_id for row in rows})}
    used = {row.query_id for row in rows}
    return RouterDataset(records_frame(rows), models, {k: v for k, v in instances.items() if k in used})


def instance_features(instance: dict[str, Any]) -> dict[str, Any]:
    """Structured features of a stored instance record: problem, level, size parameters, label, solver effort."""
    features: dict[str, Any] = {"problem": instance["problem"], "level": instance.get("level"),
                                "label": instance.get("label", "unknown")}
    for name, value in sorted((instance.get("params") or {}).items()):
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            features[f"param_{name}"] = value
    effort = (instance.get("meta") or {}).get("effort")
    if isinstance(effort, dict):
        for name in ("seconds", "conflicts", "branches"):
            if isinstance(effort.get(name), (int, float)):
                features[f"effort_{name}"] = effort[name]
    return features


def group_of(instance: dict[str, Any]) -> str:
    """The group of an instance (problem, seed and index): its samples must not straddle a split."""
    return f"{instance['problem']}/s{instance['seed']}/i{instance['index']}"


def _row(record: dict[str, Any], instance: dict[str, Any], prompt: str, run: dict | None) -> RouterRecord:
    status = _STATUS.get(record["status"], "error")
    if record["status"] == "api_error" and record.get("code") == "timeout":
        status = "timeout"
    correct = None if record["correct"] is None else bool(record["correct"])
    cost, source = record.get("cost_usd"), record.get("cost_source") or "missing"
    if cost is None:
        source = "missing"
    elif source not in ("billed", "priced", "free"):
        source = "billed"
    meta = {"run_id": record["run_id"], "store": record["store"], "code": record.get("code"),
            "store_status": record["status"], "finish_reason": record.get("finish_reason")}
    if record.get("reasoning_tokens") is not None:
        meta["reasoning_tokens"] = record["reasoning_tokens"]
    if run and run.get("config", {}).get("temperature") is not None:
        meta["temperature"] = run["config"]["temperature"]
    return RouterRecord(
        source=SOURCE, dataset_id=f"np/{record['problem']}", split="test", query_id=record["instance_id"],
        group_id=group_of(instance), query_text=prompt, query_features=instance_features(instance),
        model_id=record["model"], sample_idx=int(record["sample"]), score=1.0 if correct else 0.0,
        correct=correct, answer_json=record.get("answer_json"), response=record.get("response_text"),
        prompt_tokens=record.get("prompt_tokens"), completion_tokens=record.get("completion_tokens"),
        cost_usd=cost, cost_source=source, latency_s=record.get("latency_s"), status=status,
        meta={k: v for k, v in meta.items() if v is not None})


def _is_local(model: str) -> bool:
    return is_baseline(model) or model.startswith(("local/", "llamacpp/"))


def verify_stored_answer(instance: dict[str, Any], answer_json: Any) -> bool:
    """Re-verify a stored answer with npgym's exact verifier; a missing or unreadable answer is rejected."""
    import npgym

    if not isinstance(answer_json, str) or not answer_json:
        return False
    try:
        answer = json.loads(answer_json)
    except json.JSONDecodeError:
        return False
    return npgym.verify(npgym.Instance.from_record(instance), answer).ok
