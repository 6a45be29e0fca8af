"""The router record schema: one long table, a row per query x model x sample, plus a model price table.

A router dataset is what a router learns from and is evaluated on: for every query, what each model
answered, whether it was right, what it cost and how long it took. Benchmark runs (``npbench``) and
public routing datasets (RouteLLM, RouterBench, LLMRouterBench, EmbedLLM) all become this one table.

Columns (:data:`RECORD_COLUMNS`; every row also carries ``schema_version``):

``source``            where the row came from: ``npbench``, ``routellm``, ``routerbench``, ``llmrouterbench``, ...
``dataset_id``        benchmark or problem family (``np/vertex_cover``, ``winogrande``)
``split``             the split label in the original data (not the router split)
``query_id``          unique within ``dataset_id``; the router split key
``group_id``          leakage group: the router split keeps a group on one side
``query_text``        the exact prompt sent (input for text routers)
``query_features``    structured features as a JSON object, or null
``model_id``          joins the models table
``sample_idx``        0 for single-shot; 0..n-1 for repeated sampling
``score``             quality in [0, 1]
``correct``           the binary verdict; null when unknown (then ``score >= 1`` counts as correct)
``answer_json``       the extracted answer as JSON text, or null (voting and re-verification use it)
``response``          the raw output, or null
``prompt_tokens``, ``completion_tokens``   or null
``cost_usd``          per-call cost, null when unknown (never a silent 0)
``cost_source``       ``billed``, ``priced`` (tokens x price table), ``free`` (no charge), ``missing``
``latency_s``         wall time of the call, or null
``status``            ``ok``, ``error``, ``timeout``, ``refused``, ``truncated``; non-ok rows keep score 0
``meta``              a JSON object: verdict code, run id, store, ...

Models table (:class:`ModelInfo`): model id, display name, provider, parameter count and list prices.
On disk a dataset is a JSONL or Parquet records file, or a directory holding ``records.parquet`` (or
``records.jsonl``), ``models.jsonl`` and, for benchmark runs, ``instances.jsonl`` (the instances with
their answer keys, so the verifier cascade can re-verify stored answers).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from npgym.testset import read_jsonl

SCHEMA_VERSION = 1

RECORD_COLUMNS = ("source", "dataset_id", "split", "query_id", "group_id", "query_text", "query_features",
                  "model_id", "sample_idx", "score", "correct", "answer_json", "response", "prompt_tokens",
                  "completion_tokens", "cost_usd", "cost_source", "latency_s", "status", "meta")
STATUSES = ("ok", "error", "timeout", "refused", "truncated")
COST_SOURCES = ("billed", "priced", "free", "missing")
JSON_COLUMNS = ("query_features", "meta")  # objects in memory, JSON text in Parquet


@dataclass
class RouterRecord:
    """One row: one model's answer to one query (one sample of it)."""

    source: str
    dataset_id: str
    query_id: str
    model_id: str
    score: float
    query_text: str = ""
    group_id: str | None = None
    split: str = "test"
    query_features: dict[str, Any] | None = None
    sample_idx: int = 0
    correct: bool | None = None
    answer_json: str | None = None
    response: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    cost_usd: float | None = None
    cost_source: str = "missing"
    latency_s: float | None = None
    status: str = "ok"
    meta: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"status must be one of {STATUSES}, got {self.status!r}")
        if self.cost_source not in COST_SOURCES:
            raise ValueError(f"cost_source must be one of {COST_SOURCES}, got {self.cost_source!r}")
        if self.cost_usd is None and self.cost_source not in ("missing",):
            raise ValueError(f"cost_source {self.cost_source!r} needs a cost; an unknown cost is 'missing'")
        if not (isinstance(self.score, (int, float)) and 0.0 <= self.score <= 1.0):
            raise ValueError(f"score must be a number in [0, 1], got {self.score!r} "
                             f"(query {self.query_id}, model {self.model_id})")
        if self.group_id is None:
            self.group_id = self.query_id

    def to_row(self) -> dict[str, Any]:
        """The record as a dataset row, with the schema version."""
        return {"schema_version": SCHEMA_VERSION, **asdict(self)}


@dataclass(frozen=True)
class ModelInfo:
    """A row of the models table; prices in USD per million tokens, None when not known."""

    model_id: str
    display_name: str = ""
    provider: str = ""
    params_b: float | None = None
    price_in_per_mtok: float | None = None
    price_out_per_mtok: float | None = None
    price_date: str | None = None
    is_local: bool = False

    def price(self, prompt_tokens: int | None, completion_tokens: int | None) -> float | None:
        """The cost of a call from its tokens, or None when a price or a token count is missing."""
        price_in, price_out = self.price_in_per_mtok, self.price_out_per_mtok
        if price_in is None or price_out is None or prompt_tokens is None or completion_tokens is None:
            return None
        return (prompt_tokens * price_in + completion_tokens * price_out) / 1e6


