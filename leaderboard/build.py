"""``nppc leaderboard build``: a static, offline site from one or more run stores.

Layout of the site folder::

    index.html             the sortable board (rendered from the JSON embedded in the page)
    problems/<id>.html     one page per problem: per-level accuracy, ceilings, its plots
    runs.html              every run behind the board: configuration, package version, commit, store
    tracks.html/.csv       the plain, code and feedback tracks side by side (when a store has a track run)
    leaderboard.json/.csv  the board as data (schema in schema.md and inside the JSON)
    schema.md              the schema and the definition of every number
    board.css, board.js    the page's style and script (no CDN, no external fonts)
    plots/, tables/        every figure and table of the npeval report
"""

from __future__ import annotations

import csv
import json
import math
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from leaderboard import pages, schema
from leaderboard.tracks_page import write_tracks_page
from npeval import plots, report
from npeval.analysis import Analysis


@dataclass(frozen=True)
class Site:
    root: Path
    index: Path
    problem_pages: dict[str, Path]
    board: dict[str, Any]


def clean(value: Any) -> Any:
    """JSON-safe plain Python: NaN -> None, numpy scalars -> Python numbers, recursively."""
    if isinstance(value, dict):
        return {str(k): clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _runs_by_model(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    runs: dict[str, list[dict[str, Any]]] = {}
    for run in analysis.board.runs.to_dict("records"):
        runs.setdefault(run["model"], []).append({
            "run_id": run["run_id"], "store": run["store"], "package_version": run["package_version"],
            "git_commit": run.get("git_commit"), "prompt_template": run["prompt_template"],
            "config": run.get("config", {})})
    return runs


def board_rows(analysis: Analysis) -> list[dict[str, Any]]:
    aggregates = analysis.aggregates.set_index(["model", "metric"])
    accuracy = analysis.problem_accuracy.set_index(["model", "problem"])
    ceilings = analysis.ceilings.set_index(["model", "problem"])
    cost = analysis.cost.set_index("model")
    cells = analysis.cells.groupby("model")[["attempts", "api_errors", "missing"]].sum()
    runs = _runs_by_model(analysis)
    rows = []
    for model in analysis.board.models:
        row: dict[str, Any] = {"model": model, "is_baseline": model.startswith("baseline/")}
        for metric in ("iqm", "mean", "median", "optimality_gap"):
            value = aggregates.loc[(model, metric)]
            row.update({metric: value["value"], f"{metric}_low": value["ci_low"], f"{metric}_high": value["ci_high"]})
        iqm = aggregates.loc[(model, "iqm")]
        row.update({"tasks": iqm["tasks"], "board_tasks": iqm["board_tasks"], "partial": iqm["partial"],
                    **cells.loc[model].to_dict()})
        row["mean_completion_tokens"] = cost.loc[model, "mean_completion_tokens"] if model in cost.index else None
        row["cost_per_correct_usd"] = cost.loc[model, "cost_per_correct_usd"] if model in cost.index else None
        row["cost_coverage"] = cost.loc[model, "cost_coverage"] if model in cost.index else 0.0
        row["problems"] = {problem: {
            "accuracy": accuracy.loc[(model, problem), "accuracy"], "ci_low": accuracy.loc[(model, problem), "ci_low"],
            "ci_high": accuracy.loc[(model, problem), "ci_high"], "ceiling": ceilings.loc[(model, problem), "ceiling"],
            "ceiling_low": ceilings.loc[(model, problem), "ci_low"],
            "ceiling_high": ceilings.loc[(model, problem), "ci_high"],
            "censored": ceilings.loc[(model, problem), "censored"],
            "partial": accuracy.loc[(model, problem), "partial"]} for problem in analysis.board.problems}
        row["runs"] = runs.get(model, [])
        rows.append(clean(row))
    iqms = [row["iqm"] for row in rows]
    for row in rows:
        row["rank"] = None if row["iqm"] is None else 1 + sum(v is not None and v > row["iqm"] for v in iqms)
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["model"]))


def board_document(analysis: Analysis) -> dict[str, Any]:
    from npgym.cliargs import package_version

    return {"schema_version": schema.SCHEMA_VERSION,
            "generated_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "nppc_version": package_version(), "stores": list(analysis.board.stores),
            "bootstrap": {"replicates": analysis.n_boot, "seed": analysis.seed, "confidence": 0.95},
            "problems": analysis.board.problems, "definitions": schema.DEFINITIONS, "columns": schema.COLUMNS,
            "rows": board_rows(analysis)}


def csv_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    flat = []
    for row in document["rows"]:
        out = {k: v for k, v in row.items() if k not in ("problems", "runs")}
        for problem, values in row["problems"].items():
            out.update({f"acc_{problem}": values["accuracy"], f"acc_{problem}_low": values["ci_low"],
                        f"acc_{problem}_high": values["ci_high"], f"ceiling_{problem}": values["ceiling"],
                        f"ceiling_{problem}_low": values["ceiling_low"],
                        f"ceiling_{problem}_high": values["ceiling_high"]})
        for field, column in (("run_id", "run_ids"), ("store", "stores"), ("package_version", "package_versions"),
                              ("git_commit", "git_commits")):
            out[column] = ";".join(str(run[field] or "") for run in row["runs"])
        flat.append(out)
    return flat


def write_data_files(document: dict[str, Any], out: Path) -> None:
    (out / "leaderboard.json").write_text(json.dumps(document, indent=1, allow_nan=False), encoding="utf-8")
    rows = csv_rows(document)
    with open(out / "leaderboard.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["model"])
        writer.writeheader()
        writer.writerows(rows)
    (out / "schema.md").write_text(schema.schema_markdown(), encoding="utf-8")


def build_site(analysis: Analysis, out: str | Path) -> Site:
    out = Path(out)
    (out / "problems").mkdir(parents=True, exist_ok=True)
    report.write_tables(analysis, out / "tables")
    figures = plots.all_figures(analysis, out / "plots")
    document = board_document(analysis)
    write_data_files(document, out)
    pages.write_assets(out)
    index = out / "index.html"
    index.write_text(pages.index_page(document, figures), encoding="utf-8")
    (out / "runs.html").write_text(pages.runs_page(document), encoding="utf-8")
    write_tracks_page(analysis.board.stores, out)  # tracks.html, when a store holds a code or feedback run
    problem_pages = {}
    for problem in analysis.board.problems:
        path = out / "problems" / f"{plots.slug(problem)}.html"
        path.write_text(pages.problem_page(analysis, problem), encoding="utf-8")
        problem_pages[problem] = path
    return Site(out, index, problem_pages, document)
