"""Wide query x model matrices built from long router records, and the group-aware query split.

Matrix hygiene (routing.md §5c): the pool is every model in the data; a (query, model) cell with no
row is filled with score 0 and the model's mean cost, and the count of filled cells is reported.
Repeated samples are averaged for single-shot metrics; a cell is *solved* when most of its samples
are correct. The verifier cascade uses each model's first sample (``first_*``), as one call.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from nprouter.schema import RouterDataset

COST_AXES = ("auto", "usd", "latency", "tokens", "calls")


@dataclass
class RoutingData:
    """Queries (rows) x models (columns): outcomes, costs and the inputs routers may look at.

    Routers choose from ``dataset``, ``text``, ``features`` and ``X`` (the query representation); the
    outcome matrices are the replay environment, read only by the evaluator, the Oracle and the replay
    routers (cascade, ModelSwitch), which pay for every call they make.
    """

    query_ids: np.ndarray
    dataset: np.ndarray
    group: np.ndarray
    text: list[str]
    features: list[dict[str, Any] | None]
    models: list[str]
    score: np.ndarray          # (Q, M) mean score over samples
    solved: np.ndarray         # (Q, M) bool: most samples correct
    cost: np.ndarray           # (Q, M) mean cost on the chosen axis
    latency: np.ndarray        # (Q, M) mean latency, NaN when unknown
    first_score: np.ndarray    # (Q, M) sample 0
    first_cost: np.ndarray
    accepted: np.ndarray       # (Q, M) bool: the verifier accepts sample 0
    sample_answers: np.ndarray | None = None   # (Q, M, S) canonical answers, None when single-shot
    sample_score: np.ndarray | None = None
    sample_cost: np.ndarray | None = None
    X: np.ndarray | None = None                # (Q, d) query representation, set by nprouter.embed
    info: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.query_ids)

    def query_matrix(self) -> np.ndarray:
        """``X``, which routers that learn from the query need; a ValueError says how to set it when absent."""
        if self.X is None:
            raise ValueError("this router needs a query representation X: embed the queries first (nprouter.embed)")
        return self.X

    def samples(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(answers, score, cost) of every sample, each (Q, M, S); a ValueError for single-shot data."""
        if self.sample_answers is None or self.sample_score is None or self.sample_cost is None:
            raise ValueError("these routing data have one sample per query and model (no sample_idx > 0)")
        return self.sample_answers, self.sample_score, self.sample_cost

    def subset(self, rows: np.ndarray) -> RoutingData:
        """The same matrices restricted to ``rows`` (an index array)."""
        take = lambda a: None if a is None else a[rows]  # noqa: E731
        return replace(self, query_ids=self.query_ids[rows], dataset=self.dataset[rows], group=self.group[rows],
                       text=[self.text[i] for i in rows], features=[self.features[i] for i in rows],
                       score=self.score[rows], solved=self.solved[rows], cost=self.cost[rows],
                       latency=self.latency[rows], first_score=self.first_score[rows],
                       first_cost=self.first_cost[rows], accepted=self.accepted[rows],
                       sample_answers=take(self.sample_answers), sample_score=take(self.sample_score),
                       sample_cost=take(self.sample_cost), X=take(self.X))