@dataclass
class RouterDataset:
    """Records (a pandas DataFrame with :data:`RECORD_COLUMNS`), the models table and, optionally, instances."""

    records: Any
    models: dict[str, ModelInfo] = field(default_factory=dict)
    instances: dict[str, dict[str, Any]] = field(default_factory=dict)  # query_id -> instance record with key

    def __post_init__(self) -> None:
        missing = [c for c in ("dataset_id", "query_id", "model_id", "score") if c not in self.records]
        if missing:
            raise ValueError(f"router records lack the columns {missing}")
        for name in self.records["model_id"].unique():
            self.models.setdefault(name, ModelInfo(name, display_name=name))


def records_frame(records: Iterable[RouterRecord]):
    """A DataFrame of ``records`` with every schema column, in schema order."""
    import pandas as pd

    rows = [record.to_row() for record in records]
    return pd.DataFrame(rows, columns=("schema_version",) + RECORD_COLUMNS)


def write_dataset(dataset: RouterDataset, out: str | Path) -> Path:
    """Write ``dataset``: a directory (``records.parquet`` + tables) or one ``.jsonl``/``.parquet`` file."""
    out = Path(out)
    if out.suffix in (".jsonl", ".parquet"):
        _write_records(dataset.records, out)
        return out
    out.mkdir(parents=True, exist_ok=True)
    _write_records(dataset.records, out / "records.parquet")
    _write_jsonl(out / "models.jsonl", (asdict(info) for info in dataset.models.values()))
    if dataset.instances:
        _write_jsonl(out / "instances.jsonl", ({"query_id": key, "instance": value}
                                               for key, value in sorted(dataset.instances.items())))
    return out


def read_dataset(path: str | Path) -> RouterDataset:
    """Read a dataset written by :func:`write_dataset` (a directory, or one records file)."""
    path = Path(path)
    if path.is_dir():
        records_path = next((path / name for name in ("records.parquet", "records.jsonl")
                             if (path / name).exists()), None)
        if records_path is None:
            raise FileNotFoundError(f"{path} holds no records.parquet or records.jsonl")
        models = {row["model_id"]: ModelInfo(**_known(ModelInfo, row)) for row in _read_jsonl(path / "models.jsonl")}
        instances = {row["query_id"]: row["instance"] for row in _read_jsonl(path / "instances.jsonl")}
        return RouterDataset(_read_records(records_path), models, instances)
    return RouterDataset(_read_records(path))


def _write_records(frame, path: Path) -> None:
    frame = frame.copy()
    if "schema_version" not in frame:
        frame.insert(0, "schema_version", SCHEMA_VERSION)
    if path.suffix == ".parquet":
        for column in JSON_COLUMNS:
            frame[column] = [None if _is_null(v) else json.dumps(v, sort_keys=True) for v in frame[column]]
        frame.to_parquet(path, index=False)
    else:
        with open(path, "w", encoding="utf-8") as handle:
            for row in frame.to_dict("records"):
                clean = {k: (None if _is_null(v) else v) for k, v in row.items()}
                handle.write(json.dumps(clean, sort_keys=False, default=_json_default) + "\n")


def _read_records(path: Path):
    import pandas as pd

    if not path.exists():
        raise FileNotFoundError(f"no router records at {path}")
    if path.suffix == ".parquet":
        frame = pd.read_parquet(path)
        for column in JSON_COLUMNS:
            if column in frame:
                frame[column] = _parsed(frame[column])
    else:
        frame = pd.DataFrame(_read_jsonl(path))
    versions = set(frame.get("schema_version", pd.Series([None])).dropna().astype(int))
    if versions - {SCHEMA_VERSION} or not versions:
        raise ValueError(f"{path}: router schema version {sorted(versions) or 'missing'} is not "
                         f"{SCHEMA_VERSION}; re-export it with this version of nppc")
    for column in RECORD_COLUMNS:
        if column not in frame:
            frame[column] = None
    return frame


def _parsed(texts) -> list[Any]:
    """JSON texts (or None) parsed once per distinct text: rows share the parsed object (read, never mutated)."""
    import pandas as pd

    codes, distinct = pd.factorize(texts, use_na_sentinel=True)
    objects = [json.loads(text) for text in distinct]
    return [None if code < 0 else objects[code] for code in codes]


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """The rows of a JSON-lines file; none when the file does not exist (an optional part of a dataset)."""
    return read_jsonl(path) if path.exists() else []


def _write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, sort_keys=True, default=_json_default) + "\n")


def _known(cls, row: dict[str, Any]) -> dict[str, Any]:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in row.items() if k in names}


def _is_null(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _json_default(value: Any) -> Any:
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
