"""A deterministic synthetic router dataset for tests and benchmarks (not for results).

Queries belong to families and carry a latent difficulty; models have a per-family ability and a
price that grows with their overall strength, so there is something for a router to learn and a
real cost-accuracy trade-off. P(correct) = sigmoid(ability[model, family] - difficulty).
"""

from __future__ import annotations

import json

import numpy as np

from nprouter.schema import RECORD_COLUMNS, SCHEMA_VERSION, ModelInfo, RouterDataset

WORDS = ("graph", "vertex", "clause", "colour", "tour", "subset", "bound", "edge", "literal", "weight")


def synthetic_dataset(n_queries: int = 200, n_models: int = 4, n_families: int = 3, n_samples: int = 1,
                      seed: int = 0) -> RouterDataset:
    """``n_queries`` x ``n_models`` x ``n_samples`` records with text, features, answers, costs and latencies."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    family = rng.integers(0, n_families, n_queries)
    difficulty = rng.normal(0.0, 1.5, n_queries)
    strength = np.sort(rng.normal(0.0, 1.0, n_models))
    ability = strength[:, None] + rng.normal(0.0, 1.0, (n_models, n_families))
    price = 0.0005 * np.exp(1.2 * (strength - strength.min()))
    p = 1.0 / (1.0 + np.exp(-(ability[:, family].T - difficulty[:, None])))  # (Q, M)
    correct = rng.random((n_queries, n_models, n_samples)) < p[:, :, None]
    wrong_answer = rng.integers(1, 4, (n_queries, n_models, n_samples))
    words = np.array(WORDS)
    texts = [f"family {f} " + " ".join(words[rng.integers(0, len(WORDS), 6) if f == 0 else
                                             (rng.integers(0, len(WORDS), 6) + f) % len(WORDS)])
             + f" size {int(10 + 5 * d)}" for f, d in zip(family, difficulty)]
    q, m, s = (a.ravel() for a in np.meshgrid(np.arange(n_queries), np.arange(n_models), np.arange(n_samples),
                                              indexing="ij"))
    ok = correct[q, m, s]
    models = [f"model-{i}" for i in range(n_models)]
    tokens = 200 + (20 * np.abs(difficulty[q])).astype(int)
    frame = pd.DataFrame({
        "schema_version": SCHEMA_VERSION, "source": "synthetic", "dataset_id": [f"fam{f}" for f in family[q]],
        "split": "test", "query_id": [f"q{i}" for i in q], "group_id": [f"g{i // 2}" for i in q],
        "query_text": [texts[i] for i in q],
        "query_features": [{"family": f"fam{family[i]}", "size": int(10 + 5 * abs(difficulty[i]))} for i in q],
        "model_id": [models[i] for i in m], "sample_idx": s, "score": ok.astype(float), "correct": ok,
        "answer_json": [json.dumps({"solution": 0 if good else int(w)})
                        for good, w in zip(ok, wrong_answer[q, m, s])],
        "response": None, "prompt_tokens": tokens, "completion_tokens": 50,
        "cost_usd": price[m] * tokens / 200, "cost_source": "billed", "latency_s": 0.5 + strength[m] - strength.min(),
        "status": "ok", "meta": [{} for _ in q]})
    return RouterDataset(frame[["schema_version", *RECORD_COLUMNS]],
                         {name: ModelInfo(name, name) for name in models})