def build_matrix(dataset: RouterDataset, cost_axis: str = "auto", verify: bool = True) -> RoutingData:
    """Pivot long records into :class:`RoutingData`; see the module docstring for filling and samples.

    ``cost_axis``: ``usd`` (cost_usd, else priced from tokens and the models table), ``latency``,
    ``tokens``, ``calls`` (1 per call), or ``auto``: the first of usd, latency, tokens that every model
    has and that is not zero everywhere (free baselines), else calls. With ``verify``, benchmark rows whose
    instance is known are re-verified with npgym.
    """
    import pandas as pd

    if cost_axis not in COST_AXES:
        raise ValueError(f"cost axis must be one of {COST_AXES}, got {cost_axis!r}")
    frame = dataset.records.reset_index(drop=True)
    if frame.empty:
        raise ValueError("the router dataset has no records")
    key = frame["dataset_id"].astype(str) + "\x1f" + frame["query_id"].astype(str)
    q_codes, q_keys = pd.factorize(key, sort=True)
    models = sorted(frame["model_id"].astype(str).unique())
    m_codes = pd.Categorical(frame["model_id"].astype(str), categories=models).codes
    samples = frame["sample_idx"].fillna(0).astype(int).to_numpy()
    n_q, n_m, n_s = len(q_keys), len(models), int(samples.max()) + 1
    if n_m < 2:
        raise ValueError(f"routing needs at least two models; the data has {models}")
    score = frame["score"].astype(float).to_numpy()
    correct = _correct_flags(frame)
    axis, cost_values, axis_note = _cost_values(frame, dataset, cost_axis, m_codes, n_m)
    latency = pd.to_numeric(frame["latency_s"], errors="coerce").to_numpy(dtype=float)

    cell = q_codes * n_m + m_codes
    count = np.bincount(cell, minlength=n_q * n_m).reshape(n_q, n_m)
    filled = int((count == 0).sum())
    denominator = np.maximum(count, 1)
    mean = lambda v: np.bincount(cell, weights=v, minlength=n_q * n_m).reshape(n_q, n_m) / denominator  # noqa: E731
    score_m, correct_m = mean(score), mean(correct)
    cost_m = _fill_by_model(mean(cost_values), count)
    lat_known = ~np.isnan(latency)
    lat_count = np.bincount(cell, weights=lat_known, minlength=n_q * n_m).reshape(n_q, n_m)
    lat_sum = np.bincount(cell, weights=np.where(lat_known, latency, 0), minlength=n_q * n_m).reshape(n_q, n_m)
    latency_m = np.where(lat_count > 0, lat_sum / np.maximum(lat_count, 1), np.nan)

    first = samples == samples.min()
    first_score = np.zeros((n_q, n_m))
    first_cost = cost_m.copy()
    first_score[q_codes[first], m_codes[first]] = score[first]
    first_cost[q_codes[first], m_codes[first]] = np.where(np.isnan(cost_values[first]),
                                                          cost_m[q_codes[first], m_codes[first]], cost_values[first])
    accepted, verifier, disagreements = _acceptance(frame, dataset, first, q_codes, m_codes, correct, (n_q, n_m),
                                                    verify)

    firsts = np.unique(q_codes, return_index=True)[1]
    features = [_as_dict(value) for value in frame["query_features"].to_numpy(dtype=object)[firsts]]
    group = frame["group_id"].where(frame["group_id"].notna(), frame["query_id"]).astype(str).to_numpy()
    data = RoutingData(
        query_ids=frame["query_id"].astype(str).to_numpy()[firsts],
        dataset=frame["dataset_id"].astype(str).to_numpy()[firsts],
        group=(frame["dataset_id"].astype(str).to_numpy() + "\x1f" + group)[firsts],
        text=[str(t) if isinstance(t, str) else "" for t in frame["query_text"].to_numpy()[firsts]],
        features=features, models=models, score=score_m, solved=correct_m > 0.5, cost=cost_m, latency=latency_m,
        first_score=first_score, first_cost=first_cost, accepted=accepted,
        info={"queries": n_q, "models": models, "records": len(frame), "filled_cells": filled,
              "samples_per_cell": n_s, "cost_axis": axis, "cost_note": axis_note, "verifier": verifier,
              "verifier_disagreements": disagreements})
    if n_s > 1:
        _attach_samples(data, frame, q_codes, m_codes, samples, n_s, score, cost_values, cost_m)
    return data


def split_queries(data: RoutingData, seed: int, train_fraction: float = 0.7) -> tuple[np.ndarray, np.ndarray]:
    """Train and test query indices: groups shuffled with ``seed`` within each dataset, a group never split."""
    if not 0.0 < train_fraction < 1.0:
        raise ValueError(f"train fraction must lie strictly between 0 and 1, got {train_fraction}")
    rng = np.random.default_rng(seed)
    train: list[str] = []
    for name in sorted(set(data.dataset)):
        groups = sorted(set(data.group[data.dataset == name]))
        order = rng.permutation(len(groups))
        n_train = int(len(groups) * train_fraction)
        if len(groups) >= 2:
            n_train = min(max(n_train, 1), len(groups) - 1)
        train.extend(groups[i] for i in order[:n_train])
    chosen = set(train)
    is_train = np.fromiter((group in chosen for group in data.group), bool, len(data))
    if is_train.all() or not is_train.any():
        raise ValueError(f"cannot split {len(data)} queries ({len(set(data.group))} groups) into train and test")
    return np.flatnonzero(is_train), np.flatnonzero(~is_train)


def _correct_flags(frame) -> np.ndarray:
    """1.0 where a row is correct: its ``correct`` flag where known, else ``score >= 1``."""
    flags = frame["correct"]
    known = flags.notna().to_numpy()
    stated = flags.where(known, False).to_numpy(dtype=object).astype(bool)
    derived = frame["score"].astype(float).to_numpy() >= 1.0
    return np.where(known, stated, derived).astype(float)


