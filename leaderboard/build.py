"""``nppc leaderboard build``: a static, offline site from one or more run stores.

Layout of the site folder::

    index.html             the board: filters, problems grouped by suite or family, CIs, cost and tokens
    problems/index.html    every problem; problems/<id>.html: statement, example, accuracy by level, ceilings
    models/index.html      every model's card; models/<name>.html: card, runs, dates, versions, test set
    samples/               the sample viewer (every record: prompt, reply, reasoning, answer, verdict)
    runs.html              every run behind the board: configuration, package version, commit, store
    tracks.html/.csv       the plain, code and feedback tracks side by side (when a store has a track run)
    leaderboard.json/.csv  the board as data (schema in schema.md and inside the JSON)
    schema.md              the schema and the definition of every number
    board.css, board.js    the pages' style and script (no CDN, no external fonts)
    plots/, tables/        every figure and table of the npeval report
"""

from __future__ import annotations

import csv
import hashlib
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from leaderboard import model_pages, modelcards, pages, problem_pages, schema, viewer
from leaderboard.buildtime import build_time
from leaderboard.html import model_page_name
from leaderboard.tracks_page import write_tracks_page
from npeval import families, plots, report, workers
from npeval.analysis import Analysis
from npeval.coverage import coverage_by_model
from npeval.stats import AGGREGATES
from npsolver.adapters import is_baseline


@dataclass(frozen=True)
class Site:
    """Where a built site's pages are: the root, the index and the problem and model pages."""

    root: Path
    index: Path
    problem_pages: dict[str, Path]
    model_pages: dict[str, Path]
    board: dict[str, Any]
    samples: viewer.Viewer | None


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


def _iso(seconds: Any) -> str | None:
    if seconds is None or seconds != seconds:
        return None
    return datetime.fromtimestamp(float(seconds), timezone.utc).isoformat(timespec="seconds")


def testset_hash(instance_ids: Iterable[str]) -> str:
    """A short hash naming a test set: sha256 of its sorted, distinct instance ids (16 hex digits)."""
    return hashlib.sha256("\n".join(sorted(set(instance_ids))).encode()).hexdigest()[:16]


def _runs_by_model(analysis: Analysis) -> dict[str, list[dict[str, Any]]]:
    records = analysis.board.records
    times = records.groupby("run_id")[["started_at", "finished_at"]].agg(["min", "max"]) \
        if {"started_at", "finished_at"} <= set(records) else None
    runs: dict[str, list[dict[str, Any]]] = {}
    for run in analysis.board.runs.to_dict("records"):
        first = last = None
        if times is not None and run["run_id"] in times.index:
            first = times.loc[run["run_id"], ("started_at", "min")]
            last = times.loc[run["run_id"], ("finished_at", "max")]
        runs.setdefault(run["model"], []).append({
            "run_id": run["run_id"], "store": run["store"], "package_version": run["package_version"],
            "git_commit": run.get("git_commit"), "prompt_template": run["prompt_template"],
            "created_at": _iso(run.get("created_at")), "updated_at": _iso(run.get("updated_at")),
            "first_answer_at": _iso(first), "last_answer_at": _iso(last), "config": run.get("config", {})})
    return runs


def _testsets(analysis: Analysis) -> dict[str, dict[str, Any]]:
    """Per model: the seeds, instance count and hash of the instances it answered, and the problem versions."""
    records = analysis.board.records
    out = {}
    for model, rows in records.groupby("model"):
        versions = rows.groupby("problem")["problem_version"].unique()
        out[model] = {"seeds": sorted(int(s) for s in rows["seed"].unique()),
                      "instances": int(rows["instance_id"].nunique()),
                      "hash": testset_hash(rows["instance_id"]),
                      "problem_versions": {p: sorted(int(v) for v in vs) for p, vs in versions.items()}}
    return out


def problem_info(analysis: Analysis) -> dict[str, dict[str, Any]]:
    """Name, suite, family, short label and the card versions on the board, per problem."""
    import npgym

    versions = analysis.board.records.groupby("problem")["problem_version"].unique()
    info = {}
    for problem in analysis.board.problems:
        try:
            name = npgym.get_problem(problem).card.name
        except KeyError:
            name = problem
        info[problem] = {"name": name, "suite": families.suite_of(problem), "family": families.family_of(problem),
                         "short": families.short_label(problem),
                         "versions": sorted(int(v) for v in versions.get(problem, []))}
    return info


