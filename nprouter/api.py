"""The Python API of ``nppc route export`` and ``nppc route eval``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nprouter.schema import RouterDataset


def export_dataset(stores: Iterable[str | Path], out: str | Path, *, include_api_errors: bool = False) -> RouterDataset:
    """``nppc route export``: the run stores as a router dataset, written to ``out`` (a folder, or one
    ``.parquet`` / ``.jsonl`` records file); returns the dataset."""
    from nprouter.export import export_stores
    from nprouter.schema import write_dataset

    dataset = export_stores(stores, include_api_errors=include_api_errors)
    write_dataset(dataset, out)
    return dataset


def evaluate_routers(data: str | Path, out: str | Path | None = None, *, data_format: str | None = None,
                     **config: Any) -> dict[str, Any]:
    """``nppc route eval``: every router (or ``routers=[...]``) on a router dataset or public routing data.

    ``config`` takes :class:`nprouter.evaluate.EvalConfig`'s fields (``routers``, ``seeds``, ``train_fraction``,
    ``inputs``, ``encoder``, ``cost_axis``, ``bootstrap``). With ``out``, writes ``report.json``, the decision
    log (``decisions.parquet``) and the cost-accuracy plot there. Returns the report.
    """
    from nprouter.evaluate import EvalConfig, evaluate, prepare
    from nprouter.importers import load
    from nprouter.plots import cost_accuracy_plot

    settings = EvalConfig(**config)
    report, decisions = evaluate(prepare(load(data, data_format), settings), settings)
    report["data"]["path"] = str(data)
    if out is not None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.json").write_text(json.dumps(report, indent=1, default=_plain) + "\n", encoding="utf-8")
        decisions.to_parquet(out / "decisions.parquet", index=False)  # millions of rows: columnar, not CSV
        cost_accuracy_plot(report, out / "cost_accuracy.png")
    return report


def _plain(value):
    """numpy scalars and arrays as plain JSON values."""
    if hasattr(value, "item"):
        return value.item()
    if hasattr(value, "tolist"):
        return value.tolist()
    raise TypeError(f"cannot write {type(value).__name__} to the report")