def _cost_values(frame, dataset: RouterDataset, axis: str, m_codes: np.ndarray, n_m: int):
    import pandas as pd

    usd = pd.to_numeric(frame["cost_usd"], errors="coerce").to_numpy(dtype=float, copy=True)
    unknown = np.isnan(usd)
    if unknown.any():  # price from tokens where the models table knows the price
        priced = [dataset.models[m].price(p, c) if m in dataset.models else None for m, p, c in
                  zip(frame["model_id"][unknown], _ints(frame["prompt_tokens"][unknown]),
                      _ints(frame["completion_tokens"][unknown]))]
        usd[unknown] = [np.nan if v is None else v for v in priced]
    tokens = (pd.to_numeric(frame["prompt_tokens"], errors="coerce").to_numpy(dtype=float)
              + pd.to_numeric(frame["completion_tokens"], errors="coerce").to_numpy(dtype=float))
    values = {"usd": usd, "latency": pd.to_numeric(frame["latency_s"], errors="coerce").to_numpy(dtype=float),
              "tokens": tokens, "calls": np.ones(len(frame))}

    def complete(name: str) -> bool:
        known = np.bincount(m_codes, weights=~np.isnan(values[name]), minlength=n_m)
        return bool((known > 0).all())

    def informative(name: str) -> bool:
        return complete(name) and bool(np.nansum(values[name]) > 0)

    if axis == "auto":
        axis = next((name for name in ("usd", "latency", "tokens") if informative(name)), "calls")
        note = f"auto: {axis}" + ("" if axis == "usd" else " (USD cost unknown for some model, or zero for all)")
    elif not complete(axis):
        raise ValueError(f"cost axis {axis!r}: some model has no known value; choose another --cost-axis "
                         "or give prices in the models table")
    else:
        note = axis
    return axis, values[axis], note


def _ints(series) -> list[int | None]:
    return [None if v is None or v != v else int(v) for v in series]


def _fill_by_model(matrix: np.ndarray, count: np.ndarray) -> np.ndarray:
    """Replace unknown cells (no row, or NaN cost) by the model's mean over known cells."""
    known = (count > 0) & ~np.isnan(matrix)
    column_mean = np.where(known, matrix, 0).sum(0) / np.maximum(known.sum(0), 1)
    return np.where(known, matrix, column_mean[None, :])


def _acceptance(frame, dataset: RouterDataset, first, q_codes, m_codes, correct, shape, verify: bool):
    """The verifier's verdict on each first sample: npgym re-verification where the instance is known."""
    accepted = np.zeros(shape, bool)
    accepted[q_codes[first], m_codes[first]] = correct[first] > 0.5
    if not (verify and dataset.instances):
        return accepted, "correct flag", 0
    from nprouter.export import verify_stored_answer

    disagreements = 0
    rows = np.flatnonzero(first)
    for row, q, m in zip(rows, q_codes[first], m_codes[first]):
        instance = dataset.instances.get(str(frame.at[row, "query_id"]))
        if instance is None:
            continue
        ok = verify_stored_answer(instance, frame.at[row, "answer_json"])
        disagreements += ok != accepted[q, m]
        accepted[q, m] = ok
    return accepted, "npgym", int(disagreements)


def _attach_samples(data, frame, q_codes, m_codes, samples, n_s, score, cost_values, cost_m) -> None:
    import pandas as pd

    answers = np.full((len(data), len(data.models), n_s), None, dtype=object)
    sample_score = np.full(answers.shape, np.nan)
    sample_cost = np.full(answers.shape, np.nan)
    codes, texts = pd.factorize(frame["answer_json"].to_numpy(dtype=object), use_na_sentinel=False)
    canonical = np.array([_canonical_answer(t) for t in texts], dtype=object)  # once per distinct answer text
    answers[q_codes, m_codes, samples] = canonical[codes]
    sample_score[q_codes, m_codes, samples] = score
    sample_cost[q_codes, m_codes, samples] = np.where(np.isnan(cost_values), cost_m[q_codes, m_codes], cost_values)
    data.sample_answers, data.sample_score, data.sample_cost = answers, sample_score, sample_cost


def _canonical_answer(text: Any) -> str | None:
    import json

    if not isinstance(text, str):
        return None
    try:
        return json.dumps(json.loads(text), sort_keys=True, separators=(",", ":"))
    except json.JSONDecodeError:
        return text.strip()


def _as_dict(value: Any) -> dict[str, Any] | None:
    if isinstance(value, dict):
        return value
    if isinstance(value, str) and value.startswith("{"):
        import json

        return json.loads(value)
    return None