def board_rows(analysis: Analysis, cards: dict[str, modelcards.ModelCard | None]) -> list[dict[str, Any]]:
    """One board row per model: aggregates, per-problem accuracy and ceilings, cost and its card."""
    aggregates = analysis.aggregates.set_index(["model", "metric"])
    # (model, problem) -> its row: a dict lookup per cell (a .loc per value took most of the site's document)
    accuracy = analysis.problem_accuracy.set_index(["model", "problem"]).to_dict("index")
    ceilings = analysis.ceilings.set_index(["model", "problem"]).to_dict("index")
    cost = analysis.cost.set_index("model")
    cells = analysis.cells.groupby("model")[["attempts", "api_errors", "missing"]].sum()
    coverage = coverage_by_model(analysis.cells)
    runs = _runs_by_model(analysis)
    testsets = _testsets(analysis)
    rows = []
    for model in analysis.board.models:
        card = cards.get(model)
        row: dict[str, Any] = {"model": model, "is_baseline": is_baseline(model),
                               "page": model_page_name(model)}
        for metric in AGGREGATES:
            value = aggregates.loc[(model, metric)]
            row.update({metric: value["value"], f"{metric}_low": value["ci_low"], f"{metric}_high": value["ci_high"]})
        iqm = aggregates.loc[(model, "iqm")]
        row.update({"tasks": iqm["tasks"], "board_tasks": iqm["board_tasks"], "partial": iqm["partial"],
                    **cells.loc[model].to_dict()})
        row["coverage"] = coverage[model].words
        row["mean_completion_tokens"] = cost.loc[model, "mean_completion_tokens"] if model in cost.index else None
        row["cost_per_correct_usd"] = cost.loc[model, "cost_per_correct_usd"] if model in cost.index else None
        row["cost_coverage"] = cost.loc[model, "cost_coverage"] if model in cost.index else 0.0
        row["weights"] = card.weights if card else None
        row["card"] = card.to_dict() if card else None
        row["testset"] = testsets.get(model, {"seeds": [], "instances": 0, "hash": None, "problem_versions": {}})
        row["problems"] = {problem: _problem_entry(accuracy[model, problem], ceilings[model, problem])
                           for problem in analysis.board.problems}
        row["runs"] = runs.get(model, [])
        rows.append(clean(row))
    iqms = [row["iqm"] for row in rows]
    for row in rows:
        row["rank"] = None if row["iqm"] is None else 1 + sum(v is not None and v > row["iqm"] for v in iqms)
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["model"]))


def _problem_entry(accuracy: dict[str, Any], ceiling: dict[str, Any]) -> dict[str, Any]:
    """A board row's entry for one problem, from its rows of the problem accuracy and ceiling tables."""
    return {"accuracy": accuracy["accuracy"], "ci_low": accuracy["ci_low"], "ci_high": accuracy["ci_high"],
            "ceiling": ceiling["ceiling"], "ceiling_low": ceiling["ci_low"], "ceiling_high": ceiling["ci_high"],
            "censored": ceiling["censored"], "partial": accuracy["partial"],
            "levels_missing": accuracy["levels_missing"]}


def board_notes(analysis: Analysis, info: dict[str, dict[str, Any]], unused_cards: list[str]) -> list[str]:
    """The board's notes: the analysis's own, mixed card versions, and model cards that matched no model."""
    notes = list(analysis.board.notes)
    mixed = [f"{p} (v{', v'.join(map(str, i['versions']))})" for p, i in info.items() if len(i["versions"]) > 1]
    if mixed:
        notes.append("some problems were answered on several card versions, which may not compare: " + ", ".join(mixed))
    if unused_cards:
        notes.append(f"{len(unused_cards)} model card(s) name models that are not on the board: "
                     + ", ".join(unused_cards))
    return notes


def board_document(analysis: Analysis, card_files: Iterable[str | Path] = ()) -> dict[str, Any]:
    """The whole leaderboard document (leaderboard.json) of an analysis and the model cards given."""
    from npgym.cliargs import package_version

    card_files = [str(path) for path in card_files]
    given = [card for path in card_files for card in modelcards.read_cards(path)]
    cards = modelcards.cards_for(analysis.board.models, given)
    named = {card.id for card in given}
    info = problem_info(analysis)
    records = analysis.board.records
    return {"schema_version": schema.SCHEMA_VERSION,
            "generated_at": build_time().isoformat(timespec="seconds"),
            "nppc_version": package_version(), "stores": list(analysis.board.stores), "model_card_files": card_files,
            "bootstrap": {"replicates": analysis.n_boot, "seed": analysis.seed, "confidence": 0.95},
            "records": int(len(records)), "api_errors": int(records["is_api_error"].sum()),
            "testset": {"seeds": sorted(int(s) for s in records["seed"].unique()),
                        "instances": int(records["instance_id"].nunique()),
                        "hash": testset_hash(records["instance_id"])},
            "problems": analysis.board.problems, "problem_info": info,
            "problem_pages": {problem: f"{plots.slug(problem)}.html" for problem in analysis.board.problems},
            "groups": {by: families.grouped(analysis.board.problems, by) for by in ("suite", "family")},
            "notes": board_notes(analysis, info, sorted(named - set(analysis.board.models))),
            "definitions": schema.DEFINITIONS, "columns": schema.COLUMNS, "board_columns": schema.BOARD_COLUMNS,
            "rows": board_rows(analysis, cards)}


def csv_rows(document: dict[str, Any]) -> list[dict[str, Any]]:
    """The board rows flattened for leaderboard.csv: nested fields dropped, card fields as columns."""
    flat = []
    for row in document["rows"]:
        out = {k: v for k, v in row.items() if k not in ("problems", "runs", "card", "testset")}
        for field in modelcards.FIELDS[1:]:
            out[f"card_{field}"] = (row["card"] or {}).get(field)
        out["testset_hash"], out["testset_seeds"] = row["testset"]["hash"], ";".join(map(str, row["testset"]["seeds"]))
        for problem, values in row["problems"].items():
            out.update({f"acc_{problem}": values["accuracy"], f"acc_{problem}_low": values["ci_low"],
                        f"acc_{problem}_high": values["ci_high"], f"ceiling_{problem}": values["ceiling"],
                        f"ceiling_{problem}_low": values["ceiling_low"],
                        f"ceiling_{problem}_high": values["ceiling_high"]})
        for field, column in (("run_id", "run_ids"), ("store", "stores"), ("package_version", "package_versions"),
                              ("git_commit", "git_commits"), ("created_at", "run_created_at")):
            out[column] = ";".join(str(run[field] or "") for run in row["runs"])
        flat.append(out)
    return flat


def write_data_files(document: dict[str, Any], out: Path) -> None:
    """Write leaderboard.json, leaderboard.csv and schema.md into ``out``."""
    (out / "leaderboard.json").write_text(json.dumps(document, indent=1, allow_nan=False), encoding="utf-8")
    rows = csv_rows(document)
    with open(out / "leaderboard.csv", "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]) if rows else ["model"])
        writer.writeheader()
        writer.writerows(rows)
    (out / "schema.md").write_text(schema.schema_markdown(), encoding="utf-8")


def build_site(analysis: Analysis, out: str | Path, card_files: Iterable[str | Path] = (),
               samples: bool = True, sample_viewer: workers.Worker | None = None) -> Site:
    """Write the whole site into ``out``; ``samples=False`` leaves out the sample viewer, ``sample_viewer`` is
    one already being written (:func:`leaderboard.viewer.start_site_viewer`)."""
    out = Path(out)
    for folder in ("problems", "models"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    made: dict[str, Any] = {}

    def meanwhile() -> None:  # while other cores draw: the tables (copied when the report made them), the document
        report.tables(analysis, out / "tables")
        made["document"] = board_document(analysis, card_files)

    figures = report.figures(analysis, out / "plots", meanwhile=meanwhile)
    document = made["document"]
    from leaderboard.adaptive_page import add_adaptive  # issue 14's hook: adaptive.html when a run is adaptive

    add_adaptive(analysis.board, out, document)
    write_data_files(document, out)
    pages.write_assets(out)
    index = out / "index.html"
    index.write_text(pages.index_page(document, figures), encoding="utf-8")
    (out / "runs.html").write_text(pages.runs_page(document), encoding="utf-8")
    # tracks.html, when a store holds a code or feedback run
    write_tracks_page(analysis.board.stores, out, analysis.board.records)
    problem_paths = problem_pages.write_problem_pages(analysis, document, figures, out / "problems")
    model_paths = model_pages.write_model_pages(document, out / "models")
    if samples:
        written = viewer.finish_site_viewer(sample_viewer, analysis.board.stores, out)
    else:
        written = None
        (out / "samples").mkdir(exist_ok=True)
        (out / "samples" / "index.html").write_text(pages.no_samples_page(), encoding="utf-8")
    return Site(out, index, problem_paths, model_paths, document, written)
